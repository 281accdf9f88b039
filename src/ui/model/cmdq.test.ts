import { describe, expect, it } from "vitest";
import { runScenario } from "../../kernel/index.ts";
import { largeScenario } from "../../scenario/index.ts";
import { findLesson } from "../../scenario/library/index.ts";
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
