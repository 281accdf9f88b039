/**
 * The built-in lessons on the page: which one is shown (if the scenario is one), opening one
 * from the menu or from a `#lesson=<id>` link, and the "Switch off <fault>" toggle that re-runs
 * a lesson with its safeguard switched off.
 *
 * A lesson is recognised by its scenario, whatever its schedule and whether its own fault is on:
 * a scenario link of a lesson is enough to get its toggle back. Two lessons may share a
 * scenario (one per safeguard it shows): the link then says which with `&lesson=<id>`.
 *
 * With the safeguard off, the lesson's own interleaving may happen to break nothing (the race
 * needs another order): the explorer then looks for an order that breaks the invariant, in a
 * worker, and the page loads the schedule it finds.
 */

import { create } from "zustand";
import type { ViolationKind } from "../engine/index.ts";
import { scenarioToJson } from "../scenario/json-form.ts";
import { findLesson, type Lesson, LIBRARY } from "../scenario/library/index.ts";
import type { Scenario } from "../scenario/types.ts";
import { linkEncoder } from "./codecs.ts";
import { type Found, type Search, searchBreakingSchedule } from "./fault-search.ts";
import { useProgress } from "./progress.ts";
import { isStarting, useLab } from "./store.ts";
import { heldLinks, linkParams } from "./url-sync.ts";

export type FaultStatus =
  | { readonly state: "idle" }
  | { readonly state: "searching" }
  /** The run of `scenario` breaks `kind` at step `step` (`searched`: the explorer found the order). */
  | {
      readonly state: "found";
      readonly scenario: Scenario;
      readonly kind: string;
      readonly step: number;
      readonly searched: boolean;
    }
  | { readonly state: "none"; readonly scenario: Scenario }
  | { readonly state: "failed"; readonly message: string };

export interface LessonsState {
  /** The lesson shown, or null when the scenario is none of the library's. */
  readonly id: string | null;
  /** The lesson's safeguard is switched off (its fault is on). */
  readonly faultOn: boolean;
  readonly status: FaultStatus;
  readonly menuOpen: boolean;

  setMenuOpen(open: boolean): void;
  /** Loads a lesson at step 0 with its safeguards on; false when there is no such lesson. */
  openLesson(id: string): boolean;
  /** Switches the shown lesson's safeguard off (`true`) or back on. */
  switchOff(on: boolean): void;
}

const IDLE: FaultStatus = { state: "idle" };

/** The scenario without its schedule and without `fault`, as text: what identifies a lesson. */
function lessonKey(s: Scenario, fault: string | undefined): string {
  return JSON.stringify(
    scenarioToJson({ ...s, schedule: undefined, faults: s.faults.filter((f) => f !== fault) }),
  );
}

/** Each lesson's key, made at the first comparison (not while the page starts: 5-10 ms). */
let keys: Map<string, string> | null = null;
function keyOf(id: string): string | undefined {
  keys ??= new Map(LIBRARY.map((l) => [l.id, lessonKey(l.scenario, l.fault?.name)]));
  return keys.get(id);
}

/** `lessonKey(s, fault)` per scenario: comparing the large scenario with every lesson made its
 * JSON text once per lesson (~40 ms when it was opened). */
const keysOf = new WeakMap<Scenario, Map<string, string>>();

function matches(l: Lesson, s: Scenario): boolean {
  // Lessons with other numbers of threads or devices have other texts: no need to make them.
  if (s.threads.length !== l.scenario.threads.length || s.devices.length !== l.scenario.devices.length)
    return false;
  // A museum lesson stays itself on the release with the fix (its bar switches back).
  const onFix = l.bug !== undefined && s.kernel === l.bug.fixedIn;
  const asLesson = onFix ? { ...s, kernel: l.scenario.kernel, driver: l.scenario.driver } : s;
  if (onFix) return keyOf(l.id) === lessonKey(asLesson, l.fault?.name);
  let keys = keysOf.get(s);
  if (!keys) {
    keys = new Map();
    keysOf.set(s, keys);
  }
  const fault = l.fault?.name ?? "";
  let key = keys.get(fault);
  if (key === undefined) {
    key = lessonKey(s, l.fault?.name);
    keys.set(fault, key);
  }
  return keyOf(l.id) === key;
}

/** Answers per scenario and preferred lesson: the link is rewritten at every step, and a large
 * scenario's JSON text takes milliseconds to make. */
const matched = new WeakMap<Scenario, Map<string | null, { id: string; faultOn: boolean } | null>>();

/** The lesson whose scenario `s` is (`preferred` first), and whether its fault is on. */
export function matchLesson(s: Scenario, preferred: string | null): { id: string; faultOn: boolean } | null {
  let byPreferred = matched.get(s);
  if (!byPreferred) {
    byPreferred = new Map();
    matched.set(s, byPreferred);
  }
  if (!byPreferred.has(preferred)) byPreferred.set(preferred, findMatch(s, preferred));
  return byPreferred.get(preferred) ?? null;
}

function findMatch(s: Scenario, preferred: string | null): { id: string; faultOn: boolean } | null {
  const first = preferred === null ? undefined : findLesson(preferred);
  const l = first && matches(first, s) ? first : LIBRARY.find((x) => matches(x, s));
  if (!l) return null;
  return { id: l.id, faultOn: l.fault !== undefined && s.faults.includes(l.fault.name) };
}

export function withFault(l: Lesson): Scenario {
  if (!l.fault || l.scenario.faults.includes(l.fault.name)) return l.scenario;
  return { ...l.scenario, faults: [...l.scenario.faults, l.fault.name] };
}

/** Orders the explorer found, by lesson id (null: none breaks). */
const found = new Map<string, Found | null>();
let search: Search | null = null;
/** The lesson last opened by name: preferred when two lessons share a scenario. */
let preferred: string | null = null;

function stopSearch(): void {
  search?.cancel();
  search = null;
}

/** The first violation of `kind` in the run shown, as a status. */
function statusOfRun(kind: ViolationKind, searched: boolean): FaultStatus | null {
  const { scenario, trace } = useLab.getState();
  const v = trace.violations.find((x) => x.kind === kind);
  return v ? { state: "found", scenario, kind, step: v.step, searched } : null;
}

export const useLessons = create<LessonsState>()((set, get) => ({
  id: null,
  faultOn: false,
  status: IDLE,
  menuOpen: false,

  setMenuOpen(open) {
    set({ menuOpen: open });
  },
  openLesson(id) {
    const l = findLesson(id);
    if (!l) return false;
    stopSearch();
    preferred = id;
    const error = useLab.getState().load(l.scenario, { step: 0 });
    if (error !== null) {
      useLab.getState().setError(error);
      return false;
    }
    useLab.getState().setError(null);
    set({ id, faultOn: false, status: IDLE });
    return true;
  },
  switchOff(on) {
    const id = get().id;
    const l = id === null ? undefined : findLesson(id);
    if (!l?.fault) return;
    stopSearch();
    preferred = l.id;
    const lab = useLab.getState();
    if (!on) {
      lab.load(l.scenario, { step: 0 });
      set({ faultOn: false, status: IDLE });
      return;
    }
    const broken = withFault(l);
    const error = lab.load(broken, { step: 0 });
    if (error !== null) {
      set({ status: { state: "failed", message: error } });
      return;
    }
    set({ faultOn: true });
    const kind = l.fault.breaks;
    const own = statusOfRun(kind, false);
    if (own) {
      set({ status: own });
      return;
    }
    const applyFound = (f: Found | null): void => {
      if (f === null) {
        set({ status: { state: "none", scenario: useLab.getState().scenario } });
        return;
      }
      useLab.getState().load({ ...broken, schedule: [...f.schedule] }, { step: 0 });
      set({ status: statusOfRun(kind, true) ?? { state: "none", scenario: useLab.getState().scenario } });
    };
    if (found.has(l.id)) {
      applyFound(found.get(l.id)!);
      return;
    }
    set({ status: { state: "searching" } });
    const mine = searchBreakingSchedule(broken, kind);
    search = mine;
    mine.result.then(
      (f) => {
        if (search !== mine) return;
        search = null;
        found.set(l.id, f);
        if (get().id === l.id && get().faultOn) applyFound(f);
      },
      (e: unknown) => {
        if (search !== mine) return;
        search = null;
        set({ status: { state: "failed", message: e instanceof Error ? e.message : String(e) } });
      },
    );
  },
}));

/** The lesson a `#lesson=<id>[&step=N]` fragment names, or null when it is not such a link. */
export function parseLessonLink(hash: string): { id: string; step: number } | null {
  const m = /^#?lesson=([^&]*)(?:&step=(\d{1,9}))?(?:&.*)?$/.exec(hash);
  if (!m) return null;
  let id: string;
  try {
    id = decodeURIComponent(m[1]!);
  } catch {
    id = m[1]!;
  }
  return { id, step: m[2] === undefined ? 0 : Number(m[2]) };
}

/** A `#lesson=` link: the page fetches the link encoder before `installLessonLinks` reads it. */
export function isLessonLink(hash: string): boolean {
  return parseLessonLink(hash) !== null;
}

/** The `&lesson=<id>` parameter of a scenario link (which of the lessons sharing it), or null. */
export function lessonParam(hash: string): string | null {
  const m = /&lesson=([^&]*)/.exec(hash);
  if (!m) return null;
  try {
    return decodeURIComponent(m[1]!);
  } catch {
    return null;
  }
}

/** `lesson=<id>` in the page's link when the scenario is a lesson's that another shares. */
function lessonLinkParam(s: { readonly scenario: Scenario }): string | null {
  const chosen = matchLesson(s.scenario, preferred);
  const first = matchLesson(s.scenario, null);
  return chosen && first && chosen.id !== first.id ? `lesson=${encodeURIComponent(chosen.id)}` : null;
}

function badLessonMessage(id: string): string {
  // The id comes from the address bar: shown as text, one line, cut short.
  const shown = id.replace(/\p{Cc}/gu, " ").slice(0, 60);
  return `There is no built-in lesson "${shown}${id.length > 60 ? "…" : ""}" (the lessons: ${LIBRARY.map((l) => l.id).join(", ")}).`;
}

/**
 * Turns a `#lesson=<id>` link into the lesson's scenario link before the URL sync reads it,
 * now and on every hashchange (so this must run before `startUrlSync`, and with the link
 * encoder here when the page opens with a lesson link: see `isLessonLink`; later the URL sync
 * has fetched it). Returns the message for a bad id at load, for `startLessonSync` to show
 * once the page has loaded.
 */
export function installLessonLinks(lessons = useLessons): string | null {
  const base = (): string => location.origin + location.pathname;
  const rewrite = (): string | null => {
    const link = parseLessonLink(location.hash);
    if (link === null) {
      // A scenario link: `&lesson=` says which of the lessons sharing the scenario it is.
      const named = lessonParam(location.hash);
      preferred = named !== null && findLesson(named) ? named : null;
      return null;
    }
    const l = findLesson(link.id);
    // A link that does not open stays in the address bar (the URL sync holds it: see
    // `heldLinks`); at load the built-in scenario shows, later what is shown stays.
    if (!l) return badLessonMessage(link.id);
    const encoder = linkEncoder.get();
    if (encoder === null) {
      return `The lesson "${l.id}" could not be opened: the page could not load its link encoder (is it offline?).`;
    }
    preferred = l.id;
    history.replaceState(
      history.state,
      "",
      encoder.encodeScenarioUrl(l.scenario, { step: link.step, base: base() }),
    );
    lessons.setState({ id: l.id, faultOn: false, status: IDLE });
    return null;
  };
  linkParams.push(lessonLinkParam);
  heldLinks.push(isLessonLink);
  window.addEventListener("hashchange", () => {
    const error = rewrite();
    if (error !== null) useLab.getState().setError(error);
  });
  return rewrite();
}

/**
 * Follows the page's scenario: recognises the lesson it is, drops the toggle's status when the
 * lesson changes. `error` (from `installLessonLinks`) is shown once the page has loaded.
 */
export function startLessonSync(error: string | null = null, lessons = useLessons, lab = useLab): () => void {
  const follow = (s: Scenario): void => {
    const m = matchLesson(s, preferred ?? lessons.getState().id);
    const cur = lessons.getState();
    const id = m?.id ?? null;
    const faultOn = m?.faultOn ?? false;
    if (id === cur.id && faultOn === cur.faultOn) return;
    if (id !== cur.id || !faultOn) stopSearch();
    lessons.setState({ id, faultOn, status: id !== cur.id || !faultOn ? IDLE : cur.status });
  };
  // Opening a large link: the scenario held meanwhile is no lesson shown.
  if (!isStarting(lab.getState())) follow(lab.getState().scenario);
  if (error !== null) lab.getState().setError(error);
  return lab.subscribe((s, prev) => {
    if (s.scenario !== prev.scenario) follow(s.scenario);
    // A lesson followed to its last step counts as done (the menu shows it).
    const id = lessons.getState().id;
    if (id !== null && s.cursor !== prev.cursor && s.cursor > 0 && s.cursor >= s.result.steps.length) {
      useProgress.getState().markDone(id);
    }
  });
}
