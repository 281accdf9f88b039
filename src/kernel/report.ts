/**
 * The trace of a run in the JSON form of CONTRACT §3 (`sva-lab run --json`), shared by the
 * command-line runner, the page and the tests that compare them.
 */

import { getField, hex, hex64 } from "../engine/bits.ts";
import { CMDQ_CONS } from "../engine/cmdq-error.ts";
import { decodeCmd } from "../engine/commands.ts";
import { dict } from "../engine/dict.ts";
import { decodeEvent } from "../engine/events.ts";
import type { TableWrite } from "../engine/table-writes.ts";
import type { TraceEvent } from "../engine/trace.ts";
import type { RunResult } from "./run.ts";

export const TRACE_FORMAT = "sva-lab-trace/1";

export interface TraceCommand {
  readonly step: number;
  readonly consumedAt: number | null;
  readonly op: string;
  readonly words: readonly [string, string];
  readonly [field: string]: unknown;
}

export interface TraceJson {
  readonly format: typeof TRACE_FORMAT;
  /** The kernel release modelled (scenario/releases.ts). */
  readonly kernel: string;
  /** Its driver design. */
  readonly driver: string;
  /**
   * With `runScenario(…, { tables: tableTracker })` (run --json) a step also lists, when it has any,
   * `tables`, `records` and `regs` (docs/trace-tables.md).
   */
  readonly steps: ({ index: number; actor: string; fn: string; text: string } & StepTables)[];
  readonly commands: TraceCommand[];
  readonly events: { step: number; type: string; code: number; sid: number; ssid?: number; addr: string }[];
  /** Every DMA; `path` (toFullTraceJson): the tables the SMMU read for it, or the cache that answered. */
  readonly dma: Record<string, unknown>[];
  /** toFullTraceJson: a VM's commands through its vSMMU, each with the host command it became. */
  readonly guestCommands?: TraceGuestCommand[];
  /** toFullTraceJson: each lifecycle statechart's state changes, with the new state's tags. */
  readonly lifecycles?: TraceLifecycle[];
  readonly pasids: Record<string, number>;
  readonly asids: Record<string, number>;
  readonly violations: { step: number; kind: string; text: string }[];
  readonly stateHash: string;
}

export interface TraceGuestCommand {
  readonly vm: string;
  /** Its running number in the vSMMU's queue, and the step the guest's driver wrote it at. */
  readonly seq: number;
  readonly step: number | null;
  readonly op: string;
  readonly words: readonly [string, string];
  /** The step at which the VMM took it (null: not yet). */
  readonly takenAt: number | null;
  /** What arm_vsmmu_convert_user_cmd made of it, and the host `commands[].seq` it was issued at. */
  readonly host?: { readonly op: string; readonly words: readonly [string, string]; readonly seq?: number };
  /** Why the host refused it (the guest sees CERROR_ILL). */
  readonly error?: string;
  /** A refused command: the step at which the VMM took the CMD_SYNC the guest replaced it with. */
  readonly completedAt?: number;
}

export interface TraceLifecycle {
  readonly step: number;
  readonly machine: string;
  /** The kernel object's id, or the mm's process. */
  readonly object: number | string;
  readonly from: string;
  readonly to: string;
  readonly tags: readonly string[];
}

/** A table write as the trace prints it: addresses and words in hex. */
export type TraceTableWrite = Record<string, unknown> & {
  readonly table: TableWrite["table"];
  readonly addr: string;
  readonly words: string[];
  readonly dwords: readonly number[];
};

export interface TraceRegister {
  readonly value: string;
  /** PROD / CONS: the index and the wrap bit. */
  readonly index?: number;
  readonly wrap?: number;
  /** CMDQ_CONS: the error code while a command error is active. */
  readonly err?: string;
}

export interface StepTables {
  readonly tables?: TraceTableWrite[];
  readonly records?: Record<string, unknown>[];
  readonly regs?: Record<string, TraceRegister>;
}

const hex32 = (v: number) => `0x${(v >>> 0).toString(16).padStart(8, "0")}`;

/** A table write with its ids and words in hex; the hitless writer's stage when it made it. */
function traceTable(t: TableWrite, writer: TraceEvent | undefined): TraceTableWrite {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(t)) {
    if (k === "words") out[k] = (v as bigint[]).map(hex64);
    else if (k === "addr" || k === "va" || k === "ipa" || k === "addrIpa") out[k] = hex(v as number);
    else out[k] = v;
  }
  if (writer?.type === "entry.write" && (t.table === "STE" || t.table === "CD")) {
    out.writer = { stage: writer.stage, stages: writer.stages, hitless: writer.hitless };
  }
  return out as TraceTableWrite;
}

/** A queue register decoded: RD/WR index and wrap bit for a queue of 2^log2size entries. */
function traceRegister(
  name: string,
  value: number,
  log2size: (queue: string) => number | null,
): TraceRegister {
  const queue = name.replace(/_(PROD|CONS)$/, "");
  const log2 = name === queue ? null : log2size(queue);
  if (log2 === null) return { value: hex32(value) };
  const rd = Number(getField([BigInt(value)], CMDQ_CONS.fields.RD));
  const err = name.endsWith("CMDQ_CONS") ? Number(getField([BigInt(value)], CMDQ_CONS.fields.ERR)) : 0;
  return {
    value: hex32(value),
    index: rd % 2 ** log2,
    wrap: Math.floor(rd / 2 ** log2) & 1,
    ...(err !== 0 ? { err: CMDQ_CONS.fields.ERR.values?.[err] ?? String(err) } : {}),
  };
}

/** The decoded fields of a command, addresses in hex, as the trace lists them. */
export function commandFields(words: readonly [bigint, bigint]): {
  op: string;
  fields: Record<string, unknown>;
} {
  const cmd = decodeCmd(words);
  const fields: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(cmd)) {
    if (k === "op") continue;
    fields[k] = k === "addr" ? hex(v as number) : v;
  }
  return { op: cmd.op === "UNKNOWN" ? `UNKNOWN(${hex(cmd.opcode)})` : cmd.op, fields };
}

export function toTraceJson(r: RunResult): TraceJson {
  const commands: TraceCommand[] = [];
  const seqs: number[] = [];
  const consumed = new Map<number, number>();
  const events: TraceJson["events"] = [];
  const dma: TraceJson["dma"] = [];
  const cerrors = new Map<number, { cerror: string; why: string; step: number }>();
  const skipped = new Map<number, number>();
  for (const s of r.steps) {
    for (const e of s.events) {
      if (e.type === "smmu.cmdq.error") {
        cerrors.set(e.seq, {
          cerror: CMDQ_CONS.fields.ERR.values?.[e.cerror] ?? "",
          why: e.why,
          step: s.index,
        });
      } else if (e.type === "cmdq.skip" && e.queue === "cmdq") {
        skipped.set(e.seq, s.index);
      } else if (e.type === "cmdq.insert") {
        const { op, fields } = commandFields(e.words);
        seqs.push(e.seq);
        commands.push({
          step: s.index,
          consumedAt: null,
          op,
          words: [hex64(e.words[0]), hex64(e.words[1])],
          ...fields,
          seq: e.seq,
        });
      } else if (e.type === "smmu.cmd.consume") {
        consumed.set(e.seq, s.index);
      } else if (e.type === "smmu.evtq.record") {
        events.push({
          step: s.index,
          type: e.name,
          code: e.code,
          sid: e.sid,
          ...(e.ssid === null ? {} : { ssid: e.ssid }),
          addr: hex(e.addr),
        });
      } else if (e.type === "dev.dma") {
        const d = e.dma;
        dma.push({
          step: s.index,
          actor: s.actor,
          device: d.device,
          pasid: d.pasid,
          va: hex(d.va),
          access: d.access,
          result: d.result,
          ...(d.via ? { via: d.via } : {}),
          ...(d.pa !== undefined ? { pa: hex(d.pa) } : {}),
          stale: d.stale,
          ...(d.owner ? { owner: d.owner } : {}),
          ...(d.fault ? { fault: d.fault } : {}),
        });
      }
    }
  }
  const withConsumed = commands.map((c, i) => {
    const seq = seqs[i]!;
    const err = cerrors.get(seq);
    // An illegal command: where the SMMU stopped at it, and where the driver overwrote it.
    const extra = err
      ? { cerror: err.cerror, why: err.why, stoppedAt: err.step, skippedAt: skipped.get(seq) ?? null }
      : {};
    return { ...c, consumedAt: consumed.get(seq) ?? null, ...extra };
  });
  // A VM's registers are "<vm>.CMDQ_…": matched whole against each VM's name, never split at
  // the '.', which a VM's name may hold too.
  const own = new Map([
    ["CMDQ", r.final.smmu.cmdq],
    ["EVTQ", r.final.smmu.evtq],
    ["PRIQ", r.final.smmu.priq],
  ]);
  const log2size = (queue: string): number | null => {
    const vm = r.final.vms?.find((v) => queue === `${v.name}.CMDQ`);
    return (vm ? vm.vcmdq : own.get(queue))?.log2size ?? null;
  };
  const stepOf = (s: RunResult["steps"][number]) => {
    const writer = s.events.find((e) => e.type === "entry.write");
    const skips = s.events.flatMap((e) =>
      e.type === "cmdq.skip"
        ? [
            {
              queue: e.queue === "cmdq" ? "cmdq" : `${e.queue}.vcmdq`,
              seq: e.seq,
              addr: hex(e.addr),
              words: e.words.map(hex64),
              was: e.was.map(hex64),
            },
          ]
        : [],
    );
    const records = [
      ...(s.records ?? []).map((q) => {
        const ev = q.queue === "evtq" ? decodeEvent(q.words) : null;
        return {
          queue: q.queue,
          index: q.index,
          addr: hex(q.addr),
          ...(ev ? { type: ev.type === "UNKNOWN" ? `UNKNOWN(${hex(ev.code)})` : ev.type } : {}),
          words: q.words.map(hex64),
        };
      }),
      ...skips,
    ];
    return {
      index: s.index,
      actor: s.actor,
      fn: s.fn,
      text: s.text,
      ...(s.tables ? { tables: s.tables.map((t) => traceTable(t, writer)) } : {}),
      ...(records.length > 0 ? { records } : {}),
      ...(s.regs
        ? {
            regs: Object.fromEntries(
              Object.entries(s.regs).map(([k, v]) => [k, traceRegister(k, v, log2size)]),
            ),
          }
        : {}),
    };
  };
  // Keyed by process names, which may be "constructor" or "__proto__": prototype-free.
  const pasids = dict<number>();
  const asids = dict<number>();
  for (const o of Object.values(r.final.kernel.objects)) {
    if (typeof o.fields.pasid === "number" && !Object.hasOwn(pasids, o.process))
      pasids[o.process] = o.fields.pasid;
    if (typeof o.fields.asid === "number" && !Object.hasOwn(asids, o.process))
      asids[o.process] = o.fields.asid;
  }
  return {
    format: TRACE_FORMAT,
    kernel: r.final.kernel.release,
    driver: r.final.kernel.design,
    steps: r.steps.map(stepOf),
    commands: withConsumed,
    events,
    dma,
    pasids,
    asids,
    violations: r.violations.map((v) => ({ step: v.step, kind: v.kind, text: v.text })),
    stateHash: r.stateHash,
  };
}
