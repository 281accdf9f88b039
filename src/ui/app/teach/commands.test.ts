import { describe, expect, it } from "vitest";
import { findLesson } from "../../../scenario/library/index.ts";
import { useBreakpoints } from "../../../store/breakpoints.ts";
import { useLab } from "../../../store/store.ts";
import { COMMANDS, commandForKey, perform } from "../commands.ts";

describe("the teaching commands", () => {
  it("claim keys no other command claims", () => {
    const keys = COMMANDS.flatMap((c) => c.keys);
    expect(new Set(keys).size).toBe(keys.length);
    expect(commandForKey("n")).toBe("next-violation");
    expect(commandForKey("N")).toBe("prev-violation");
    expect(commandForKey("c")).toBe("run-to-breakpoint");
  });

  it("move to the violations and to the breakpoints", () => {
    const l = findLesson("lifecycle")!;
    expect(useLab.getState().load({ ...l.scenario, faults: ["skip-atc-inv"] })).toBeNull();
    const v = useLab.getState().result.violations[0]!;
    expect(perform("prev-violation")).toBe(false);
    expect(perform("next-violation")).toBe(true);
    expect(useLab.getState().cursor).toBe(v.step + 1);
    expect(perform("next-violation")).toBe(false);
    useLab.getState().goTo(useLab.getState().result.steps.length);
    expect(perform("prev-violation")).toBe(true);
    expect(useLab.getState().cursor).toBe(v.step + 1);

    useLab.getState().reset();
    expect(perform("run-to-breakpoint")).toBe(false);
    useBreakpoints.getState().add({ kind: "cmd", name: "TLBI_NH_VA" });
    expect(perform("run-to-breakpoint")).toBe(true);
    const at = useLab.getState().cursor;
    expect(useLab.getState().result.steps[at - 1]!.text).toContain("Queues TLBI_NH_VA");
    useBreakpoints.getState().clear();
  });
});
