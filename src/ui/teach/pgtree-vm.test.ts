import { describe, expect, it } from "vitest";
import { runScenario } from "../../kernel/index.ts";
import { parseScenario } from "../../scenario/index.ts";
import { findLesson } from "../../scenario/library/index.ts";
import { findVa, pageForest, parseVa, RUN_MIN, visibleRows } from "./pgtree-vm.ts";

function bigWorld() {
  const s = parseScenario({
    format: "sva-lab/1",
    title: "many pages",
    driver: "arm-smmu-v3-sva",
    devices: [{ name: "gpu0", sid: 16 }],
    processes: [
      {
        name: "app",
        vmas: [
          { start: "0x100000", pages: 3000, prot: "rw", populate: true },
          { start: "0x40000000", pages: 5, prot: "r", populate: true },
        ],
      },
    ],
    threads: [{ name: "T0", ops: [{ op: "bind", process: "app", device: "gpu0" }] }],
  });
  if (!s.ok) throw new Error(s.error);
  return runScenario(s.value, { until: 0 }).final;
}

describe("the page-table forest", () => {
  it("keeps the lifecycle's four pages as rows of their own", () => {
    const r = runScenario(findLesson("lifecycle")!.scenario, { until: 1 });
    const f = pageForest(r.final);
    expect(f.pages).toBe(4);
    const pages = visibleRows(f, new Set()).filter((row) => row.node.kind === "page");
    expect(pages.map((p) => p.node.va)).toEqual([0x10000, 0x11000, 0x12000, 0x13000]);
  });

  it("collapses thousands of mappings into a few rows", () => {
    const w = bigWorld();
    const f = pageForest(w);
    expect(f.pages).toBe(3005);
    const rows = visibleRows(f, new Set());
    expect(rows.length).toBeLessThan(30);
    const run = rows.find((r) => r.node.kind === "run")!;
    expect(run.node.pages).toBeGreaterThanOrEqual(RUN_MIN);
    const opened = visibleRows(f, new Set([run.node.id]));
    expect(opened.length).toBe(rows.length + run.node.pages);
  });

  it("finds a VA: the path, the run to open, and the mapping", () => {
    const w = bigWorld();
    const f = pageForest(w);
    const r = findVa(w, f, 0x100000 + 2000 * 4096 + 0x123);
    expect(r.mapped).toBe(true);
    expect(r.expand.length).toBe(1);
    expect(r.target).toBe(`pg:app:0x${(0x100000 + 2000 * 4096).toString(16)}`);
    expect(r.path[0]).toBe("mm:app");
    expect(r.messages[0]).toContain("read-write");
  });

  it("says where the walk stops for an unmapped VA", () => {
    const w = bigWorld();
    const f = pageForest(w);
    const r = findVa(w, f, 0x7fff_0000_0000);
    expect(r.mapped).toBe(false);
    expect(r.messages[0]).toMatch(/stops at level 0/);
    const near = findVa(w, f, 0x100000 + 3000 * 4096);
    expect(near.messages[0]).toMatch(/stops at level 3/);
  });

  it("reads addresses as people write them", () => {
    expect(parseVa("0x10000")).toBe(0x10000);
    expect(parseVa("1f000")).toBe(0x1f000);
    expect(parseVa("4096")).toBe(4096);
    expect(parseVa("0x1_0000")).toBe(0x10000);
    expect(parseVa("<script>")).toBeNull();
  });
});
