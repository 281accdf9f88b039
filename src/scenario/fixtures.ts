/**
 * Scenarios for tests and benchmarks: the sample of the brief (also the first built-in
 * scenario) in its JSON form, and a seeded generator of larger valid scenarios.
 */
import type { JsonObject } from "./json-form.ts";

/** bind, DMA, munmap, DMA again, unbind, exit: one thread, one ATS device. */
export const SAMPLE_SCENARIO_JSON: JsonObject = {
  format: "sva-lab/1",
  title: "bind, DMA, munmap, unbind, exit",
  driver: "arm-smmu-v3-sva",
  smmu: { features: ["ats"] },
  devices: [{ name: "gpu0", sid: 16, ats: true }],
  processes: [{ name: "app", vmas: [{ start: "0x10000", pages: 4, prot: "rw", populate: true }] }],
  threads: [
    {
      name: "T0",
      ops: [
        { op: "bind", process: "app", device: "gpu0" },
        { op: "dma", device: "gpu0", process: "app", va: "0x10000", access: "write" },
        { op: "munmap", process: "app", start: "0x10000", pages: 1 },
        { op: "dma", device: "gpu0", process: "app", va: "0x10000", access: "read" },
        { op: "unbind", process: "app", device: "gpu0" },
        { op: "exit", process: "app" },
      ],
    },
  ],
};

/** mulberry32: a small seeded generator, so a generated scenario is the same on every run. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const hex = (n: number): string => `0x${n.toString(16)}`;

/**
 * A valid scenario of `opCount` ops over 4 threads, 3 processes with 3 VMAs each and 2
 * devices, with realistic addresses (inside the VMAs, at cache-line offsets) and a schedule of
 * `scheduleLength` entries.
 */
export function generateScenarioJson(opCount: number, seed = 1, scheduleLength = 0): JsonObject {
  const rnd = seededRandom(seed);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)]!;
  const processes = ["app", "db", "render"].map((name, p) => ({
    name,
    vmas: [0, 1, 2].map((v) => ({ start: 0x400000 + p * 0x1000000 + v * 0x100000, pages: 16 })),
  }));
  const devices = [
    { name: "gpu0", sid: 16, ats: true, pri: true },
    { name: "nic0", sid: 32, ats: false, pri: false },
  ];
  const threads = ["T0", "T1", "T2", "T3"].map((name) => ({ name, ops: [] as JsonObject[] }));
  for (let i = 0; i < opCount; i++) {
    const proc = pick(processes);
    const vma = pick(proc.vmas);
    const page = vma.start + Math.floor(rnd() * vma.pages) * 4096;
    const va = page + Math.floor(rnd() * 64) * 64;
    const device = pick(devices).name;
    const access = pick(["read", "write"]);
    const op = pick(["bind", "dma", "dma", "dma", "touch", "munmap", "mprotect", "mmap", "unbind", "exit"]);
    const ops: Record<string, JsonObject> = {
      bind: { op, process: proc.name, device },
      unbind: { op, process: proc.name, device },
      dma: { op, device, process: proc.name, va: hex(va), access },
      touch: { op, process: proc.name, va: hex(va), access },
      munmap: { op, process: proc.name, start: hex(page), pages: 1 },
      mprotect: { op, process: proc.name, start: hex(page), pages: 2, prot: pick(["r", "none"]) },
      mmap: { op, process: proc.name, start: hex(0x7f0000000000 + i * 0x10000), pages: 4 },
      exit: { op, process: proc.name },
    };
    threads[i % threads.length]!.ops.push(ops[op]!);
  }
  const actors = ["T0", "T1", "T2", "T3", "smmu", "T0:op"];
  const schedule = Array.from({ length: scheduleLength }, () => pick(actors));
  return {
    format: "sva-lab/1",
    title: `generated: ${opCount} ops`,
    driver: "arm-smmu-v3-sva",
    smmu: { features: ["ats", "pri"] },
    devices,
    processes: processes.map((p) => ({
      name: p.name,
      vmas: p.vmas.map((v) => ({ start: hex(v.start), pages: v.pages })),
    })),
    threads,
    ...(scheduleLength > 0 ? { schedule } : {}),
  };
}
