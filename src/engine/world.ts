/**
 * The whole simulated machine as one plain-data object: physical memory, the SMMU, the
 * devices, and the kernel's state (mms, driver objects, locks, threads). Plain data (no
 * classes, no functions) so that it can be cloned with structuredClone for time travel and
 * the explorer, and hashed canonically for determinism checks.
 *
 * Copies share (copy on write, per part). A world's parts (the SMMU, the kernel, each device,
 * mm, thread and VM) are read-only in these types; `cloneWorld` (clone.ts) makes a copy that
 * shares every part, and a micro-step changes a part only through the world's write accessor
 * (`ownSmmu(w)`, `ownThread(w, t)`, …), which copies it first unless the world owns it. So a
 * step copies only what it writes, the trace's per-step snapshots share what a step left alone
 * (a view can test "unchanged" with ===), and the state hash (world-hash.ts) rehashes only the
 * parts that changed. Memory has its own copy on write by frame (memory.ts).
 */

import type { Pa } from "./ids.ts";
import type { Memory } from "./memory.ts";
import type { Queue } from "./queue.ts";

export interface SmmuFeatures {
  readonly ats: boolean;
  readonly pri: boolean;
  readonly btm: boolean;
  readonly ril: boolean;
  readonly stall: boolean;
  readonly nested: boolean;
}

/** One IOTLB entry: a leaf translation tagged by ASID and VMID (reference §11). */
export interface IotlbEntry {
  readonly asid: number;
  readonly vmid: number;
  /** Page-aligned input address. */
  readonly va: number;
  readonly pa: number;
  readonly writable: boolean;
  /** Filled through a CD with ASET=0: broadcast (BTM) TLB invalidations from the CPU match it. */
  readonly shared: boolean;
  /** Who filled it, for the diagram. */
  readonly sid: number;
  readonly ssid: number;
}

/**
 * One walk-cache entry: the level-3 table that covers a 2 MiB region, remembered from a walk,
 * so the next walk there starts at level 3. A TLBI by VA with LEAF=1 (or a TTL naming level 3)
 * leaves it in place; only a non-leaf TLBI or a TLBI by ASID drops it.
 */
export interface WalkCacheEntry {
  readonly asid: number;
  readonly vmid: number;
  /** 2 MiB-aligned start of the region. */
  readonly va: number;
  /** The level-3 table's physical address. */
  readonly table: number;
  /** The table frame's generation when it was cached: a reallocated frame is no longer it. */
  readonly generation: number;
  /** Filled through a CD with ASET=0: broadcast TLB invalidations match it. */
  readonly shared: boolean;
}

/** One ATC entry in a device: a translation the device got by ATS and may use without asking. */
export interface AtcEntry {
  /** null: the translation was for the device's requests without PASID. */
  readonly pasid: number | null;
  readonly va: number;
  readonly pa: number;
  readonly writable: boolean;
}

/** A page request the device sent after a failed ATS translation, and its answer once it came. */
export interface PageRequest {
  readonly prg: number;
  readonly pasid: number | null;
  readonly va: number;
  readonly write: boolean;
  readonly response: "SUCC" | "FAIL" | "DENY" | null;
}

/** A transaction the SMMU holds stalled (CD.S=1) until software answers with CMD_RESUME. */
export interface StalledTxn {
  readonly stag: number;
  readonly sid: number;
  readonly ssid: number | null;
  readonly va: number;
  readonly write: boolean;
  /** Taken by the IOPF handler; answered by the RESUME the SMMU consumed. */
  readonly state: "stalled" | "handling" | "RETRY" | "ABORT" | "TERM";
}

export interface CdTableState {
  readonly fmt: "linear" | "2lvl";
  /** The table the STE's S1ContextPtr names (linear table, or the L1 table). */
  readonly base: Pa;
  /** log2 of the number of CDs: the STE's S1CDMax, the master's ssid_bits. */
  readonly s1cdmax: number;
  /** 2-level: L2 leaf tables allocated so far, by L1 index. */
  readonly leaves: Readonly<Record<number, Pa>>;
}

export interface DeviceState {
  readonly name: string;
  readonly sid: number;
  readonly ats: boolean;
  readonly pri: boolean;
  readonly cdTable: CdTableState;
  /** The private DMA domain at SSID 0: its io-pgtable root and the ASID arm_smmu_asid_xa gave it. */
  readonly dmaAsid: number;
  readonly dmaPgd: Pa;
  readonly atc: readonly AtcEntry[];
  /** Page Request Groups the device sent and waits on (PCIe PRI), by PRG index. */
  readonly prgs: readonly PageRequest[];
  readonly nextPrg: number;
  /** The PASID the device's driver was given for each process: what the device keeps using. */
  readonly pasids: Readonly<Record<string, number>>;
  /** PASIDs the device's driver has stopped issuing DMA with (the 2018 design's mm_exit callback). */
  readonly stopped: readonly number[];
  /**
   * Assigned to a VM (iommufd, nested translation): its CD table, DMA domain and PASIDs are
   * the guest's, addressed in IPA space; the guest calls it by its virtual StreamID.
   */
  readonly vm?: string;
  readonly vsid?: number;
  /**
   * A VM's device whose guest chose S1DSS = bypass (an identity default domain) or terminate
   * (a blocked one): no CD 0 and no DMA domain (dmaAsid and dmaPgd 0). Absent: CD 0 holds it.
   */
  readonly guestS1dss?: "bypass" | "terminate";
}

/**
 * A virtual machine with devices assigned through iommufd: the host owns stage 2 (the
 * nesting-parent domain, its VMID) and the vIOMMU with its vDEVICEs; the guest owns its
 * stream table, CD tables and stage-1 tables in its own RAM, and a virtual SMMU's command queue
 * that the VMM forwards to the host (reference §7).
 */
export interface VmState {
  readonly name: string;
  /** The nesting-parent S2 domain's VMID, which the vIOMMU (arm_vsmmu) takes. */
  readonly vmid: number;
  /** The S2 domain's io-pgtable root (host physical). */
  readonly s2ttb: Pa;
  /** Guest RAM pages, from GUEST_RAM_BASE in IPA space. */
  readonly pages: number;
  /** The guest allocator's free IPAs: the last one is handed out next. */
  readonly free: readonly number[];
  /** The guest's stream table (IPA): the vSTEs the VMM reads on CFGI_STE. */
  readonly strtab: number;
  /** The vSMMU command queue, in guest RAM (its base is an IPA). */
  readonly vcmdq: Readonly<Queue>;
  /** vSMMU CMDQ_CONS.ERR as the VMM last reported it: 0 none, 1 CERROR_ILL. */
  readonly cerror: number;
  /** The vIOMMU's vDEVICEs: virtual StreamID → device. */
  readonly vdevs: Readonly<Record<number, string>>;
  /** The guest kernel's PASID and ASID allocators. */
  readonly pasids: Readonly<Record<number, { readonly owner: string; readonly refs: number }>>;
  /** The guest's lowest PASID, when the scenario gives one (absent: 1). */
  readonly pasidBase?: number;
  readonly asids: Readonly<Record<number, { readonly owner: string; readonly refs: number }>>;
}

export interface StreamTableState {
  readonly fmt: "linear" | "2lvl";
  readonly base: Pa;
  /** log2 of the number of StreamIDs the table covers. */
  readonly log2size: number;
  /** 2-level: bits of SID that index an L2 table (Linux: 8). */
  readonly split: number;
  readonly leaves: Readonly<Record<number, Pa>>;
}

export interface SmmuState {
  readonly features: SmmuFeatures;
  readonly asidBits: number;
  readonly ssidBits: number;
  readonly strtab: StreamTableState;
  readonly cmdq: Readonly<Queue>;
  readonly evtq: Readonly<Queue>;
  readonly priq: Readonly<Queue>;
  /**
   * Configuration cache: what the SMMU fetched and keeps until a CFGI command. `l1cd` holds
   * L1 CD descriptors of 2-level CD tables, valid or not, by "sid:l1index"; it appears with
   * the first one cached, so a world without 2-level CD tables is as it always was.
   */
  readonly cfg: {
    readonly ste: Readonly<Record<number, readonly bigint[]>>;
    readonly cd: Readonly<Record<string, readonly bigint[]>>;
    readonly l1cd?: Readonly<Record<string, bigint>>;
  };
  readonly iotlb: readonly IotlbEntry[];
  readonly walkCache: readonly WalkCacheEntry[];
  /** Stalled transactions, by STAG. */
  readonly stalls: readonly StalledTxn[];
  readonly nextStag: number;
  /**
   * SMMU_GERROR and SMMU_GERRORN (reference §1.1): a global error is active while a bit differs
   * between them. The SMMU toggles GERROR; software acknowledges by copying it into GERRORN.
   */
  readonly gerror: number;
  readonly gerrorn: number;
  /** SMMU_CMDQ_CONS.ERR: the CERROR code of the command at CONS while GERROR.CMDQ_ERR is active. */
  readonly cmdqErr: number;
}

export interface VmaState {
  readonly start: number;
  readonly pages: number;
  readonly prot: "r" | "rw" | "none";
}

export interface MmState {
  readonly process: string;
  /** The mm's lifecycle statechart state (kernel/machines.ts). */
  readonly state: string;
  /** mm_users: address-space users (mmget / mmput). */
  readonly users: number;
  /** mm_count: struct mm_struct references (mmgrab / mmdrop). */
  readonly count: number;
  readonly pgd: Pa;
  /** The CPU ASID (arch/arm64/mm/context.c), pinned while the SMMU shares it. */
  readonly cpuAsid: number;
  /** arm64_mm_context_get pins. */
  readonly asidPins: number;
  /** mm->pasid, or null. */
  readonly pasid: number | null;
  readonly vmas: readonly VmaState[];
  /** MMU notifiers registered on this mm (mm->notifier_subscriptions), by id. */
  readonly notifiers: readonly number[];
  /** The VM the process runs in: its pgd and pages are guest IPAs. */
  readonly vm?: string;
  /**
   * The tasks sharing this mm, when the scenario declares them (absent: one task); each live
   * one holds an mm_users reference until its exit.
   */
  readonly tasks?: readonly TaskState[];
}

/** A task (thread) of a process: its name and whether it has run do_exit. */
export interface TaskState {
  readonly name: string;
  readonly exited: boolean;
}

export type ThreadStatus = "ready" | "blocked" | "done";

export type LocalValue = number | string | boolean | null | readonly number[] | readonly string[];

export interface ThreadState {
  readonly name: string;
  readonly opIndex: number;
  /** The program running: "op:bind", or a function it called ("drv:release"); "" between ops. */
  readonly program: string;
  /** Index of the next micro-step in that program. */
  readonly pc: number;
  /** Where each caller resumes, innermost last. */
  readonly stack: readonly { readonly program: string; readonly pc: number }[];
  readonly locals: Readonly<Record<string, LocalValue>>;
  readonly status: ThreadStatus;
  /** Why the thread cannot step, when blocked. */
  readonly blockedOn: string | null;
}

/**
 * A kernel object whose lifetime the checker follows (bond, notifier, io_mm, domain, iommu_mm_data, and the
 * shared context descriptor `struct arm_smmu_ctx_desc` of the ≤6.9 driver: `cd`). `F` is the type
 * a design gives the fields of one kind (kernel/objects.ts `objectAt`); the World holds them as
 * plain records.
 */
export interface KObject<F = Readonly<Record<string, LocalValue>>> {
  readonly id: number;
  readonly kind: "bond" | "notifier" | "io_mm" | "domain" | "mm_data" | "cd";
  /** The kernel's name for it (struct arm_smmu_bond, struct iommu_sva…). */
  readonly label: string;
  /** Its lifecycle statechart state (kernel/machines.ts). */
  readonly state: string;
  readonly refs: number;
  readonly process: string;
  readonly device: string | null;
  /** Design-specific fields (pasid, asid, cleared, …). */
  readonly fields: F;
}

export interface SrcuCallback {
  readonly object: number;
  readonly fn: string;
  /** Readers that were inside a read section when the callback was queued: the grace period. */
  readonly waitFor: readonly string[];
}

export interface KernelState {
  readonly design: string;
  /** The kernel release modelled ("v6.12", "rfc-2018"): scenario/releases.ts. */
  readonly release: string;
  readonly faults: readonly string[];
  /** Mutex holders by lock name ("sva_lock", "mmap_lock:app"). */
  readonly locks: Readonly<Record<string, string | null>>;
  /** The lowest PASID the allocator hands out. */
  readonly pasidBase: number;
  /** Allocated PASIDs → owning mm and references (ioasid_get / ioasid_put). */
  readonly pasids: Readonly<Record<number, { readonly owner: string; readonly refs: number }>>;
  /**
   * arm_smmu_asid_xa: SMMU ASIDs in use → owner ("mm:app" for shared CDs, "dma:gpu0"); a shared
   * CD's entry names its kernel object (`cd`: the arm_smmu_ctx_desc, with its own refcount).
   */
  readonly asids: Readonly<
    Record<number, { readonly owner: string; readonly refs: number; readonly cd?: number }>
  >;
  readonly objects: Readonly<Record<number, KObject>>;
  readonly nextObjectId: number;
  readonly srcu: {
    readonly readers: Readonly<Record<string, number>>;
    readonly callbacks: readonly SrcuCallback[];
  };
  /**
   * The 2018 design's fault worker between iommu_sva_find (mmget_not_zero) and its mmput: the
   * page request it took and the answer it will send. Absent when it holds no mm.
   */
  readonly iopfHeld?: IopfHeld | null;
  /** The fault worker waits for itself (flushing its own queue from mm exit): it never runs again. */
  readonly iopfStuck?: boolean;
}

export interface IopfHeld {
  readonly process: string;
  readonly sid: number;
  readonly pasid: number | null;
  readonly prg: number;
  readonly resp: "SUCC" | "FAIL";
}

/**
 * The world's parts (everything but `mem` and `clock`) are read-only here: copies of a world
 * share them (clone.ts), so a part is changed only through the world's write accessor
 * (`ownThread(w, t)`, `ownDevice`, `ownMm`, `ownVm`; for the SMMU and the kernel, field by
 * field: `smmuPart(w, "cmdq")`, `kernelPart(w, "locks")`, `ownKObject(w, id)`, or their
 * shells), which copies it first when the world does not own it and returns it as a `Draft`.
 * The arrays are each world's own (a copy slices them): adding or removing an element needs
 * no accessor.
 */
export interface World {
  mem: Memory;
  readonly smmu: SmmuState;
  devices: DeviceState[];
  mms: MmState[];
  readonly kernel: KernelState;
  threads: ThreadState[];
  /** Micro-steps taken so far. */
  clock: number;
  /** Present only when the scenario has VMs (so other worlds hash as they always did). */
  vms?: VmState[];
}

/**
 * The writable form of a world's part (the read-only interfaces above with every `readonly`
 * taken off, all the way down), as the write accessors (clone.ts) hand it out.
 */
export type Draft<T> = T extends string | number | boolean | bigint | symbol | null | undefined
  ? T
  : T extends ReadonlyMap<infer K, infer V>
    ? Map<K, Draft<V>>
    : T extends readonly (infer U)[]
      ? Draft<U>[]
      : { -readonly [K in keyof T]: Draft<T[K]> };

export function findDevice(w: World, name: string): DeviceState {
  const d = w.devices.find((x) => x.name === name);
  if (!d) throw new Error(`no device ${name}`);
  return d;
}

export function findDeviceBySid(w: World, sid: number): DeviceState | undefined {
  return w.devices.find((x) => x.sid === sid);
}

export function findVm(w: World, name: string): VmState {
  const v = w.vms?.find((x) => x.name === name);
  if (!v) throw new Error(`no VM ${name}`);
  return v;
}

export function findMm(w: World, process: string): MmState {
  const m = w.mms.find((x) => x.process === process);
  if (!m) throw new Error(`no process ${process}`);
  return m;
}
