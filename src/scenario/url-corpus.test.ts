/**
 * Old links keep opening: every link in the corpus was made by an earlier version of SVA Lab
 * and is never edited. Each must still decode to the scenario it was made from, and open to
 * the same state as that scenario.
 */
import { describe, expect, it } from "vitest";
import { runScenario } from "../kernel/run.ts";
import { parseScenario } from "./schema.ts";
import { decodeScenarioUrl } from "./url.ts";
import corpusV1 from "./url-corpus-v1.json";

describe.each(corpusV1.entries.map((e) => [e.id, e] as const))("v1 link %s", (_id, entry) => {
  it("decodes to the scenario it was made from and runs to the same state hash", () => {
    const decoded = decodeScenarioUrl(entry.url);
    if (!decoded.ok) throw new Error(decoded.error);
    const original = parseScenario(entry.scenario);
    if (!original.ok) throw new Error(original.error);
    expect(decoded.value.scenario).toEqual(original.value);
    expect(runScenario(decoded.value.scenario).stateHash).toBe(runScenario(original.value).stateHash);
  });
});
