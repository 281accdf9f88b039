/**
 * The driver's side of the command queue (reference §1.3): `arm_smmu_cmdq_issue_cmdlist`
 * writes a batch of commands (and a CMD_SYNC) into the ring and publishes PROD; the caller
 * then waits, in `arm_smmu_cmdq_poll_until_sync`, until the SMMU has consumed the CMD_SYNC.
 *
 * What the model leaves out: the lock-free reservation of slots between CPUs (the scheduler
 * makes each insertion atomic instead), MSI polling (CS=SEV with CONS polling is modelled),
 * and the 1 s timeouts.
 */

import { hex64 } from "../engine/bits.ts";
import { smmuPart } from "../engine/clone.ts";
import { buildCmd, type Cmd, cmdAt, cmdSummary } from "../engine/commands.ts";
import { readWords, writeWords } from "../engine/memory.ts";
import { queueSize, queueSpace, slotAddr } from "../engine/queue.ts";
import type { Recorder } from "../engine/trace.ts";
import type { World } from "../engine/world.ts";
import { AGAIN, type Ctx, type Footprint, locals, type MicroStep, NO_FP, step } from "./program.ts";

export const CMD_SYNC: Cmd = { op: "CMD_SYNC", cs: "SEV" };

/**
 * The heart of `__arm_smmu_cmdq_skip_err` for CERROR_ILL, shared by the host's GERROR handler
 * (gerror.ts) and the guest's driver on its vSMMU (vsmmu.ts): read the command at CONS, log
 * it ("skipping command in error state"), and overwrite it in place with a CMD_SYNC (CS=SEV,
 * as arm_smmu_cmdq_build_cmd makes one without an MSI address). The command's effect is lost.
 * `addr` is the slot's physical address; returns the words that were there.
 */
export function cmdqSkipErr(
  w: World,
  rec: Recorder,
  queue: string,
  seq: number,
  addr: number,
): [bigint, bigint] {
  const was = readWords(w.mem, addr, 2) as [bigint, bigint];
  const words = buildCmd(CMD_SYNC);
  writeWords(w.mem, addr, words);
  rec.record({ type: "cmdq.skip", queue, seq, addr, was, words });
  return was;
}

/** The locals of issueCommands' steps, shared with the callers that cut or wait on a batch. */
export interface CmdqLocals {
  /** The batch's commands not yet written (hex words), while the queue has no space for them. */
  "cmdq.pending"?: readonly string[] | null;
  /** Set where the model cut a livelocked loop: its batch goes without the CMD_SYNC. */
  "cmdq.cut"?: boolean;
  /** PROD past the batch's CMD_SYNC, until it has completed; null: nothing to wait for. */
  "cmdq.wait"?: number | null;
}

const { local, required, setLocal, dropLocal } = locals<CmdqLocals>();

export function hasFault(w: World, name: string): boolean {
  return w.kernel.faults.includes(name);
}

/**
 * Two micro-steps: queue `cmds` (built when the step runs) plus a CMD_SYNC, then wait for
 * the SYNC. `when` skips both; with the `skip-sync` fault no SYNC is queued and nobody waits.
 * A batch larger than the free space is written as space frees up, as batch_add flushes.
 */
export function issueCommands(
  fn: string,
  build: (c: Ctx) => Cmd[],
  opts: { when?: (c: Ctx) => boolean; sync?: boolean; fp?: Footprint } = {},
): MicroStep[] {
  const when = opts.when ?? (() => true);
  const sync = opts.sync ?? true;
  return [
    step(
      fn,
      (c) => {
        let pending = local(c, "cmdq.pending");
        if (pending === null || pending === undefined) {
          const cmds = build(c);
          // A loop the model cut as a livelock never gets to its CMD_SYNC.
          const cut = local(c, "cmdq.cut") === true;
          if (cut) setLocal(c, "cmdq.cut", false);
          if (sync && !cut && !hasFault(c.w, "skip-sync")) cmds.push(CMD_SYNC);
          pending = cmds.flatMap((cmd) => buildCmd(cmd).map(hex64));
        }
        const q = smmuPart(c.w, "cmdq");
        const n = Math.min(pending.length / 2, queueSpace(q));
        for (let i = 0; i < n; i++) {
          const words = cmdAt(pending, i);
          writeWords(c.w.mem, slotAddr(q, q.produced), words);
          c.rec.record({ type: "cmdq.insert", seq: q.produced, words });
          q.produced += 1;
        }
        const rest = pending.slice(2 * n);
        // The explorer's recorder drops the text: decoding the batch back for it is skipped.
        if (!c.rec.silent)
          c.rec.say(
            `Queues ${Array.from({ length: n }, (_, i) => cmdSummary(cmdAt(pending, i))).join(", ")} at PROD and publishes the new PROD to the SMMU${rest.length > 0 ? `; ${rest.length / 2} more wait for space` : ""}.`,
          );
        // What is done is forgotten (dropLocal, not null): a null left behind would tell a later
        // state of the op whether an earlier batch ran or its `when` skipped it.
        if (rest.length > 0) setLocal(c, "cmdq.pending", rest);
        else dropLocal(c, "cmdq.pending");
        if (sync && !hasFault(c.w, "skip-sync")) setLocal(c, "cmdq.wait", q.produced);
        else dropLocal(c, "cmdq.wait");
        return rest.length > 0 ? AGAIN : undefined;
      },
      {
        when,
        // No `when`: nothing to declare; with one, what the caller says it reads.
        ...(opts.when === undefined ? { fp: NO_FP } : opts.fp ? { fp: opts.fp } : {}),
        wait: (c) =>
          queueSpace(c.w.smmu.cmdq) === 0
            ? `the command queue is full (${queueSize(c.w.smmu.cmdq)} entries): waiting for the SMMU`
            : null,
      },
    ),
    step(
      "arm_smmu_cmdq_poll_until_sync",
      (c) => {
        dropLocal(c, "cmdq.wait");
        c.rec.say("The CMD_SYNC has completed: every command queued before it has taken effect.");
        return undefined;
      },
      {
        // Enabled once CONS passed the SYNC, and CONS only grows: its effect cannot change.
        local: true,
        when: (c) => typeof local(c, "cmdq.wait") === "number",
        fp: NO_FP,
        wait: (c) =>
          c.w.smmu.cmdq.consumed < required(c, "cmdq.wait")
            ? "waiting for the SMMU to consume the CMD_SYNC"
            : null,
      },
    ),
  ];
}
