/**
 * The run worker's side (run-worker.ts is its entry; tests drive this directly): it runs the
 * page's large scenarios off the page's thread, keeps the run, and answers for the worlds the
 * page asks for by replaying from its checkpoints. The page holds the steps and only the few
 * worlds it shows (remote-run.ts).
 *
 * Messages in (`RunRequest`): `run` a scenario (it replaces the run kept before), `world` k of
 * the current run, or only its state `hash`. Messages out (`RunReply`), for one run id, in this
 * order: `progress` while it runs; the steps and their trace lines in chunks (a chunk is
 * decoded in a few milliseconds, so no task of the page's is long); the trace's other parts;
 * the final world; `done` with the outcome; then one `world` (or `hash`) per request. A world
 * comes as its memory's frames, `frames` at a time (`frames` messages), then the rest of it
 * (`final` or `world`): 17,000 frames in one message took the page 40-60 ms to decode. `error`
 * instead of the rest when the scenario could not be run, with the line the page shows (or,
 * for a world, when the run is not here).
 */

import type { Frame, World } from "../engine/index.ts";
import {
  type RunResult,
  runScenario,
  type StepRecord,
  type TraceJson,
  toTraceJson,
  worldAt,
  worldHash,
} from "../kernel/index.ts";
import type { Scenario } from "../scenario/types.ts";
import { encodeScenarioUrl } from "../scenario/url-encode.ts";
import { runError } from "./run-error.ts";
import { fromWire, toWire, type Wire } from "./wire.ts";

export type RunRequest =
  | {
      readonly type: "run";
      readonly id: number;
      readonly scenario: Wire<Scenario>;
      readonly checkpointEvery: number;
      /** The page's address without its fragment: the worker makes the scenario's link on it. */
      readonly base?: string;
    }
  | { readonly type: "world"; readonly id: number; readonly step: number }
  /** The state hash after `step` steps (hashing a large world takes the page hundreds of ms). */
  | { readonly type: "hash"; readonly id: number; readonly step: number };

/** The trace without its steps, which come with the chunks. */
export type TraceRest = Omit<TraceJson, "steps">;

export type RunReply =
  | { readonly type: "progress"; readonly id: number; readonly steps: number }
  /** Items `from`… of one of the trace's long lists (`key`), which comes next (`trace`) without them. */
  | {
      readonly type: "trace-part";
      readonly id: number;
      readonly key: string;
      readonly from: number;
      readonly items: Wire<unknown[]>;
    }
  /** Frames `from`… of the world that comes next (`final` or `world`), which has none of its own. */
  | { readonly type: "frames"; readonly id: number; readonly from: number; readonly frames: Wire<Frame[]> }
  | {
      readonly type: "steps";
      readonly id: number;
      readonly from: number;
      readonly steps: Wire<{ records: StepRecord[]; lines: TraceJson["steps"] }>;
    }
  | { readonly type: "trace"; readonly id: number; readonly trace: Wire<TraceRest> }
  | { readonly type: "final"; readonly id: number; readonly world: Wire<World>; readonly hash: string }
  | {
      readonly type: "done";
      readonly id: number;
      readonly total: number;
      readonly checkpointEvery: number;
      readonly violations: RunResult["violations"];
      readonly stateHash: string;
      /**
       * The scenario's link on the page's `base` (`encodeScenarioUrl`; null when it is too long
       * for one): compressing the large scenario took the page's thread 40-60 ms.
       */
      readonly link: string | null;
    }
  | {
      readonly type: "world";
      readonly id: number;
      readonly step: number;
      readonly world: Wire<World>;
      /** Its state hash (`worldHash`), computed here: on the page a posted world has no cached hashes. */
      readonly hash: string;
    }
  | { readonly type: "hash"; readonly id: number; readonly step: number; readonly hash: string }
  | { readonly type: "error"; readonly id: number; readonly message: string };

/**
 * Steps per chunk: a few ms to decode on the page (1,024 took 5-50 ms on the large scenario,
 * the page's garbage collection of the young objects in the same task).
 */
export const CHUNK = 512;

/** The scenario's link, as the page's URL sync makes it (null: too long for a link). */
function linkOf(scenario: Scenario, base: string): string | null {
  try {
    return encodeScenarioUrl(scenario, { base });
  } catch {
    return null;
  }
}

/** A world's memory frames per message: a few milliseconds to decode on the page. */
export const FRAMES = 2048;

/**
 * Posts `world`'s frames in messages of FRAMES, then returns the world to post after them:
 * the same world with an empty frame list (the page puts the frames back: `withFrames`).
 */
function framesFirst(post: (reply: RunReply) => void, id: number, world: World): Wire<World> {
  const frames = world.mem.frames;
  for (let from = 0; from < frames.length; from += FRAMES)
    post({ type: "frames", id, from, frames: toWire(frames.slice(from, from + FRAMES)) });
  return toWire({ ...world, mem: { ...world.mem, frames: [] } });
}

/** The page's side of `framesFirst`: the world posted last, its frames put back. */
export function withFrames(world: World, frames: readonly Frame[]): World {
  (world.mem as { frames: readonly Frame[] }).frames = frames;
  return world;
}

/** The worker's state and message handler; `post` sends a reply to the page. */
export function createRunHost(
  post: (reply: RunReply) => void,
  /** Steps, and items of the trace's lists, a message (a test sends smaller ones). */
  chunk = CHUNK,
): (request: RunRequest) => void {
  // The runs the page may ask worlds of: the one it shows and, once it is done, the one it
  // asked for next; a run that fails leaves the one shown.
  const runs = new Map<number, RunResult>();
  const run = (id: number, scenario: Scenario, checkpointEvery: number, base: string | undefined): void => {
    try {
      const result = runScenario(scenario, {
        checkpointEvery,
        progress: (steps) => post({ type: "progress", id, steps }),
      });
      const { steps: lines, ...rest } = toTraceJson(result);
      for (let from = 0; from < result.steps.length; from += chunk) {
        const records = result.steps.slice(from, from + chunk);
        post({ type: "steps", id, from, steps: toWire({ records, lines: lines.slice(from, from + chunk) }) });
      }
      // Each its own message: the page decodes each in a task of its own. The trace's long
      // lists (the commands, DMA, events) come in parts too: the trace in one message took
      // the page 60 ms to decode.
      const short: Record<string, unknown> = { ...rest };
      for (const [key, list] of Object.entries(rest)) {
        if (!Array.isArray(list) || list.length <= chunk) continue;
        for (let from = 0; from < list.length; from += chunk)
          post({ type: "trace-part", id, key, from, items: toWire(list.slice(from, from + chunk)) });
        short[key] = [];
      }
      post({ type: "trace", id, trace: toWire(short as TraceRest) });
      post({ type: "final", id, world: framesFirst(post, id, result.final), hash: result.stateHash });
      post({
        type: "done",
        id,
        total: result.steps.length,
        checkpointEvery: result.checkpointEvery,
        violations: result.violations,
        stateHash: result.stateHash,
        link: base === undefined ? null : linkOf(scenario, base),
      });
      runs.clear();
      runs.set(id, result);
    } catch (e) {
      post({ type: "error", id, message: runError(e) });
    }
  };
  return (request) => {
    if (request.type === "run") {
      run(request.id, fromWire(request.scenario), request.checkpointEvery, request.base);
      return;
    }
    const result = runs.get(request.id);
    if (!result) {
      // A worker started since (the one before was stopped mid-run) has not got it.
      post({ type: "error", id: request.id, message: "this run is no longer in the worker" });
      return;
    }
    const step = Math.max(0, Math.min(result.steps.length, Math.trunc(request.step)));
    const world = worldAt(result, step);
    const hash = step === result.steps.length ? result.stateHash : worldHash(world);
    if (request.type === "hash") post({ type: "hash", id: request.id, step, hash });
    else post({ type: "world", id: request.id, step, world: framesFirst(post, request.id, world), hash });
  };
}
