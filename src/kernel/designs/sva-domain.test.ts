import { expect, it } from "vitest";
import "../all.ts";
import { LIBRARY } from "../../scenario/library/index.ts";
import { runScenario } from "../run.ts";
import { readCd } from "../smmu-ops.ts";

/** CD word 0 bit 31 is V (Arm IHI 0070, CD format; the kernel's CTXDESC_CD_0_V is BIT(31)). */
const V = 1n << 31n;

it("arm_smmu_make_sva_cd(NULL)'s stages say whether the CD is valid from its V bit (bit 31)", () => {
  const lesson = LIBRARY.find((l) => l.id === "sva-domain-unbind-vs-exit")!;
  const r = runScenario(lesson.scenario, { snapshots: true });
  const seen: boolean[] = [];
  r.steps.forEach((s, i) => {
    if (!s.text.includes("arm_smmu_make_sva_cd(NULL)")) return;
    const w = r.snapshots[i + 1]!;
    const gpu0 = w.devices.find((d) => d.name === "gpu0")!;
    const valid = (readCd(w, gpu0, 1)[0]! & V) !== 0n;
    expect(s.text, `step ${i}`).toContain(valid ? "the CD is valid with EPD0=1" : "not valid yet (V=0)");
    seen.push(valid);
  });
  // The update breaks the CD (V=0) and then writes the quiet CD live (V=1): both texts are met.
  expect(seen).toEqual([false, true]);
});
