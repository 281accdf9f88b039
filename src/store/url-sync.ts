/**
 * The address bar and the store (CONTRACT §5). On load the fragment is decoded; a link that
 * does not open leaves its message in `error` (shown as text), and stays in the address bar
 * and in history: what was shown stays (the built-in scenario at load), the address bar is not
 * written while it does, and the first scenario opened after it gets a new history entry
 * (`useLinkRepair` holds the link for the page's repair box). Only the last link asked for is
 * opened: a decoder or a large run arriving for an earlier one is dropped.
 * Afterwards the address bar follows the scenario, the cursor, the selection and the view with
 * `history.replaceState`, so stepping does not flood the history (and while a key is held the
 * cursor is written at most every CURSOR_WRITE_MS). A fragment pasted into the address bar
 * (hashchange) is opened the same way. The decoder (and the validator, zod) is fetched the
 * first time a fragment is read, the encoder for the first write (codecs.ts); meanwhile the page shows the built-in scenario
 * under a "busy" message and the address bar is left alone.
 *
 * The `view` string: parts separated by `;`. A part without `=` is the selection
 * ("cd:16:1", as links have always had it); `key=value` parts come from `viewParts` (the
 * panel layout: `hide=…`, `size=…`), and `viewReaders` apply them when a link opens.
 */

import { create } from "zustand";
import type { Scenario } from "../scenario/types.ts";
import type { SharedScenario } from "../scenario/url.ts";
import { parseSelectionKey, type Selection, selectionKey } from "../view/selection.ts";
import { linkEncoder, loadReader, reader } from "./codecs.ts";
import { defaultScenario, isLarge, isStarting, type LabState, useLab } from "./store.ts";

/**
 * Parameters other modules add after the view, each `"key=value"` (percent-encoded) or null:
 * e.g. `lesson=<id>` when two lessons share a scenario. The decoder ignores keys it does not know.
 */
export const linkParams: ((s: LabState) => string | null)[] = [];

/**
 * Fragments another module reads before the URL sync (`#lesson=<id>`, rewritten into the
 * lesson's link): one still there when the URL sync reads it did not open, and that module has
 * said why. The address bar keeps it, as for any link that does not open.
 */
export const heldLinks: ((hash: string) => boolean)[] = [];

/**
 * Fragments another module opens itself (`#large`, large.ts): each returns null for a fragment
 * it does not open, else a promise that resolves once it is shown (or could not be).
 */
export const linkOpeners: ((hash: string) => Promise<void> | null)[] = [];

/** `key=value` parts other modules add to the view string (e.g. the panel layout). */
export const viewParts: ((s: LabState) => readonly string[])[] = [];

/** Called with a link's view parameters when it opens (every key, whether present or not). */
export const viewReaders: ((params: ReadonlyMap<string, string>) => void)[] = [];

/** The view string of what is shown, or undefined when there is nothing to say. */
export function viewString(s: LabState): string | undefined {
  const parts = viewParts.flatMap((p) => p(s));
  const sel = s.selection ? selectionKey(s.selection) : "";
  if (parts.length === 0) return sel || undefined;
  return [sel, ...parts].join(";");
}

/** The selection and the `key=value` parameters of a view string. */
export function parseView(view: string | undefined): {
  selection: Selection | null;
  params: Map<string, string>;
} {
  const params = new Map<string, string>();
  let selection: Selection | null = null;
  for (const part of (view ?? "").split(";")) {
    const i = part.indexOf("=");
    if (i > 0) {
      if (!params.has(part.slice(0, i))) params.set(part.slice(0, i), part.slice(i + 1));
    } else if (part !== "" && selection === null) selection = parseSelectionKey(part);
  }
  return { selection, params };
}

/** The scenario's link without step or view: compressing it is the costly part, done once. */
const encoded = new WeakMap<Scenario, Map<string, string | null>>();

/** The link of `s` on `base`, made elsewhere (the run worker makes a large scenario's). */
export function knownScenarioUrl(s: Scenario, base: string, url: string | null): void {
  let byBase = encoded.get(s);
  if (!byBase) {
    byBase = new Map();
    encoded.set(s, byBase);
  }
  byBase.set(base, url);
}

function scenarioUrl(s: Scenario, base: string): string | null {
  const encoder = linkEncoder.get();
  if (encoder === null) return null;
  let byBase = encoded.get(s);
  if (!byBase) {
    byBase = new Map();
    encoded.set(s, byBase);
  }
  if (!byBase.has(base)) {
    let url: string | null;
    try {
      url = encoder.encodeScenarioUrl(s, { base });
    } catch {
      url = null;
    }
    byBase.set(base, url);
  }
  return byBase.get(base) ?? null;
}

/**
 * The link of what is shown now; null when the scenario is too large for a link, or while the
 * link encoder has not arrived (`linkEncoder.load()` first: the URL sync fetches it at once).
 */
export function currentUrl(s: LabState = useLab.getState()): string | null {
  const encoder = linkEncoder.get();
  const head = scenarioUrl(s.scenario, location.origin + location.pathname);
  if (encoder === null || head === null) return null;
  const { URL_LIMITS } = encoder;
  // As encodeScenarioUrl appends them (src/scenario/url.ts), from the cached head.
  let url = `${head}&step=${s.cursor}`;
  const view = viewString(s);
  if (view) url += `&view=${encoder.encodeViewParam(view)}`;
  for (const param of linkParams) {
    const kv = param(s);
    if (kv !== null) url += `&${kv}`;
  }
  return url.length > URL_LIMITS.url ? null : url;
}

/** What the page shows while the link's decoder is fetched. */
export const OPENING_LINK = "Opening the link…";

/** Counts the fragments asked for: a decoder or a run arriving for an older one is ignored. */
let opening = 0;

/**
 * A link that did not open: `failed` is its text, for the page's box to paste a repaired one
 * (null once dismissed); `hold` is the scenario the page kept showing, while which the address
 * bar keeps the link.
 */
export const useLinkRepair = create<{ failed: string | null; hold: Scenario | null }>(() => ({
  failed: null,
  hold: null,
}));

/** What the page says when the link's reader itself cannot be fetched. */
const READER_MISSING =
  "the page could not fetch its link reader (offline, or SVA Lab was updated meanwhile: reload the page)";

function failed(store: typeof useLab, error: string, atLoad: boolean): void {
  const s = store.getState();
  useLinkRepair.setState({ failed: location.href, hold: s.scenario });
  s.setError(
    `This link could not be opened: ${error}. It stays in the address bar${
      atLoad ? "; the built-in scenario is shown meanwhile" : "; what was shown stays"
    }. Paste a repaired link below, or open another scenario.`,
  );
}

/**
 * Opens the scenario a fragment holds; the empty fragment opens the built-in scenario.
 * Resolves once it is shown (at once when the decoder is already here; a large run may still
 * be computing then: it puts up its own message).
 */
export function openFragment(hash: string, store = useLab, atLoad = false): Promise<void> {
  const mine = ++opening;
  const s = store.getState();
  const settled = (): void => {
    if (store.getState().busy === OPENING_LINK) store.setState({ busy: null });
  };
  for (const open of linkOpeners) {
    const opened = open(hash);
    if (opened === null) continue;
    useLinkRepair.setState({ failed: null, hold: null });
    settled();
    return opened;
  }
  if (hash === "" || hash === "#") {
    useLinkRepair.setState({ failed: null, hold: null });
    s.load(defaultScenario());
    s.setError(null);
    settled();
    return Promise.resolve();
  }
  if (heldLinks.some((held) => held(hash))) {
    useLinkRepair.setState({ failed: location.href, hold: s.scenario });
    settled();
    return Promise.resolve();
  }
  const wanted = (): boolean => mine === opening;
  const now = reader();
  if (now !== null) {
    openDecoded(now.decodeScenarioUrl(hash), store, wanted, atLoad);
    settled();
    return Promise.resolve();
  }
  store.setState({ busy: OPENING_LINK, playing: false });
  return loadReader().then(
    (r) => {
      if (!wanted()) return;
      openDecoded(r.decodeScenarioUrl(hash), store, wanted, atLoad);
      settled();
    },
    () => {
      if (!wanted()) return;
      settled();
      failed(store, READER_MISSING, atLoad);
    },
  );
}

function openDecoded(
  decoded: { ok: true; value: SharedScenario } | { ok: false; error: string },
  store: typeof useLab,
  wanted: () => boolean,
  atLoad: boolean,
): void {
  const s = store.getState();
  if (!decoded.ok) {
    failed(store, decoded.error, atLoad);
    return;
  }
  const { scenario, step, view, model, notes = [] } = decoded.value;
  const { selection, params } = parseView(view);
  const opened = (error: string | null): void => {
    if (!wanted()) return;
    if (error !== null) {
      failed(store, error, atLoad);
      return;
    }
    const steps = store.getState().result.steps.length;
    const messages = [...notes, ...fromView];
    if (step !== undefined && step > steps)
      messages.push(`The link asks for step ${step}; the run has ${steps}.`);
    const note = reader()?.modelNote(model) ?? null;
    if (note !== null) messages.push(note);
    s.setError(messages.length ? messages.join(" ") : null);
  };
  // The link opens: the address bar may follow the page again.
  useLinkRepair.setState({ failed: null, hold: null });
  viewNotes = [];
  const part = (view ?? "").split(";").find((p) => p !== "" && !p.includes("="));
  if (part !== undefined && selection === null) {
    noteView(
      `The link's view names a selection this page cannot read (${JSON.stringify(part.slice(0, 40))}): nothing is selected.`,
    );
  }
  for (const read of viewReaders) read(params);
  const fromView = viewNotes;
  // A large run takes seconds: the page paints its "busy" message first.
  if (isLarge(scenario)) void s.loadSoon(scenario, { step: step ?? 0, selection, wanted }).then(opened);
  else opened(s.load(scenario, { step: step ?? 0, selection }));
}

/** Messages from the view readers about the link being opened (a part they could not read). */
let viewNotes: string[] = [];

/** For a view reader: a part of the link's view it ignored, said in one line. */
export function noteView(message: string): void {
  viewNotes.push(message);
}

/** Resolves once the link the page opened with is shown (see `startUrlSync`). */
export let linkOpened: Promise<void> = Promise.resolve();

/** Writes the address bar now (other modules call it when their part of the link changes). */
export let requestUrlWrite: () => void = () => {};

/** While the cursor moves faster than this, the address bar follows it at this pace. */
const CURSOR_WRITE_MS = 300;

export function startUrlSync(store = useLab): () => void {
  let written = "";
  let last = 0;
  let timer: ReturnType<typeof setTimeout> | null = null;
  const write = (): void => {
    if (timer !== null) clearTimeout(timer);
    timer = null;
    last = performance.now();
    // While a large run is computed, the link would still be the previous scenario's (or, at
    // load, no scenario's: the link being opened stays).
    if (store.getState().busy !== null || isStarting(store.getState())) return;
    if (linkEncoder.get() === null) {
      linkEncoder.load().then(write, () => {});
      return;
    }
    const now = store.getState();
    const held = useLinkRepair.getState();
    // A link that did not open stays in the address bar while what was shown stays.
    if (held.hold !== null && held.hold === now.scenario) return;
    const url = currentUrl(now);
    if (url === null || url === written) return;
    written = url;
    if (held.hold !== null) {
      // Something else was opened in the page: a new history entry, the bad link stays before it.
      useLinkRepair.setState({ failed: null, hold: null });
      history.pushState(history.state, "", url);
    } else history.replaceState(history.state, "", url);
  };
  /**
   * Cursor moves: once the pace allows, in an idle moment (a long link takes a few ms to
   * write, which would otherwise delay the next key), and within a second at the latest.
   */
  const writeSoon = (): void => {
    if (timer !== null) return;
    const wait = Math.max(0, last + CURSOR_WRITE_MS - performance.now());
    timer = setTimeout(() => {
      const ric = (
        globalThis as { requestIdleCallback?: (cb: () => void, o?: { timeout: number }) => number }
      ).requestIdleCallback;
      if (ric) ric(write, { timeout: 1000 });
      else write();
    }, wait);
  };
  const onHashChange = (): void => {
    if (location.href === written) return;
    openFragment(location.hash, store);
  };
  linkOpened = openFragment(location.hash, store, true);
  write();
  requestUrlWrite = write;
  const unsubscribe = store.subscribe((s, prev) => {
    // A large run handed over from the worker: its link (compressing the scenario) in a task of
    // its own, not in the one that draws the run.
    if (s.scenario !== prev.scenario && s.result.checkpointEvery > 1) setTimeout(write);
    else if (s.scenario !== prev.scenario || s.selection !== prev.selection || s.busy !== prev.busy) write();
    else if (s.cursor !== prev.cursor) writeSoon();
  });
  window.addEventListener("hashchange", onHashChange);
  return () => {
    unsubscribe();
    if (timer !== null) clearTimeout(timer);
    requestUrlWrite = () => {};
    window.removeEventListener("hashchange", onHashChange);
  };
}
