/** The page's line for a scenario the model could not run, on the page and in its run worker. */

import { ScheduleError } from "../kernel/index.ts";

export function runError(e: unknown): string {
  // A schedule's error says what and where ("schedule[3]: T0 cannot step…"); anything else
  // is the model's own failure, whose text would mean nothing to the reader.
  if (e instanceof ScheduleError) return `the scenario could not be run: ${e.message}`;
  return "the scenario could not be run: SVA Lab met a problem of its own running it (please report it)";
}
