/**
 * The host driver's recovery from an illegal command (arm-smmu-v3.c, arm_smmu_gerror_handler
 * → arm_smmu_cmdq_skip_err): the SMMU stops at it, the GERROR interrupt is a step of the actor
 * "iopf", the entry becomes a CMD_SYNC (the words arm_smmu_cmdq_build_cmd makes for one without
 * an MSI address: CS=SEV, MSH=ISH, MSIATTR=OIWB) and the queue goes on. The guest's driver
 * does the same on its vSMMU through the same function (cmdqSkipErr).
 */

import { describe, expect, it } from "vitest";
import { hex64 } from "../engine/bits.ts";
import { buildCmd } from "../engine/commands.ts";
import { readWords, writeWords } from "../engine/memory.ts";
import { slotAddr } from "../engine/queue.ts";
import { Recorder } from "../engine/trace.ts";
import nestedJson from "../scenario/library/nested-refused-batch.json";
import rangeJson from "../scenario/library/range-invalidation.json";
import { boot } from "./boot.ts";
import { IOPF } from "./iopf.ts";
import { runScenario } from "./run.ts";
import { actors, createSim, defaultActor, SMMU, settleAll, stepActor } from "./sim.ts";
import { scenario } from "./testing.ts";

/** The illegal range TLBI a kernel before "Avoid constructing invalid range commands" sends. */
const ILLEGAL = buildCmd({
  op: "TLBI_NH_VA",
  asid: 1,
  vmid: 0,
  addr: 0x200000,
  leaf: false,
  num: 0,
  scale: 0,
  tg: 1,
  ttl: 0,
});
/** CMD_SYNC, CS=SEV (2<<12), MSH=ISH (3<<22), MSIATTR=OIWB (0xf<<24): 0x0fc02046. */
const SYNC_WORDS = ["0x000000000fc02046", "0x0000000000000000"];

describe("arm_smmu_gerror_handler", () => {
  const s = scenario(rangeJson);
  const sim = createSim(s);
  const w = boot(s);
  settleAll(sim, w, new Recorder());
  const q = w.smmu.cmdq;
  writeWords(w.mem, slotAddr(q, 0), ILLEGAL);
  writeWords(w.mem, slotAddr(q, 1), buildCmd({ op: "CMD_SYNC", cs: "SEV" }));
  q.produced = 2;
  const actor = (name: string) => actors(sim, w).find((a) => a.name === name)!;

  it("the SMMU stops at the illegal command; the GERROR interrupt is the next step", () => {
    const rec = new Recorder();
    stepActor(sim, w, SMMU, rec);
    expect(rec.text.join(" ")).toMatch(
      /^CERROR_ILL: TLBI_NH_VA: TG=1 with NUM=0, SCALE=0 and TTL=0 is Reserved/,
    );
    expect(actor(SMMU)).toMatchObject({ runnable: false, why: expect.stringMatching(/stopped at CONS/) });
    expect(actor(IOPF)).toMatchObject({ runnable: true, next: "handle the global error (GERROR)" });
    expect(defaultActor(sim, w)).toBe(IOPF);
  });

  it("logs as the driver does, overwrites the entry with a CMD_SYNC and acknowledges GERRORN", () => {
    const rec = new Recorder();
    expect(stepActor(sim, w, IOPF, rec).fn).toBe("arm_smmu_gerror_handler");
    const text = rec.text.join(" ");
    expect(text).toContain('"unexpected global error reported (0x00000001), this could be serious"');
    expect(text).toContain('"CMDQ error (cons 0x01000000): Illegal command"');
    expect(text).toContain(`"skipping command in error state: ${ILLEGAL.map(hex64).join(" ")}"`);
    expect(readWords(w.mem, slotAddr(q, 0), 2).map(hex64)).toEqual(SYNC_WORDS);
    expect(rec.events).toEqual([
      {
        type: "cmdq.skip",
        queue: "cmdq",
        seq: 0,
        addr: slotAddr(q, 0),
        was: ILLEGAL,
        words: buildCmd({ op: "CMD_SYNC", cs: "SEV" }),
      },
    ]);
    expect([w.smmu.gerror, w.smmu.gerrorn]).toEqual([1, 1]);
    expect(actor(SMMU).runnable).toBe(true);
  });

  it("the queue goes on from CONS: the CMD_SYNC in its place, then the one after it", () => {
    stepActor(sim, w, SMMU, new Recorder());
    stepActor(sim, w, SMMU, new Recorder());
    expect(q.consumed).toBe(2);
    expect(actor(IOPF).runnable).toBe(false);
  });
});

describe("the guest's arm_smmu_cmdq_skip_err", () => {
  it("overwrites the refused command through the same cmdqSkipErr, on the vSMMU queue in guest RAM", () => {
    const r = runScenario(scenario(nestedJson));
    const skips = r.steps.flatMap((st) =>
      st.events.filter((e) => e.type === "cmdq.skip").map((e) => [st.fn, e]),
    );
    expect(skips).toHaveLength(1);
    const [fn, e] = skips[0]!;
    expect(fn).toBe("arm_smmu_cmdq_skip_err (guest)");
    expect(e).toMatchObject({ queue: "vm0" });
    if (typeof e === "object" && e.type === "cmdq.skip") expect(e.words.map(hex64)).toEqual(SYNC_WORDS);
  });
});
