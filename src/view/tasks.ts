/** The tasks line shown with an mm, in the topology and the lifecycles (docs/tasks.md). */

import type { MmState } from "../engine/index.ts";

/**
 * The tasks sharing an mm, each holding one mm_users reference until it exits; "" for a process
 * that declares none (its one task).
 *
 * @example
 * tasksLine(mm); // "tasks: main (exited), worker"
 */
export function tasksLine(mm: MmState): string {
  if (!mm.tasks) return "";
  return `tasks: ${mm.tasks.map((t) => (t.exited ? `${t.name} (exited)` : t.name)).join(", ")}`;
}
