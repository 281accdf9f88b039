import { describe, expect, it } from "vitest";
import { runScenario, worldAt } from "../kernel/index.ts";
import { LIBRARY } from "../scenario/library/index.ts";
import { cachesOf, cmdqVmOf, kernelTextOf, memoryVmOf, streamTableVmOf, tlbVmOf } from "./cache.ts";
import { cachesVm } from "./caches.ts";
import { cmdqVm } from "./cmdq.ts";
import { kernelText } from "./kernel-state.ts";
import { lifecyclesOf, lifecyclesVm } from "./lifecycles.ts";
import { frameViews, memoryVm } from "./memory.ts";
import { fullForestOf, pageForest } from "./pgtree.ts";
import { evtqOf, priqOf, recordQueueVm } from "./records.ts";
import { streamTableVm } from "./stream.ts";
import { tlbVm } from "./tlb.ts";
import { topologyOf, topologyVm } from "./topology.ts";

/**
 * The view models cached by world part (per-world.ts `parts`, by-part.ts) against the same
 * functions computed afresh, at every step of every lesson: a part left out of a view model's
 * list would hand a panel the last step's value, and this would see it.
 */
describe("view models reused by identity of the world's parts", () => {
  it("equal the view models computed afresh at every step of every lesson", () => {
    let reused = 0;
    for (const lesson of LIBRARY) {
      const s = lesson.scenario;
      const r = runScenario(s, { snapshots: true });
      let before: unknown[] | null = null;
      for (let k = 0; k <= r.steps.length; k++) {
        const w = worldAt(r, k);
        const at = `${lesson.id} step ${k}`;
        const now = [
          streamTableVmOf(w),
          cmdqVmOf(w),
          tlbVmOf(w),
          cachesOf(w),
          evtqOf(w),
          priqOf(w),
          topologyOf(w),
          fullForestOf(w),
          kernelTextOf(w, s),
          lifecyclesOf(w, s),
        ];
        const fresh = [
          streamTableVm(w),
          cmdqVm(w),
          tlbVm(w),
          cachesVm(w),
          recordQueueVm(w, "evtq"),
          recordQueueVm(w, "priq"),
          topologyVm(w),
          pageForest(w),
          kernelText(w, s),
          lifecyclesVm(w, s),
        ];
        expect(now, at).toEqual(fresh);
        expect(frameViews(memoryVmOf(w)), at).toEqual(frameViews(memoryVm(w)));
        if (before) reused += now.filter((v, i) => v === before![i]).length;
        before = now;
      }
    }
    // The identity test is taken: most steps leave most panels' parts alone.
    expect(reused).toBeGreaterThan(100);
  });
});
