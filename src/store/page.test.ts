import { describe, expect, it } from "vitest";
import { runScenario, worldAt, worldHash } from "../kernel/index.ts";
import { largeScenario } from "../scenario/index.ts";
import { LIBRARY } from "../scenario/library/index.ts";
import { swimlaneVm } from "../view/index.ts";
import { parseLargeLink } from "./large.ts";
import { clampSize, decodeLayout, encodeLayout } from "./layout.ts";
import { checkpointsFor, defaultScenario, isLarge, useLab } from "./store.ts";
import { parseView } from "./url-sync.ts";

const lesson = (id: string) => LIBRARY.find((l) => l.id === id)!.scenario;

describe("time travel on the page", () => {
  it("keeps a world per step for the lessons, checkpoints for the large scenario", () => {
    for (const l of LIBRARY) expect(checkpointsFor(l.scenario), l.id).toBe(1);
    expect(checkpointsFor(largeScenario())).toBe(256);
    expect(isLarge(largeScenario())).toBe(true);
    expect(isLarge(defaultScenario())).toBe(false);
    // A long run of a small world: checkpoints, but close together.
    const long = largeScenario({ processes: 8, devices: 2, pages: 4, perProcess: 2 });
    expect(checkpointsFor(long)).toBe(32);
  });

  it("the world at the cursor is the one a run from scratch reaches", () => {
    const s = largeScenario({ processes: 6, devices: 2, pages: 8, perProcess: 2 });
    const lab = useLab.getState();
    expect(lab.load(s)).toBeNull();
    const r = useLab.getState().result;
    expect(r.checkpointEvery).toBe(32);
    for (const k of [0, 1, 33, 64, r.steps.length - 1, r.steps.length]) {
      useLab.getState().goTo(k);
      const w = useLab.getState().world;
      expect(worldHash(w), `step ${k}`).toBe(runScenario(s, { until: k }).stateHash);
    }
    useLab.getState().stepBack();
    expect(useLab.getState().world).toBe(worldAt(r, useLab.getState().cursor));
    useLab.getState().load(defaultScenario());
  });

  it("the swimlane's blocked spans come out the same from checkpoints as from snapshots", () => {
    for (const s of [lesson("unbind-vs-exit"), lesson("sva-lock"), lesson("lifecycle")]) {
      const a = swimlaneVm(s, runScenario(s, { snapshots: true }));
      const b = swimlaneVm(s, runScenario(s, { checkpointEvery: 32 }));
      expect(b.blocked).toEqual(a.blocked);
    }
  });
});

describe("the view string", () => {
  it("reads old links' selection and the new key=value parts", () => {
    expect(parseView("cd:16:1").selection).toEqual({ kind: "cd", sid: 16, ssid: 1 });
    const v = parseView("ste:16;hide=memory.tlb;size=left:320,rows:0.6");
    expect(v.selection).toEqual({ kind: "ste", sid: 16 });
    expect(v.params.get("hide")).toBe("memory.tlb");
    expect(parseView(";hide=tlb").selection).toBeNull();
    expect(parseView(undefined).params.size).toBe(0);
  });

  it("encodes a layout and reads it back; malformed parts are dropped", () => {
    const l = { hidden: ["tlb", "memory"], sizes: { left: 320, rows: 0.6, "w.strtab": 1.4 } };
    const parts = encodeLayout(l);
    expect(parts).toEqual(["hide=memory.tlb", "size=left:320,rows:0.6,w.strtab:1.4"]);
    const back = decodeLayout(parseView(`;${parts.join(";")}`).params);
    expect(back).toEqual({ hidden: ["memory", "tlb"], sizes: l.sizes });
    expect(encodeLayout({ hidden: [], sizes: {} })).toEqual([]);
    const bad = decodeLayout(
      new Map([
        ["hide", "<b>.tlb"],
        ["size", "left:-5,evil:3,rows:1e9,w.x:abc"],
      ]),
    );
    expect(bad).toEqual({ hidden: ["tlb"], sizes: {} });
    expect(clampSize("left", 5)).toBe(200);
    expect(clampSize("rows", 0.99)).toBe(0.9);
  });

  it("reads #large links", () => {
    expect(parseLargeLink("#large")).toEqual({ step: 0 });
    expect(parseLargeLink("#large&step=40&embed=1")).toEqual({ step: 40 });
    expect(parseLargeLink("#v1.abc")).toBeNull();
  });
});
