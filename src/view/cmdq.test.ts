import { describe, expect, it } from "vitest";
import { CMDQ_ERR_CERROR, ownSmmu, raiseCmdqError, slotAddr, writeWords } from "../engine/index.ts";
import { runScenario } from "../kernel/index.ts";
import { largeScenario } from "../scenario/index.ts";
import { findLesson } from "../scenario/library/index.ts";
import { cmdqVm, WINDOW } from "./cmdq.ts";

describe("the command queue's window of slots", () => {
  it("shows CONS, a few slots before it and every pending one, from a multiple of 8", () => {
    for (const s of [
      findLesson("lifecycle")!.scenario,
      largeScenario({ devices: 2, processes: 4, pages: 8 }),
    ]) {
      const r = runScenario(s, { snapshots: true });
      let moves = 0;
      let last = -1;
      for (const w of r.snapshots) {
        const vm = cmdqVm(w!);
        const shown = vm.slots.map((x) => x.slot);
        expect(shown[0]! % 8).toBe(0);
        expect(vm.slots.length % 8).toBe(0);
        expect(vm.slots.length).toBeLessThanOrEqual(WINDOW);
        expect(shown).toContain(vm.cons.index);
        for (let k = 0; k < Math.min(vm.pending, WINDOW - 12); k++)
          expect(shown).toContain((vm.cons.index + k) % vm.size);
        if (shown[0] !== last) moves++;
        last = shown[0]!;
      }
      // The rows move when CONS crosses a stride, not at every command.
      expect(moves).toBeLessThan(r.final.smmu.cmdq.consumed / 4 + 2);
    }
  });
});

describe("a command error", () => {
  it("shows CONS with ERR and the stopped queue while GERROR.CMDQ_ERR is active", () => {
    const w = runScenario(findLesson("lifecycle")!.scenario, { until: 0 }).final;
    const q = ownSmmu(w).cmdq;
    writeWords(w.mem, slotAddr(q, q.produced), [0n, 0n]); // opcode 0x00: Reserved
    q.produced += 1;
    expect(cmdqVm(w).error).toBeNull();
    // What the SMMU does at it (engine/consume.ts): CONS stays, ERR and GERROR are set.
    raiseCmdqError(ownSmmu(w), CMDQ_ERR_CERROR.ILL);
    const vm = cmdqVm(w);
    expect(vm.cons.reg).toBe(0x0100_0000 | q.consumed);
    expect(vm.error).toBe(`ERR CERROR_ILL: stopped at slot ${q.consumed}; GERROR 0x1 ≠ GERRORN 0x0`);
  });
});
