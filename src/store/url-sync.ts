/**
 * The address bar and the store (CONTRACT §5). On load the fragment is decoded; a link that
 * does not open leaves its message in `error` (shown as text) and the built-in scenario loads.
 * Afterwards the address bar follows the scenario, the cursor and the selection with
 * `history.replaceState`, so stepping does not flood the history. A fragment pasted into the
 * address bar (hashchange) is opened the same way.
 */

import { decodeScenarioUrl, encodeScenarioUrl } from "../scenario/index.ts";
import { parseSelectionKey, selectionKey } from "./selection.ts";
import { defaultScenario, type LabState, useLab } from "./store.ts";

/**
 * Parameters other modules add after the view, each `"key=value"` (percent-encoded) or null:
 * e.g. `lesson=<id>` when two lessons share a scenario. The decoder ignores keys it does not know.
 */
export const linkParams: ((s: LabState) => string | null)[] = [];

/** The link of what is shown now; null when the scenario is too large for a link. */
export function currentUrl(s: LabState = useLab.getState()): string | null {
  try {
    let url = encodeScenarioUrl(s.scenario, {
      step: s.cursor,
      base: location.origin + location.pathname,
      ...(s.selection ? { view: selectionKey(s.selection) } : {}),
    });
    for (const param of linkParams) {
      const kv = param(s);
      if (kv !== null) url += `&${kv}`;
    }
    return url;
  } catch {
    return null;
  }
}

/** Opens the scenario a fragment holds; the empty fragment opens the built-in scenario. */
export function openFragment(hash: string, store = useLab): void {
  const s = store.getState();
  if (hash === "" || hash === "#") {
    s.load(defaultScenario());
    s.setError(null);
    return;
  }
  const decoded = decodeScenarioUrl(hash);
  if (!decoded.ok) {
    s.load(defaultScenario());
    s.setError(`This link could not be opened: ${decoded.error}. The built-in scenario is shown instead.`);
    return;
  }
  const { scenario, step, view } = decoded.value;
  const selection = view === undefined ? null : parseSelectionKey(view);
  const error = s.load(scenario, { step: step ?? 0, selection });
  if (error !== null) {
    s.load(defaultScenario());
    s.setError(`This link could not be opened: ${error}. The built-in scenario is shown instead.`);
    return;
  }
  const steps = store.getState().result.steps.length;
  s.setError(
    step !== undefined && step > steps ? `The link asks for step ${step}; the run has ${steps}.` : null,
  );
}

export function startUrlSync(store = useLab): () => void {
  let written = "";
  const write = (): void => {
    const url = currentUrl(store.getState());
    if (url === null || url === written) return;
    written = url;
    history.replaceState(history.state, "", url);
  };
  const onHashChange = (): void => {
    if (location.href === written) return;
    openFragment(location.hash, store);
  };
  openFragment(location.hash, store);
  write();
  const unsubscribe = store.subscribe((s, prev) => {
    if (s.scenario !== prev.scenario || s.cursor !== prev.cursor || s.selection !== prev.selection) write();
  });
  window.addEventListener("hashchange", onHashChange);
  return () => {
    unsubscribe();
    window.removeEventListener("hashchange", onHashChange);
  };
}
