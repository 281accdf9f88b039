/**
 * Old links and files keep opening: every link in the corpus was made by an earlier version of
 * SVA Lab and is never edited, and its `scenario` is the file it was made from. Each link must
 * still decode to the scenario that file opens as, and run to the same state; an entry made
 * before a migration (a removed fault: migrate.ts) opens with the note saying what changed,
 * from the link and from the file alike.
 */
import { describe, expect, it } from "vitest";
import { runScenario } from "../kernel/run.ts";
import { parseScenario } from "./schema.ts";
import { decodeScenarioUrl } from "./url.ts";
import corpusV1 from "./url-corpus-v1.json";

type Entry = { id: string; url: string; scenario: unknown; notes?: string[] };

describe.each((corpusV1.entries as Entry[]).map((e) => [e.id, e] as const))("v1 link %s", (_id, entry) => {
  it("decodes to the scenario it was made from and runs to the same state hash", () => {
    const decoded = decodeScenarioUrl(entry.url);
    if (!decoded.ok) throw new Error(decoded.error);
    const original = parseScenario(entry.scenario);
    if (!original.ok) throw new Error(original.error);
    expect(decoded.value.scenario).toEqual(original.value);
    expect(runScenario(decoded.value.scenario).stateHash).toBe(runScenario(original.value).stateHash);
  });

  it(entry.notes ? "opens with a note saying what changed" : "opens with no migration note", () => {
    const decoded = decodeScenarioUrl(entry.url);
    const file = parseScenario(entry.scenario);
    if (!decoded.ok || !file.ok) throw new Error("does not open");
    const expected = entry.notes ?? [];
    for (const notes of [decoded.value.notes ?? [], file.notes ?? []]) {
      expect(notes).toHaveLength(expected.length);
      notes.forEach((n, i) => {
        expect(n).toContain(expected[i]);
        expect(n).not.toMatch(/[\n\r]/);
      });
    }
  });
});
