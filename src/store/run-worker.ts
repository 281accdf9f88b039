/**
 * The page's run worker: large scenarios run here, off the page's thread (run-host.ts says
 * what goes in and out; remote-run.ts is the page's side). Every driver design and the nested
 * kernel are loaded: a scenario the page sends may need any of them.
 */

import "../kernel/all.ts";
import { createRunHost, type RunReply, type RunRequest } from "./run-host.ts";

const scope = self as unknown as {
  onmessage: ((e: MessageEvent<RunRequest>) => void) | null;
  postMessage(message: RunReply): void;
};

const host = createRunHost((reply) => scope.postMessage(reply));
scope.onmessage = (e) => host(e.data);
