import { describe, expect, it } from "vitest";
import { runScenario } from "../kernel/index.ts";
import { largeScenario } from "../scenario/index.ts";
import { hexNum } from "./format.ts";
import { tlbVm } from "./tlb.ts";

describe("the ATC entries' owners", () => {
  it("a PASID freed and given to the next process names that process, not the one before", () => {
    // One process after another, each bound, doing DMA, unbound and gone: all get PASID 1 on a
    // release that frees the PASID at unbind (before v5.18; later ones keep it until __mmdrop).
    const s = { ...largeScenario({ devices: 2, processes: 4, pages: 8, perProcess: 2 }), kernel: "v5.15" };
    const r = runScenario(s, { snapshots: true });
    let checked = 0;
    r.steps.forEach((step, k) => {
      for (const e of step.events) {
        if (e.type !== "dev.dma") continue;
        const d = e.dma;
        // A device with ATS keeps the translation in its ATC.
        if (d.result !== "ok" || d.via !== "walk" || !s.devices.find((x) => x.name === d.device)!.ats)
          continue;
        const op = s.threads.find((t) => t.name === step.actor)!.ops[step.opIndex!]!;
        const atc = tlbVm(r.snapshots[k + 1]!).atcs.find((a) => a.device === d.device)!;
        const entry = atc.entries.find((x) => x.va === hexNum(d.va))!;
        expect(d.pasid).toBe(1);
        expect(entry.owner).toBe("process" in op ? op.process : "?");
        expect(entry.stale).toBe(false);
        checked++;
      }
    });
    expect(checked).toBeGreaterThanOrEqual(4);
  });
});
