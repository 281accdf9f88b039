import { describe, expect, it } from "vitest";
import { postedHashes, runScenario, toTraceJson, worldAt, worldHash } from "../kernel/index.ts";
import { largeScenario } from "../scenario/index.ts";
import type { Scenario } from "../scenario/types.ts";
import { encodeScenarioUrl } from "../scenario/url-encode.ts";
import { remoteOf } from "./remote-of.ts";
import { createRemoteRunner, type RunPort } from "./remote-run.ts";
import { createRunHost, FRAMES, type RunReply, type RunRequest } from "./run-host.ts";
import { fromWire, toWire } from "./wire.ts";

/**
 * A worker as the page has one, without a thread: every message is a structured clone (what
 * postMessage does) delivered in a later task, so what crosses is what a Web Worker would see.
 */
function fakeWorker(log: RunReply[] = [], chunk?: number): { port: RunPort; fail(message: string): void } {
  let dead = false;
  const port: RunPort = {
    onmessage: null,
    onerror: null,
    postMessage(request: RunRequest) {
      const copy = structuredClone(request);
      setTimeout(() => !dead && host(copy));
    },
    terminate() {
      dead = true;
    },
  };
  const host = createRunHost((reply) => {
    const copy = structuredClone(reply);
    log.push(copy);
    setTimeout(() => !dead && port.onmessage?.({ data: copy }));
  }, chunk);
  return { port, fail: (message) => port.onerror?.({ message }) };
}

/** Steps run in the worker's chunks, with checkpoints: small enough for a unit test. */
const mid = (): Scenario => largeScenario({ processes: 6, devices: 2, pages: 8, perProcess: 2 });

describe("what crosses to and from the run worker", () => {
  it("keeps records keyed by a user's names prototype-free, wherever they are", () => {
    // As engine/dict.ts makes them: a process may be called `__proto__` or `constructor`.
    const dict = <T>(): Record<string, T> => Object.create(null) as Record<string, T>;
    const names = dict<number>();
    for (const [k, v] of [
      ["__proto__", 1],
      ["constructor", 2],
    ] as const)
      names[k] = v;
    const value = { a: [{ names }], m: new Map([[7, { inner: dict<string>() }]]), plain: { x: 1 } };
    const back = fromWire(structuredClone(toWire(value)));
    expect(Object.getPrototypeOf(back.a[0]!.names)).toBeNull();
    expect(Object.keys(back.a[0]!.names)).toEqual(["__proto__", "constructor"]);
    expect(back.a[0]!.names.constructor).toBe(2);
    expect(Object.getPrototypeOf(back.m.get(7)!.inner)).toBeNull();
    expect(Object.getPrototypeOf(back.plain)).toBe(Object.prototype);
    // Without the list, a clone would have given them Object.prototype back.
    expect(Object.getPrototypeOf(structuredClone(value).a[0]!.names)).toBe(Object.prototype);
  });

  it("a world sent over has the state hash of the one it came from", () => {
    const r = runScenario(mid(), { checkpointEvery: 32 });
    for (const k of [0, 50, r.steps.length]) {
      const w = worldAt(r, k);
      expect(worldHash(fromWire(structuredClone(toWire(w)))), `step ${k}`).toBe(worldHash(w));
    }
  });
});

describe("a run in the worker, seen from the page", () => {
  it("gives the steps, trace, state hash and worlds a run here gives", async () => {
    const s = mid();
    const log: RunReply[] = [];
    const runner = createRemoteRunner(() => fakeWorker(log).port);
    const here = runScenario(s, { checkpointEvery: 32 });
    const progress: number[] = [];
    const out = await runner.run(s, {
      checkpointEvery: 32,
      pick: () => 40,
      progress: (n) => progress.push(n),
      base: "https://example.org/sva/",
    });
    if (out === null || typeof out === "string") throw new Error(String(out));
    const { result, trace, cursor, world } = out;
    expect(cursor).toBe(40);
    expect(result.steps).toEqual(here.steps);
    expect(trace).toEqual(toTraceJson(here));
    expect(result.stateHash).toBe(here.stateHash);
    expect(result.violations).toEqual(here.violations);
    expect(worldHash(world)).toBe(worldHash(worldAt(here, 40)));
    expect(worldHash(result.final)).toBe(here.stateHash);
    // The hashes the worker sends with its worlds (the page shows them) are theirs.
    expect(postedHashes.get(world)).toBe(worldHash(world));
    expect(postedHashes.get(result.final)).toBe(here.stateHash);
    // The scenario's link, made in the worker as the page's URL sync makes it.
    const done = log.find((m) => m.type === "done");
    expect(done?.type === "done" && done.link).toBe(
      encodeScenarioUrl(s, { base: "https://example.org/sva/" }),
    );
    // The steps came in chunks, and the run said how far it was.
    expect(log.filter((m) => m.type === "steps").length).toBeGreaterThan(0);
    expect(progress.length).toBe(Math.floor(here.steps.length / 512));
    // Near the cursor or the first world (within a checkpoint's 32 steps) the page replays
    // by itself; far from them the worker is asked.
    const remote = remoteOf(result)!;
    expect(remote.near(41)).not.toBeNull();
    expect(remote.near(1)).not.toBeNull();
    expect(remote.near(100)).toBeNull();
    const asked = log.length;
    const far = await remote.fetch(here.steps.length - 3);
    // One world back, its memory's frames before it, at most FRAMES a message.
    const back = log.slice(asked);
    expect(back.filter((m) => m.type !== "frames").map((m) => m.type)).toEqual(["world"]);
    const sizes = back.flatMap((m) => (m.type === "frames" ? [m.frames.value.length] : []));
    expect(sizes.length).toBe(Math.ceil(far.mem.frames.length / FRAMES));
    expect(Math.max(...sizes)).toBeLessThanOrEqual(FRAMES);
    expect(far.mem.frames.length).toBe(worldAt(here, here.steps.length - 3).mem.frames.length);
    expect(worldHash(far)).toBe(worldHash(worldAt(here, here.steps.length - 3)));
  });

  it("puts the steps and the trace's long lists back together from their parts", async () => {
    const s = mid();
    const log: RunReply[] = [];
    const runner = createRemoteRunner(() => fakeWorker(log, 50).port);
    const here = runScenario(s, { checkpointEvery: 32 });
    const out = await runner.run(s, { checkpointEvery: 32, pick: () => 0 });
    if (out === null || typeof out === "string") throw new Error(String(out));
    expect(out.result.steps).toEqual(here.steps);
    expect(out.trace).toEqual(toTraceJson(here));
    // The commands (204 of them) came 50 a message, before the rest of the trace.
    const parts = log.flatMap((m) => (m.type === "trace-part" ? [m] : []));
    expect(parts.filter((m) => m.key === "commands").map((m) => m.from)).toEqual([0, 50, 100, 150, 200]);
    expect(Math.max(...parts.map((m) => m.items.value.length))).toBeLessThanOrEqual(50);
    const types = log.map((m) => m.type);
    expect(types.lastIndexOf("trace-part")).toBeLessThan(types.indexOf("trace"));
    expect(log.filter((m) => m.type === "steps").length).toBe(Math.ceil(here.steps.length / 50));
  });

  it("once warmed, the page replays any step itself, the final world included, to the same hashes", async () => {
    const s = mid();
    const log: RunReply[] = [];
    const runner = createRemoteRunner(() => fakeWorker(log).port);
    const out = await runner.run(s, { checkpointEvery: 32, pick: () => 0 });
    if (out === null || typeof out === "string") throw new Error(String(out));
    const remote = remoteOf(out.result)!;
    const posted = out.result.final;
    remote.warm(() => true);
    while (!remote.warmed) await new Promise((r) => setTimeout(r, 5));
    expect(out.result.final).not.toBe(posted);
    expect(worldHash(out.result.final)).toBe(out.result.stateHash);
    // Known without hashing it again on the page (End shows it at once).
    expect(postedHashes.get(out.result.final)).toBe(out.result.stateHash);
    const here = runScenario(s, { checkpointEvery: 32 });
    const asked = log.length;
    for (const k of [1, 31, 32, 100, here.steps.length - 1]) {
      const w = remote.near(k);
      expect(w, `step ${k}`).not.toBeNull();
      expect(worldHash(w!), `step ${k}`).toBe(worldHash(worldAt(here, k)));
    }
    expect(log.length).toBe(asked);
  });

  it("the worker gives the state hash of any step, without a world; once gone, it says no", async () => {
    let worker = fakeWorker();
    const log: RunReply[] = [];
    const runner = createRemoteRunner(() => {
      worker = fakeWorker(log);
      return worker.port;
    });
    const s = mid();
    const out = await runner.run(s, { checkpointEvery: 32, pick: () => 0 });
    if (out === null || typeof out === "string") throw new Error(String(out));
    const here = runScenario(s, { checkpointEvery: 32 });
    const remote = remoteOf(out.result)!;
    // The final one came with the run.
    expect(remote.hashAt(here.steps.length)).toBe(here.stateHash);
    for (const k of [5, 77, here.steps.length - 2]) {
      expect(remote.hashAt(k)).toBeUndefined();
      const asked = log.length;
      const told = await new Promise<boolean>((ok) => {
        expect(remote.askHash(k, () => ok(true))).toBe(true);
      });
      expect(told).toBe(true);
      expect(remote.hashAt(k), `step ${k}`).toBe(worldHash(worldAt(here, k)));
      // One message back: the hash alone, no world.
      expect(log.slice(asked).map((m) => m.type)).toEqual(["hash"]);
    }
    // A worker that stops: whoever waits is told (the page then hashes it itself), and later
    // asks are refused.
    let woken = false;
    expect(remote.askHash(9, () => (woken = true))).toBe(true);
    worker.fail("out of memory");
    expect(woken).toBe(true);
    expect(remote.hashAt(9)).toBeUndefined();
    expect(remote.askHash(10, () => {})).toBe(false);
  });

  it("a scenario the model refuses comes back as its one line", async () => {
    const runner = createRemoteRunner(() => fakeWorker().port);
    const out = await runner.run(
      { ...mid(), schedule: ["T0", "T99"] },
      { checkpointEvery: 32, pick: () => 0 },
    );
    expect(out).toBe('the scenario could not be run: schedule[1]: no thread or actor named "T99"');
  });

  it("a worker that stops says so, and the run shown before is replayed here instead", async () => {
    let worker = fakeWorker();
    const runner = createRemoteRunner(() => {
      worker = fakeWorker();
      return worker.port;
    });
    const s = mid();
    const first = await runner.run(s, { checkpointEvery: 32, pick: () => 0 });
    if (first === null || typeof first === "string") throw new Error(String(first));
    const pending = runner.run(largeScenario({ processes: 8, devices: 2, pages: 8 }), {
      checkpointEvery: 32,
      pick: () => 0,
    });
    worker.fail("out of memory");
    expect(await pending).toBe("the scenario could not be run: the page's worker stopped (out of memory)");
    const here = runScenario(s, { checkpointEvery: 32 });
    const k = here.steps.length - 5;
    expect(worldHash(await remoteOf(first.result)!.fetch(k))).toBe(worldHash(worldAt(here, k)));
  });

  it("a new run stops the one still computing, which resolves to nothing", async () => {
    const runner = createRemoteRunner(() => fakeWorker().port);
    const a = runner.run(mid(), { checkpointEvery: 32, pick: () => 0 });
    const b = runner.run(mid(), { checkpointEvery: 32, pick: () => 3 });
    expect(await a).toBeNull();
    const out = await b;
    expect(out !== null && typeof out !== "string" && out.cursor).toBe(3);
  });
});
