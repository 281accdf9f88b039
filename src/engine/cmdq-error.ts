/**
 * Command queue errors and the registers that report them (SMMUv3 §4.1.3, §4.1.5, §7.1;
 * reference §1.1).
 *
 * When the SMMU meets a command it cannot consume it stops there: CMDQ_CONS.RD keeps pointing
 * at the command, CMDQ_CONS.ERR takes the error code, and GERROR.CMDQ_ERR toggles, so that it
 * differs from GERRORN.CMDQ_ERR. Nothing more is consumed until software acknowledges the error
 * by writing GERRORN; commands at and after CONS are then fetched again (Linux's GERROR handler
 * has overwritten the bad one with a CMD_SYNC by then: kernel/gerror.ts).
 *
 * What is CERROR_ILL here, each rule with the section of the architecture that makes it so:
 *   - a Reserved opcode, or one this SMMU does not implement (§4.1.1, §7.1): TLBI_EL2_* because
 *     SMMU_IDR0.Hyp is 0 (§4.4.2), stage-2 invalidations without stage 2 (no "nested" feature);
 *   - a Reserved value: CMD_SYNC CS = 0b11 (§4.7.3), PRI_RESP RESP = 0b11 (§4.5.2) (CMD_RESUME
 *     RESP = 0b11 is not one: Ac = Retry with Ab IGNORED, §4.7.1);
 *   - a command whose feature is absent: ATC_INV without ATS (§4.5.1), PRI_RESP without PRI
 *     (§4.5.2), CMD_RESUME without the stall model (§4.7.1);
 *   - a range TLBI with TG ≠ 0 and NUM = SCALE = TTL = 0, TTL = 0b01 with a 16 KiB TG counting
 *     as 0 since SMMU_IDR5.DS is 0 (§4.4.1.1);
 *   - non-zero bits in a RES0 field: this SMMU takes the first option of §4.1.5 and checks them,
 *     including TG, NUM, SCALE and TTL without SMMU_IDR3.RIL and NUM, SCALE, TTL with TG = 0;
 *   - ATC_INV SIZE > 52 (§4.5.1 permits CERROR_ILL; this SMMU raises it).
 * Out-of-range StreamIDs and SubstreamIDs are CONSTRAINED UNPREDICTABLE, not errors (§4.1.7):
 * here they match nothing.
 */

import { defineLayout, genmask, getField, prepareWord } from "./bits.ts";
import type { Shell } from "./clone.ts";
import { ATC_INV_SIZE_ALL, CMD_LAYOUTS, type CmdOp, cmdOpByCode, cmdOpcode } from "./commands.ts";
import { consReg, prodReg, type Queue } from "./queue.ts";
import type { SmmuState } from "./world.ts";
import { valueNames } from "./write-entry.ts";

/** `CMDQ_ERR_CERROR_*_IDX`: the values of CMDQ_CONS.ERR. */
export const CMDQ_ERR_CERROR = { NONE: 0, ILL: 1, ABT: 2, ATC_INV_SYNC: 3 } as const;

/** SMMU_GERROR / SMMU_GERRORN (offsets 0x60 / 0x64): one bit per global error. */
export const GERROR = defineLayout("SMMU_GERROR", 1, [
  { name: "CMDQ_ERR", word: 0, hi: 0, lo: 0, doc: "Command queue error: CMDQ_CONS.ERR says which" },
  { name: "EVTQ_ABT_ERR", word: 0, hi: 2, lo: 2, doc: "Event queue access aborted" },
  { name: "PRIQ_ABT_ERR", word: 0, hi: 3, lo: 3, doc: "PRI queue access aborted" },
  { name: "MSI_CMDQ_ABT_ERR", word: 0, hi: 4, lo: 4, doc: "CMD_SYNC MSI write aborted" },
  { name: "MSI_EVTQ_ABT_ERR", word: 0, hi: 5, lo: 5, doc: "Event queue MSI write aborted" },
  { name: "MSI_PRIQ_ABT_ERR", word: 0, hi: 6, lo: 6, doc: "PRI queue MSI write aborted" },
  { name: "MSI_GERROR_ABT_ERR", word: 0, hi: 7, lo: 7, doc: "GERROR MSI write aborted" },
  { name: "SFM_ERR", word: 0, hi: 8, lo: 8, doc: "Service failure mode" },
]);

/** SMMU_CMDQ_CONS (0x9c): RD is the index with the wrap bit above it (bit log2size). */
export const CMDQ_CONS = defineLayout("SMMU_CMDQ_CONS", 1, [
  { name: "RD", word: 0, hi: 19, lo: 0, doc: "Read index and wrap bit" },
  { name: "ERR", word: 0, hi: 30, lo: 24, values: cerrorNames(), doc: "Command error code" },
]);

function cerrorNames(): Record<number, string> {
  const out: Record<number, string> = {};
  for (const [k, v] of Object.entries(valueNames(CMDQ_ERR_CERROR))) out[Number(k)] = `CERROR_${v}`;
  return out;
}

/** The command queue has a command error the SMMU waits on software to acknowledge. */
export function cmdqErrorActive(s: SmmuState): boolean {
  return ((s.gerror ^ s.gerrorn) & Number(GERROR.fields.CMDQ_ERR.mask)) !== 0;
}

/** §7.1: record the error code, then make GERROR.CMDQ_ERR differ from GERRORN. */
export function raiseCmdqError(s: Shell<SmmuState>, cerror: number): void {
  s.cmdqErr = cerror;
  s.gerror ^= Number(GERROR.fields.CMDQ_ERR.mask);
}

/**
 * Software's acknowledgement: GERRORN := GERROR (arm_smmu_gerror_handler). CONS.ERR keeps its
 * last code, as on hardware; the queue runs again.
 */
export function ackGerror(s: Shell<SmmuState>): void {
  s.gerrorn = s.gerror;
}

/** The CMDQ_CONS register value: RD, and ERR while a command error is active. */
export function cmdqConsReg(s: SmmuState): number {
  const err = cmdqErrorActive(s) ? s.cmdqErr : 0;
  return Number(prepareWord(CMDQ_CONS, { RD: consReg(s.cmdq), ERR: err }));
}

/** The queue registers of the SMMU by their architecture names, as 32-bit values. */
export function queueRegisters(s: SmmuState): Record<string, number> {
  const pc = (name: string, q: Queue) => ({ [`${name}_PROD`]: prodReg(q), [`${name}_CONS`]: consReg(q) });
  return {
    CMDQ_PROD: prodReg(s.cmdq),
    CMDQ_CONS: cmdqConsReg(s),
    ...pc("EVTQ", s.evtq),
    ...pc("PRIQ", s.priq),
    GERROR: s.gerror,
    GERRORN: s.gerrorn,
  };
}

/** Per opcode, the bits its layout defines: everything else in a command is RES0 (§4.1.5). */
const DEFINED: ReadonlyMap<CmdOp, readonly [bigint, bigint]> = new Map(
  (Object.keys(CMD_LAYOUTS) as CmdOp[]).map((op) => {
    const mask: [bigint, bigint] = [0n, 0n];
    for (const f of CMD_LAYOUTS[op].list) mask[f.word] = mask[f.word]! | f.mask;
    return [op, mask];
  }),
);

const WORD = genmask(63, 0);
const RANGE_OPS = ["TLBI_NH_VA", "TLBI_NH_VAA", "TLBI_EL2_VA", "TLBI_S2_IPA"] as const;
type RangeOp = (typeof RANGE_OPS)[number];
const isRangeOp = (op: CmdOp): op is RangeOp => (RANGE_OPS as readonly CmdOp[]).includes(op);
const TLBI_16K = 2;

/**
 * Why the SMMU cannot consume this command (CERROR_ILL), or null when it is a legal command for
 * this SMMU. The rules and their sections are listed at the top of the file.
 *
 * @example
 *   // TLBI_NH_VA with TG=4K, NUM=SCALE=TTL=0: the Reserved combination of §4.4.1.1.
 *   cmdIllegal(smmu, buildCmd({ op: "TLBI_NH_VA", asid: 1, vmid: 0, addr: 0, leaf: false, num: 0, scale: 0, tg: 1, ttl: 0 }))
 *   // "TG=1 with NUM=0, SCALE=0 and TTL=0 is Reserved (§4.4.1.1)"
 */
export function cmdIllegal(s: SmmuState, words: readonly bigint[]): string | null {
  const opcode = cmdOpcode(words);
  const op = cmdOpByCode(opcode);
  const hex = `0x${opcode.toString(16).padStart(2, "0")}`;
  if (op === undefined) return `opcode ${hex} is Reserved or not implemented by this SMMU (§4.1.1)`;
  const defined = DEFINED.get(op)!;
  for (let i = 0; i < 2; i++) {
    const stray = (words[i] ?? 0n) & ~defined[i]! & WORD;
    if (stray !== 0n)
      return `${op} sets bits 0x${stray.toString(16)} of word ${i}, which are RES0 (§4.1.5: this SMMU checks them)`;
  }
  const f = s.features;
  switch (op) {
    case "TLBI_EL2_ALL":
    case "TLBI_EL2_ASID":
    case "TLBI_EL2_VA":
      return `${op} needs SMMU_IDR0.Hyp, which this SMMU does not have (§4.4.2)`;
    case "TLBI_S12_VMALL":
    case "TLBI_S2_IPA":
      if (!f.nested) return `${op} needs stage 2, which this SMMU does not implement (§4.4.3)`;
      break;
    case "ATC_INV": {
      if (!f.ats) return "ATC_INV is ILLEGAL when SMMU_IDR0.ATS == 0 (§4.5.1)";
      const size = Number(getField(words, CMD_LAYOUTS.ATC_INV.fields.SIZE));
      if (size > ATC_INV_SIZE_ALL) return `ATC_INV SIZE=${size} > 52 (§4.5.1)`;
      break;
    }
    case "PRI_RESP":
      if (!f.pri) return "PRI_RESP is ILLEGAL when SMMU_IDR0.PRI == 0 (§4.5.2)";
      break;
    case "RESUME":
      if (!f.stall) return "CMD_RESUME needs the stall model (SMMU_IDR0.STALL_MODEL ≠ 0b01) (§4.7.1)";
      break;
    default:
      break;
  }
  if (isRangeOp(op)) {
    const layout = CMD_LAYOUTS[op].fields;
    const [tg, num, scale, ttl] = [layout.TG, layout.NUM, layout.SCALE, layout.TTL].map((f) =>
      Number(getField(words, f)),
    ) as [number, number, number, number];
    if (!f.ril && tg + num + scale + ttl > 0)
      return `${op}: TG, NUM, SCALE and TTL are RES0 without SMMU_IDR3.RIL (§4.1.5, §4.4.1.1)`;
    if (tg === 0 && num + scale + ttl > 0)
      return `${op}: NUM, SCALE and TTL are RES0 when TG == 0 (§4.4.1.1)`;
    // SMMU_IDR5.DS is 0: with a 16 KiB granule, TTL=0b01 is Reserved and counts as 0b00.
    const effectiveTtl = tg === TLBI_16K && ttl === 1 ? 0 : ttl;
    if (tg !== 0 && num === 0 && scale === 0 && effectiveTtl === 0)
      return `${op}: TG=${tg} with NUM=0, SCALE=0 and TTL=${ttl} is Reserved (§4.4.1.1)`;
  }
  // CMD_RESUME's RESP is Linux's name for Ac (bit 12) and Ab (bit 13): 0b11 is a retry whose
  // Ab is IGNORED (§4.7.1), not a Reserved value; consume.ts reads it as RETRY.
  if (op === "CMD_SYNC" && getField(words, CMD_LAYOUTS.CMD_SYNC.fields.CS) === 3n)
    return "CMD_SYNC CS=0b11 is Reserved (§4.7.3)";
  if (op === "PRI_RESP" && getField(words, CMD_LAYOUTS.PRI_RESP.fields.RESP) === 3n)
    return "PRI_RESP RESP=0b11 is Reserved (§4.5.2)";
  return null;
}
