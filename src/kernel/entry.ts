/**
 * Writing an STE or a CD the way Linux ≥6.9 does (`arm_smmu_write_entry`): the whole target
 * entry is built first, then applied in the stages the used-bits algorithm chooses, each stage
 * a memory write followed by a sync (CFGI + CMD_SYNC). The stages are planned when the write
 * starts and kept in the thread's locals, so other threads can interleave between them.
 */

import { hex64 } from "../engine/bits.ts";
import type { Cmd } from "../engine/commands.ts";
import { type UsedBits, writeEntry } from "../engine/write-entry.ts";
import { issueCommands } from "./cmdq.ts";
import { type Ctx, control, locals, NO_FP, type Program, step } from "./program.ts";

export interface EntryUpdate {
  /** The entry as memory holds it now. */
  readonly current: (c: Ctx) => bigint[];
  /** The complete target entry (from a `make*` builder). */
  readonly target: (c: Ctx) => bigint[];
  readonly used: UsedBits;
  /** Writes a whole entry to memory. */
  readonly write: (c: Ctx, words: readonly bigint[]) => void;
  /** The invalidation each stage is followed by (CFGI_STE / CFGI_CD for every SID). */
  readonly sync: (c: Ctx) => Cmd[];
  /** Explains a stage: its number and how many there are. */
  readonly say?: (c: Ctx, stage: number, stages: number) => string;
}

/**
 * Under the steps' prefix: the stages writeEntry planned and not yet written (hex words, 8 a
 * stage), how many it planned, and whether the plan is hitless. A written stage is dropped:
 * kept, it told how the entry looked when the write began, and states that differ only in the
 * stages behind the writer were states of their own.
 */
interface EntryLocals {
  [stages: `${string}.stages`]: readonly string[];
  [count: `${string}.n`]: number;
  [hitless: `${string}.hitless`]: boolean;
}

const { required, setLocal, dropLocal } = locals<EntryLocals>();

export function writeEntrySteps(prefix: string, fn: string, syncFn: string, u: EntryUpdate): Program {
  const stages = (c: Ctx) => required(c, `${prefix}.stages`);
  const count = (c: Ctx) => required(c, `${prefix}.n`);
  return [
    control(`${prefix}.plan`, (c) => {
      const planned: string[] = [];
      writeEntry(
        { write: (words) => planned.push(...words.map(hex64)), sync: () => {} },
        u.current(c),
        u.target(c),
        u.used,
      );
      setLocal(c, `${prefix}.stages`, planned);
      setLocal(c, `${prefix}.n`, planned.length / 8);
      // arm_smmu_write_entry is hitless when no stage leaves qword 0 at 0 (V=0).
      setLocal(
        c,
        `${prefix}.hitless`,
        planned.every((h, j) => j % 8 !== 0 || BigInt(h) !== 0n),
      );
      return undefined;
    }),
    control(`${prefix}.head`, (c) => (stages(c).length === 0 ? `${prefix}.done` : undefined), {
      fp: NO_FP,
      targets: ["+1", `${prefix}.done`],
    }),
    step(fn, (c) => {
      const left = stages(c);
      const n = count(c);
      const stage = n - left.length / 8 + 1;
      u.write(
        c,
        left.slice(0, 8).map((h) => BigInt(h)),
      );
      setLocal(c, `${prefix}.stages`, left.slice(8));
      // The trace's table write of this step names its stage (docs/trace-tables.md).
      c.rec.record({
        type: "entry.write",
        stage,
        stages: n,
        hitless: required(c, `${prefix}.hitless`),
      });
      const text = u.say?.(c, stage, n);
      if (text) c.rec.say(text);
      return undefined;
    }),
    ...issueCommands(syncFn, u.sync),
    control(`${prefix}.next`, () => `${prefix}.head`, { fp: NO_FP, targets: [`${prefix}.head`] }),
    // The plan is spent: forgotten, so that how it went leaves nothing in the thread.
    control(
      `${prefix}.done`,
      (c) => {
        dropLocal(c, `${prefix}.stages`);
        dropLocal(c, `${prefix}.n`);
        dropLocal(c, `${prefix}.hitless`);
        return undefined;
      },
      { fp: NO_FP, targets: ["+1"] },
    ),
  ];
}
