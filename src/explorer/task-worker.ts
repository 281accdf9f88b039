/**
 * One Web Worker of the page's parallel search (worker.ts starts them): explores its tasks
 * (parallel.ts) and answers `{ type: "done", result }` or `{ type: "error", message }`, with
 * `{ type: "progress", states }` on the way.
 */

import "../kernel/all.ts";
import { exploreTasks, type WorkerRequest, type WorkerResult } from "./parallel.ts";

export type TaskMessage =
  | { readonly type: "progress"; readonly states: number }
  | { readonly type: "done"; readonly result: WorkerResult }
  | { readonly type: "error"; readonly message: string };

const scope = self as unknown as {
  onmessage: ((e: MessageEvent<WorkerRequest>) => void) | null;
  postMessage(message: TaskMessage, transfer?: Transferable[]): void;
};

scope.onmessage = (e) => {
  try {
    const result = exploreTasks(e.data, (states) => scope.postMessage({ type: "progress", states }));
    scope.postMessage({ type: "done", result }, [result.fingerprints.buffer as ArrayBuffer]);
  } catch (err) {
    scope.postMessage({ type: "error", message: err instanceof Error ? err.message : String(err) });
  }
};
