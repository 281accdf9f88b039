/**
 * Exploration speed: states per second exploring the unbind ‖ exit ‖ DMA race of each design,
 * against a traversal of the same system by @xstate/graph in the same run: the scheduler and
 * the kernel model wrapped as xstate actor logic (`fromTransition`, one event per runnable
 * actor), its state graph built with `getAdjacencyMap` and the same state serialisation.
 */

import { getAdjacencyMap } from "@xstate/graph";
import { fromTransition } from "xstate";
import { Recorder } from "../src/engine/trace.ts";
import type { World } from "../src/engine/world.ts";
import { exploreScenario } from "../src/explorer/explore.ts";
import { boot } from "../src/kernel/boot.ts";
import { clone, worldHash } from "../src/kernel/run.ts";
import { actors, createSim, settleAll, stepActor } from "../src/kernel/sim.ts";
import { findLesson } from "../src/scenario/library/index.ts";
import type { Scenario } from "../src/scenario/types.ts";

type StepEvent = { type: "step"; actor: string };

function xstateGraphStates(s: Scenario): number {
  const sim = createSim(s);
  const root = boot(s);
  settleAll(sim, root, new Recorder());
  for (const entry of s.schedule ?? []) {
    // "T0:op" entries run the op with the default policy; "T0" or "smmu" take one step.
    const [name, suffix] = entry.split(":") as [string, string | undefined];
    if (suffix !== "op") {
      stepActor(sim, root, name, new Recorder());
      continue;
    }
    const t = root.threads.find((x) => x.name === name)!;
    const start = t.opIndex;
    while (t.opIndex === start && t.status !== "done") {
      const who = actors(sim, root).find((a) => a.name === "smmu")?.runnable ? "smmu" : name;
      stepActor(sim, root, who, new Recorder());
    }
  }
  const logic = fromTransition((w: World, e: StepEvent) => {
    const next = clone(w);
    stepActor(sim, next, e.actor, new Recorder());
    return next;
  }, root);
  const map = getAdjacencyMap(logic, {
    events: (snap) =>
      actors(sim, snap.context)
        .filter((a) => a.runnable)
        .map((a): StepEvent => ({ type: "step", actor: a.name })),
    serializeState: (snap) => worldHash(snap.context),
  });
  return Object.keys(map).length;
}

function time<T>(f: () => T): [T, number] {
  const t0 = performance.now();
  const r = f();
  return [r, performance.now() - t0];
}

export function benchExplorer(): void {
  for (const id of ["unbind-vs-exit", "io-mm-unbind-vs-exit", "sva-domain-unbind-vs-exit"]) {
    const s = findLesson(id)!.scenario;
    exploreScenario(s);
    const [ours, ms] = time(() => exploreScenario(s));
    const [full, msFull] = time(() => exploreScenario(s, { reduce: false }));
    console.log(
      `${id}: ${ours.states} states, ${ours.interleavings} interleavings in ${ms.toFixed(0)} ms (${((ours.states / ms) * 1000).toFixed(0)} states/s), complete: ${ours.complete}; without partial-order reduction ${full.states} states in ${msFull.toFixed(0)} ms`,
    );
    const [graphStates, msGraph] = time(() => xstateGraphStates(s));
    console.log(
      `   @xstate/graph getAdjacencyMap of the same system: ${graphStates} states in ${msGraph.toFixed(0)} ms (${((graphStates / msGraph) * 1000).toFixed(0)} states/s): the explorer is ${(msGraph / ms).toFixed(1)}× faster`,
    );
  }
}
