/**
 * One worker thread of the CLI's parallel search (node-parallel.ts): explores its tasks, posts
 * progress now and then and its result at the end on the port it was given, and wakes the
 * main thread through the shared counter.
 */

import { type MessagePort, workerData } from "node:worker_threads";
import "../kernel/all.ts";
import { exploreTasks, type WorkerRequest } from "./parallel.ts";

const { request, port, signal } = workerData as {
  request: WorkerRequest;
  port: MessagePort;
  signal: Int32Array;
};

const wake = (): void => {
  Atomics.add(signal, 0, 1);
  Atomics.notify(signal, 0);
};

try {
  const result = exploreTasks(request, (states) => {
    port.postMessage({ type: "progress", states });
    wake();
  });
  port.postMessage({ type: "done", result }, [result.fingerprints.buffer as ArrayBuffer]);
} catch (e) {
  port.postMessage({ type: "error", message: e instanceof Error ? (e.stack ?? e.message) : String(e) });
}
wake();
