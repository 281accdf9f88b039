/**
 * The host driver's GERROR interrupt (`arm_smmu_gerror_handler`, arm-smmu-v3.c), run by the
 * actor "iopf" — the SMMU's interrupt handlers (sim.ts) — before any fault record, as one step:
 *
 *   active = GERROR ^ GERRORN; nothing active → IRQ_NONE
 *   "unexpected global error reported (0x%08x), this could be serious"
 *   CMDQ_ERR → arm_smmu_cmdq_skip_err: "CMDQ error (cons 0x%08x): Illegal command",
 *              "skipping command in error state:" and the two words, then the command at CONS
 *              is overwritten with a CMD_SYNC (cmdq.ts, cmdqSkipErr: the guest's driver does
 *              the same on its vSMMU)
 *   writel(gerror, GERRORN): the acknowledgement restarts the queue at CONS (SMMUv3 §7.1).
 *
 * The skipped command's effect is lost: a TLBI that was illegal invalidates nothing, and the
 * thread that queued it sees its CMD_SYNC complete as if all was well. CERROR_ABT (a fetch
 * abort: "retrying command fetch") and CERROR_ATC_INV_SYNC (the SYNC is retried as it is) do
 * not arise in the model: its memory never aborts and its devices always answer.
 */

import { hex64 } from "../engine/bits.ts";
import { smmuShell } from "../engine/clone.ts";
import { ackGerror, CMDQ_ERR_CERROR, cmdqConsReg, cmdqErrorActive, GERROR } from "../engine/cmdq-error.ts";
import { cmdSummary } from "../engine/commands.ts";
import { slotAddr } from "../engine/queue.ts";
import type { Recorder } from "../engine/trace.ts";
import type { World } from "../engine/world.ts";
import { cmdqSkipErr } from "./cmdq.ts";

/** `GERROR_ERR_MASK`: the GERROR bits the handler looks at. */
const GERROR_ERR_MASK = 0x1fd;

const hex32 = (v: number) => `0x${(v >>> 0).toString(16).padStart(8, "0")}`;

/** A global error is active: the GERROR interrupt is pending. */
export function gerrorPending(w: World): boolean {
  return ((w.smmu.gerror ^ w.smmu.gerrorn) & GERROR_ERR_MASK) !== 0;
}

/** One run of arm_smmu_gerror_handler; returns the step's function name. */
export function armSmmuGerrorHandler(w: World, rec: Recorder): string {
  const s = w.smmu;
  const active = (s.gerror ^ s.gerrorn) & GERROR_ERR_MASK;
  const lines = [`"unexpected global error reported (${hex32(active)}), this could be serious".`];
  if (cmdqErrorActive(s)) {
    const cons = cmdqConsReg(s);
    const seq = s.cmdq.consumed;
    const reason = s.cmdqErr === CMDQ_ERR_CERROR.ILL ? "Illegal command" : `CERROR ${s.cmdqErr}`;
    const was = cmdqSkipErr(w, rec, "cmdq", seq, slotAddr(s.cmdq, seq));
    lines.push(
      `arm_smmu_cmdq_skip_err: "CMDQ error (cons ${hex32(cons)}): ${reason}", "skipping command in error state: ${hex64(was[0])} ${hex64(was[1])}" (${cmdSummary(was)}); the entry at CONS is overwritten with a CMD_SYNC, so that command's effect is lost.`,
    );
  }
  const unhandled = active & ~Number(GERROR.fields.CMDQ_ERR.mask);
  if (unhandled !== 0) lines.push(`Other GERROR bits ${hex32(unhandled)} are only reported.`);
  ackGerror(smmuShell(w));
  lines.push("GERRORN := GERROR acknowledges the error: the SMMU consumes again from CONS.");
  rec.say(lines.join(" "));
  return "arm_smmu_gerror_handler";
}
