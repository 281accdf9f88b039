/**
 * The learner's store parts: branches kept when a choice re-runs the scenario, a thread run to
 * the end of its op, the progress kept in the browser (and read back whatever storage holds),
 * and a challenge's tries and win.
 */
import { afterEach, describe, expect, it } from "vitest";
import { CHALLENGES } from "../scenario/library/guide.ts";
import { findLesson } from "../scenario/library/index.ts";
import { startBranchSync, useBranches } from "./branches.ts";
import { startChallenge, startChallengeSync } from "./challenge.ts";
import { useChallenge } from "./challenge-state.ts";
import { readProgress, useProgress } from "./progress.ts";
import { defaultScenario, useLab } from "./store.ts";

const unbindVsExit = findLesson("unbind-vs-exit")!.scenario;

afterEach(() => {
  useLab.getState().load(defaultScenario());
});

describe("branches", () => {
  it("keeps the run a choice leaves behind, and brings it back", () => {
    const stop = startBranchSync();
    const lab = useLab.getState();
    expect(lab.load(unbindVsExit)).toBeNull();
    const c = useLab.getState().result.steps.findIndex((s) => s.actor === "T0" && s.fn === "dma") + 1;
    useLab.getState().goTo(c);
    const before = useLab.getState().result.steps.map((s) => s.actor);
    expect(useLab.getState().chooseNext("T2")).toBeNull();
    expect(useLab.getState().cursor).toBe(c + 1);
    const list = useBranches.getState().list;
    expect(list).toHaveLength(1);
    expect(list[0]!.schedule).toEqual(before);
    expect(list[0]!.from).toBe(c);
    expect(list[0]!.cursor).toBe(c);
    const chosen = useLab.getState().result.steps.map((s) => s.actor);
    expect(useBranches.getState().open(0)).toBeNull();
    expect(useLab.getState().result.steps.map((s) => s.actor)).toEqual(before);
    expect(useLab.getState().cursor).toBe(c);
    // The run shown before is now the branch.
    expect(useBranches.getState().list.map((b) => b.schedule)).toEqual([chosen]);
    // Another scenario starts a list of its own.
    useLab.getState().load(defaultScenario());
    expect(useBranches.getState().list).toEqual([]);
    stop();
  });

  it("runs a thread to the end of its op, the cursor on the op's last step", () => {
    useLab.getState().load(unbindVsExit);
    const c = useLab.getState().result.steps.findIndex((s) => s.actor === "T0" && s.fn === "dma") + 1;
    useLab.getState().goTo(c);
    expect(useLab.getState().finishOp("T1")).toBeNull();
    const { result, cursor } = useLab.getState();
    const op = result.steps.slice(c, cursor);
    expect(op.length).toBeGreaterThan(3);
    expect(op.every((s) => s.actor === "T1" || s.actor === "smmu")).toBe(true);
    expect(result.steps[cursor - 1]!.actor).toBe("T1");
    // T1's exit is its only op: after it T1 has nothing left.
    expect(result.steps.slice(cursor).some((s) => s.actor === "T1")).toBe(false);
  });
});

describe("progress in the browser", () => {
  it("reads back what it wrote, and nothing else from storage", () => {
    const store = new Map<string, string>();
    const storage = { getItem: (k: string) => store.get(k) ?? null };
    expect(readProgress(storage)).toEqual({ done: {}, won: {}, welcomed: false });
    store.set("sva-lab-progress", "{not json");
    expect(readProgress(storage).done).toEqual({});
    store.set(
      "sva-lab-progress",
      JSON.stringify({ done: { lifecycle: 1, "<img src=x>": 1 }, welcomed: true }),
    );
    expect(readProgress(storage)).toEqual({ done: { lifecycle: true }, won: {}, welcomed: true });
  });
});

describe("a challenge", () => {
  it("counts a run played to its end as a try, and is won only when the goal's violation is passed", () => {
    const c = CHALLENGES.find((x) => x.lesson === "unbind-vs-exit")!;
    const stop = startChallengeSync();
    expect(startChallenge(c)).toBeNull();
    expect(useLab.getState().scenario.faults).toEqual(c.fault ? [c.fault] : []);
    expect(useLab.getState().scenario.schedule).toBeUndefined();
    useLab.getState().goTo(useLab.getState().result.steps.length);
    expect(useChallenge.getState().tries).toBe(1);
    expect(useChallenge.getState().reachedAt).toBeNull();
    // The lesson's own order (with the fault on, if it has one) reaches the goal.
    const lesson = findLesson(c.lesson)!.scenario;
    useLab.getState().load({ ...lesson, faults: c.fault ? [c.fault] : [] });
    const v = useLab.getState().result.violations.find((x) => x.kind === c.kind)!;
    useLab.getState().goTo(v.step);
    expect(useChallenge.getState().reachedAt).toBeNull();
    useLab.getState().goTo(v.step + 1);
    expect(useChallenge.getState().reachedAt).toBe(v.step);
    expect(useProgress.getState().won[c.id]).toBe(true);
    stop();
  });
});
