import { beforeAll, describe, expect, it } from "vitest";
import { runScenario } from "../kernel/run.ts";
import { decodeScenarioUrl, encodeScenarioUrl } from "../scenario/url.ts";
import { type Race, raceLessons } from "./race-fixtures.testkit.ts";
import { textDiagram, wrapText } from "./text-diagram.ts";

let races: Race[] = [];
beforeAll(() => {
  races = raceLessons();
}, 60_000);

const BASE = "https://sva-lab.example/";

function diagramOf(r: Race): { text: string; link: string } {
  const step = r.run.violations[0]?.step;
  const link = encodeScenarioUrl(r.scenario, { base: BASE, ...(step === undefined ? {} : { step }) });
  return { text: textDiagram(r.scenario, r.run, { link, schedule: r.schedule }), link };
}

describe("text diagram of each race lesson", () => {
  it("covers every lesson with two threads or more", () => {
    expect(races.map((r) => r.id)).toContain("unbind-vs-exit");
    expect(races.length).toBeGreaterThanOrEqual(8);
  });

  it("keeps its shape: ≤ 72 columns, a column per actor, the violation, the link last", () => {
    for (const r of races) {
      const { text, link } = diagramOf(r);
      const lines = text.trimEnd().split("\n");
      // The link is one line however long (mail wraps it; the reader takes it back).
      expect(lines.at(-1), r.id).toBe(link);
      const body = lines.slice(0, -1);
      if (r.scenario.threads.length <= 3)
        for (const l of body) expect([...l].length, `${r.id}: ${l}`).toBeLessThanOrEqual(72);
      // The header row names each column (a thread idle in the rows shown has none); the rows
      // below start with their step number.
      const header = body.findIndex(
        (l) => /^\s+\S/.test(l) && r.scenario.threads.some((t) => l.includes(t.name)),
      );
      expect(header, r.id).toBeGreaterThan(0);
      for (const actor of new Set(r.run.steps.map((s) => s.actor)))
        if (body.some((l) => l.includes(actor))) expect(body.join("\n")).toContain(actor);
      const v = r.run.violations[0];
      if (v)
        expect(
          body.some((l) => l.startsWith(`!! ${v.kind} at step ${v.step} `)),
          r.id,
        ).toBe(true);
      else expect(body).toContain("No violation.");
      // The rows run in step order and end at the violation.
      const rows = body
        .map((l) => /^(\d+) {2}/.exec(l)?.[1]) // not "1 more violation: …"
        .filter(Boolean)
        .map(Number);
      expect(rows, r.id).toEqual([...rows].sort((a, b) => a - b));
      if (v) expect(rows.at(-1), r.id).toBe(v.step);
      expect(body.some((l) => l.startsWith("Schedule: "))).toBe(true);
    }
  });

  it("prints a schedule and a link that replay the same run", () => {
    for (const r of races) {
      expect(
        r.run.steps.map((s) => s.actor),
        r.id,
      ).toEqual(r.actors);
      const decoded = decodeScenarioUrl(diagramOf(r).link);
      if (!decoded.ok) throw new Error(decoded.error);
      expect(runScenario(decoded.value.scenario).stateHash, r.id).toBe(r.run.stateHash);
    }
  });

  it("matches its snapshot (regenerate with vitest -u after a lesson changes)", () => {
    for (const r of races) expect(diagramOf(r).text).toMatchSnapshot(r.id);
  });

  it("footnotes each kernel function's source in the release modelled", () => {
    const r = races.find((x) => x.id === "unbind-vs-exit")!;
    const text = textDiagram(r.scenario, r.run, { links: true });
    expect(text).toContain(`Source (${r.scenario.kernel}):`);
    expect(text).toContain(
      `https://elixir.bootlin.com/linux/${r.scenario.kernel}/A/ident/arm_smmu_mm_release`,
    );
    // The SMMU is hardware and a DMA is the device: no source link for them.
    expect(text).not.toMatch(/ident\/(arm_smmu_cmdq_consume|dma)\b/);
  });
});

describe("wrapText", () => {
  it("breaks long names after an underscore or a parenthesis, never past the width", () => {
    expect(wrapText("arm_smmu_cmdq_poll_until_sync", 19)).toEqual(["arm_smmu_cmdq_poll_", "until_sync"]);
    expect(wrapText("mutex_lock(&sva_lock)", 12)).toEqual(["mutex_lock(", "&sva_lock)"]);
    expect(wrapText("x".repeat(30), 12).every((l) => l.length <= 12)).toBe(true);
  });
});
