/**
 * The table writes of a step, for the trace (`sva-lab run --json`, docs/trace-tables.md): the
 * words a step wrote to memory (memory.ts `journalWrites`), named by the structure they belong
 * to — STE or L1 stream table descriptor, CD or L1 CD descriptor, stage-1 or stage-2 page-table
 * descriptor — with its id (StreamID, SubstreamID, VA or IPA), its address and its words as the
 * step left them; and the event records and PRI queue entries the SMMU wrote.
 *
 * Nothing here runs unless a journal was asked for: the explorer and the page's replays never
 * open one, so they pay nothing for it.
 *
 * What a word is follows from the frame it lands in (its owner) and, for page tables, from the
 * input address and level the writer tagged it with (pgtable.ts, stage2.ts).
 */

import { prepareWord } from "./bits.ts";
import { CTXDESC_CD_SIZE, CTXDESC_L1_DESC_SIZE } from "./cd.ts";
import { CMDQ_CONS, queueRegisters } from "./cmdq-error.ts";
import { PAGE_SIZE, type Pa } from "./ids.ts";
import { type FrameOwner, frameAt, journalWrites, readWords, type WordWrite } from "./memory.ts";
import { consReg, prodReg } from "./queue.ts";
import { GUEST_RAM_BASE, s2Lookup } from "./stage2.ts";
import { STRTAB_L1_DESC_SIZE, STRTAB_STE_SIZE } from "./ste.ts";
import {
  CD_LEAF_BYTES,
  cdL1DescAddr,
  cdL1FirstSsid,
  cdTableBytes,
  leafCdAddr,
  leafSteAddr,
  linearCdAddr,
  linearSteAddr,
  strtabBytes,
  strtabL1DescAddr,
  strtabLeafEntries,
  strtabSid,
} from "./tables.ts";
import type { DeviceState, World } from "./world.ts";

/** Where an entry sits and what it holds after the step. */
interface Entry {
  readonly addr: number;
  /** An entry in a guest's RAM (its vSTE, CDs, page tables): the VM and the entry's IPA. */
  readonly vm?: string;
  readonly addrIpa?: number;
  /** The entry's 64-bit words, as memory holds them after the step. */
  readonly words: readonly bigint[];
  /** Which of its words the step wrote. */
  readonly dwords: readonly number[];
}

/** Which entry: the structure and its id (a guest's vSTE: `sid` is the virtual StreamID). */
export type TableId =
  | { readonly table: "STE"; readonly sid: number }
  | { readonly table: "L1STD"; readonly index: number; readonly sids: readonly [number, number] }
  | { readonly table: "CD"; readonly device: string; readonly sid: number; readonly ssid: number }
  | { readonly table: "L1CD"; readonly device: string; readonly sid: number; readonly index: number }
  | { readonly table: "PTE"; readonly process: string; readonly va: number; readonly level: number }
  | { readonly table: "S2PTE"; readonly vm: string; readonly ipa: number; readonly level: number };

export type TableWrite = Entry & TableId;

/** An event record or PRI queue entry the SMMU wrote. */
export interface QueueRecord {
  readonly queue: "evtq" | "priq";
  /** The slot (index in the ring). */
  readonly index: number;
  readonly addr: number;
  readonly words: readonly bigint[];
}

type Where =
  | { readonly kind: "table"; readonly start: number; readonly size: number; readonly id: TableId }
  | {
      readonly kind: "record";
      readonly queue: "evtq" | "priq";
      readonly start: number;
      readonly index: number;
    }
  | null;

const S2_SUFFIX = " stage 2";

function ownerOf(w: World, addr: number): FrameOwner | null {
  const frame = frameAt(w.mem, addr as Pa);
  if (!frame) return null;
  return frame.owner.kind === "free" ? frame.previous : frame.owner;
}

const within = (addr: number, base: number, bytes: number) => addr >= base && addr < base + bytes;

function steAt(w: World, addr: number): Where {
  const st = w.smmu.strtab;
  if (st.fmt === "linear") {
    if (!within(addr, st.base, strtabBytes(st))) return guestSteAt(w, addr);
    const sid = Math.floor((addr - st.base) / STRTAB_STE_SIZE);
    return { kind: "table", start: linearSteAddr(st, sid), size: 8, id: { table: "STE", sid } };
  }
  if (within(addr, st.base, strtabBytes(st))) {
    const index = Math.floor((addr - st.base) / STRTAB_L1_DESC_SIZE);
    const sids = [strtabSid(st, index, 0), strtabSid(st, index + 1, 0) - 1] as const;
    const start = strtabL1DescAddr(st, strtabSid(st, index, 0));
    return { kind: "table", start, size: 1, id: { table: "L1STD", index, sids } };
  }
  for (const [index, leaf] of Object.entries(st.leaves)) {
    if (!within(addr, leaf, strtabLeafEntries(st) * STRTAB_STE_SIZE)) continue;
    const sid = strtabSid(st, Number(index), Math.floor((addr - leaf) / STRTAB_STE_SIZE));
    return { kind: "table", start: leafSteAddr(st, leaf, sid), size: 8, id: { table: "STE", sid } };
  }
  return guestSteAt(w, addr);
}

/** A guest's vSTE, in its stream table in guest RAM (one page: virtual StreamIDs 0..63). */
function guestSteAt(w: World, addr: number): Where {
  for (const vm of w.vms ?? []) {
    const pa = s2Lookup(w.mem, vm.s2ttb, vm.strtab);
    if (pa === null || !within(addr, pa, PAGE_SIZE)) continue;
    const sid = Math.floor((addr - pa) / STRTAB_STE_SIZE);
    return { kind: "table", start: linearSteAddr({ base: pa }, sid), size: 8, id: { table: "STE", sid } };
  }
  return null;
}

function cdAt(w: World, addr: number, device: string): Where {
  const dev: DeviceState | undefined = w.devices.find((d) => d.name === device);
  if (!dev) return null;
  const vm = dev.vm === undefined ? undefined : w.vms?.find((v) => v.name === dev.vm);
  const toPa = (a: number) => (vm ? s2Lookup(w.mem, vm.s2ttb, a) : a);
  const t = dev.cdTable;
  const base = toPa(t.base);
  if (base === null) return null;
  if (t.fmt === "linear") {
    if (!within(addr, base, cdTableBytes(t.fmt, t.s1cdmax))) return null;
    const ssid = Math.floor((addr - base) / CTXDESC_CD_SIZE);
    return {
      kind: "table",
      start: linearCdAddr({ base }, ssid),
      size: 8,
      id: { table: "CD", device, sid: dev.sid, ssid },
    };
  }
  if (within(addr, base, cdTableBytes(t.fmt, t.s1cdmax))) {
    const index = Math.floor((addr - base) / CTXDESC_L1_DESC_SIZE);
    return {
      kind: "table",
      start: cdL1DescAddr({ base }, cdL1FirstSsid(index)),
      size: 1,
      id: { table: "L1CD", device, sid: dev.sid, index },
    };
  }
  for (const [index, leaf] of Object.entries(t.leaves)) {
    const at = toPa(leaf);
    if (at === null || !within(addr, at, CD_LEAF_BYTES)) continue;
    const ssid = cdL1FirstSsid(Number(index)) + Math.floor((addr - at) / CTXDESC_CD_SIZE);
    return {
      kind: "table",
      start: leafCdAddr(at, ssid),
      size: 8,
      id: { table: "CD", device, sid: dev.sid, ssid },
    };
  }
  return null;
}

function whereIs(w: World, write: WordWrite): Where {
  const owner = ownerOf(w, write.addr);
  if (!owner) return null;
  if (write.tag && owner.kind === "pgtable") {
    const { va, level } = write.tag;
    const id: TableId = owner.process.endsWith(S2_SUFFIX)
      ? { table: "S2PTE", vm: owner.process.slice(0, -S2_SUFFIX.length), ipa: va, level }
      : { table: "PTE", process: owner.process, va, level };
    return { kind: "table", start: write.addr, size: 1, id };
  }
  switch (owner.kind) {
    case "strtab":
      return steAt(w, write.addr);
    case "cdtable":
      return cdAt(w, write.addr, owner.device);
    case "queue": {
      if (owner.queue !== "evtq" && owner.queue !== "priq") return null;
      const q = w.smmu[owner.queue];
      const index = Math.floor((write.addr - q.base) / q.entryBytes);
      return { kind: "record", queue: owner.queue, start: q.base + index * q.entryBytes, index };
    }
    default:
      return null;
  }
}

/** The VM whose RAM holds `pa`, and its IPA there (guest RAM is one contiguous block, vm.ts). */
function guestAddress(w: World, pa: number): { vm: string; addrIpa: number } | Record<string, never> {
  for (const vm of w.vms ?? []) {
    const ram = s2Lookup(w.mem, vm.s2ttb, GUEST_RAM_BASE);
    if (ram !== null && within(pa, ram, vm.pages * PAGE_SIZE))
      return { vm: vm.name, addrIpa: GUEST_RAM_BASE + (pa - ram) };
  }
  return {};
}

/**
 * The step's writes, one line per entry it touched, in the order it first touched them.
 *
 * @example
 *   const [, writes] = journalWrites(() => stepActor(sim, w, "T0", rec));
 *   describeWrites(w, writes).tables // [{ table: "CD", device: "gpu0", sid: 16, ssid: 1, … }]
 */
export function describeWrites(
  w: World,
  writes: readonly WordWrite[],
): { tables: TableWrite[]; records: QueueRecord[] } {
  const tables = new Map<number, { where: Extract<Where, { kind: "table" }>; dwords: Set<number> }>();
  const records = new Map<number, Extract<Where, { kind: "record" }>>();
  for (const write of writes) {
    const where = whereIs(w, write);
    if (where === null) continue;
    if (where.kind === "record") {
      if (!records.has(where.start)) records.set(where.start, where);
      continue;
    }
    const seen = tables.get(where.start) ?? { where, dwords: new Set<number>() };
    seen.dwords.add(Math.floor((write.addr - where.start) / 8));
    tables.set(where.start, seen);
  }
  return {
    tables: [...tables.values()].map(({ where, dwords }) => ({
      ...where.id,
      addr: where.start,
      ...guestAddress(w, where.start),
      words: readWords(w.mem, where.start, where.size),
      dwords: [...dwords].sort((a, b) => a - b),
    })),
    records: [...records.values()].map((r) => ({
      queue: r.queue,
      index: r.index,
      addr: r.start,
      words: readWords(w.mem, r.start, w.smmu[r.queue].entryBytes / 8),
    })),
  };
}

/**
 * Every queue register the trace follows, by name: the SMMU's (cmdq-error.ts,
 * `queueRegisters`) and, per VM, its vSMMU's command queue as the VMM presents it
 * (`vm0.CMDQ_PROD`, `vm0.CMDQ_CONS` with ERR = CERROR_ILL while a refused command waits).
 */
export function registerValues(w: World): Record<string, number> {
  const out = queueRegisters(w.smmu);
  for (const vm of w.vms ?? []) {
    out[`${vm.name}.CMDQ_PROD`] = prodReg(vm.vcmdq);
    out[`${vm.name}.CMDQ_CONS`] = Number(prepareWord(CMDQ_CONS, { RD: consReg(vm.vcmdq), ERR: vm.cerror }));
  }
  return out;
}

/** What `tableTracker` adds to a step's record. */
export interface StepTables {
  readonly tables?: readonly TableWrite[];
  readonly records?: readonly QueueRecord[];
  readonly regs?: Readonly<Record<string, number>>;
}

export interface TableTracker {
  /** Runs one step with memory journalling its writes. */
  around<T>(f: () => T): T;
  /** The step's table writes, queue records and the registers it changed. */
  describe(): StepTables;
}

/**
 * The memory writes journalled around each step, described as table writes and queue records,
 * with the registers the step changed (docs/trace-tables.md): `runScenario(s, { tables:
 * tableTracker })`.
 */
export function tableTracker(w: World): TableTracker {
  let regs = registerValues(w);
  let writes: readonly WordWrite[] = [];
  return {
    around<T>(f: () => T): T {
      const [out, journal] = journalWrites(f);
      writes = journal;
      return out;
    },
    describe(): StepTables {
      const now = registerValues(w);
      const changed = Object.fromEntries(Object.entries(now).filter(([k, v]) => regs[k] !== v));
      regs = now;
      const { tables, records } = describeWrites(w, writes);
      return {
        ...(tables.length > 0 ? { tables } : {}),
        ...(records.length > 0 ? { records } : {}),
        ...(Object.keys(changed).length > 0 ? { regs: changed } : {}),
      };
    },
  };
}
