/**
 * What the page prepares ahead of need: the one list of view models the prefetcher
 * (store/prefetch.ts) computes, while the page is idle, for the worlds on either side of the
 * cursor, so that the next → or ← finds them cached (cache.ts says what that saves).
 *
 * The panels in the first download are warmed from the start. The views fetched later (the
 * topology, the statecharts, the page-table forest) are named here by their module: the
 * prefetcher fetches that module after the first paint, and warms the view model only once its
 * panel has computed it for a world (`perWorld(...).used()`), so a view never shown costs
 * nothing. Adding a warmed view model is one line here.
 */

import type { World } from "../engine/index.ts";
import type { RunResult } from "../kernel/index.ts";
import type { Scenario } from "../scenario/index.ts";
import { actorsOf, cachesOf, cmdqVmOf, kernelTextOf, memoryVmOf, streamTableVmOf, tlbVmOf } from "./cache.ts";

/** What a warmer may read besides the world: the run it belongs to. */
export interface RunContext {
  readonly scenario: Scenario;
  readonly result: RunResult;
}

export type Warmer = (w: World, run: RunContext) => void;

/** A warmer in a module fetched after the first paint; `load` resolves to it. */
export interface LaterWarmer {
  readonly name: string;
  readonly load: () => Promise<Warmer>;
}

export interface NowWarmer {
  readonly name: string;
  readonly warm: Warmer;
}

/** Only once the panel has computed it at least once: a view never shown is never warmed. */
const once =
  (of: { used(): boolean }, warm: Warmer): Warmer =>
  (w, run) => {
    if (of.used()) warm(w, run);
  };

export const WARMERS: readonly (NowWarmer | LaterWarmer)[] = [
  // Not the state hash: one task of ~10 ms on a large world, which would delay a key pressed
  // meanwhile; the page computes it once the cursor rests (useLazyWorldValue).
  { name: "stream table", warm: (w) => streamTableVmOf(w) },
  { name: "command queue", warm: (w) => cmdqVmOf(w) },
  { name: "TLB", warm: (w) => tlbVmOf(w) },
  { name: "memory", warm: (w) => memoryVmOf(w) },
  { name: "actors", warm: (w, run) => actorsOf(w, run.result) },
  { name: "kernel text", warm: (w, run) => kernelTextOf(w, run.scenario) },
  { name: "caches", warm: (w) => cachesOf(w) },
  {
    name: "topology",
    load: () => import("./topology.ts").then((m) => once(m.topologyOf, (w) => m.topologyOf(w))),
  },
  {
    name: "statecharts",
    load: () =>
      import("./lifecycles.ts").then((m) =>
        once(m.lifecyclesOf, (w, run) => m.lifecyclesOf(w, run.scenario)),
      ),
  },
  {
    name: "page-table forest",
    load: () =>
      import("./pgtree.ts").then((m) => {
        const shown = { used: () => m.fullForestOf.used() || m.closedForestOf.used() };
        return once(shown, (w) => m.firstForestOf(w));
      }),
  },
];
