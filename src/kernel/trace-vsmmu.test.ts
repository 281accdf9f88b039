/**
 * The trace's guest-command → host-command mapping (`vcmdq.consume` with `hostSeq`, and
 * `guestCommands` of `run --json`), checked against the rules arm_vsmmu_convert_user_cmd
 * applies (v6.14+, reference §7), with the command layouts of arm-smmu-v3.h: the opcode in
 * dw0[7:0]; TLBI_NH_ALL 0x10, TLBI_NH_ASID 0x11, TLBI_NH_VA 0x12, TLBI_NH_VAA 0x13 get the
 * vIOMMU's VMID in dw0[47:32] (CMDQ_TLBI_0_VMID); TLBI_NSNH_ALL 0x30 becomes TLBI_NH_ALL with
 * it and dw1 zero; ATC_INV 0x40, CFGI_CD 0x05, CFGI_CD_ALL 0x06 get the physical StreamID in
 * dw0[63:32] (CMDQ_CFGI_0_SID); anything else is refused and issues nothing. The v1 series
 * (nested-v1-2023) turned CFGI_CD and CFGI_CD_ALL into a CFGI_CD with LEAF=1.
 */

import { describe, expect, it } from "vitest";
import type { TraceEvent } from "../engine/trace.ts";
import { LIBRARY } from "../scenario/library/index.ts";
import { toFullTraceJson } from "./report-full.ts";
import { runScenario } from "./run.ts";

const GENMASK = (h: number, l: number) => ((1n << BigInt(h - l + 1)) - 1n) << BigInt(l);
const bits = (w: bigint, h: number, l: number) => (w & GENMASK(h, l)) >> BigInt(l);
const withBits = (w: bigint, h: number, l: number, v: number) =>
  (w & ~GENMASK(h, l)) | ((BigInt(v) << BigInt(l)) & GENMASK(h, l));

const TLBI_NH = [0x10, 0x11, 0x12, 0x13];
const SID_CMDS = [0x05, 0x06, 0x40];

type Consume = Extract<TraceEvent, { type: "vcmdq.consume" }>;
type Insert = Extract<TraceEvent, { type: "vcmdq.insert" }>;

const nested = LIBRARY.filter((l) => l.scenario.vms !== undefined);

describe.each(nested.map((l) => [l.id, l] as const))("%s: each guest command and the host's", (_, l) => {
  const r = runScenario(l.scenario, { snapshots: true });
  const written = new Map<string, Insert>();
  const taken: { step: number; e: Consume }[] = [];
  const hostAt = new Map<number, { step: number; words: readonly [bigint, bigint] }>();
  r.steps.forEach((s) => {
    for (const e of s.events) {
      if (e.type === "vcmdq.insert") written.set(`${e.vm}:${e.seq}`, e);
      else if (e.type === "vcmdq.consume") taken.push({ step: s.index, e });
      else if (e.type === "cmdq.insert") hostAt.set(e.seq, { step: s.index, words: e.words });
    }
  });
  const iommufd = r.final.kernel.release !== "nested-v1-2023";

  it("every issued guest command names the host slot holding its conversion, queued in the same step", () => {
    const issued = taken.filter((t) => t.e.hostSeq !== undefined);
    expect(issued.length).toBeGreaterThan(0);
    for (const { step, e } of issued) {
      const host = hostAt.get(e.hostSeq!);
      expect(host?.step).toBe(step);
      expect(host?.words).toEqual(e.host);
    }
    // Distinct slots, in the guest's order.
    const seqs = issued.map((t) => t.e.hostSeq!);
    expect([...seqs].sort((a, b) => a - b)).toEqual(seqs);
    expect(new Set(seqs).size).toBe(seqs.length);
  });

  it("the conversion follows arm_vsmmu_convert_user_cmd (v1: arm_smmu_cache_invalidate_user)", () => {
    const refused = new Set<string>();
    for (const { e } of taken) {
      const guest = written.get(`${e.vm}:${e.seq}`)!.words;
      const vm = r.final.vms!.find((v) => v.name === e.vm)!;
      const op = Number(bits(guest[0], 7, 0));
      // A refused command the guest's arm_smmu_cmdq_skip_err replaced with a CMD_SYNC: taken again.
      const replaced = refused.has(`${e.vm}:${e.seq}`);
      if (e.error !== null) refused.add(`${e.vm}:${e.seq}`);
      if (op === 0x46 || replaced) {
        expect(e.host).toBeNull(); // the VMM completes a CMD_SYNC itself
        expect(e.hostSeq).toBeUndefined();
      } else if (TLBI_NH.includes(op)) {
        expect(e.host).toEqual([withBits(guest[0], 47, 32, vm.vmid), guest[1]]);
      } else if (op === 0x30) {
        expect(e.host).toEqual([withBits(0x10n, 47, 32, vm.vmid), 0n]);
      } else if (SID_CMDS.includes(op) && e.error === null) {
        const vsid = Number(bits(guest[0], 63, 32));
        const sid = r.final.devices.find((d) => d.name === vm.vdevs[vsid])!.sid;
        if (iommufd || op === 0x40) expect(e.host).toEqual([withBits(guest[0], 63, 32, sid), guest[1]]);
        else {
          // v1 (arm_smmu_cache_invalidate_user): arm_smmu_sync_cd(…, leaf = true), a CFGI_CD with
          // LEAF (dw1 bit 0) for either opcode; SSID dw0[31:12] the guest's (0 for CFGI_CD_ALL).
          const ssid = op === 0x05 ? Number(bits(guest[0], 31, 12)) : 0;
          expect(e.host).toEqual([withBits(withBits(0x05n, 31, 12, ssid), 63, 32, sid), 1n]);
        }
      } else {
        expect(e.host).toBeNull();
        expect(e.error, `op 0x${op.toString(16)} seq ${e.seq}`).not.toBeNull();
      }
    }
  });

  it("a refused command, and the commands converted before it in its batch, reach no host slot", () => {
    for (const { step } of taken.filter((t) => t.e.error !== null)) {
      const batch = taken.filter((t) => t.step === step);
      for (const t of batch) expect(t.e.hostSeq).toBeUndefined();
      expect([...hostAt.values()].some((h) => h.step === step)).toBe(false);
    }
  });

  it("run --json lists them in guestCommands, with the host command and its commands[].seq", () => {
    const t = toFullTraceJson(r);
    expect(t.guestCommands?.length).toBe(written.size);
    for (const g of t.guestCommands ?? []) {
      const e = taken.find((x) => x.e.vm === g.vm && x.e.seq === g.seq)?.e;
      if (e?.hostSeq !== undefined) {
        const host = t.commands.find((c) => c.seq === e.hostSeq);
        expect(g.host?.seq).toBe(e.hostSeq);
        expect(host?.words).toEqual(g.host?.words);
      } else expect(g.host?.seq).toBeUndefined();
    }
  });
});

it("the library has nested lessons with forwarded and refused commands", () => {
  expect(nested.length).toBeGreaterThanOrEqual(3);
});
