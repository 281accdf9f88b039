/**
 * Boots the simulated machine for a scenario, as the kernel would have it before the first
 * step: the SMMU reset (stream table, queues), each device probed (its CD table, a private DMA
 * domain at SSID 0 with its own ASID, its STE installed), each process with its mm, page table
 * and populated VMAs. None of this is a step: the scenario starts after it.
 */

import { CTXDESC_LINEAR_CDMAX, makeS1DmaCd } from "../engine/cd.ts";
import { kernelPart, smmuPart } from "../engine/clone.ts";
import { dict } from "../engine/dict.ts";
import { type Pa, asid as toAsid, va as toVa } from "../engine/ids.ts";
import { allocContiguous, allocFrame, createMemory, writeWord, writeWords } from "../engine/memory.ts";
import { mapPage } from "../engine/pgtable.ts";
import { createQueue } from "../engine/queue.ts";
import { guestAlloc } from "../engine/stage2.ts";
import { makeCdTableSte, makeL1Std, STRTAB_SPLIT, STRTAB_STE_SIZE } from "../engine/ste.ts";
import {
  cdTableBytes,
  locateSte,
  strtabBytes,
  strtabL1DescAddr,
  strtabL1Index,
  strtabLeafEntries,
} from "../engine/tables.ts";
import type {
  DeviceState,
  Draft,
  MmState,
  SmmuState,
  StreamTableState,
  ThreadState,
  World,
} from "../engine/world.ts";
import { findVm } from "../engine/world.ts";
import { STREAM_TABLE_LOG2SIZE } from "../scenario/limits.ts";
import type { DeviceSpec, ProcessSpec, Scenario } from "../scenario/types.ts";
import { initialState } from "./machines.ts";
import { faultIn } from "./mm.ts";
import { nestedKernel } from "./registry.ts";
import { allocCdLeaf, lowestFree, stallEnabled } from "./smmu-ops.ts";

/** Where each device's DMA-API buffer is mapped in its private DMA domain. */
export const DMA_BUFFER_IOVA = 0x10000;

/** io-pgtable's MAIR: NC, WBRWA, device nGnRE, inner-NC outer-WB. */
const IO_PGTABLE_MAIR = 0xf404_ff44n;
/** The SMMU's output address size, 48 bits (IDR5.OAS = 5). */
const SMMU_IPS = 5;

function frames(bytes: number): number {
  return Math.max(1, Math.ceil(bytes / 4096));
}

function bootSmmu(w: World, s: Scenario): SmmuState {
  const f = new Set(s.smmu.features);
  const twoLevel = s.smmu.streamTable === "2lvl";
  const log2size = STREAM_TABLE_LOG2SIZE[s.smmu.streamTable];
  const strtab: StreamTableState = twoLevel
    ? {
        fmt: "2lvl",
        base: allocContiguous(w.mem, frames(strtabBytes({ fmt: "2lvl", log2size, split: STRTAB_SPLIT })), {
          kind: "strtab",
          level: 1,
        }),
        log2size,
        split: STRTAB_SPLIT,
        leaves: {},
      }
    : {
        fmt: "linear",
        base: allocContiguous(w.mem, frames(strtabBytes({ fmt: "linear", log2size, split: 0 })), {
          kind: "strtab",
          level: 1,
        }),
        log2size,
        split: 0,
        leaves: {},
      };
  const cmdqLog2 = Math.log2(s.smmu.cmdqEntries);
  const cmdq = createQueue(
    "cmdq",
    allocContiguous(w.mem, frames(s.smmu.cmdqEntries * 16), { kind: "queue", queue: "cmdq" }),
    cmdqLog2,
    16,
  );
  const evtq = createQueue("evtq", allocContiguous(w.mem, 2, { kind: "queue", queue: "evtq" }), 8, 32);
  const priq = createQueue("priq", allocContiguous(w.mem, 1, { kind: "queue", queue: "priq" }), 8, 16);
  return {
    features: {
      ats: f.has("ats"),
      pri: f.has("pri"),
      btm: f.has("btm"),
      ril: f.has("ril"),
      stall: f.has("stall"),
      nested: f.has("nested"),
    },
    asidBits: s.smmu.asidBits,
    ssidBits: s.smmu.ssidBits,
    strtab,
    cmdq,
    evtq,
    priq,
    cfg: { ste: {}, cd: {} },
    iotlb: [],
    walkCache: [],
    stalls: [],
    nextStag: 1,
    gerror: 0,
    gerrorn: 0,
    cmdqErr: 0,
  };
}

/** arm_smmu_init_l2_strtab for a 2-level stream table: 256 STEs (one PCI bus), 16 KiB. */
function ensureStrtabLeaf(w: World, sid: number): void {
  const st = smmuPart(w, "strtab");
  if (st.fmt !== "2lvl") return;
  const l1 = strtabL1Index(st, sid);
  if (st.leaves[l1] !== undefined) return;
  const leaf = allocContiguous(w.mem, frames(strtabLeafEntries(st) * STRTAB_STE_SIZE), {
    kind: "strtab",
    level: 2,
  });
  st.leaves[l1] = leaf;
  writeWord(w.mem, strtabL1DescAddr(st, sid), makeL1Std(leaf));
}

/** arm_smmu_probe_device + attach of the default DMA domain. */
function probeDevice(w: World, spec: DeviceSpec, s: Scenario): DeviceState {
  const st = w.smmu.strtab;
  // ssid_bits = min(SMMU SSIDSIZE, device PASID width), at most 10 with a linear CD table.
  let s1cdmax = Math.min(w.smmu.ssidBits, spec.pasidBits);
  if (s.smmu.cdTable === "linear") s1cdmax = Math.min(s1cdmax, CTXDESC_LINEAR_CDMAX);
  const twoLevel = s.smmu.cdTable === "2lvl";
  const base = allocContiguous(w.mem, frames(cdTableBytes(twoLevel ? "2lvl" : "linear", s1cdmax)), {
    kind: "cdtable",
    device: spec.name,
    level: 1,
  });
  const dmaAsid = lowestFree(w.kernel.asids, 1, 2 ** w.smmu.asidBits - 1)!;
  kernelPart(w, "asids")[dmaAsid] = { owner: `dma:${spec.name}`, refs: 1 };
  const dmaPgd = allocFrame(w.mem, { kind: "pgtable", process: `dma:${spec.name}`, level: 0 });
  // One buffer the device's driver mapped with the DMA API (dma_map_single): its non-PASID
  // traffic has something to reach, and fills the IOTLB under the domain's private ASID.
  const buffer = allocFrame(
    w.mem,
    { kind: "data", process: `dma:${spec.name}`, va: DMA_BUFFER_IOVA },
    `${spec.name} DMA buffer`,
  );
  mapPage(w.mem, dmaPgd, toVa(DMA_BUFFER_IOVA), buffer, true, `dma:${spec.name}`);
  const dev: Draft<DeviceState> = {
    name: spec.name,
    sid: spec.sid,
    ats: spec.ats,
    pri: spec.pri,
    cdTable: { fmt: twoLevel ? "2lvl" : "linear", base, s1cdmax, leaves: {} },
    dmaAsid,
    dmaPgd,
    atc: [],
    prgs: [],
    nextPrg: 0,
    pasids: dict(),
    stopped: [],
  };
  // CD 0: the private DMA domain (io-pgtable, ASET=1). With a 2-level table, leaf 0 first.
  const cd0 = twoLevel ? allocCdLeaf(w, dev, 0) : base;
  writeWords(
    w.mem,
    cd0,
    makeS1DmaCd({
      asid: toAsid(dmaAsid),
      ttb0: dmaPgd,
      mair: IO_PGTABLE_MAIR,
      ips: SMMU_IPS,
      stall: stallEnabled(w, dev),
    }),
  );
  const ste = makeCdTableSte({
    cdTable: base,
    s1fmt: twoLevel ? "64k_l2" : "linear",
    s1cdmax,
    s1dss: "SSID0",
    ats: spec.ats && w.smmu.features.ats,
    stalls: w.smmu.features.stall,
    stall: stallEnabled(w, dev),
  });
  const where = locateSte(w, st, spec.sid);
  if (!where.ok) throw new Error(where.why);
  writeWords(w.mem, where.addr, ste);
  return dev;
}

/**
 * `tasks`: the process's tasks as the mm keeps them: the declared ones (docs/tasks.md), or its
 * one default task when two of the scenario's exits name it (two lanes may act for one task:
 * only the first do_exit drops its mm_users reference); absent otherwise, so that a scenario
 * without tasks keeps its state hash.
 */
function createMm(w: World, spec: ProcessSpec, index: number, exits: number): MmState {
  const tasks = spec.tasks ?? (exits > 1 ? [spec.name] : undefined);
  const owner = { kind: "pgtable", process: spec.name, level: 0 } as const;
  const pgd = (
    spec.vm === undefined ? allocFrame(w.mem, owner) : guestAlloc(w, findVm(w, spec.vm), owner)
  ) as Pa;
  // CPU ASIDs come from arch/arm64/mm/context.c, far from the SMMU's own small ASIDs.
  const cpuAsid = spec.asid ?? 2 ** (w.smmu.asidBits - 1) + 1 + index;
  const mm: MmState = {
    process: spec.name,
    state: initialState("mm"),
    // One mm_users reference per task (copy_process with CLONE_VM takes one for each thread).
    users: spec.tasks?.length ?? 1,
    count: 1,
    pgd,
    cpuAsid,
    asidPins: 0,
    pasid: null,
    vmas: spec.vmas.map((v) => ({ start: v.start, pages: v.pages, prot: v.prot })),
    notifiers: [],
    ...(spec.vm === undefined ? {} : { vm: spec.vm }),
    ...(tasks === undefined ? {} : { tasks: tasks.map((name) => ({ name, exited: false })) }),
  };
  for (const v of spec.vmas) {
    if (!v.populate) continue;
    for (let i = 0; i < v.pages; i++)
      faultIn(w, mm, v.start + i * 4096, mm.vmas.find((x) => x.start === v.start)!);
  }
  return mm;
}

export function boot(s: Scenario): World {
  const w: World = {
    mem: createMemory(),
    smmu: undefined as unknown as SmmuState,
    devices: [],
    mms: [],
    kernel: {
      design: s.driver,
      release: s.kernel,
      faults: [...s.faults],
      locks: dict(),
      pasidBase: s.pasidBase ?? 1,
      pasids: {},
      asids: {},
      objects: {},
      nextObjectId: 1,
      srcu: { readers: dict(), callbacks: [] },
    },
    threads: [],
    clock: 0,
  };
  (w as { smmu: SmmuState }).smmu = bootSmmu(w, s);
  if (s.vms !== undefined) w.vms = s.vms.map((v, i) => nestedKernel().bootVm(w, v, i));
  w.devices = s.devices.map((d) => {
    ensureStrtabLeaf(w, d.sid);
    const vm = w.vms?.find((v) => Object.values(v.vdevs).includes(d.name));
    return vm
      ? nestedKernel().assignDevice(
          w,
          vm,
          d,
          s.vms?.find((v) => v.name === vm.name),
        )
      : probeDevice(w, d, s);
  });
  const ops = s.threads.flatMap((t) => t.ops);
  w.mms = s.processes.map((p, i) =>
    createMm(w, p, i, ops.filter((o) => o.op === "exit" && o.process === p.name).length),
  );
  w.threads = s.threads.map(
    (t): ThreadState => ({
      name: t.name,
      opIndex: 0,
      program: "",
      pc: 0,
      stack: [],
      locals: {},
      status: t.ops.length > 0 ? "ready" : "done",
      blockedOn: null,
    }),
  );
  return w;
}
