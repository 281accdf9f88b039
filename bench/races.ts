/**
 * The race ladder of the explorer's benchmark: the arm-smmu-v3-sva unbind/exit/DMA race built
 * thread by thread (T0 bind + unbind, T1 exit, T2 a DMA, T3 munmap, T4 a second device's DMA,
 * T5 a CPU write to the page), for each driver design. The 3-, 4- and 5-thread races of
 * arm-smmu-v3-sva are the ones the SPIN model checks (`check.sh 3|4|5`).
 */

export const DESIGNS = ["arm-smmu-v3-sva", "io-mm-2018", "sva-domain"] as const;

const THREADS = [
  {
    name: "T0",
    ops: [
      { op: "bind", process: "app", device: "gpu0" },
      { op: "unbind", process: "app", device: "gpu0" },
    ],
  },
  { name: "T1", ops: [{ op: "exit", process: "app" }] },
  { name: "T2", ops: [{ op: "dma", device: "gpu0", process: "app", va: "0x10000", access: "read" }] },
  { name: "T3", ops: [{ op: "munmap", process: "app", start: "0x10000", pages: 1 }] },
  { name: "T4", ops: [{ op: "dma", device: "gpu1", process: "app", va: "0x10000", access: "write" }] },
  { name: "T5", ops: [{ op: "touch", process: "app", va: "0x10000", access: "write" }] },
];

/** The race with `threads` threads (2–6) on `driver`, as scenario JSON. */
export function race(driver: string, threads: number): Record<string, unknown> {
  return {
    format: "sva-lab/1",
    title: `${threads}-thread race, ${driver}`,
    driver,
    smmu: { features: ["ats"] },
    devices: [
      { name: "gpu0", sid: 16, ats: true },
      ...(threads >= 5 ? [{ name: "gpu1", sid: 17, ats: true }] : []),
    ],
    processes: [{ name: "app", vmas: [{ start: "0x10000", pages: 1, prot: "rw", populate: true }] }],
    threads: THREADS.slice(0, threads),
  };
}
