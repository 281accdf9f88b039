/**
 * Command errors against the architecture (SMMUv3 §4.1.3, §4.4.1.1, §4.5, §4.7, §7.1) and the
 * register layouts against Linux arm-smmu-v3.h: CMDQ_CONS_ERR GENMASK(30, 24),
 * CMDQ_ERR_CERROR_{NONE,ILL,ABT,ATC_INV}_IDX 0..3, GERROR_CMDQ_ERR (1 << 0), GERROR_ERR_MASK
 * 0x1fd. The CONS value is checked against a log the driver printed for an illegal command at
 * index 0x22 ("CMDQ error (cons 0x01000022): Illegal command", from the commit message of
 * "iommu/arm-smmu-v3: Use arm_smmu_cmdq_build_sync_cmd() in __arm_smmu_cmdq_skip_err()").
 */

import { describe, expect, it } from "vitest";
import { boot } from "../kernel/boot.ts";
import { scenario } from "../kernel/testing.ts";
import lifecycleJson from "../scenario/library/lifecycle.json";
import { hex64 } from "./bits.ts";
import { ownSmmu } from "./clone.ts";
import {
  ackGerror,
  CMDQ_CONS,
  CMDQ_ERR_CERROR,
  cmdIllegal,
  cmdqConsReg,
  cmdqErrorActive,
  GERROR,
  queueRegisters,
} from "./cmdq-error.ts";
import { buildCmd, type Cmd } from "./commands.ts";
import { consumeCommand } from "./consume.ts";
import { readWords, writeWords } from "./memory.ts";
import { slotAddr } from "./queue.ts";
import { Recorder } from "./trace.ts";
import type { SmmuFeatures, World } from "./world.ts";

const lifecycle = scenario(lifecycleJson);

function world(features: (keyof SmmuFeatures)[]): World {
  return boot({ ...lifecycle, smmu: { ...lifecycle.smmu, features } });
}

const range = { leaf: false, num: 0, scale: 0, tg: 0, ttl: 0 };
const va = (o: Partial<typeof range>): Cmd => ({
  op: "TLBI_NH_VA",
  asid: 1,
  vmid: 0,
  addr: 0x200000,
  ...range,
  ...o,
});

describe("register layouts (Linux arm-smmu-v3.h)", () => {
  it("CMDQ_CONS.ERR is GENMASK(30, 24); the CERROR values are 0..3", () => {
    expect(CMDQ_CONS.fields.ERR.mask).toBe(0x7f00_0000n);
    expect(CMDQ_ERR_CERROR).toEqual({ NONE: 0, ILL: 1, ABT: 2, ATC_INV_SYNC: 3 });
  });

  it("GERROR.CMDQ_ERR is bit 0, and the error bits together make GERROR_ERR_MASK 0x1fd", () => {
    expect(GERROR.fields.CMDQ_ERR.mask).toBe(1n);
    expect(GERROR.list.reduce((m, f) => m | f.mask, 0n)).toBe(0x1fdn);
  });

  it("an illegal command at index 0x22 reads CONS = 0x01000022, as the driver's log printed it", () => {
    const w = world(["ats"]); // a 256-entry command queue
    ownSmmu(w).cmdq.produced = 0x23;
    ownSmmu(w).cmdq.consumed = 0x22;
    writeWords(w.mem, slotAddr(w.smmu.cmdq, 0x22), [0n, 0n]); // opcode 0x00 is Reserved
    expect(consumeCommand(w, new Recorder())).toBe(true);
    expect(cmdqConsReg(w.smmu)).toBe(0x0100_0022);
    expect(queueRegisters(w.smmu)).toMatchObject({
      CMDQ_PROD: 0x23,
      CMDQ_CONS: 0x0100_0022,
      GERROR: 1,
      GERRORN: 0,
    });
  });
});

describe("cmdIllegal (SMMUv3 §4.1.3 and each command's section)", () => {
  const ril = world(["ril", "ats", "pri", "stall"]);
  const plain = world([]);
  const ill = (w: World, c: Cmd | [bigint, bigint]) => cmdIllegal(w.smmu, Array.isArray(c) ? c : buildCmd(c));

  it("range TLBI: TG≠0 with NUM=SCALE=TTL=0 is the Reserved combination of §4.4.1.1", () => {
    expect(ill(ril, va({ tg: 1 }))).toMatch(/NUM=0, SCALE=0 and TTL=0 is Reserved/);
    // The same with TTL, NUM or SCALE set is a legal range command.
    expect(ill(ril, va({ tg: 1, ttl: 3 }))).toBeNull();
    expect(ill(ril, va({ tg: 1, num: 1 }))).toBeNull();
    expect(ill(ril, va({ tg: 1, scale: 1 }))).toBeNull();
  });

  it("with a 16 KiB TG, TTL=0b01 counts as 0b00 when IDR5.DS is 0, so NUM=SCALE=0 makes it illegal", () => {
    expect(ill(ril, va({ tg: 2, ttl: 1 }))).toMatch(/Reserved/);
    expect(ill(ril, va({ tg: 2, ttl: 2 }))).toBeNull();
  });

  it("TG, NUM, SCALE and TTL are RES0 without RIL, and NUM, SCALE, TTL are RES0 with TG=0", () => {
    expect(ill(plain, va({ tg: 1, ttl: 3 }))).toMatch(/RES0 without SMMU_IDR3.RIL/);
    expect(ill(ril, va({ ttl: 3 }))).toMatch(/RES0 when TG == 0/);
    expect(ill(plain, va({}))).toBeNull();
  });

  it("Reserved and unimplemented opcodes: 0x00, 0x07 (CFGI_VMS_PIDM), 0x47; TLBI_EL2_* without Hyp", () => {
    for (const op of [0x00, 0x07, 0x47])
      expect(ill(ril, [BigInt(op), 0n])).toMatch(/Reserved or not implemented/);
    expect(ill(ril, { op: "TLBI_EL2_ASID", asid: 1 })).toMatch(/Hyp/);
    expect(ill(ril, { op: "TLBI_S12_VMALL", vmid: 1 })).toMatch(/stage 2/);
  });

  it("ATC_INV: illegal without ATS (§4.5.1) and with SIZE > 52; SIZE = 52 is the whole space", () => {
    const atc = (size: number): Cmd => ({
      op: "ATC_INV",
      sid: 16,
      ssid: 1,
      ssv: true,
      addr: 0,
      size,
      global: false,
    });
    expect(ill(plain, atc(52))).toMatch(/ATS == 0/);
    expect(ill(ril, atc(52))).toBeNull();
    expect(ill(ril, atc(53))).toMatch(/SIZE=53 > 52/);
  });

  it("PRI_RESP needs PRI and RESP ≠ 0b11; CMD_RESUME needs the stall model, RESP=0b11 is a retry", () => {
    const pri: Cmd = { op: "PRI_RESP", sid: 16, ssid: 1, ssv: true, grpid: 3, resp: "SUCC" };
    expect(ill(plain, pri)).toMatch(/PRI == 0/);
    expect(ill(ril, pri)).toBeNull();
    const [p0, p1] = buildCmd(pri);
    expect(ill(ril, [p0, p1 | (3n << 12n)])).toMatch(/RESP=0b11 is Reserved/);
    const resume: Cmd = { op: "RESUME", sid: 16, stag: 1, resp: "RETRY" };
    expect(ill(plain, resume)).toMatch(/stall model/);
    const [r0, r1] = buildCmd(resume);
    expect(ill(ril, [r0 | (3n << 12n), r1])).toBeNull();
  });

  it("CMD_SYNC: CS=0b11 is Reserved (§4.7.3); a RES0 bit set anywhere is caught (§4.1.5)", () => {
    const [s0, s1] = buildCmd({ op: "CMD_SYNC", cs: "SEV" });
    expect(ill(plain, [s0, s1])).toBeNull();
    expect(ill(plain, [s0 | (3n << 12n), s1])).toMatch(/CS=0b11/);
    // Bit 8 of CMD_SYNC's word 0 is RES0.
    expect(ill(plain, [s0 | (1n << 8n), s1])).toMatch(/RES0/);
  });
});

describe("the SMMU at an illegal command (§7.1)", () => {
  it("stops at it: CONS stays, ERR = CERROR_ILL, GERROR.CMDQ_ERR toggles; nothing is consumed until GERRORN acknowledges", () => {
    const w = world(["ril"]);
    const q = ownSmmu(w).cmdq;
    const bad = buildCmd(va({ tg: 1 }));
    const sync = buildCmd({ op: "CMD_SYNC", cs: "SEV" });
    writeWords(w.mem, slotAddr(q, 0), bad);
    writeWords(w.mem, slotAddr(q, 1), sync);
    q.produced = 2;
    ownSmmu(w).iotlb.push({
      asid: 1,
      vmid: 0,
      va: 0x200000,
      pa: 0x5000_0000,
      writable: true,
      shared: false,
      sid: 16,
      ssid: 1,
    });

    const rec = new Recorder();
    expect(consumeCommand(w, rec)).toBe(true);
    expect(rec.events).toEqual([
      expect.objectContaining({ type: "smmu.cmdq.error", seq: 0, cerror: CMDQ_ERR_CERROR.ILL, words: bad }),
    ]);
    expect([q.consumed, w.smmu.gerror, w.smmu.gerrorn, cmdqErrorActive(w.smmu)]).toEqual([0, 1, 0, true]);
    expect(consumeCommand(w, new Recorder())).toBe(false);

    // Software rewrites the entry as a CMD_SYNC and acknowledges: the queue runs again from CONS.
    writeWords(w.mem, slotAddr(q, 0), sync);
    ackGerror(ownSmmu(w));
    expect(cmdqConsReg(w.smmu)).toBe(0);
    expect(consumeCommand(w, new Recorder())).toBe(true);
    expect(consumeCommand(w, new Recorder())).toBe(true);
    expect(q.consumed).toBe(2);
    // The illegal TLBI never took effect.
    expect(w.smmu.iotlb).toHaveLength(1);
    expect(readWords(w.mem, slotAddr(q, 0), 2).map(hex64)).toEqual(sync.map(hex64));
  });
});
