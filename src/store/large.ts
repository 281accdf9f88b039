/**
 * The large scenario on the page (64 processes × 16 devices, 256 bindings, 16k mapped pages):
 * what the benchmarks run, opened from the Lessons menu or by a `#large` link. Its builder is
 * fetched when asked for (it is not in the initial bundle), and its run, which takes seconds,
 * goes through `loadSoon` so the page says so first. Once loaded it is an ordinary scenario:
 * its link is the scenario's own.
 */

import { defaultScenario, isStarting, parseLargeLink, useLab } from "./store.ts";
import { linkOpeners } from "./url-sync.ts";

export { parseLargeLink };

/** Loads the large scenario at step 0; resolves to null, or why it could not be opened. */
export async function openLarge(step = 0): Promise<string | null> {
  const lab = useLab.getState();
  try {
    // Its own module: the scenario index brings the validators (zod), tens of ms to start.
    const { largeScenario } = await import("../scenario/large.ts");
    const error = await lab.loadSoon(largeScenario(), { step });
    if (error !== null) builtInInstead();
    lab.setError(error === null ? null : `The large scenario could not be opened: ${error}`);
    return error;
  } catch (e) {
    const message = e instanceof Error ? e.message : String(e);
    builtInInstead();
    lab.setError(`The large scenario could not be opened: ${message}`);
    return message;
  }
}

/** A page loaded on `#large` that could not open it shows the built-in scenario instead. */
function builtInInstead(): void {
  const lab = useLab.getState();
  if (isStarting(lab)) lab.load(defaultScenario());
}

/**
 * Opens `#large` links for the URL sync, at load and on every hashchange: the link stays in
 * the address bar while the run computes (a reload opens it again), and once the run is shown
 * the URL sync writes the scenario's own link. At load the page shows no scenario meanwhile
 * (store.ts `isStarting`).
 */
export function installLargeLink(): void {
  linkOpeners.push((hash) => {
    const link = parseLargeLink(hash);
    return link === null ? null : openLarge(link.step).then(() => {});
  });
}
