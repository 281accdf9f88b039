/**
 * The defects issue 11 found in the model of v5.11–v6.9, each as the code has it: what the
 * model said before (safe where the code is not, unsafe where it is safe) no longer holds.
 */
import { describe, expect, it } from "vitest";
import { exploreScenario } from "../../explorer/explore.ts";
import raceJson from "../../scenario/library/unbind-vs-exit.json";
import { toTraceJson } from "../report.ts";
import { runScenario } from "../run.ts";
import { scenario } from "../testing.ts";

const { driver: _design, ...race } = raceJson as Record<string, unknown>;

describe("release behind the last unbind (the lesson's schedule)", () => {
  it("v5.15: mm->pasid is 0, so the quiet CD goes into SSID 0 and ATC_INV goes out with SSV=0", () => {
    const s = scenario({ ...race, kernel: "v5.15" });
    const r = runScenario(s);
    const t = toTraceJson(r);
    const release = new Set(r.steps.filter((x) => x.actor === "T1").map((x) => x.index));
    const sent = t.commands.filter((c) => release.has(c.step));
    expect(sent.map((c) => [c.op, c.ssid ?? null, c.ssv ?? null])).toEqual([
      ["CFGI_CD", 0, null],
      ["CMD_SYNC", null, null],
      ["TLBI_NH_ASID", null, null],
      ["CMD_SYNC", null, null],
      ["ATC_INV", 0, false],
      ["CMD_SYNC", null, null],
    ]);
    expect(r.violations.map((v) => v.kind)).toEqual(["foreign-cd-write", "use-after-free"]);
    expect(r.violations[0]!.text).toContain("SSID 0, gpu0's DMA-API context");
  });

  it("v6.1: release writes its own PASID's CD (already cleared) but still reads the freed CD", () => {
    const r = runScenario(scenario({ ...race, kernel: "v6.1" }));
    expect(r.violations.map((v) => v.kind)).toEqual(["use-after-free"]);
    expect(r.violations[0]!.text).toContain("arm_smmu_ctx_desc");
  });

  it("v6.9: the release CD it writes is valid, so the PASID freed with the mm keeps a valid CD", () => {
    const r = runScenario(scenario({ ...race, kernel: "v6.9" }));
    expect(r.violations.map((v) => v.kind)).toContain("stale-cd");
  });
});

describe("bind runs with the caller's mm_users", () => {
  const bindExit = (kernel: string) =>
    scenario({
      format: "sva-lab/1",
      title: "bind racing exit",
      kernel,
      devices: [{ name: "nic0", sid: 8 }],
      processes: [{ name: "app", vmas: [{ start: "0x10000", pages: 1, prot: "rw", populate: true }] }],
      threads: [
        { name: "T0", ops: [{ op: "bind", process: "app", device: "nic0" }] },
        { name: "T1", ops: [{ op: "exit", process: "app" }] },
      ],
    });

  it.each(["v5.15", "v6.1", "v6.9"])("%s: no interleaving of bind and exit breaks anything", (k) => {
    const report = exploreScenario(bindExit(k));
    expect(report.complete).toBe(true);
    expect(report.outcomes.flatMap((o) => o.violations)).toEqual([]);
  });

  it("an exit before the bind leaves nothing to bind: the caller has no mm (-ESRCH)", () => {
    const r = runScenario({ ...bindExit("v6.1"), schedule: ["T1:op"] });
    expect(toTraceJson(r).pasids).toEqual({});
    expect(r.steps.find((x) => x.actor === "T0")!.text).toContain("-ESRCH");
  });
});
