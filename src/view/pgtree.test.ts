import { describe, expect, it } from "vitest";
import { runScenario } from "../kernel/index.ts";
import { largeScenario, parseScenario } from "../scenario/index.ts";
import { findLesson } from "../scenario/library/index.ts";
import { findVa, pageForest, parseVa, RUN_MIN, visibleRows } from "./pgtree.ts";

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

  it("finds a VA in one process's table only, as the DMA path marks it", () => {
    const s = largeScenario({ devices: 1, processes: 3, pages: 8, perProcess: 1 });
    const w = runScenario(s, { until: 0 }).final;
    const f = pageForest(w);
    const all = findVa(w, f, 0x40_1000);
    const one = findVa(w, f, 0x40_1000, "mm:p1");
    expect(all.path.filter((id) => id.startsWith("mm:"))).toEqual(["mm:p0", "mm:p1", "mm:p2"]);
    expect(one.path[0]).toBe("mm:p1");
    expect(one.path.filter((id) => id.startsWith("mm:"))).toEqual(["mm:p1"]);
    // The same ids as p1's part of the walk through every table.
    const from = all.path.indexOf("mm:p1");
    expect(one.path).toEqual(all.path.slice(from, all.path.indexOf("mm:p2")));
    expect(one.mapped).toBe(true);
  });

  it("reads addresses as people write them", () => {
    expect(parseVa("0x10000")).toBe(0x10000);
    expect(parseVa("1f000")).toBe(0x1f000);
    expect(parseVa("4096")).toBe(4096);
    expect(parseVa("0x1_0000")).toBe(0x10000);
    expect(parseVa("<script>")).toBeNull();
  });
});
