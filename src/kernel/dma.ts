/**
 * The `dma` op: a device access with a process's virtual address (CONTRACT §1). One step
 * issues it; when the translation failed and the device sent a page request (PRI), or the SMMU
 * stalled it, a second step waits for the answer and retries once.
 */

import { ownDevice, smmuShell } from "../engine/clone.ts";
import { deviceDma } from "../engine/device.ts";
import { own } from "../engine/dict.ts";
import { va as toVa } from "../engine/ids.ts";
import { guestSpace } from "../engine/stage2.ts";
import type { DmaOutcome } from "../engine/trace.ts";
import type { DeviceState, World } from "../engine/world.ts";
import { findDevice, findVm } from "../engine/world.ts";
import type { Op } from "../scenario/types.ts";
import { checkLostBinding } from "./checks.ts";
import { mmOf } from "./mm.ts";
import { type Ctx, locals, NO_FP, type Program, step } from "./program.ts";

type DmaOp = Extract<Op, { op: "dma" }>;

/** What a DMA waits on after its first try: null when it waits on nothing. */
interface DmaLocals {
  /** The Page Request Group the device sent, until its PRG Response. */
  prg: number | null;
  /** The STAG of the access the SMMU holds stalled, until a CMD_RESUME. */
  stag: number | null;
}

const { local, required, setLocal } = locals<DmaLocals>();

/** The PASID a device puts on a DMA for a process (CONTRACT §1, `dma` and PASIDs). */
export function dmaPasid(w: World, op: DmaOp): number | null {
  if (op.pasid !== undefined) return op.pasid;
  return own(findDevice(w, op.device).pasids, op.process) ?? null;
}

function issue(c: Ctx<DmaOp>, dev: DeviceState, retry: boolean): DmaOutcome {
  const pasid = dmaPasid(c.w, c.op);
  const mm = mmOf(c);
  // A device in a VM: the guest's tables, read through its stage 2.
  const space = dev.vm === undefined ? undefined : guestSpace(c.w, findVm(c.w, dev.vm));
  const truth = {
    ...(pasid === null
      ? { pgd: dev.dmaPgd, owner: `dma:${dev.name}` }
      : { pgd: mm.state === "freed" ? null : mm.pgd, owner: mm.process }),
    ...(space ? { space } : {}),
    // A guest whose default domain is identity (S1DSS = bypass) means the IPA itself.
    ...(pasid === null && dev.guestS1dss === "bypass" ? { identity: true } : {}),
  };
  const r = deviceDma(
    c.w,
    { dev, truth, pasid, va: toVa(c.op.va), write: c.op.access === "write", retry },
    c.rec,
  );
  if (r.result === "fault" && pasid !== null && c.op.pasid === undefined) {
    checkLostBinding(c, dev.name, c.op.process, pasid);
  }
  if (r.result === "ok") {
    const via = { atc: "its ATC (no SMMU lookup)", iotlb: "the SMMU's IOTLB", walk: "an SMMU table walk" }[
      r.via!
    ];
    c.rec.say(
      `${dev.name} ${c.op.access}s 0x${c.op.va.toString(16)}${pasid === null ? " without PASID" : ` with PASID ${pasid}`}${retry ? " again" : ""}: translated by ${via} to 0x${r.pa!.toString(16)} (${r.owner}).`,
    );
  }
  return r;
}

export const dmaProgram: Program<DmaOp> = [
  step("dma", (c) => {
    const dev = findDevice(c.w, c.op.device);
    const pasid = dmaPasid(c.w, c.op);
    setLocal(c, "prg", null);
    setLocal(c, "stag", null);
    if (pasid !== null && dev.stopped.includes(pasid)) {
      c.rec.say(
        `${dev.name}'s driver stopped its DMA with PASID ${pasid} (its mm_exit callback ran): the ${c.op.access} of 0x${c.op.va.toString(16)} is not issued.`,
      );
      return undefined;
    }
    const r = issue(c, dev, false);
    if (r.result === "pri") setLocal(c, "prg", r.prg!);
    if (r.result === "stall") setLocal(c, "stag", r.stag!);
    return undefined;
  }),
  step(
    "dma (PRG Response)",
    (c) => {
      const dev = ownDevice(c.w, findDevice(c.w, c.op.device));
      const prg = required(c, "prg");
      const request = dev.prgs.find((p) => p.prg === prg)!;
      dev.prgs = dev.prgs.filter((p) => p !== request);
      setLocal(c, "prg", null);
      if (request.response === "SUCC") {
        c.rec.say(`PRG ${prg} was answered SUCCESS: ${dev.name} retries its ATS translation.`);
        issue(c, dev, true);
      } else {
        c.rec.say(`PRG ${prg} was answered ${request.response}: ${dev.name} gives the access up.`);
      }
      return undefined;
    },
    {
      when: (c) => typeof local(c, "prg") === "number",
      fp: NO_FP,
      wait: (c) => {
        const prg = required(c, "prg");
        const request = findDevice(c.w, c.op.device).prgs.find((p) => p.prg === prg);
        return request?.response === null ? `waiting for the PRG Response to page request ${prg}` : null;
      },
    },
  ),
  step(
    "dma (resumed)",
    (c) => {
      const dev = findDevice(c.w, c.op.device);
      const stag = required(c, "stag");
      const smmu = smmuShell(c.w);
      const stall = smmu.stalls.find((s) => s.stag === stag)!;
      smmu.stalls = smmu.stalls.filter((s) => s !== stall);
      setLocal(c, "stag", null);
      if (stall.state === "RETRY") {
        c.rec.say(`CMD_RESUME RETRY: the SMMU retries the stalled access (STAG ${stag}).`);
        issue(c, dev, true);
      } else {
        c.rec.say(
          `CMD_RESUME ${stall.state}: the stalled access (STAG ${stag}) is terminated; ${dev.name} sees an abort.`,
        );
      }
      return undefined;
    },
    {
      when: (c) => typeof local(c, "stag") === "number",
      fp: NO_FP,
      wait: (c) => {
        const stag = required(c, "stag");
        const stall = c.w.smmu.stalls.find((s) => s.stag === stag);
        return stall && (stall.state === "stalled" || stall.state === "handling")
          ? `stalled in the SMMU (STAG ${stag}) until a CMD_RESUME`
          : null;
      },
    },
  ),
];
