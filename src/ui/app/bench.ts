/**
 * Instrumentation for `npm run bench` (bench/page.ts), loaded only when the page's address has
 * `?bench`. For each key press, from the key event's timestamp:
 * - `work`: until the page has done everything the step asks of it: the store update, React's
 *   render and commit, the diagrams' effects (all run in the microtasks after the key's
 *   handlers), then the style and layout of the result (forced here). Painting is left to the
 *   compositor.
 * - `frame`: until the second animation frame after it, i.e. a frame showing the step has been
 *   rendered; this includes waiting for the display's next frame (up to 16.7 ms at 60 Hz).
 */

import { remoteOf } from "../../store/remote-of.ts";
import { useLab } from "../../store/store.ts";

export interface BenchSample {
  readonly key: string;
  readonly cursor: number;
  /** Key event → JavaScript done and the page's style and layout computed. */
  readonly work: number;
  /** Key event → the second animation frame after it. */
  readonly frame: number;
  /** Key event → its first listener ran (time the main thread was busy with something else). */
  readonly queued: number;
  /** The forced style and layout at the end of `work`. */
  readonly layout: number;
}

export interface BenchApi {
  readonly samples: BenchSample[];
  goTo(step: number): void;
  state(): {
    cursor: number;
    total: number;
    busy: boolean;
    title: string;
    checkpointEvery: number;
    /** A run from the page's worker has been replayed here too (store/remote-run.ts `warm`). */
    warm: boolean;
  };
}

export function installBench(): void {
  const samples: BenchSample[] = [];
  window.addEventListener(
    "keydown",
    (e) => {
      const t0 = e.timeStamp;
      const key = e.key;
      const queued = performance.now() - t0;
      let work = Number.NaN;
      let layout = Number.NaN;
      // Registered now, so after the page's own keydown listener: its microtasks (React's
      // render, commit and effects) are queued before this one's.
      window.addEventListener(
        "keydown",
        () =>
          queueMicrotask(() =>
            queueMicrotask(() => {
              const t1 = performance.now();
              void document.documentElement.offsetHeight;
              work = performance.now() - t0;
              layout = performance.now() - t1;
            }),
          ),
        { once: true },
      );
      requestAnimationFrame(() =>
        requestAnimationFrame(() => {
          samples.push({
            key,
            cursor: useLab.getState().cursor,
            work,
            frame: performance.now() - t0,
            queued,
            layout,
          });
        }),
      );
    },
    { capture: true },
  );
  const api: BenchApi = {
    samples,
    goTo: (step) => useLab.getState().goTo(step),
    state: () => {
      const s = useLab.getState();
      return {
        cursor: s.cursor,
        total: s.result.steps.length,
        busy: s.busy !== null,
        title: s.scenario.title,
        checkpointEvery: s.result.checkpointEvery,
        warm: remoteOf(s.result)?.warmed ?? true,
      };
    },
  };
  (window as unknown as { __svaBench: BenchApi }).__svaBench = api;
}
