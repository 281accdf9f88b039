/**
 * View model of the command queue ring (reference §1.1): its 2^n slots, a window of at most
 * WINDOW slots around CONS…PROD when the ring is larger, each slot's command decoded from
 * memory, and the PROD and CONS registers with their wrap bits.
 */

import type { World } from "../engine/index.ts";
import {
  cmdqConsReg,
  cmdqErrorActive,
  cmdSummary,
  consReg,
  decodeCmd,
  prodReg,
  queueSize,
  readWords,
  slotAddr,
} from "../engine/index.ts";
import { pointer, type RingPointer, ringByMemory, type SlotState } from "./ring.ts";

export interface SlotView {
  readonly id: string;
  readonly slot: number;
  readonly state: SlotState;
  readonly op: string;
  readonly summary: string;
}

export interface CmdqView {
  readonly size: number;
  readonly prod: RingPointer;
  readonly cons: RingPointer;
  readonly pending: number;
  readonly full: boolean;
  /** The slots drawn, in ring order starting at `slots[0].slot`. */
  readonly slots: readonly SlotView[];
  /** State of every slot of the ring, for the overview ring. */
  readonly ring: readonly SlotState[];
  /** While the SMMU is stopped at an illegal command: CMDQ_CONS.ERR and GERROR in words. */
  readonly error: string | null;
}

/** Slots drawn at most, and at least when the ring is larger. */
export const WINDOW = 64;
const MIN_WINDOW = 32;
/** Slots drawn before CONS when the ring is windowed. */
const BEFORE = 4;
/** The window starts at a multiple of this, and grows by it. */
const STRIDE = 8;

export function cmdqVm(w: World): CmdqView {
  const q = w.smmu.cmdq;
  const size = queueSize(q);
  const pending = q.produced - q.consumed;
  const ring = ringByMemory(q, w.mem);
  const consIdx = q.consumed % size;
  // The window starts at a multiple of STRIDE and grows by STRIDE: a command queued or consumed
  // changes a row or two, and the rows move only when CONS crosses a stride.
  const start0 = (Math.floor((consIdx - BEFORE + size) / STRIDE) * STRIDE) % size;
  const need = ((consIdx - start0 + size) % size) + pending + BEFORE;
  const count = Math.min(size, Math.ceil(Math.max(MIN_WINDOW, Math.min(WINDOW, need)) / STRIDE) * STRIDE);
  const start = size <= count ? 0 : start0;
  const slots: SlotView[] = [];
  for (let k = 0; k < count; k++) {
    const slot = (start + k) % size;
    const state = ring[slot]!;
    const [w0 = 0n, w1 = 0n] = readWords(w.mem, slotAddr(q, slot), 2);
    const cmd: [bigint, bigint] = [w0, w1];
    const decoded = state === "empty" ? null : decodeCmd(cmd);
    slots.push({
      id: `slot:${slot}`,
      slot,
      state,
      op: decoded === null ? "" : decoded.op,
      summary: state === "empty" ? "empty" : cmdSummary(cmd),
    });
  }
  return {
    size,
    prod: pointer(q, prodReg(q)),
    // CONS as the register reads: with ERR (bits 30:24) while a command error is active.
    cons: { ...pointer(q, consReg(q)), reg: cmdqConsReg(w.smmu) },
    pending,
    full: pending === size,
    slots,
    ring,
    error: cmdqErrorActive(w.smmu)
      ? `ERR CERROR_ILL: stopped at slot ${consIdx}; GERROR 0x${w.smmu.gerror.toString(16)} ≠ GERRORN 0x${w.smmu.gerrorn.toString(16)}`
      : null,
  };
}
