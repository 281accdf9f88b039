import { afterEach, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import { scenarioToJson } from "../scenario/index.ts";
import { firstSentence } from "../scenario/library/guide.ts";
import { LIBRARY } from "../scenario/library/index.ts";
import { removeItem, setIn } from "../view/index.ts";
import { loadReader } from "./codecs.ts";
import { RUN_DELAY_MS, startEditorSync, useEditor } from "./editor.ts";
import { lessonParam, matchLesson, parseLessonLink, withFault } from "./lessons.ts";
import { defaultScenario, useLab } from "./store.ts";

const lesson = (id: string) => LIBRARY.find((l) => l.id === id)!;

describe("the editor", () => {
  let stop: () => void = () => {};
  // The page fetches the validator when the editor opens.
  beforeAll(() => loadReader());
  beforeEach(() => {
    vi.useFakeTimers();
    useLab.getState().load(defaultScenario());
    stop = startEditorSync();
  });
  afterEach(() => {
    stop();
    vi.useRealTimers();
  });

  it("runs a valid edit after the debounce, keeping the cursor", () => {
    useLab.getState().goTo(5);
    const before = useLab.getState().result.steps.length;
    // Without its exit, the process never exits: fewer steps.
    useEditor.getState().edit("ops.remove", (d) => removeItem(d, ["threads", 0, "ops"], 5));
    expect(useEditor.getState().pending).toBe(true);
    expect(useLab.getState().result.steps.length).toBe(before);
    vi.advanceTimersByTime(RUN_DELAY_MS);
    expect(useEditor.getState().pending).toBe(false);
    expect(useLab.getState().result.steps.length).toBeLessThan(before);
    expect(useLab.getState().cursor).toBe(5);
  });

  it("an invalid edit names the field and keeps the last valid run", () => {
    const shown = useLab.getState().scenario;
    useEditor
      .getState()
      .edit("threads[0].ops[2].op", (d) => setIn(d, ["threads", 0, "ops", 2, "op"], "munmapp"));
    expect(useEditor.getState().error).toMatch(/^threads\[0\]\.ops\[2\]\.op: unknown op "munmapp"/);
    vi.advanceTimersByTime(RUN_DELAY_MS * 2);
    expect(useLab.getState().scenario).toBe(shown);
  });

  it("undo and redo walk the history; typing in one field is one step", () => {
    const title = useLab.getState().scenario.title;
    for (const t of ["a", "ab", "abc"]) useEditor.getState().edit("title", (d) => setIn(d, ["title"], t));
    vi.advanceTimersByTime(RUN_DELAY_MS);
    expect(useLab.getState().scenario.title).toBe("abc");
    expect(useEditor.getState().past).toHaveLength(1);
    useEditor.getState().undo();
    expect(useLab.getState().scenario.title).toBe(title);
    useEditor.getState().redo();
    expect(useLab.getState().scenario.title).toBe("abc");
  });

  it("a scenario loaded from elsewhere replaces the draft and can be undone", () => {
    const before = useLab.getState().scenario.title;
    useLab.getState().load(lesson("cmd-sync").scenario);
    expect(useEditor.getState().draft).toEqual(scenarioToJson(lesson("cmd-sync").scenario));
    useEditor.getState().undo();
    expect(useLab.getState().scenario.title).toBe(before);
  });
});

describe("lessons", () => {
  it("are recognised by their scenario, whatever the schedule and their fault", () => {
    const l = lesson("cmd-sync-early-free");
    expect(matchLesson(l.scenario, null)).toEqual({ id: "cmd-sync", faultOn: false });
    expect(matchLesson(l.scenario, "cmd-sync-early-free")).toEqual({
      id: "cmd-sync-early-free",
      faultOn: false,
    });
    const broken = { ...withFault(l), schedule: ["T0", "T1"] };
    expect(matchLesson(broken, "cmd-sync-early-free")).toEqual({ id: "cmd-sync-early-free", faultOn: true });
    expect(matchLesson({ ...l.scenario, title: "mine" }, null)).toBeNull();
  });

  it("the menu shows the first sentence of a description", () => {
    expect(firstSentence("Before 6.10 the SMMU tagged it. But the SMMU also (a) did. More.")).toBe(
      "Before 6.10 the SMMU tagged it.",
    );
    expect(firstSentence("No full stop")).toBe("No full stop");
    expect(firstSentence(undefined)).toBe("");
  });

  it("a #lesson= link names a lesson and a step", () => {
    expect(parseLessonLink("#lesson=sva-lock")).toEqual({ id: "sva-lock", step: 0 });
    expect(parseLessonLink("#lesson=sva-lock&step=4")).toEqual({ id: "sva-lock", step: 4 });
    expect(parseLessonLink("#v1.abc")).toBeNull();
    expect(lessonParam("#v1.abc&step=3&lesson=cmd-sync-early-free")).toBe("cmd-sync-early-free");
  });
});
