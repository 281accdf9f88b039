/**
 * Random races for the explorer's tests: up to `maxThreads` threads of one to three ops each,
 * drawn from the race ladder's ops (bench/races.ts), on any design and SMMU features.
 */
import fc from "fast-check";
import { parseScenario } from "../scenario/index.ts";
import type { Scenario } from "../scenario/types.ts";

const OPS = [
  { op: "bind", process: "app", device: "gpu0" },
  { op: "unbind", process: "app", device: "gpu0" },
  { op: "exit", process: "app" },
  { op: "dma", device: "gpu0", process: "app", va: "0x10000", access: "read" },
  { op: "munmap", process: "app", start: "0x10000", pages: 1 },
  { op: "dma", device: "gpu1", process: "app", va: "0x10000", access: "write" },
  { op: "touch", process: "app", va: "0x10000", access: "write" },
  { op: "mprotect", process: "app", start: "0x10000", pages: 1, prot: "r" },
];

export function randomRace(maxThreads: number): fc.Arbitrary<Scenario> {
  return fc
    .tuple(
      fc.constantFrom("arm-smmu-v3-sva", "io-mm-2018", "sva-domain"),
      fc.array(fc.array(fc.integer({ min: 0, max: OPS.length - 1 }), { minLength: 1, maxLength: 3 }), {
        minLength: 2,
        maxLength: maxThreads,
      }),
      fc.subarray(["ats", "btm", "pri"]),
    )
    .map(([driver, threads, features]) => {
      const parsed = parseScenario({
        format: "sva-lab/1",
        title: "random race",
        driver,
        smmu: { features },
        devices: [
          { name: "gpu0", sid: 16, ats: true },
          { name: "gpu1", sid: 17, ats: true },
        ],
        processes: [{ name: "app", vmas: [{ start: "0x10000", pages: 1, prot: "rw", populate: true }] }],
        threads: threads.map((ops, i) => ({ name: `T${i}`, ops: ops.map((o) => OPS[o]!) })),
      });
      if (!parsed.ok) throw new Error(parsed.error);
      return parsed.value;
    });
}

/**
 * A race that starts with an event record for the IRQ thread to log (the schedule's bind and
 * a DMA to an unmapped page: F_TRANSLATION, recorded) while every thread still has work: a DMA
 * that may fault again, munmap, a CPU write and exit, and unbind.
 */
export function loggedFaultRace(driver: string): Scenario {
  const dma = (va: string, access: "read" | "write") => ({
    op: "dma",
    device: "gpu0",
    process: "app",
    va,
    access,
  });
  const parsed = parseScenario({
    format: "sva-lab/1",
    title: `faults to log, ${driver}`,
    driver,
    smmu: { features: [] },
    devices: [{ name: "gpu0", sid: 16, ats: false }],
    processes: [{ name: "app", vmas: [{ start: "0x10000", pages: 1, prot: "rw", populate: true }] }],
    threads: [
      {
        name: "T0",
        ops: [
          { op: "bind", process: "app", device: "gpu0" },
          dma("0x30000", "read"),
          dma("0x10000", "write"),
          { op: "unbind", process: "app", device: "gpu0" },
        ],
      },
      { name: "T1", ops: [{ op: "munmap", process: "app", start: "0x10000", pages: 1 }] },
      {
        name: "T2",
        ops: [
          { op: "touch", process: "app", va: "0x10000", access: "write" },
          { op: "exit", process: "app" },
        ],
      },
    ],
    schedule: ["T0:op", "T0:op"],
  });
  if (!parsed.ok) throw new Error(parsed.error);
  return parsed.value;
}
