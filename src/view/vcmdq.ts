/**
 * View model of a VM's two command queues side by side: the guest's virtual SMMU queue (in
 * guest RAM: its base is an IPA, each slot read through stage 2) and the host's CMDQ, with
 * what the host made of each guest command. The VMM hands the guest's commands to the host
 * (IOMMU_HWPT_INVALIDATE); arm_vsmmu_convert_user_cmd rewrites each (VMID, vSID → SID) or
 * refuses it with -EIO, and the guest then sees CERROR_ILL at CONS. That story is in the
 * trace, up to the cursor: "vcmdq.insert", and "vcmdq.consume" {host, error, hostSeq: the host
 * CMDQ slot the converted command was issued at}.
 */

import type { Queue, TraceEvent, VmState, World } from "../engine/index.ts";
import {
  cmdSummary,
  consReg,
  decodeCmd,
  prodReg,
  queueSize,
  readWords,
  s2Lookup,
  slotAddr,
} from "../engine/index.ts";
import type { StepRecord } from "../kernel/index.ts";
import { hexNum } from "./format.ts";
import { pointer, type RingPointer, ringByCount, type SlotState } from "./ring.ts";

/** What became of a guest command once the VMM took it. */
export interface GuestOutcome {
  readonly step: number;
  /** The command the host issued for it, and where in the host's CMDQ. */
  readonly host: string | null;
  readonly hostSeq: number | null;
  /** Why the host refused it (the ioctl returned -EIO), or null. */
  readonly error: string | null;
  /** The guest's words as written (the guest overwrites a refused command with a CMD_SYNC). */
  readonly written: string | null;
}

export interface QueueRow {
  readonly id: string;
  readonly slot: number;
  /** The command's place in the queue's history (PROD counts them), or null for an empty slot. */
  readonly seq: number | null;
  readonly state: SlotState;
  readonly op: string;
  readonly summary: string;
  /** Guest rows: what the host made of it. Host rows: the guest slot it came from. */
  readonly note: string;
  /** The longer story for the tooltip (why the host refused it), or "". */
  readonly why?: string;
  readonly tone: "ok" | "bad" | "muted";
}

export interface QueueSide {
  readonly title: string;
  /** "IPA 0x40001000 (PA 0x4012e000)" or the host's PA. */
  readonly base: string;
  readonly size: number;
  readonly prod: RingPointer;
  readonly cons: RingPointer;
  readonly pending: number;
  readonly ring: readonly SlotState[];
  readonly rows: readonly QueueRow[];
}

export interface NestedQueuesVm {
  readonly vm: string;
  readonly vmIndex: number;
  readonly vmid: number;
  /** "CERROR_ILL at CONS (slot 6)" while the guest has not acknowledged it, else null. */
  readonly cerror: string | null;
  readonly guest: QueueSide;
  readonly host: QueueSide;
}

/** Consumed commands drawn before CONS. */
const BEFORE = 6;

/** Each guest command's fate, by its sequence number, from the steps before `cursor`. */
export function guestOutcomes(
  steps: readonly StepRecord[],
  cursor: number,
  vm: string,
): { outcomes: Map<number, GuestOutcome>; fromGuest: Map<number, number> } {
  const outcomes = new Map<number, GuestOutcome>();
  const written = new Map<number, string>();
  /** Host CMDQ sequence → the guest command it was converted from. */
  const fromGuest = new Map<number, number>();
  for (const s of steps.slice(0, cursor)) {
    for (const e of s.events as readonly TraceEvent[]) {
      if (e.type === "vcmdq.insert" && e.vm === vm) written.set(e.seq, cmdSummary(e.words));
      else if (e.type === "vcmdq.consume" && e.vm === vm) {
        // The trace names the host slot a converted command went to (kernel/vsmmu.ts).
        const hostSeq = e.hostSeq ?? null;
        if (hostSeq !== null) fromGuest.set(hostSeq, e.seq);
        outcomes.set(e.seq, {
          step: s.index,
          host: e.host === null ? null : cmdSummary(e.host),
          hostSeq,
          error: e.error,
          written: written.get(e.seq) ?? null,
        });
      }
    }
  }
  return { outcomes, fromGuest };
}

function side(
  title: string,
  base: string,
  q: Queue,
  read: (addr: number) => readonly bigint[],
  annotate: (
    seq: number,
    summary: string,
  ) => { summary: string; note: string; why?: string; tone: QueueRow["tone"] },
): QueueSide {
  const size = queueSize(q);
  const first = Math.max(0, q.produced - size, q.consumed - BEFORE);
  const rows: QueueRow[] = [];
  for (let seq = first; seq < q.produced; seq++) {
    const slot = seq % size;
    const words = read(slotAddr(q, seq));
    const decoded = decodeCmd(words);
    const a = annotate(seq, cmdSummary(words));
    rows.push({
      id: `slot:${slot}`,
      slot,
      seq,
      state: seq >= q.consumed ? "pending" : "done",
      op: decoded.op,
      ...a,
    });
  }
  // The empty slot PROD points at, when the ring is not full.
  if (q.produced - first < size) {
    const slot = q.produced % size;
    rows.push({
      id: `slot:${slot}`,
      slot,
      seq: null,
      state: "empty",
      op: "",
      summary: "",
      note: "",
      tone: "muted",
    });
  }
  return {
    title,
    base,
    size,
    prod: pointer(q, prodReg(q)),
    cons: pointer(q, consReg(q)),
    pending: q.produced - q.consumed,
    ring: ringByCount(q),
    rows,
  };
}

/** The guest's outcome line for a command: what the host issued, or why it refused. */
function outcomeNote(
  o: GuestOutcome | undefined,
  summary: string,
): { note: string; why?: string; tone: QueueRow["tone"] } {
  if (!o) return { note: "not taken by the VMM yet", tone: "muted" };
  if (o.error !== null)
    return {
      note: "refused: -EIO, the guest sees CERROR_ILL",
      why: `arm_vsmmu_convert_user_cmd: ${o.error}`,
      tone: "bad",
    };
  if (o.host !== null)
    return { note: `host: ${o.host}${o.hostSeq === null ? "" : ` (CMDQ slot ${o.hostSeq})`}`, tone: "ok" };
  return {
    note: summary.startsWith("CMD_SYNC") ? "completed by the VMM" : "taken by the VMM",
    tone: "muted",
  };
}

export function nestedQueuesVm(
  w: World,
  vm: VmState,
  vmIndex: number,
  steps: readonly StepRecord[],
  cursor: number,
): NestedQueuesVm {
  const { outcomes, fromGuest } = guestOutcomes(steps, cursor, vm.name);
  const q = vm.vcmdq;
  const readGuest = (ipa: number): readonly bigint[] => {
    const pa = s2Lookup(w.mem, vm.s2ttb, ipa);
    return pa === null ? [0n, 0n] : readWords(w.mem, pa, 2);
  };
  const basePa = s2Lookup(w.mem, vm.s2ttb, q.base);
  const guest = side(
    `guest ${vm.name} vSMMU`,
    `IPA ${hexNum(q.base)} → PA ${basePa === null ? "none" : hexNum(basePa)}`,
    q,
    readGuest,
    (seq, summary) => {
      const o = outcomes.get(seq);
      // A refused command the guest has since overwritten with a CMD_SYNC (arm_smmu_cmdq_skip_err).
      const shown =
        o?.error != null && o.written !== null && o.written !== summary
          ? `${summary} (was ${o.written})`
          : summary;
      return { summary: shown, ...outcomeNote(o, summary) };
    },
  );
  const host = side(
    "host CMDQ",
    hexNum(w.smmu.cmdq.base),
    w.smmu.cmdq,
    (pa) => readWords(w.mem, pa, 2),
    (seq, summary) => {
      const g = fromGuest.get(seq);
      return g === undefined
        ? { summary, note: "", tone: "muted" }
        : { summary, note: `from ${vm.name} vSMMU slot ${g % queueSize(q)}`, tone: "ok" };
    },
  );
  const cons = q.consumed % queueSize(q);
  return {
    vm: vm.name,
    vmIndex,
    vmid: vm.vmid,
    cerror: vm.cerror === 0 ? null : `CERROR_ILL at CONS (slot ${cons})`,
    guest,
    host,
  };
}

/** The detail of a guest slot: where it is (IPA and PA), its words, and the host's answer. */
export function vcmdDetail(
  w: World,
  steps: readonly StepRecord[],
  cursor: number,
  vmIndex: number,
  slot: number,
): { title: string; notes: string[]; words: bigint[] } | string {
  const vm = w.vms?.[vmIndex];
  if (!vm) return "No such VM in this scenario.";
  const q = vm.vcmdq;
  if (slot >= queueSize(q)) return `The vSMMU command queue has ${queueSize(q)} slots.`;
  const ipa = slotAddr(q, slot);
  const pa = s2Lookup(w.mem, vm.s2ttb, ipa);
  const words = pa === null ? [0n, 0n] : readWords(w.mem, pa, 2);
  // The latest command written to this slot.
  let seq: number | null = null;
  for (let s = q.produced - 1; s >= Math.max(0, q.produced - queueSize(q)); s--) {
    if (s % queueSize(q) === slot) {
      seq = s;
      break;
    }
  }
  const notes = [
    `At IPA ${hexNum(ipa)} in ${vm.name}'s RAM; stage 2 (VMID ${vm.vmid}) maps it to PA ${pa === null ? "none" : hexNum(pa)}.`,
  ];
  if (seq === null) notes.push("Never written.");
  else {
    const o = guestOutcomes(steps, cursor, vm.name).outcomes.get(seq);
    const state = seq >= q.consumed ? "pending: the VMM has not consumed it" : "consumed by the VMM";
    notes.push(`Guest command ${seq + 1} of ${vm.name}'s vSMMU, ${state}.`);
    if (o?.error != null) {
      notes.push(
        `The host refused it: arm_vsmmu_convert_user_cmd: ${o.error}. IOMMU_HWPT_INVALIDATE returned -EIO; the VMM reported CERROR_ILL (CMDQ_CONS.ERR) at this slot to the guest.`,
      );
      if (o.written !== null && o.written !== cmdSummary(words))
        notes.push(
          `The guest wrote ${o.written}; arm_smmu_cmdq_skip_err has since replaced it with a CMD_SYNC.`,
        );
    } else if (o?.host != null) {
      notes.push(
        `The host issued ${o.host}${o.hostSeq === null ? "" : ` in its CMDQ slot ${o.hostSeq % queueSize(w.smmu.cmdq)}`} (arm_vsmmu_convert_user_cmd rewrote the VMID and the virtual StreamID).`,
      );
    } else if (o) notes.push("The VMM completed it itself (a CMD_SYNC is never forwarded).");
  }
  if (vm.cerror !== 0 && q.consumed % queueSize(q) === slot)
    notes.push("CERROR_ILL: the vSMMU queue is stopped at this slot until the guest acknowledges it.");
  return { title: `${vm.name} vSMMU CMDQ slot ${slot}`, notes, words };
}
