/**
 * fast-check pieces shared by the scenario and URL tests: an arbitrary of valid scenarios in
 * JSON form, mutations of JSON values and of text, and the check every rejection must pass.
 * Imported only by tests.
 */
import fc from "fast-check";
import { expect } from "vitest";
import { FAULT_NAMES } from "./faults.ts";
import type { JsonObject, JsonValue } from "./json-form.ts";
import { GUEST_CMDS, type Parsed } from "./types.ts";

/**
 * Runs per property: the default keeps the unit suite fast; FUZZ_SCALE=k multiplies every
 * property's runs (`npm run test:fuzz` uses 13: about 100,000 inputs in all), FUZZ_RUNS=n
 * sets them outright.
 */
export function fuzzRuns(defaultRuns: number): number {
  const runs = Number(process.env.FUZZ_RUNS);
  if (Number.isSafeInteger(runs) && runs > 0) return runs;
  const scale = Number(process.env.FUZZ_SCALE);
  return Number.isSafeInteger(scale) && scale > 0 ? defaultRuns * scale : defaultRuns;
}

/** Per-test timeout: the suite's 30 s by default (a loaded 2-core machine), ten minutes scaled up. */
export function fuzzTimeout(): number {
  return process.env.FUZZ_RUNS || process.env.FUZZ_SCALE ? 600_000 : 30_000;
}

/** The value of a result that must be accepted (the error as the failure's message). */
export function okValue<T>(r: Parsed<T>): T {
  if (!r.ok) throw new Error(r.error);
  return r.value;
}

/** The message of a result that must be rejected, checked by `expectCleanError`. */
export function errorOf(r: Parsed<unknown>): string {
  if (r.ok) throw new Error("expected a rejection");
  expectCleanError(r);
  return r.error;
}

/** A rejection says something, on one line, with no JavaScript leaking into it. */
export function expectCleanError(r: Parsed<unknown>): void {
  if (r.ok) return;
  expect(r.error.length).toBeGreaterThan(0);
  expect(r.error).not.toMatch(/[\n\r\u2028\u2029\u0085]/);
  expect(r.error).not.toMatch(/undefined|\[object|internal error/);
}

const hex = (n: number): string => `0x${n.toString(16)}`;

/** Printable names, Unicode included (the link must carry UTF-8 through). */
const nameArb = fc
  .string({ minLength: 1, maxLength: 10, unit: "grapheme" })
  .filter((s) => /^[^\p{Cc}\p{Zl}\p{Zp}:]+$/u.test(s) && s !== "smmu" && s !== "srcu" && s !== "iopf");

const addressArb = (n: number): fc.Arbitrary<JsonValue> => fc.constantFrom<JsonValue>(hex(n), n);

/** Up to 4 non-overlapping VMAs: the i-th lives in its own 1 MiB slot. */
const vmasArb = fc
  .array(
    fc.record({
      page: fc.nat(127),
      pages: fc.integer({ min: 1, max: 128 }),
      prot: fc.constantFrom("r", "rw", "none"),
      populate: fc.boolean(),
    }),
    { maxLength: 4 },
  )
  .chain((vmas) =>
    fc.tuple(
      ...vmas.map((v, i) => addressArb(0x100000 * (i + 1) + v.page * 4096).map((start) => ({ ...v, start }))),
    ),
  )
  .map((vmas) => vmas.map(({ start, pages, prot, populate }) => ({ start, pages, prot, populate })));

const smmuArb = fc.record(
  {
    features: fc.subarray(["ats", "pri", "btm", "ril", "stall", "nested"]),
    asidBits: fc.constantFrom(8, 16),
    ssidBits: fc.integer({ min: 0, max: 20 }),
    cmdqEntries: fc.integer({ min: 1, max: 19 }).map((k) => 2 ** k),
    streamTable: fc.constantFrom("linear", "2lvl"),
    cdTable: fc.constantFrom("linear", "2lvl"),
  },
  { requiredKeys: [] },
);

/** One op over process p and device d (indices resolved by the caller). */
function opArb(p: string, d: string): fc.Arbitrary<JsonObject> {
  const page = fc.nat(0xfffff).map((n) => n * 4096);
  const va = fc.nat(2 ** 40);
  const access = fc.constantFrom("read", "write");
  const prot = fc.constantFrom("r", "rw", "none");
  const pages = fc.integer({ min: 1, max: 64 });
  return fc.oneof(
    fc.constantFrom<JsonObject>(
      { op: "bind", process: p, device: d },
      { op: "unbind", process: p, device: d },
    ),
    fc.record({ va, access, pasid: fc.option(fc.nat(2 ** 20 - 1), { nil: undefined }) }).chain((o) =>
      addressArb(o.va).map((a) => ({
        op: "dma",
        device: d,
        process: p,
        va: a,
        access: o.access,
        ...(o.pasid === undefined ? {} : { pasid: o.pasid }),
      })),
    ),
    fc
      .record({ start: page, pages, prot })
      .map((o) => ({ op: "mmap", process: p, ...o, start: hex(o.start) })),
    fc.record({ va, access }).map((o) => ({ op: "touch", process: p, va: hex(o.va), access: o.access })),
    fc
      .record({ start: page, pages })
      .map((o) => ({ op: "munmap", process: p, start: o.start, pages: o.pages })),
    fc
      .record({ start: page, pages, prot })
      .map((o) => ({ op: "mprotect", process: p, ...o, start: hex(o.start) })),
    fc.constant<JsonObject>({ op: "exit", process: p }),
  );
}

const pickFrom = <T>(xs: readonly T[]): fc.Arbitrary<T> => fc.nat(xs.length - 1).map((i) => xs[i]!);

function threadsArb(processes: string[], devices: string[], threads: string[]): fc.Arbitrary<JsonObject[]> {
  // Now and then the op names its task: the process's own name is one of its tasks, declared or not.
  const op = fc
    .tuple(pickFrom(processes), pickFrom(devices), fc.nat(3))
    .chain(([p, d, t]) => opArb(p, d).map((o) => (t === 0 ? { ...o, task: p } : o)));
  return fc.tuple(...threads.map((name) => fc.array(op, { maxLength: 8 }).map((ops) => ({ name, ops }))));
}

function scheduleArb(threads: string[]): fc.Arbitrary<JsonValue[]> {
  const actors = ["smmu", "srcu", ...threads, ...threads.map((t) => `${t}:op`)];
  return fc.array(pickFrom(actors), { maxLength: 30 });
}

/** Ops of a guest process `p` on the devices `ds` of its VM. */
function guestOpArb(p: string, ds: readonly string[]): fc.Arbitrary<JsonObject> {
  const d = pickFrom(ds);
  const cmd = fc.constantFrom(...GUEST_CMDS);
  return fc.oneof(
    d.map((device) => ({ op: "bind", process: p, device })),
    d.map((device) => ({ op: "unbind", process: p, device })),
    fc
      .record({ device: d, va: fc.nat(2 ** 30), access: fc.constantFrom("read", "write") })
      .map((o) => ({ op: "dma", process: p, ...o, va: hex(o.va) })),
    fc.nat(0xfff).map((n) => ({ op: "touch", process: p, va: hex(n * 4096), access: "write" })),
    fc
      .record({ start: fc.nat(0xfff), pages: fc.integer({ min: 1, max: 8 }) })
      .map((o) => ({ op: "munmap", process: p, start: hex(o.start * 4096), pages: o.pages })),
    fc.constant<JsonObject>({ op: "exit", process: p }),
    fc
      .record(
        { cmd: fc.oneof(cmd, fc.array(cmd, { minLength: 1, maxLength: 4 })), device: d, va: fc.nat(2 ** 30) },
        { requiredKeys: ["cmd"] },
      )
      .map((o) => ({ op: "guest-cmd", process: p, ...o, ...(o.va === undefined ? {} : { va: hex(o.va) }) })),
  );
}

/** Valid scenarios with a VM: its devices (vSIDs), a guest process and its ops. */
const vmScenarioJsonArb: fc.Arbitrary<JsonObject> = fc
  .record({
    names: fc.uniqueArray(nameArb, { minLength: 5, maxLength: 5 }),
    vsids: fc.uniqueArray(fc.nat(63), { minLength: 2, maxLength: 2 }),
    // Enough RAM for up to four populated VMAs of 128 pages (the check refuses less).
    pages: fc.integer({ min: 1024, max: 4096 }),
    vmas: vmasArb,
  })
  .chain(({ names, vsids, pages, vmas }) => {
    const [vm, dev0, dev1, proc, thread] = names as [string, string, string, string, string];
    return fc.array(guestOpArb(proc, [dev0, dev1]), { maxLength: 8 }).map(
      (ops): JsonObject => ({
        format: "sva-lab/1",
        title: "a VM",
        driver: "sva-domain",
        smmu: { features: ["nested", "ats"] },
        devices: [
          { name: dev0, sid: 16, ats: true },
          { name: dev1, sid: 17 },
        ],
        vms: [
          {
            name: vm,
            devices: [
              { device: dev0, vsid: vsids[0]! },
              { device: dev1, vsid: vsids[1]! },
            ],
            pages,
          },
        ],
        processes: [{ name: proc, vm, vmas }],
        threads: [{ name: thread, ops }],
      }),
    );
  });

/** Valid scenarios of the host, covering every host op, field and default. */
const hostScenarioJsonArb: fc.Arbitrary<JsonObject> = fc
  .record({
    processes: fc.uniqueArray(nameArb, { minLength: 1, maxLength: 3 }),
    devices: fc.uniqueArray(nameArb, { minLength: 1, maxLength: 3 }),
    threads: fc.uniqueArray(nameArb, { minLength: 1, maxLength: 3 }),
  })
  .chain((names) =>
    fc.record(
      {
        format: fc.constant("sva-lab/1"),
        title: fc.string({ maxLength: 40 }).filter((s) => !/[\p{Cc}\p{Zl}\p{Zp}]/u.test(s)),
        description: fc.string({ maxLength: 80, unit: "grapheme" }),
        driver: fc.constantFrom("arm-smmu-v3-sva", "io-mm-2018", "sva-domain", "iommu-process-2017"),
        faults: fc.subarray(FAULT_NAMES as string[]),
        smmu: smmuArb,
        devices: fc.tuple(
          ...names.devices.map(
            (name, i) =>
              fc
                .record(
                  { ats: fc.boolean(), pri: fc.boolean(), pasidBits: fc.integer({ min: 0, max: 20 }) },
                  { requiredKeys: [] },
                )
                .map((o) => ({ name, sid: i * 100 + 3, ...o })), // within a linear stream table
          ),
        ),
        processes: fc.tuple(
          ...names.processes.map((name) =>
            fc.tuple(vmasArb, fc.nat(3)).map(
              ([vmas, t]): JsonObject => ({
                name,
                ...(vmas.length ? { vmas } : {}),
                ...(t === 0 ? { tasks: [name, `${name}-w`] } : {}),
              }),
            ),
          ),
        ),
        threads: threadsArb(names.processes, names.devices, names.threads),
        schedule: scheduleArb(names.threads),
      },
      { requiredKeys: ["format", "title", "driver", "devices", "processes", "threads"] },
    ),
  );

/** Valid scenarios in their JSON form, covering every op, field and default; one in five has a VM. */
export const validScenarioJsonArb: fc.Arbitrary<JsonObject> = fc.oneof(
  { arbitrary: hostScenarioJsonArb, weight: 4 },
  { arbitrary: vmScenarioJsonArb, weight: 1 },
);

/** Values that probe the edges: huge, negative, fractional, wrong types, near-miss names. */
const nastyArb: fc.Arbitrary<JsonValue> = fc.oneof(
  fc.constantFrom<JsonValue>(
    2 ** 53,
    2 ** 48,
    2 ** 48 - 1,
    2 ** 32,
    1e300,
    -1,
    -0.5,
    0.5,
    0,
    "0x",
    "0x10010",
    `0x${"f".repeat(13)}`,
    "65536",
    "",
    "munmapp",
    "smmu",
    "T0:op",
    "sva-lab/2",
    null,
    true,
    [],
    {},
    [[[[[]]]]],
    { op: "bind" },
  ),
  fc.jsonValue({ maxDepth: 3 }).map((v) => v as JsonValue),
  fc.string({ unit: "binary", maxLength: 20 }),
);

type Mutation = { kind: "delete" | "replace" | "add"; at: number; value: JsonValue; key: string };

export const mutationArb: fc.Arbitrary<Mutation> = fc.record({
  kind: fc.constantFrom("delete", "replace", "replace", "add"),
  at: fc.nat(),
  value: nastyArb,
  key: fc.oneof(
    fc.constantFrom("op", "pasid", "populate", "__proto__", "constructor"),
    fc.string({ maxLength: 8 }),
  ),
});

type Container = JsonValue[] | JsonObject;
type Slot = { parent: Container; key: string | number };

function slots(value: JsonValue, out: Slot[] = []): Slot[] {
  if (Array.isArray(value)) {
    value.forEach((v, i) => {
      out.push({ parent: value, key: i });
      slots(v, out);
    });
  } else if (value !== null && typeof value === "object") {
    for (const [k, v] of Object.entries(value)) {
      out.push({ parent: value, key: k });
      slots(v, out);
    }
  }
  return out;
}

/** Applies one mutation to a copy of `json`, at a slot chosen by `m.at`. */
export function mutateJson(json: JsonObject, m: Mutation): JsonValue {
  const copy = structuredClone(json);
  const all = slots(copy);
  const slot = all[m.at % Math.max(1, all.length)];
  if (!slot) return m.value;
  const { parent, key } = slot;
  if (Array.isArray(parent)) {
    if (m.kind === "delete") parent.splice(Number(key), 1);
    else if (m.kind === "add") parent.splice(Number(key), 0, m.value);
    else parent[Number(key)] = m.value;
  } else if (m.kind === "delete") {
    delete parent[String(key)];
  } else {
    Object.defineProperty(parent, m.kind === "add" ? m.key : String(key), {
      value: m.value,
      enumerable: true,
      writable: true,
      configurable: true,
    });
  }
  return copy;
}

type TextMutation = { kind: "truncate" | "delete" | "flip" | "insert"; at: number; text: string };

export const textMutationArb: fc.Arbitrary<TextMutation> = fc.record({
  kind: fc.constantFrom("truncate", "delete", "flip", "insert"),
  at: fc.nat(),
  text: fc.oneof(
    fc.string({ minLength: 1, maxLength: 6 }),
    fc.string({ unit: "binary", minLength: 1, maxLength: 3 }),
  ),
});

/** Truncates, deletes a character, replaces one, or inserts garbage at a position. */
export function mutateText(text: string, m: TextMutation): string {
  const at = m.at % (text.length + 1);
  switch (m.kind) {
    case "truncate":
      return text.slice(0, at);
    case "delete":
      return text.slice(0, at) + text.slice(at + 1);
    case "flip":
      return text.slice(0, at) + m.text.slice(0, 1) + text.slice(at + 1);
    case "insert":
      return text.slice(0, at) + m.text + text.slice(at);
  }
}
