/**
 * The large scenario the benchmarks use: 16 devices, 64 processes with 256 populated pages
 * each (16k mapped pages), every process bound to 4 devices (256 bindings), each doing DMA,
 * unmapping a page, unbinding and exiting, one thread per process.
 */

import { DEFAULT_RELEASE } from "./releases.ts";
import type { Op, Scenario } from "./types.ts";

export function largeScenario(
  opts: { devices?: number; processes?: number; pages?: number; perProcess?: number } = {},
): Scenario {
  const nDev = opts.devices ?? 16;
  const nProc = opts.processes ?? 64;
  const pages = opts.pages ?? 256;
  const per = opts.perProcess ?? 4;
  const devices = Array.from({ length: nDev }, (_, i) => ({
    name: `dev${i}`,
    sid: 16 + i,
    ats: i % 2 === 0,
    pri: false,
    pasidBits: 20,
  }));
  const processes = Array.from({ length: nProc }, (_, i) => ({
    name: `p${i}`,
    vmas: [{ start: 0x40_0000, pages, prot: "rw" as const, populate: true }],
  }));
  const threads = processes.map((p, i) => {
    const devs = Array.from({ length: per }, (_, k) => devices[(i + k) % nDev]!.name);
    const ops: Op[] = [
      ...devs.map((device): Op => ({ op: "bind", process: p.name, device })),
      ...devs.map(
        (device, k): Op => ({
          op: "dma",
          device,
          process: p.name,
          va: 0x40_0000 + k * 4096,
          access: "write",
        }),
      ),
      { op: "munmap", process: p.name, start: 0x40_0000, pages: 2 },
      ...devs.map((device): Op => ({ op: "unbind", process: p.name, device })),
      { op: "exit", process: p.name },
    ];
    return { name: `T${i}`, ops };
  });
  return {
    format: "sva-lab/1",
    title: `${nProc} processes, ${nDev} devices, ${nProc * per} bindings, ${nProc * pages} mapped pages`,
    kernel: DEFAULT_RELEASE["arm-smmu-v3-sva"],
    driver: "arm-smmu-v3-sva",
    faults: [],
    smmu: {
      features: ["ats"],
      asidBits: 16,
      ssidBits: 20,
      cmdqEntries: 256,
      streamTable: "2lvl",
      cdTable: "2lvl",
    },
    devices,
    processes,
    threads,
  };
}
