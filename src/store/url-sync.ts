/**
 * The address bar and the store (CONTRACT §5). On load the fragment is decoded; a link that
 * does not open leaves its message in `error` (shown as text) and the built-in scenario loads.
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

import type { Scenario } from "../scenario/types.ts";
import type { SharedScenario } from "../scenario/url.ts";
import { linkEncoder, loadReader, reader } from "./codecs.ts";
import { parseSelectionKey, type Selection, selectionKey } from "./selection.ts";
import { defaultScenario, isLarge, type LabState, useLab } from "./store.ts";

/**
 * Parameters other modules add after the view, each `"key=value"` (percent-encoded) or null:
 * e.g. `lesson=<id>` when two lessons share a scenario. The decoder ignores keys it does not know.
 */
export const linkParams: ((s: LabState) => string | null)[] = [];

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

/** Counts the fragments asked for: a decoder arriving for an older one is ignored. */
let opening = 0;

/**
 * Opens the scenario a fragment holds; the empty fragment opens the built-in scenario.
 * Resolves once it is shown (at once when the decoder is already here; a large run may still
 * be computing then: it puts up its own message).
 */
export function openFragment(hash: string, store = useLab): Promise<void> {
  const mine = ++opening;
  const s = store.getState();
  const settled = (): void => {
    if (store.getState().busy === OPENING_LINK) store.setState({ busy: null });
  };
  if (hash === "" || hash === "#") {
    s.load(defaultScenario());
    s.setError(null);
    settled();
    return Promise.resolve();
  }
  const now = reader();
  if (now !== null) {
    openDecoded(now.decodeScenarioUrl(hash), store);
    settled();
    return Promise.resolve();
  }
  store.setState({ busy: OPENING_LINK, playing: false });
  return loadReader().then(
    (r) => {
      if (mine !== opening) return;
      openDecoded(r.decodeScenarioUrl(hash), store);
      settled();
    },
    (e: unknown) => {
      if (mine !== opening) return;
      s.load(defaultScenario());
      s.setError(
        `This link could not be opened: ${e instanceof Error ? e.message : String(e)}. The built-in scenario is shown instead.`,
      );
      settled();
    },
  );
}

function openDecoded(
  decoded: { ok: true; value: SharedScenario } | { ok: false; error: string },
  store: typeof useLab,
): void {
  const s = store.getState();
  if (!decoded.ok) {
    s.load(defaultScenario());
    s.setError(`This link could not be opened: ${decoded.error}. The built-in scenario is shown instead.`);
    return;
  }
  const { scenario, step, view, model } = decoded.value;
  const { selection, params } = parseView(view);
  for (const read of viewReaders) read(params);
  const opened = (error: string | null): void => {
    if (error !== null) {
      s.load(defaultScenario());
      s.setError(`This link could not be opened: ${error}. The built-in scenario is shown instead.`);
      return;
    }
    const steps = store.getState().result.steps.length;
    const notes = [
      step !== undefined && step > steps ? `The link asks for step ${step}; the run has ${steps}.` : null,
      reader()?.modelNote(model) ?? null,
    ].filter((n) => n !== null);
    s.setError(notes.length > 0 ? notes.join(" ") : null);
  };
  // A large run takes seconds: the page paints its "busy" message first.
  if (isLarge(scenario)) void s.loadSoon(scenario, { step: step ?? 0, selection }).then(opened);
  else opened(s.load(scenario, { step: step ?? 0, selection }));
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
    // While a large run is computed, the link would still be the previous scenario's.
    if (store.getState().busy !== null) return;
    if (linkEncoder.get() === null) {
      linkEncoder.load().then(write, () => {});
      return;
    }
    const url = currentUrl(store.getState());
    if (url === null || url === written) return;
    written = url;
    history.replaceState(history.state, "", url);
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
  linkOpened = openFragment(location.hash, store);
  write();
  requestUrlWrite = write;
  const unsubscribe = store.subscribe((s, prev) => {
    if (s.scenario !== prev.scenario || s.selection !== prev.selection || s.busy !== prev.busy) write();
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
