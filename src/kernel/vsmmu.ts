/**
 * A guest's commands on their way to the SMMU (reference §7). The guest's driver writes them to
 * its virtual SMMU's command queue, in guest RAM; the VMM traps the PROD write and hands every
 * command but CMD_SYNC to the host kernel in one IOMMU_HWPT_INVALIDATE call on the vIOMMU; the
 * host checks and rewrites each one (`arm_vsmmu_convert_user_cmd`), issues them on its own
 * command queue with one CMD_SYNC and waits; then the VMM moves the vSMMU's CONS on, which
 * completes the guest's CMD_SYNC.
 *
 *   convert:  TLBI_NSNH_ALL → TLBI_NH_ALL with the vIOMMU's VMID (dw1 zeroed);
 *             TLBI_NH_VA / NH_VAA / NH_ALL / NH_ASID → VMID field overwritten with it;
 *             ATC_INV / CFGI_CD / CFGI_CD_ALL → SID field: vSID → physical SID (unknown: -EIO);
 *             anything else → -EIO (CFGI_STE, TLBI_S2_IPA, TLBI_S12_VMALL, CMD_SYNC, …).
 *   a refused command: arm_vsmmu_cache_invalidate stops at it; the commands converted before it
 *             in the same batch of 63 have not been issued yet and are not issued, yet entry_num
 *             counts them. The VMM reports CERROR_ILL at the refused command; the guest's
 *             driver (arm_smmu_cmdq_skip_err) overwrites it with a CMD_SYNC and goes on.
 *
 * Everything runs on the guest's vCPU thread: the VMM's trap and the ioctl are synchronous.
 * The model's VMM forwards every command but CMD_SYNC and lets the kernel decide (QEMU handles
 * CFGI_STE itself, by re-reading the vSTE).
 */

import { getField, hex64 } from "../engine/bits.ts";
import { ownVm, smmuPart } from "../engine/clone.ts";
import {
  buildCmd,
  CMD_LAYOUTS,
  CMDQ_OP,
  type Cmd,
  cmdAt,
  cmdOpcode,
  cmdSummary,
} from "../engine/commands.ts";
import { readWords, writeWords } from "../engine/memory.ts";
import { queueSpace, slotAddr } from "../engine/queue.ts";
import { guestPa } from "../engine/stage2.ts";
import { cdL1DescAddr, cdL1FirstSsid, cfgKeyOfSid, l1CdKey, parseCfgKey } from "../engine/tables.ts";
import type { VmState, World } from "../engine/world.ts";
import { findVm } from "../engine/world.ts";
import { CMD_SYNC, type CmdqLocals, cmdqSkipErr, hasFault } from "./cmdq.ts";
import { lockWait, releaseLock, takeLock } from "./objects.ts";
import { type Ctx, control, locals, type MicroStep, step } from "./program.ts";

/** Labels of each use of `guestCommands` must be unique within a program. */
let instances = 0;

/** CMDQ_CONS.ERR values (reference §1): the one a VMM reports for a refused command. */
export const CMDQ_ERR_CERROR_ILL = 1;
/** `CMDQ_BATCH_ENTRIES - 1`: how many converted commands arm_vsmmu_cache_invalidate issues at once. */
const VSMMU_BLOCK = 63;
/** CMDQ_BATCH_ENTRIES: a guest driver's commands per write, the last batch with its CMD_SYNC. */
const GUEST_BATCH = 64;
const ENTRY_NUM_EIO = "-EIO";

/**
 * How the host turns a guest's commands into its own (reference §7): the merged iommufd code
 * (`arm_vsmmu_convert_user_cmd`, v6.14+), or the v1 RFC's `arm_smmu_cache_invalidate_user`
 * (March 2023), which the release `nested-v1-2023` runs.
 */
export type HostConversion = "iommufd" | "v1-2023";

export function hostConversion(w: World): HostConversion {
  return w.kernel.release === "nested-v1-2023" ? "v1-2023" : "iommufd";
}

type Converted =
  | { readonly ok: true; readonly words: [bigint, bigint] }
  | { readonly ok: false; readonly why: string };

function setField(word: bigint, mask: bigint, lo: number, value: number): bigint {
  return (word & ~mask) | ((BigInt(value) << BigInt(lo)) & mask);
}

/**
 * `arm_vsmmu_convert_user_cmd`: one guest command as the host issues it, or why it refuses it.
 * The `atc-inv-wrong-sid` fault looks the vSID of an ATC_INV up among the wrong vDEVICEs.
 */
export function convertUserCmd(w: World, vm: VmState, words: readonly [bigint, bigint]): Converted {
  const op = cmdOpcode(words);
  const vmidField = CMD_LAYOUTS.TLBI_NH_ASID.fields.VMID;
  const sidField = CMD_LAYOUTS.CFGI_CD.fields.SID;
  switch (op) {
    case CMDQ_OP.TLBI_NSNH_ALL:
      return { ok: true, words: buildCmd({ op: "TLBI_NH_ALL", vmid: vm.vmid }) };
    case CMDQ_OP.TLBI_NH_VA:
    case CMDQ_OP.TLBI_NH_VAA:
    case CMDQ_OP.TLBI_NH_ALL:
    case CMDQ_OP.TLBI_NH_ASID:
      return { ok: true, words: [setField(words[0], vmidField.mask, vmidField.lo, vm.vmid), words[1]] };
    case CMDQ_OP.ATC_INV:
    case CMDQ_OP.CFGI_CD:
    case CMDQ_OP.CFGI_CD_ALL: {
      const vsid = Number((words[0] & sidField.mask) >> BigInt(sidField.lo));
      let device = vm.vdevs[vsid];
      if (device !== undefined && op === CMDQ_OP.ATC_INV && hasFault(w, "atc-inv-wrong-sid")) {
        const others = Object.values(vm.vdevs).filter((d) => d !== device);
        device = others[0] ?? device;
      }
      const dev = device === undefined ? undefined : w.devices.find((d) => d.name === device);
      if (!dev) return { ok: false, why: `no vDEVICE with virtual StreamID ${vsid} (arm_vsmmu_vsid_to_sid)` };
      if (op !== CMDQ_OP.ATC_INV && hostConversion(w) === "v1-2023") {
        // v1: arm_smmu_sync_cd(smmu_domain, inv_info->ssid, true) for both opcodes: CFGI_CD
        // with LEAF=1 for each StreamID of the nested domain (this device's); the uAPI had no
        // LEAF bit. The VMM filled inv_info->ssid; for a CFGI_CD_ALL, which has no SSID, the
        // model passes 0 (an assumption: the v1 VMM was not read).
        const ssid = op === CMDQ_OP.CFGI_CD ? Number(getField(words, CMD_LAYOUTS.CFGI_CD.fields.SSID)) : 0;
        return { ok: true, words: buildCmd({ op: "CFGI_CD", sid: dev.sid, ssid, leaf: true }) };
      }
      return { ok: true, words: [setField(words[0], sidField.mask, sidField.lo, dev.sid), words[1]] };
    }
    default:
      return {
        ok: false,
        why: "a guest may not send this command (only TLBI_NH_*, TLBI_NSNH_ALL, ATC_INV, CFGI_CD, CFGI_CD_ALL)",
      };
  }
}

/** What guestCommands' steps keep: the guest's side, the VMM's, the host's CMD_SYNC. */
interface VsmmuLocals extends Pick<CmdqLocals, "cmdq.wait"> {
  /** The VM whose guest queues the commands. */
  "vsmmu.vm"?: string;
  /** The guest's commands (hex words) not yet queued, beyond one batch; null: none. */
  "vsmmu.rest"?: readonly string[] | null;
  /** The vSMMU's PROD past the guest's CMD_SYNC. */
  "vsmmu.wait"?: number;
  /** The VMM's read: the first command's index and the commands (hex words). */
  "vsmmu.start"?: number;
  "vsmmu.batch"?: readonly string[];
  /** What IOMMU_HWPT_INVALIDATE returns: entry_num, and the error (null: 0). */
  "vsmmu.entry_num"?: number;
  "vsmmu.error"?: string | null;
}

const { local, required, setLocal } = locals<VsmmuLocals>();

const vmOf = (c: Ctx): VmState => findVm(c.w, required(c, "vsmmu.vm"));

function readGuestCmd(w: World, vm: VmState, seq: number): [bigint, bigint] {
  return readWords(w.mem, guestPa(w, vm, slotAddr(vm.vcmdq, seq)), 2) as [bigint, bigint];
}

/** Commands for a step's text: all of a short batch, the first few and a count of a long one. */
function listCmds(cmds: readonly (readonly [bigint, bigint])[]): string {
  const shown = cmds.length <= 6 ? cmds : [...cmds.slice(0, 3), cmds.at(-1)!];
  const names = shown.map((x) => cmdSummary(x));
  if (shown.length < cmds.length) names.splice(3, 0, `… (${cmds.length} commands in all)`);
  return names.join(", ");
}

const isSync = (words: readonly bigint[]): boolean => cmdOpcode(words) === CMDQ_OP.CMD_SYNC;

/**
 * The checker, when the guest's CMD_SYNC completes (the VMM moves CONS past it): every L1 CD
 * descriptor that the guest's CFGI_CD with LEAF=0 or CFGI_CD_ALL before it covered must be
 * gone from the configuration cache, or equal to what the guest's memory holds (refetched
 * since). The guest's commands are read back from its queue, from its CMD_SYNC (slot `end` − 1)
 * to the CMD_SYNC of the batch before.
 */
function checkGuestCfgi(c: Ctx, vm: VmState, end: number): void {
  const l1 = c.w.smmu.cfg.l1cd;
  if (!l1) return;
  const cfgiCd = CMD_LAYOUTS.CFGI_CD.fields;
  for (let seq = end - 2; seq >= Math.max(0, end - 1 - GUEST_BATCH); seq--) {
    const words = readGuestCmd(c.w, vm, seq);
    const op = cmdOpcode(words);
    if (op === CMDQ_OP.CMD_SYNC) return;
    const leaf = op === CMDQ_OP.CFGI_CD && getField(words, cfgiCd.LEAF) === 1n;
    if ((op !== CMDQ_OP.CFGI_CD && op !== CMDQ_OP.CFGI_CD_ALL) || leaf) continue;
    const dev = c.w.devices.find((d) => d.name === vm.vdevs[Number(getField(words, cfgiCd.SID))]);
    if (dev?.cdTable.fmt !== "2lvl") continue;
    const ssid = Number(getField(words, cfgiCd.SSID));
    const keys =
      op === CMDQ_OP.CFGI_CD
        ? [l1CdKey(dev.sid, ssid)]
        : Object.keys(l1).filter((k) => cfgKeyOfSid(k, dev.sid));
    for (const key of keys) {
      const cached = l1[key];
      if (cached === undefined) continue;
      const [, index] = parseCfgKey(key);
      const at = cdL1DescAddr(dev.cdTable, cdL1FirstSsid(index));
      const mem = readWords(c.w.mem, guestPa(c.w, vm, at), 1)[0]!;
      if (mem === cached) continue;
      c.rec.violation(
        "stale-config",
        `The guest's ${cmdSummary(words)} has completed, yet the SMMU still caches L1 CD descriptor ${index} of ${dev.name} as ${hex64(cached)}, not the ${hex64(mem)} the guest wrote at IPA 0x${at.toString(16)}: its PASIDs ${cdL1FirstSsid(index)}–${cdL1FirstSsid(index + 1) - 1} go through the stale one${hostConversion(c.w) === "v1-2023" ? " (the v1 host issued the CFGI_CD with LEAF=1)" : ""}.`,
      );
    }
  }
}

/**
 * The guest's `arm_smmu_cmdq_issue_cmdlist` with a CMD_SYNC, and everything that happens until
 * that CMD_SYNC completes: the VMM's forwarding, the host's checks, the host's own command
 * queue and the SMMU. `vm` names the VM; `build` makes the guest's commands when the step runs.
 */
export function guestCommands(
  fn: string,
  vmName: (c: Ctx) => string,
  build: (c: Ctx) => Cmd[],
  opts: { when?: (c: Ctx) => boolean } = {},
): MicroStep[] {
  const when = opts.when ?? (() => true);
  const n = instances++;
  const LOOP = `vsmmu:loop#${n}`;
  const RETURNED = `vsmmu:return#${n}`;
  const DONE = `vsmmu:done#${n}`;
  const WRITE = `vsmmu:write#${n}`;
  const vmmLock = (c: Ctx) => `vSMMU CMDQ:${required(c, "vsmmu.vm")}`;
  const pending = (c: Ctx) => {
    const vm = vmOf(c);
    return vm.vcmdq.consumed < required(c, "vsmmu.wait");
  };
  return [
    step(
      fn,
      (c) => {
        setLocal(c, "vsmmu.vm", vmName(c));
        const vm = ownVm(c.w, vmOf(c));
        const q = vm.vcmdq;
        // Like arm_smmu_cmdq_batch_add, at most CMDQ_BATCH_ENTRIES at a time; the SYNC ends the last.
        const rest = local(c, "vsmmu.rest") ?? build(c).flatMap((x) => buildCmd(x).map(hex64));
        const take = Math.min(rest.length / 2, GUEST_BATCH);
        const last = take === rest.length / 2;
        const chunk: (readonly [bigint, bigint])[] = [];
        for (let i = 0; i < take; i++) chunk.push(cmdAt(rest, i));
        if (last) chunk.push(buildCmd(CMD_SYNC));
        for (const words of chunk) {
          writeWords(c.w.mem, guestPa(c.w, vm, slotAddr(q, q.produced)), words);
          c.rec.record({ type: "vcmdq.insert", vm: vm.name, seq: q.produced, words });
          q.produced += 1;
        }
        setLocal(c, "vsmmu.rest", last ? null : rest.slice(2 * take));
        setLocal(c, "vsmmu.wait", q.produced);
        c.rec.say(
          `The guest's driver queues ${listCmds(chunk)} on its virtual SMMU and writes PROD${last ? "" : ` (${(rest.length - 2 * take) / 2} more follow)`}; the write traps to the VMM.`,
        );
        return undefined;
      },
      {
        when,
        label: WRITE,
        wait: (c) =>
          queueSpace(findVm(c.w, vmName(c)).vcmdq) < GUEST_BATCH + 1
            ? "the vSMMU command queue is full"
            : null,
      },
    ),
    control(LOOP, (c) => (when(c) && pending(c) ? undefined : DONE)),
    step(
      "smmuv3_cmdq_consume (VMM)",
      (c) => {
        const vm = vmOf(c);
        const q = vm.vcmdq;
        const start = q.consumed;
        if (isSync(readGuestCmd(c.w, vm, start))) {
          ownVm(c.w, vm).vcmdq.consumed += 1;
          c.rec.record({ type: "vcmdq.consume", vm: vm.name, seq: start, host: null, error: null });
          c.rec.say(
            "The VMM reaches the guest's CMD_SYNC with nothing left before it: it moves the vSMMU's CONS past it, and the guest's CMD_SYNC completes.",
          );
          checkGuestCfgi(c, vm, start + 1);
          return LOOP;
        }
        const batch: string[] = [];
        let synced = false;
        for (let seq = start; seq < q.produced && batch.length < 2 * VSMMU_BLOCK; seq++) {
          const words = readGuestCmd(c.w, vm, seq);
          synced = isSync(words);
          if (synced) break;
          batch.push(hex64(words[0]), hex64(words[1]));
        }
        setLocal(c, "vsmmu.start", start);
        setLocal(c, "vsmmu.batch", batch);
        takeLock(c.w, vmmLock(c), c.t.name);
        c.rec.say(
          `The VMM reads ${batch.length / 2} command${batch.length === 2 ? "" : "s"} from the vSMMU's queue${synced ? " (up to its CMD_SYNC)" : ""} and passes ${batch.length === 2 ? "it" : "them"} to the host kernel: ${hostConversion(c.w) === "v1-2023" ? "IOMMU_HWPT_INVALIDATE on the device's nested HWPT, a struct iommu_hwpt_invalidate_arm_smmuv3 per command (opcode, ssid, asid, range: no LEAF bit for CFGI_CD)" : "IOMMU_HWPT_INVALIDATE on the vIOMMU, IOMMU_VIOMMU_INVALIDATE_DATA_ARM_SMMUV3"}.`,
        );
        return undefined;
      },
      {
        wait: (c) =>
          vmOf(c).cerror !== 0
            ? "the vSMMU's queue is stopped on CERROR_ILL until the guest acknowledges it"
            : lockWait(c.w, vmmLock(c), c.t.name),
      },
    ),
    step(
      "arm_vsmmu_cache_invalidate",
      (c) => {
        // The v1 host's function of the same place (on the nested HWPT, not the vIOMMU).
        if (hostConversion(c.w) === "v1-2023") c.rec.fn = "arm_smmu_cache_invalidate_user";
        const vm = vmOf(c);
        const batch = required(c, "vsmmu.batch");
        const start = required(c, "vsmmu.start");
        const converted: string[] = [];
        const notes: string[] = [];
        let refused: { index: number; why: string } | null = null;
        // Each guest command's fate, recorded once the batch is known to reach the host's queue:
        // the i-th converted command is the host's command PROD + i (hostSeq), in order.
        const fates: { host: readonly [bigint, bigint] | null; error: string | null }[] = [];
        for (let i = 0; i < batch.length / 2; i++) {
          const words = cmdAt(batch, i);
          const r = convertUserCmd(c.w, vm, words);
          if (!r.ok) {
            refused = { index: i, why: r.why };
            fates.push({ host: null, error: r.why });
            break;
          }
          fates.push({ host: r.words, error: null });
          converted.push(hex64(r.words[0]), hex64(r.words[1]));
          if (notes.length < 4) notes.push(`${cmdSummary(words)} → ${cmdSummary(r.words)}`);
          else if (notes.length === 4) notes.push("…");
        }
        const produced = c.w.smmu.cmdq.produced;
        fates.forEach((f, i) => {
          c.rec.record({
            type: "vcmdq.consume",
            vm: vm.name,
            seq: start + i,
            ...f,
            ...(refused || f.host === null ? {} : { hostSeq: produced + i }),
          });
        });
        if (refused) {
          // Nothing of this batch reached the command queue, yet entry_num counts the converted ones.
          setLocal(c, "vsmmu.entry_num", refused.index);
          setLocal(c, "vsmmu.error", ENTRY_NUM_EIO);
          c.rec.say(
            `arm_vsmmu_convert_user_cmd refuses command ${refused.index} (${cmdSummary(readGuestCmd(c.w, vm, start + refused.index))}): ${refused.why}. The call returns -EIO with entry_num = ${refused.index}${refused.index > 0 ? `, although the ${refused.index} command${refused.index === 1 ? "" : "s"} converted before it ${refused.index === 1 ? "was" : "were"} never queued` : ""}.`,
          );
          return RETURNED;
        }
        setLocal(c, "vsmmu.entry_num", batch.length / 2);
        setLocal(c, "vsmmu.error", null);
        const cmds = [...converted];
        for (const w of buildCmd(CMD_SYNC)) cmds.push(hex64(w));
        const q = smmuPart(c.w, "cmdq");
        for (let i = 0; i < cmds.length / 2; i++) {
          const words = cmdAt(cmds, i);
          writeWords(c.w.mem, slotAddr(q, q.produced), words);
          c.rec.record({ type: "cmdq.insert", seq: q.produced, words });
          q.produced += 1;
        }
        setLocal(c, "cmdq.wait", q.produced);
        c.rec.say(
          hostConversion(c.w) === "v1-2023"
            ? `The v1 host (arm_smmu_cache_invalidate_user, nested-v1-2023) rewrites each command (${notes.join("; ")})${batch.some((x, i) => i % 2 === 0 && [CMDQ_OP.CFGI_CD, CMDQ_OP.CFGI_CD_ALL].includes(cmdOpcode([BigInt(x)]) as never)) ? ": a CFGI_CD or CFGI_CD_ALL becomes arm_smmu_sync_cd(…, leaf = true), a CFGI_CD with LEAF=1 whatever the guest asked" : ""} and queues them with a CMD_SYNC on its own command queue.`
            : `The host checks and rewrites each command (${notes.join("; ")}) and queues them with a CMD_SYNC on its own command queue (arm_smmu_cmdq_issue_cmdlist).`,
        );
        return undefined;
      },
      {
        wait: (c) =>
          queueSpace(c.w.smmu.cmdq) < required(c, "vsmmu.batch").length / 2 + 1
            ? "the host command queue is full: waiting for the SMMU"
            : null,
      },
    ),
    step(
      "arm_smmu_cmdq_poll_until_sync",
      (c) => {
        setLocal(c, "cmdq.wait", null);
        c.rec.say("The host's CMD_SYNC has completed: the guest's invalidations have taken effect.");
        return undefined;
      },
      {
        local: true,
        wait: (c) =>
          c.w.smmu.cmdq.consumed < required(c, "cmdq.wait")
            ? "waiting for the SMMU to consume the CMD_SYNC"
            : null,
      },
    ),
    step(
      "smmuv3_cmdq_consume: IOMMU_HWPT_INVALIDATE returned (VMM)",
      (c) => {
        const vm = ownVm(c.w, vmOf(c));
        const start = required(c, "vsmmu.start");
        const done = required(c, "vsmmu.entry_num");
        vm.vcmdq.consumed = start + done;
        releaseLock(c.w, vmmLock(c));
        if (local(c, "vsmmu.error") === null) {
          c.rec.say(
            `The ioctl returned 0: the VMM moves the vSMMU's CONS past the ${done} command${done === 1 ? "" : "s"}.`,
          );
          return LOOP;
        }
        vm.cerror = CMDQ_ERR_CERROR_ILL;
        c.rec.say(
          `The ioctl returned -EIO with entry_num ${done}: the VMM moves CONS to the refused command and reports CERROR_ILL there (CMDQ_CONS.ERR, GERROR.CMDQ_ERR) to the guest.`,
        );
        return undefined;
      },
      { label: RETURNED },
    ),
    step("arm_smmu_cmdq_skip_err (guest)", (c) => {
      const vm = vmOf(c);
      const seq = vm.vcmdq.consumed;
      const bad = cmdSummary(
        cmdqSkipErr(c.w, c.rec, vm.name, seq, guestPa(c.w, vm, slotAddr(vm.vcmdq, seq))),
      );
      ownVm(c.w, vm).cerror = 0;
      c.rec.say(
        `The guest's driver sees CERROR_ILL at CONS ("CMDQ error … Illegal command"), overwrites ${bad} with a CMD_SYNC and acknowledges the error; the vSMMU goes on from there.`,
      );
      return LOOP;
    }),
    control(DONE, (c) => (when(c) && local(c, "vsmmu.rest") ? WRITE : undefined)),
    step(
      "arm_smmu_cmdq_poll_until_sync (guest)",
      (c) => {
        c.rec.say("The guest's CMD_SYNC has completed: its driver goes on.");
        return undefined;
      },
      { local: true, when: (c) => when(c) },
    ),
  ];
}
