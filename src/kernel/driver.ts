/**
 * One interface for every SVA driver design (STYLE 7): each design supplies its kernel paths as
 * programs of micro-steps, and the generic mm paths (munmap, mprotect, exit) call into the
 * design through the MMU notifier hooks, the way the kernel's mm does.
 */

import type { Draft, KObject } from "../engine/world.ts";
import type { Op } from "../scenario/types.ts";
import type { KernelCtx, Program } from "./program.ts";

export type BindOp = Extract<Op, { op: "bind" }>;
export type UnbindOp = Extract<Op, { op: "unbind" }>;

export interface Driver {
  readonly name: string;
  /** The releases it stands for, in words: the page's header shows it beside the release run. */
  readonly era: string;
  /** The design services PRI page requests (the 2018 RFC); mainline answers them DENY. */
  readonly servicesPri: boolean;
  readonly bind: Program<BindOp>;
  readonly unbind: Program<UnbindOp>;
  /**
   * The notifier's invalidate callback for one notifier (local `mn`: its id) over the range
   * in locals `inv.start` / `inv.end`.
   */
  readonly invalidate: Program;
  /** The notifier's release callback (local `mn`), from __mmu_notifier_release. */
  readonly release: Program;
  /**
   * The SRCU callback that frees a notifier (free_notifier) once the grace period is over: run
   * by the `srcu` actor, outside any thread (or by a thread that frees it at once).
   */
  readonly freeNotifier: (c: KernelCtx, mn: Draft<KObject<unknown>>) => void;
  /**
   * Run by a task's exit before its mmput (local-free: the op's `task`), for a design whose
   * binding belongs to a task rather than to the mm (the 2017 RFC).
   */
  readonly taskExit?: Program;
  /** Further programs the design's steps call by name ("drv:domain_free"). */
  readonly programs?: Readonly<Record<string, Program>>;
}
