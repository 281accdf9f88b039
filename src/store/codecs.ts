/**
 * The parts of the scenario module the page fetches when it first needs them, so that the
 * initial JavaScript stays small (issue 4: under 200 KB gzip):
 * - the reader: the validator (`parseScenario`, zod) and the link decoder, needed only to read
 *   a scenario from outside (a link's fragment, an imported file, the editor's draft); the
 *   built-in lessons are trusted and open without it (scenario/trusted.ts);
 * - the link encoder (compact layout, DEFLATE), needed to write the address bar, which the URL
 *   sync does just after the first paint;
 * - the rest of the kernel model: the driver designs other than the default one and the
 *   nested-translation kernel, fetched at start-up and awaited before a link or a file is read
 *   (a scenario read from outside may need them).
 * Each is fetched once and kept; `get()` answers at once with it, or null before it is here.
 */

export interface OnDemand<M> {
  /** The module, fetched on the first call; later calls get the same promise. */
  load(): Promise<M>;
  /** The module if it is here already, else null (then `load`). */
  get(): M | null;
}

function onDemand<M>(fetch: () => Promise<M>): OnDemand<M> {
  let loaded: M | null = null;
  let loading: Promise<M> | null = null;
  return {
    load() {
      loading ??= fetch().then(
        (m) => {
          loaded = m;
          return m;
        },
        (e: unknown) => {
          // A failed fetch (offline after an update) may work on the next try.
          loading = null;
          throw e;
        },
      );
      return loading;
    },
    get: () => loaded,
  };
}

export const kernelParts = onDemand(() => import("../kernel/all.ts"));
export const scenarioReader = onDemand(() =>
  Promise.all([import("../scenario/index.ts"), kernelParts.load()]).then(([m]) => m),
);
export const linkEncoder = onDemand(() => import("../scenario/url-encode.ts"));

/** The reader, fetched on first call. */
export const loadReader = scenarioReader.load;
/** The reader if it has been fetched already, else null. */
export const reader = scenarioReader.get;
