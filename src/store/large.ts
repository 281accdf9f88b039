/**
 * The large scenario on the page (64 processes × 16 devices, 256 bindings, 16k mapped pages):
 * what the benchmarks run, opened from the Lessons menu or by a `#large` link. Its builder is
 * fetched when asked for (it is not in the initial bundle), and its run, which takes seconds,
 * goes through `loadSoon` so the page says so first. Once loaded it is an ordinary scenario:
 * its link is the scenario's own.
 */

import { useLab } from "./store.ts";

/** Loads the large scenario at step 0; resolves to null, or why it could not be opened. */
export async function openLarge(step = 0): Promise<string | null> {
  const lab = useLab.getState();
  try {
    const { largeScenario } = await import("../scenario/index.ts");
    const error = await lab.loadSoon(largeScenario(), { step });
    lab.setError(error === null ? null : `The large scenario could not be opened: ${error}`);
    return error;
  } catch (e) {
    const message = e instanceof Error ? e.message : String(e);
    lab.setError(`The large scenario could not be opened: ${message}`);
    return message;
  }
}

/** `#large` (optionally `&step=N`): the large scenario. */
export function parseLargeLink(hash: string): { step: number } | null {
  const m = /^#?large(?:&step=(\d{1,9}))?(?:&.*)?$/.exec(hash);
  return m ? { step: m[1] === undefined ? 0 : Number(m[1]) } : null;
}

/**
 * Turns a `#large` link into the page's own link before the URL sync reads it (the built-in
 * scenario shows meanwhile), then opens the large scenario; the same on every hashchange.
 */
export function installLargeLink(): void {
  const follow = (): void => {
    const link = parseLargeLink(location.hash);
    if (link === null) return;
    history.replaceState(history.state, "", location.origin + location.pathname);
    void openLarge(link.step);
  };
  window.addEventListener("hashchange", follow);
  follow();
}
