/**
 * The SMMU consuming its command queue (reference §1, §9, §11): one command per step, read
 * from the queue in memory at CONS, carried out on the configuration cache, the IOTLB, the
 * walk cache, the devices' ATCs, stalled transactions and page responses, then CONS moves on.
 * Commands complete in order, so a CMD_SYNC completes once everything before it has.
 *
 * A command the SMMU cannot consume (cmdq-error.ts) stops the queue at CONS with CERROR_ILL
 * until software acknowledges the error through GERRORN.
 */

import { getField } from "./bits.ts";
import { ownDevice, smmuPart, smmuShell } from "./clone.ts";
import { CMDQ_ERR_CERROR, cmdIllegal, cmdqErrorActive, raiseCmdqError } from "./cmdq-error.ts";
import type { Cmd } from "./commands.ts";
import { CMD_LAYOUTS, CMDQ_OP, CMDQ_RESUME_0_RESP, cmdOpcode, decodeCmd } from "./commands.ts";
import { PAGE_SIZE } from "./ids.ts";
import { readWords } from "./memory.ts";
import { queueEmpty, slotAddr } from "./queue.ts";
import { cdKey, cfgKeyOfSid, l1CdKey } from "./tables.ts";
import { invalidateAsid, invalidateVa, vaScope } from "./tlb.ts";
import type { Recorder } from "./trace.ts";
import { type DeviceState, type Draft, findDeviceBySid, type World } from "./world.ts";

/** Drops every cached CD of `sid`, and its cached L1 CD descriptors. */
function dropCds(w: World, sid: number): void {
  const cfg = smmuPart(w, "cfg");
  for (const key of Object.keys(cfg.cd)) if (cfgKeyOfSid(key, sid)) delete cfg.cd[key];
  const l1 = cfg.l1cd;
  if (l1) for (const key of Object.keys(l1)) if (cfgKeyOfSid(key, sid)) delete l1[key];
}

/** The pages [first, first + count) a range TLBI or ATC_INV covers. */
function inRange(va: number, first: number, count: number): boolean {
  return va >= first && va < first + count * PAGE_SIZE;
}

function invalidateAtc(dev: Draft<DeviceState>, ssid: number | null, addr: number, size: number): void {
  const all = size >= 52;
  dev.atc = dev.atc.filter(
    (e) => !((ssid === null || e.pasid === ssid) && (all || inRange(e.va, addr, 2 ** size))),
  );
}

/** What one command does, in a sentence: the step's explanation. */
function explain(cmd: Cmd, dropped: number): string {
  switch (cmd.op) {
    case "CFGI_STE":
      return `CFGI_STE: the SMMU forgets the STE of StreamID ${cmd.sid} (and the CDs cached through it); the next access fetches it again.`;
    case "CFGI_ALL":
      return "CFGI_ALL: the SMMU forgets every cached STE and CD.";
    case "CFGI_CD":
      return `CFGI_CD: the SMMU forgets CD ${cmd.ssid} of StreamID ${cmd.sid}${cmd.leaf ? "" : " and the L1 CD descriptor that locates it (LEAF=0)"}; the next access with that PASID reads ${cmd.leaf ? "the CD" : "them"} from memory.`;
    case "CFGI_CD_ALL":
      return `CFGI_CD_ALL: the SMMU forgets every CD of StreamID ${cmd.sid} and every L1 CD descriptor it cached for it.`;
    case "TLBI_NH_ASID":
    case "TLBI_EL2_ASID":
      return `${cmd.op}: ${dropped} IOTLB entr${dropped === 1 ? "y" : "ies"} tagged with ASID ${cmd.asid} dropped.`;
    case "TLBI_NH_VA":
    case "TLBI_EL2_VA":
    case "TLBI_NH_VAA":
      return `${cmd.op} at 0x${cmd.addr.toString(16)}${cmd.leaf ? " (LEAF: last-level entries only, walk caches kept)" : ""}: ${dropped} IOTLB entr${dropped === 1 ? "y" : "ies"} dropped.`;
    case "TLBI_NH_ALL":
    case "TLBI_S12_VMALL":
    case "TLBI_NSNH_ALL":
    case "TLBI_EL2_ALL":
      return `${cmd.op}: ${dropped} IOTLB entr${dropped === 1 ? "y" : "ies"} dropped.`;
    case "ATC_INV":
      return `ATC_INV: an ATS invalidation reaches StreamID ${cmd.sid}${cmd.ssv ? ` for PASID ${cmd.ssid}` : " (no PASID: every entry in range)"}; the device drops ${dropped} ATC entr${dropped === 1 ? "y" : "ies"} and completes it.`;
    case "CMD_SYNC":
      return "CMD_SYNC: every command before it has completed, ATS invalidations included; the waiting CPU may go on.";
    case "PRI_RESP":
      return `PRI_RESP ${cmd.resp}: the page response for PRG ${cmd.grpid} goes to StreamID ${cmd.sid}${cmd.ssv ? ` (PASID ${cmd.ssid})` : ""}; the device may retry.`;
    case "RESUME":
      return `RESUME ${cmd.resp}: the transaction stalled under STAG ${cmd.stag} is ${cmd.resp === "RETRY" ? "retried" : "terminated"}.`;
    case "TLBI_S2_IPA":
      return `TLBI_S2_IPA at IPA 0x${cmd.addr.toString(16)} (VMID ${cmd.vmid}): drops stage-2-only entries; the model caches combined stage 1+2 entries, which a nesting parent's unmap flushes with TLBI_NH_ALL for the VMID, as Linux does.`;
    case "PREFETCH_CFG":
      return `${cmd.op}: consumed.`;
    default: {
      const exhaustive: never = cmd;
      throw new Error(`unhandled command ${String(exhaustive)}`);
    }
  }
}

/** What one command does to the SMMU's caches and the devices (reference §9, §11). */
function execute(w: World, cmd: Cmd): void {
  // The SMMU's shell, to assign filtered caches to; a field changed in place is taken alone.
  const s = smmuShell(w);
  switch (cmd.op) {
    case "CFGI_STE":
      // Like QEMU, dropping an STE also drops the CDs cached through it.
      delete smmuPart(w, "cfg").ste[cmd.sid];
      dropCds(w, cmd.sid);
      return;
    case "CFGI_ALL": {
      const cfg = smmuPart(w, "cfg");
      for (const k of Object.keys(cfg.ste)) delete cfg.ste[Number(k)];
      for (const k of Object.keys(cfg.cd)) delete cfg.cd[k];
      if (cfg.l1cd) for (const k of Object.keys(cfg.l1cd)) delete cfg.l1cd[k];
      return;
    }
    case "CFGI_CD": {
      // The CD at SSID; with LEAF=0 also the L1 CD descriptor that locates it. LEAF=1 says
      // only the CD changed, so the SMMU may keep its L1 descriptor (this one does).
      const cfg = smmuPart(w, "cfg");
      delete cfg.cd[cdKey(cmd.sid, cmd.ssid)];
      if (!cmd.leaf && cfg.l1cd) delete cfg.l1cd[l1CdKey(cmd.sid, cmd.ssid)];
      return;
    }
    case "CFGI_CD_ALL":
      dropCds(w, cmd.sid);
      return;
    case "TLBI_NH_ASID":
    case "TLBI_EL2_ASID": {
      invalidateAsid(s, { asid: cmd.asid, vmid: "vmid" in cmd ? cmd.vmid : 0 });
      return;
    }
    case "TLBI_NH_VA":
    case "TLBI_EL2_VA":
    case "TLBI_NH_VAA": {
      const [first, count] = tlbiSpan(cmd);
      // NH_VAA matches every ASID; EL2 entries carry no VMID. LEAF=1 keeps the walk cache's
      // table pointers; a TTL hint of level 1 or 2 reaches neither kind (tlb.ts, vaScope).
      const m = { vmid: "vmid" in cmd ? cmd.vmid : 0, ...("asid" in cmd ? { asid: cmd.asid } : {}) };
      invalidateVa(s, m, first, count, vaScope(cmd));
      return;
    }
    case "TLBI_NH_ALL":
    case "TLBI_S12_VMALL":
      s.iotlb = s.iotlb.filter((e) => e.vmid !== cmd.vmid);
      s.walkCache = s.walkCache.filter((e) => e.vmid !== cmd.vmid);
      return;
    case "TLBI_NSNH_ALL":
    case "TLBI_EL2_ALL":
      s.iotlb = [];
      s.walkCache = [];
      return;
    case "ATC_INV": {
      const dev = findDeviceBySid(w, cmd.sid);
      if (dev) invalidateAtc(ownDevice(w, dev), cmd.ssv ? cmd.ssid : null, cmd.addr, cmd.size);
      return;
    }
    case "PRI_RESP": {
      // The SMMU sends the PCIe PRG Response Message to the device.
      const dev = findDeviceBySid(w, cmd.sid);
      const i = dev ? dev.prgs.findIndex((p) => p.prg === cmd.grpid && p.response === null) : -1;
      if (dev && i >= 0) ownDevice(w, dev).prgs[i]!.response = cmd.resp;
      return;
    }
    case "RESUME": {
      const stall = smmuPart(w, "stalls").find((x) => x.sid === cmd.sid && x.stag === cmd.stag);
      if (stall) stall.state = cmd.resp;
      return;
    }
    case "TLBI_S2_IPA":
    case "PREFETCH_CFG":
    case "CMD_SYNC":
      // CMD_SYNC completes here: every command before it has been consumed, in order,
      // including the ATC invalidations the devices completed.
      return;
    default: {
      const exhaustive: never = cmd;
      throw new Error(`unhandled command ${String(exhaustive)}`);
    }
  }
}

/** CMD_RESUME with RESP = 0b11 is Ac = Retry with Ab IGNORED (§4.7.1): read it as RETRY. */
function resumeAsRetry(words: [bigint, bigint]): [bigint, bigint] {
  const resp = CMD_LAYOUTS.RESUME.fields.RESP;
  if (cmdOpcode(words) !== CMDQ_OP.RESUME || getField(words, resp) !== 3n) return words;
  return [(words[0] & ~resp.mask) | (BigInt(CMDQ_RESUME_0_RESP.RETRY) << BigInt(resp.lo)), words[1]];
}

/** First page and page count a TLBI by VA covers: one page (TG=0) or (NUM+1)·2^SCALE granules. */
export function tlbiSpan(
  cmd: Extract<Cmd, { op: "TLBI_NH_VA" | "TLBI_EL2_VA" | "TLBI_NH_VAA" }>,
): [number, number] {
  if (cmd.tg === 0) return [Math.floor(cmd.addr / PAGE_SIZE) * PAGE_SIZE, 1];
  const granulePages = { 1: 1, 2: 4, 3: 16 }[cmd.tg] ?? 1;
  return [cmd.addr, (cmd.num + 1) * 2 ** cmd.scale * granulePages];
}

/**
 * The SMMU consumes the command at CONS (reference §1.1): reads its two words from the queue
 * in memory, carries it out, and moves CONS on. Returns false when the queue is empty.
 */
export function consumeCommand(w: World, rec: Recorder): boolean {
  const q = w.smmu.cmdq;
  if (queueEmpty(q) || cmdqErrorActive(w.smmu)) return false;
  const seq = q.consumed;
  const [w0, w1] = readWords(w.mem, slotAddr(q, seq), 2) as [bigint, bigint];
  const why = cmdIllegal(w.smmu, [w0, w1]);
  if (why !== null) {
    // §7.1: consumption stops at the command; CONS keeps pointing at it.
    raiseCmdqError(smmuShell(w), CMDQ_ERR_CERROR.ILL);
    rec.record({ type: "smmu.cmdq.error", seq, cerror: CMDQ_ERR_CERROR.ILL, why, words: [w0, w1] });
    rec.say(
      `CERROR_ILL: ${why}. The SMMU stops consuming: CONS stays at this command with CMDQ_CONS.ERR = CERROR_ILL, and GERROR.CMDQ_ERR toggles (the GERROR interrupt). Nothing after it is consumed until software acknowledges the error.`,
    );
    return true;
  }
  const cmd = decodeCmd(resumeAsRetry([w0, w1]));
  // cmdIllegal has stopped an unknown opcode before.
  if (cmd.op === "UNKNOWN") throw new Error(`unreachable: opcode ${cmd.opcode}`);
  // The cached entries it drops, for the text (which the explorer's recorder does without).
  const held = (): number => w.smmu.iotlb.length + w.devices.reduce((n, d) => n + d.atc.length, 0);
  const before = held();
  execute(w, cmd);
  if (!rec.silent) rec.say(explain(cmd, before - held()));
  if (cmd.op === "CFGI_CD" && cmd.leaf && w.smmu.cfg.l1cd?.[l1CdKey(cmd.sid, cmd.ssid)] !== undefined) {
    rec.say("LEAF=1: the L1 CD descriptor it cached for that SSID stays cached.");
  }
  smmuPart(w, "cmdq").consumed += 1;
  rec.record({ type: "smmu.cmd.consume", seq, words: [w0, w1] });
  return true;
}
