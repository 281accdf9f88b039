/**
 * The guest kernel's CD writes as a v6.10+ guest makes them (`arm_smmu_write_cd_entry` →
 * `arm_smmu_write_entry`): the whole target CD is built first and written in the stages the
 * used-bits algorithm chooses, each stage followed by CFGI_CD and a CMD_SYNC on the virtual SMMU
 * (which the VMM forwards to the host). Clearing a live CD and writing the release CD both take
 * two stages, so two syncs.
 *
 * The stages of every CD the op writes are planned when the write starts (as entry.ts does for
 * the host) and kept in the thread's locals.
 */

import { hex64 } from "../engine/bits.ts";
import { cdUsedBits } from "../engine/cd.ts";
import { readWords } from "../engine/memory.ts";
import { guestPa } from "../engine/stage2.ts";
import type { DeviceState, VmState } from "../engine/world.ts";
import { findDevice } from "../engine/world.ts";
import { writeEntry } from "../engine/write-entry.ts";
import { type Ctx, control, locals, type Program, step } from "./program.ts";
import { vsidOf, writeGuestWords } from "./vm.ts";
import { guestCommands } from "./vsmmu.ts";

export interface GuestCdTarget {
  readonly device: DeviceState;
  readonly pasid: number;
  /** The IPA of the CD in the guest's table. */
  readonly ipa: number;
  readonly target: readonly bigint[];
}

/**
 * Writes each target CD through the hitless writer: `fn` names the write, `targets` the CDs
 * (evaluated when the write starts), `say` explains a stage.
 */
/** Under the steps' prefix: the planned rows (see below), and the next one to write. */
interface GuestCdLocals {
  [rows: `${string}.rows`]: readonly string[];
  [next: `${string}.i`]: number;
}

const { required, setLocal, dropLocal } = locals<GuestCdLocals>();

export function guestCdWrites(
  prefix: string,
  fn: string,
  vm: (c: Ctx) => VmState,
  vmName: (c: Ctx) => string,
  targets: (c: Ctx) => GuestCdTarget[],
  say: (c: Ctx, device: string, pasid: number, stage: number, stages: number) => string,
): Program {
  // Locals: the stages as [device, pasid, ipa, stage, stages, word0 … word7] rows of strings.
  const rows = (c: Ctx) => required(c, `${prefix}.rows`);
  const at = (c: Ctx) => required(c, `${prefix}.i`);
  const ROW = 13;
  const field = (c: Ctx, k: number) => rows(c)[at(c) * ROW + k]!;
  return [
    control(`${prefix}.plan`, (c) => {
      const out: string[] = [];
      for (const t of targets(c)) {
        const pa = guestPa(c.w, vm(c), t.ipa);
        const stages: bigint[][] = [];
        writeEntry(
          { write: (words) => stages.push([...words]), sync: () => {} },
          readWords(c.w.mem, pa, 8),
          t.target,
          cdUsedBits,
        );
        for (const [i, words] of stages.entries()) {
          out.push(t.device.name, String(t.pasid), String(t.ipa), String(i + 1), String(stages.length));
          out.push(...words.map(hex64));
        }
      }
      setLocal(c, `${prefix}.rows`, out);
      setLocal(c, `${prefix}.i`, 0);
      return undefined;
    }),
    control(`${prefix}.head`, (c) => (at(c) * ROW >= rows(c).length ? `${prefix}.done` : undefined)),
    step(fn, (c) => {
      const words = Array.from({ length: 8 }, (_, k) => BigInt(field(c, 5 + k)));
      writeGuestWords(c.w, vm(c), Number(field(c, 2)), words);
      c.rec.say(say(c, field(c, 0), Number(field(c, 1)), Number(field(c, 3)), Number(field(c, 4))));
      return undefined;
    }),
    ...guestCommands(`arm_smmu_sync_cd (guest)`, vmName, (c) => [
      { op: "CFGI_CD", sid: vsidOf(findDevice(c.w, field(c, 0))), ssid: Number(field(c, 1)), leaf: true },
    ]),
    control(`${prefix}.next`, (c) => {
      setLocal(c, `${prefix}.i`, at(c) + 1);
      return `${prefix}.head`;
    }),
    // The plan is spent: forgotten, as the host's entry writes forget theirs (entry.ts).
    control(`${prefix}.done`, (c) => {
      dropLocal(c, `${prefix}.rows`);
      dropLocal(c, `${prefix}.i`);
      return undefined;
    }),
  ];
}
