/**
 * The page's side of the run worker (run-worker.ts, run-host.ts): a large scenario runs there,
 * and the page gets its steps, its trace and outcome, and the worlds it shows, one at a time.
 *
 * A run from the worker is an ordinary `RunResult` here (`runResultOf`): its `snapshots` are
 * the worlds the page holds (the final one, those the worker sent, those replayed here), which
 * `worldAt` replays from. A world a few steps past one the page holds is replayed here at once
 * (`near`); one further away is asked of the worker (`fetch`), which replays it from its own
 * checkpoints while the page stays responsive. A world posted costs the page tens of
 * milliseconds to decode (and as much again in garbage), a replay of a hundred steps a few:
 * so the page also builds checkpoints of its own, in idle moments (`warm`), after which
 * nothing more is posted. Besides those, only a few worlds are kept (each is megabytes).
 */

import type { Frame, World } from "../engine/index.ts";
import {
  clone,
  kernelLoaded,
  postedHashes,
  type RunResult,
  runResultOf,
  type StepRecord,
  stepInPlace,
  type TraceJson,
  worldAt,
} from "../kernel/index.ts";
import type { Scenario } from "../scenario/types.ts";
import type { Selection } from "../view/index.ts";
import { kernelParts } from "./codecs.ts";
import { idle } from "./prefetch.ts";
import { type RemoteWorlds, remotes, worldArrived } from "./remote-of.ts";
import { runError } from "./run-error.ts";
import { type RunReply, type RunRequest, type TraceRest, withFrames } from "./run-host.ts";
import { checkpointsFor, estimatedSteps, turns, useLab } from "./store.ts";
import { knownScenarioUrl } from "./url-sync.ts";
import { fromWire, toWire, type Wire } from "./wire.ts";

/**
 * A world at most the run's `checkpointEvery` steps past one held is replayed here (a few
 * milliseconds, as the page did before the worker); and once the run is shown, the page
 * replays it once more in idle moments, keeping a checkpoint of its own as often (`warm`): a
 * jump is then replayed here, with no world to post. (Denser checkpoints cost more in
 * garbage collection, every checkpoint's frame table being scanned, than they save.)
 */
const near = (r: RunResult): number => Math.max(1, r.checkpointEvery);
/** Worlds held besides the final one. */
const KEPT = 8;

/** A world the worker posted (its frames came before it), with the state hash it computed for it. */
function posted(wire: Wire<World>, frames: readonly Frame[], hash: string): World {
  const w = withFrames(fromWire(wire), frames);
  postedHashes.set(w, hash);
  return w;
}

/** What the page's store needs of a worker (a Web Worker; tests pass one that calls the host). */
export interface RunPort {
  postMessage(request: RunRequest): void;
  terminate(): void;
  onmessage: ((e: { data: RunReply }) => void) | null;
  onerror: ((e: { message?: string }) => void) | null;
}

/** A run from the worker and the world at the step asked for; its error line; null when stopped. */
export type RemoteOutcome =
  | { readonly result: RunResult; readonly trace: TraceJson; readonly cursor: number; readonly world: World }
  | string
  | null;

/** A run the worker holds, seen from the page. */
class Remote implements RemoteWorlds {
  /** Steps of `snapshots` holding a world this page put there, oldest first (not the final). */
  private readonly order: number[] = [];
  private readonly waiting = new Map<number, Promise<World>>();
  private readonly resolvers = new Map<number, { ok: (w: World) => void }>();

  constructor(
    readonly id: number,
    readonly result: RunResult,
    private readonly port: () => RunPort,
  ) {
    this.hashes.set(result.steps.length, result.stateHash);
  }

  /** State hashes by step, computed by the worker (the final one came with the run). */
  private readonly hashes = new Map<number, string>();
  /** Who waits for the worker's hash of a step. */
  private readonly hashWaiters = new Map<number, (() => void)[]>();

  hashAt(k: number): string | undefined {
    return this.hashes.get(k);
  }

  askHash(k: number, then: () => void): boolean {
    if (this.gone) return false;
    const waiting = this.hashWaiters.get(k);
    if (waiting) waiting.push(then);
    else {
      this.hashWaiters.set(k, [then]);
      this.port().postMessage({ type: "hash", id: this.id, step: k });
    }
    return true;
  }

  /** A state hash the worker computed (with a world it sent, or asked alone). */
  hashArrived(k: number, hash: string): void {
    this.hashes.set(k, hash);
    const waiting = this.hashWaiters.get(k) ?? [];
    this.hashWaiters.delete(k);
    for (const then of waiting) then();
  }

  warmed = false;

  /** Checkpoints this page made (`warm`): kept while the run is. */
  private readonly own = new Set<number>();

  /**
   * Replays the run here in idle moments, one checkpoint (a few milliseconds) at a
   * time, while `shown` holds.
   */
  warm(shown: () => boolean): void {
    const { snapshots, steps } = this.result;
    const last = steps.length;
    const every = near(this.result);
    let at = 0;
    // The replay's own world, stepped in place (a copy per step, or per few, cost more than
    // the steps): copied into a checkpoint every `every` steps, and the final world at the end.
    let w: World | null = null;
    const slice = (d: { didTimeout?: boolean; timeRemaining(): number }): void => {
      if (!shown()) return;
      // One step at a time while the idle period lasts (a few of the large scenario's steps
      // take tens of ms: a task exit's walks, a CD table's writes), at most 8 ms a slice,
      // whatever the browser says is left (without requestIdleCallback, as in Safari, `idle`
      // always says 8): a key pressed meanwhile waits a millisecond or two.
      const until = performance.now() + Math.min(8, d.timeRemaining());
      w ??= clone(snapshots[0] ?? worldAt(this.result, 0));
      while (at < last && (d.didTimeout || until - performance.now() > 1)) {
        stepInPlace(this.result, w, at);
        at++;
        if (at % every === 0 && at < last) {
          snapshots[at] ??= clone(w);
          this.own.add(at);
        }
        if (d.didTimeout) break;
      }
      if (at < last) {
        idle(slice);
        return;
      }
      // The final world too, replayed here: it shares its unchanged parts with the worlds
      // before it, so the panels redraw only what the last steps changed (the one the worker
      // posted shares nothing with anything here).
      if (last > 0) {
        // The same state as the worker's final world: its hash is the run's.
        postedHashes.set(w, this.result.stateHash);
        (this.result as { final: World }).final = w;
      }
      this.warmed = true;
    };
    idle(slice);
  }

  /** The world after `k` steps if it is here or a few steps past one that is; else null. */
  near(k: number): World | null {
    const { snapshots, steps } = this.result;
    if (k >= steps.length) return this.result.final;
    let from = k;
    const floor = k - near(this.result);
    while (from > floor && from > 0 && !snapshots[from]) from--;
    if (!snapshots[from]) return null;
    return from === k ? snapshots[k]! : this.replay(k);
  }

  /** The world after `k` steps, from the worker unless it is near one held here. */
  fetch(k: number): Promise<World> {
    const here = this.near(k);
    if (here) return Promise.resolve(here);
    if (this.gone) return Promise.resolve(this.replay(k));
    const pending = this.waiting.get(k);
    if (pending) return pending;
    const p = new Promise<World>((ok) => {
      this.resolvers.set(k, { ok });
    });
    this.waiting.set(k, p);
    this.port().postMessage({ type: "world", id: this.id, step: k });
    return p;
  }

  /** A world the worker sent. */
  arrived(k: number, w: World): void {
    this.keep(k, w);
    this.waiting.delete(k);
    this.resolvers.get(k)?.ok(w);
    this.resolvers.delete(k);
    worldArrived();
  }

  /**
   * The worker no longer has this run (it was stopped, or it failed): the worlds asked of it
   * are replayed here instead, slower but the same, and so are those asked later.
   */
  lost(): void {
    this.gone = true;
    for (const [k, r] of this.resolvers) r.ok(this.replay(k));
    this.resolvers.clear();
    this.waiting.clear();
    // Those waiting for a hash compute it here (askHash now says no).
    const waiting = [...this.hashWaiters.values()].flat();
    this.hashWaiters.clear();
    for (const then of waiting) then();
  }

  private gone = false;

  private replay(k: number): World {
    // The step before too, on the way (a copy of the world one step short): the prefetcher
    // asks for it next (the step behind the cursor), and it would replay it from the
    // checkpoint again (up to 255 steps, tens of ms in one idle task).
    const { snapshots } = this.result;
    if (k > 1 && !snapshots[k - 1] && !snapshots[k]) this.keep(k - 1, worldAt(this.result, k - 1));
    const w = worldAt(this.result, k);
    this.keep(k, w);
    return w;
  }

  private keep(k: number, w: World): void {
    const snapshots = this.result.snapshots;
    if (k >= this.result.steps.length || snapshots[k] === w) return;
    snapshots[k] = w;
    // The booted world stays: the timeline reads who exists from it, and it is the replay of
    // last resort.
    if (k === 0) return;
    this.order.push(k);
    while (this.order.length > KEPT) {
      const old = this.order.shift()!;
      if (!this.own.has(old)) delete snapshots[old];
    }
  }
}

/**
 * Runs scenarios in a worker made by `create` (one at a time: a new run stops the one before).
 * `run` resolves to the run with the world at the step `pick` chooses from its steps (the
 * final world comes with it), or to the message saying why it could not run.
 */
export function createRemoteRunner(create: () => RunPort) {
  let port: RunPort | null = null;
  let next = 0;
  /** The run in progress, until it is done: its handlers. */
  let running: { id: number; reply: (m: RunReply) => void; fail: (message: string | null) => void } | null =
    null;
  let held: Remote | null = null;

  /** The frames of the world the worker is posting (`frames` messages, then the world). */
  let frames: Frame[] = [];
  const takeFrames = (): Frame[] => {
    const f = frames;
    frames = [];
    return f;
  };

  const open = (): RunPort => {
    if (port) return port;
    const p = create();
    p.onmessage = (e) => {
      const m = e.data;
      if (m.type === "frames") {
        // Each its own message, decoded in a task of its own.
        const chunk = fromWire(m.frames);
        if (m.from === 0) frames = [];
        for (let i = 0; i < chunk.length; i++) frames[m.from + i] = chunk[i]!;
      } else if (running?.id === m.id) running.reply(m);
      else if (held?.id === m.id && m.type === "world") {
        held.hashArrived(m.step, m.hash);
        held.arrived(m.step, posted(m.world, takeFrames(), m.hash));
      } else if (held?.id === m.id && m.type === "hash") held.hashArrived(m.step, m.hash);
      else if (held?.id === m.id && m.type === "error") held.lost();
    };
    p.onerror = (e) => {
      // The worker itself failed (its script did not load, or it ran out of memory): a new
      // one is started for the next run.
      const message = `the scenario could not be run: the page's worker stopped (${e.message || "no reason given"})`;
      running?.fail(message);
      held?.lost();
      running = null;
      p.terminate();
      if (port === p) port = null;
    };
    port = p;
    return p;
  };

  function run(
    scenario: Scenario,
    opts: {
      checkpointEvery: number;
      pick: (steps: readonly StepRecord[]) => number;
      progress?: (steps: number) => void;
      /** The page's address without its fragment: the worker makes the scenario's link on it. */
      base?: string;
    },
  ): Promise<RemoteOutcome> {
    cancel();
    const id = ++next;
    return new Promise((resolve) => {
      const records: StepRecord[] = [];
      const lines: TraceJson["steps"] = [];
      let rest: TraceRest | null = null;
      /** The trace's long lists, in parts before it (`trace-part`). */
      const parts = new Map<string, unknown[]>();
      let final: World | null = null;
      const finish = (v: RemoteOutcome): void => {
        if (running?.id === id) running = null;
        resolve(v);
      };
      running = {
        id,
        fail: (message) => finish(message),
        reply: (m) => {
          if (m.type === "progress") opts.progress?.(m.steps);
          else if (m.type === "error") finish(m.message);
          else if (m.type === "steps") {
            const chunk = fromWire(m.steps);
            for (let i = 0; i < chunk.records.length; i++) {
              records[m.from + i] = chunk.records[i]!;
              lines[m.from + i] = chunk.lines[i]!;
            }
          } else if (m.type === "trace-part") {
            const items = fromWire(m.items);
            const list = parts.get(m.key) ?? [];
            parts.set(m.key, list);
            for (let i = 0; i < items.length; i++) list[m.from + i] = items[i];
          } else if (m.type === "trace") rest = { ...fromWire(m.trace), ...Object.fromEntries(parts) };
          else if (m.type === "final") final = posted(m.world, takeFrames(), m.hash);
          else if (m.type === "done") {
            if (rest === null || final === null) {
              finish(runError(new Error("the worker's run came without its trace or final world")));
              return;
            }
            const result = runResultOf(scenario, {
              steps: records,
              snapshots: [],
              checkpointEvery: m.checkpointEvery,
              final,
              violations: m.violations,
              stateHash: m.stateHash,
            });
            const remote = new Remote(id, result, open);
            remotes.set(result, remote);
            // The run shown before is no longer in the worker.
            held?.lost();
            held = remote;
            const trace: TraceJson = { ...rest, steps: lines };
            if (opts.base !== undefined) knownScenarioUrl(scenario, opts.base, m.link);
            const cursor = Math.max(0, Math.min(records.length, Math.trunc(opts.pick(records))));
            running = null;
            // Shown in a task after the one that decoded the world (tens of milliseconds).
            void Promise.all([remote.fetch(0), remote.fetch(cursor)]).then(([, world]) =>
              setTimeout(() => resolve({ result, trace, cursor, world })),
            );
          }
        },
      };
      try {
        open().postMessage({
          type: "run",
          id,
          scenario: toWire(scenario),
          checkpointEvery: opts.checkpointEvery,
          ...(opts.base === undefined ? {} : { base: opts.base }),
        });
      } catch (e) {
        // No worker (a browser without module workers) or a scenario that cannot be posted.
        finish(
          `the scenario could not be run: the page could not start its worker (${e instanceof Error ? e.message : String(e)})`,
        );
      }
    });
  }

  /**
   * Stops the run in progress, if any: its promise resolves to null. Stopping its worker is
   * the only way to stop it; the run shown before is then replayed here. True if one was.
   */
  function cancel(): boolean {
    if (running === null) return false;
    running.fail(null);
    running = null;
    held?.lost();
    port?.terminate();
    port = null;
    return true;
  }

  return { run, cancel };
}

/** The page's runner, on a Web Worker started when the first large scenario is run. */
export const remoteRunner = createRemoteRunner(
  () => new Worker(new URL("./run-worker.ts", import.meta.url), { type: "module" }) as unknown as RunPort,
);

/** 16576 → "16,576" (toLocaleString is slow the first times, and this runs at every progress). */
const thousands = (n: number): string => String(n).replace(/\B(?=(\d{3})+$)/g, ",");

/** The busy line while a large run computes in the worker. */
function runningLine(s: Scenario, steps: number): string {
  const about = thousands(estimatedSteps(s));
  if (steps === 0) return `Running “${s.title}” (about ${about} steps)…`;
  return `Running “${s.title}”: ${thousands(steps)} steps so far (about ${about} in all)…`;
}

/** The store's `runLarge` (load number `mine`), once this module is here. */
export function runLarge(
  mine: number,
  scenario: Scenario,
  pick: (steps: readonly StepRecord[]) => number,
  opts: { selection?: Selection | null; wanted?: () => boolean },
): Promise<string | null> {
  const show = (steps: number): void => {
    if (mine !== turns.loads) return;
    turns.busy = runningLine(scenario, steps);
    useLab.setState({ busy: turns.busy });
  };
  show(0);
  // This page's Sim for the run needs the scenario's kernel parts (codecs.ts).
  const parts = kernelLoaded(scenario) ? Promise.resolve() : kernelParts.load();
  return parts
    .then(
      () =>
        mine === turns.loads
          ? remoteRunner.run(scenario, {
              checkpointEvery: checkpointsFor(scenario),
              pick,
              progress: show,
              base: location.origin + location.pathname,
            })
          : null,
      () => "the kernel model could not be loaded: reload the page",
    )
    .then((out) => {
      // A later load took over (it stopped this run, or ran a small scenario meanwhile).
      if (mine !== turns.loads || out === null) return null;
      turns.busy = null;
      useLab.setState({ busy: null });
      if (typeof out === "string") return out;
      if (opts.wanted && !opts.wanted()) return null;
      turns.moves++;
      remotes.get(out.result)?.warm(() => useLab.getState().result === out.result);
      useLab.setState({
        scenario,
        result: out.result,
        trace: out.trace,
        cursor: out.cursor,
        world: out.world,
        playing: false,
        selection: opts.selection ?? null,
      });
      return null;
    });
}
