/**
 * The view models cached per world, for the panels and the prefetcher (warm.ts).
 *
 * What it saves: a panel asks for its view model on every render, and the prefetcher computes
 * the next step's while the page is idle, so the key press finds it ready. A step that left a
 * view model's world parts alone (`parts`: the same objects, copy on write) hands the panel
 * the object it drew, neither computed nor compared; one that changed them, a value sharing
 * (`shareEqual`) the rows that stayed, so the memoised diagrams redraw only those. Introduced with the per-world sharing of
 * commit db8e25d ("View models computed ahead on every run"): large scenario, key → rendered
 * 4.8/8.2 ms median/p95 (`npm run bench -- page`).
 */

import type { World } from "../engine/index.ts";
import { actorsIn, postedHashes, type RunResult, worldHash } from "../kernel/index.ts";
import { cachesVm } from "./caches.ts";
import { cmdqVm } from "./cmdq.ts";
import { kernelText } from "./kernel-state.ts";
import { memoryVm, sameMemory } from "./memory.ts";
import { machineParts } from "./parts.ts";
import { perWorld } from "./per-world.ts";
import { shareEqual } from "./same.ts";
import { streamTableVm } from "./stream.ts";
import { tlbVm } from "./tlb.ts";

/** The state hash: not warmed (one task of ~10 ms on a large world, which would delay a key
 * pressed meanwhile); the page computes it once the cursor rests (useLazyWorldValue). */
// A world the page's run worker posted comes with its hash (store/remote-run.ts).
export const stateHashOf = /* @__PURE__ */ perWorld((w: World) => postedHashes.get(w) ?? worldHash(w));
export const streamTableVmOf = /* @__PURE__ */ perWorld(streamTableVm, {
  parts: machineParts,
  share: shareEqual,
});
export const cmdqVmOf = /* @__PURE__ */ perWorld(cmdqVm, {
  parts: (w) => [w.smmu.cmdq, w.smmu.gerror, w.smmu.gerrorn, w.mem.words],
  share: shareEqual,
});
export const tlbVmOf = /* @__PURE__ */ perWorld(tlbVm, { parts: machineParts, share: shareEqual });
export const memoryVmOf = /* @__PURE__ */ perWorld(memoryVm, {
  parts: (w) => [w.mem.base, ...w.mem.frames],
  share: (a, b) => (sameMemory(a, b) ? a : b),
});
export const actorsOf = /* @__PURE__ */ perWorld((w: World, result: RunResult) => actorsIn(result, w), {
  share: shareEqual,
});
// Its lines are shared by thread and object (kernel-state.ts): no comparison needed.
export const kernelTextOf = /* @__PURE__ */ perWorld(kernelText);
export const cachesOf = /* @__PURE__ */ perWorld(cachesVm, { parts: machineParts, share: shareEqual });
