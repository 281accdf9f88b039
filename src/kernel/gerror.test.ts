/**
 * The host driver's recovery from an illegal command (arm-smmu-v3.c, arm_smmu_gerror_handler
 * → arm_smmu_cmdq_skip_err): the SMMU stops at it, the GERROR interrupt is a step of the actor
 * "iopf", the entry becomes a CMD_SYNC (the words arm_smmu_cmdq_build_cmd makes for one without
 * an MSI address: CS=SEV, MSH=ISH, MSIATTR=OIWB) and the queue goes on. The guest's driver
 * does the same on its vSMMU through the same function (cmdqSkipErr).
 */

import { describe, expect, it } from "vitest";
import { hex64 } from "../engine/bits.ts";
import { ownSmmu } from "../engine/clone.ts";
import { buildCmd } from "../engine/commands.ts";
import { readWords, writeWords } from "../engine/memory.ts";
import { slotAddr } from "../engine/queue.ts";
import { registerValues } from "../engine/table-writes.ts";
import { Recorder } from "../engine/trace.ts";
import nestedJson from "../scenario/library/nested-refused-batch.json";
import rangeJson from "../scenario/library/range-invalidation.json";
import { boot } from "./boot.ts";
import { IOPF } from "./iopf.ts";
import { toTraceJson } from "./report.ts";
import { entrySteps, type RunResult, runScenario, type StepRecord } from "./run.ts";
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
  const q = ownSmmu(w).cmdq;
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

describe('"T0:op" through an illegal command', () => {
  it("runs the GERROR handler when the queue stops, and T0's op finishes", () => {
    const s = scenario(rangeJson); // T0: bind, dma, munmap, dma
    const sim = createSim(s);
    const w = boot(s);
    settleAll(sim, w, new Recorder());
    const run = (entry: string) => {
      const taken: string[] = [];
      for (const actor of entrySteps(sim, w, entry, "test")) {
        stepActor(sim, w, actor, new Recorder());
        taken.push(actor);
      }
      return taken;
    };
    run("T0:op"); // bind
    run("T0:op"); // dma
    // Another CPU has queued an illegal command (no CMD_SYNC of its own) ahead of munmap's.
    const q = ownSmmu(w).cmdq;
    writeWords(w.mem, slotAddr(q, q.produced), ILLEGAL);
    q.produced += 1;
    const taken = run("T0:op");
    expect(taken).toContain(IOPF);
    expect(w.threads[0]!.opIndex).toBe(3);
    expect(w.smmu.gerror).toBe(w.smmu.gerrorn);
  });
});

describe("the trace of an illegal command", () => {
  it("lists where the SMMU stopped at it and where the driver overwrote it; CONS shows ERR, GERROR toggles", () => {
    const s = scenario(rangeJson);
    const sim = createSim(s);
    const w = boot(s);
    settleAll(sim, w, new Recorder());
    const q = ownSmmu(w).cmdq;
    const sync = buildCmd({ op: "CMD_SYNC", cs: "SEV" });
    const queued: StepRecord["events"] = [
      { type: "cmdq.insert", seq: 0, words: ILLEGAL },
      { type: "cmdq.insert", seq: 1, words: sync },
    ];
    writeWords(w.mem, slotAddr(q, 0), ILLEGAL);
    writeWords(w.mem, slotAddr(q, 1), sync);
    q.produced = 2;
    const steps: StepRecord[] = [
      {
        index: 0,
        actor: "T0",
        fn: "arm_smmu_cmdq_issue_cmdlist",
        text: "",
        opIndex: 0,
        events: queued,
        blocked: [],
      },
    ];
    let regs = registerValues(w);
    for (const actor of [SMMU, IOPF, SMMU, SMMU]) {
      const rec = new Recorder();
      const out = stepActor(sim, w, actor, rec);
      const now = registerValues(w);
      const changed = Object.fromEntries(Object.entries(now).filter(([k, v]) => regs[k] !== v));
      regs = now;
      steps.push({
        index: steps.length,
        actor,
        fn: out.fn,
        text: rec.text.join(" "),
        opIndex: null,
        events: rec.events,
        blocked: [],
        regs: changed,
      });
    }
    const r = {
      sim,
      steps,
      snapshots: [],
      checkpointEvery: 0,
      final: w,
      violations: [],
      stateHash: "",
    } as RunResult;
    const t = toTraceJson(r);
    expect(t.commands[0]).toMatchObject({
      op: "TLBI_NH_VA",
      cerror: "CERROR_ILL",
      stoppedAt: 1,
      skippedAt: 2,
      consumedAt: 3,
    });
    expect(t.steps[1]!.regs).toEqual({
      GERROR: { value: "0x00000001" },
      CMDQ_CONS: { value: "0x01000000", index: 0, wrap: 0, err: "CERROR_ILL" },
    });
    expect(t.steps[2]!.regs).toEqual({
      GERRORN: { value: "0x00000001" },
      CMDQ_CONS: { value: "0x00000000", index: 0, wrap: 0 },
    });
    expect(t.steps[2]!.records).toEqual([
      {
        queue: "cmdq",
        seq: 0,
        addr: `0x${slotAddr(q, 0).toString(16)}`,
        words: SYNC_WORDS,
        was: ILLEGAL.map(hex64),
      },
    ]);
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
