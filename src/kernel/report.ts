/**
 * The trace of a run in the JSON form of CONTRACT §3 (`sva-lab run --json`), shared by the
 * command-line runner, the page and the tests that compare them.
 */

import { hex, hex64 } from "../engine/bits.ts";
import { decodeCmd } from "../engine/commands.ts";
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
  readonly steps: { index: number; actor: string; fn: string; text: string }[];
  readonly commands: TraceCommand[];
  readonly events: { step: number; type: string; code: number; sid: number; ssid?: number; addr: string }[];
  readonly dma: Record<string, unknown>[];
  readonly pasids: Record<string, number>;
  readonly asids: Record<string, number>;
  readonly violations: { step: number; kind: string; text: string }[];
  readonly stateHash: string;
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
  for (const s of r.steps) {
    for (const e of s.events) {
      if (e.type === "cmdq.insert") {
        const { op, fields } = commandFields(e.words);
        seqs.push(e.seq);
        commands.push({
          step: s.index,
          consumedAt: null,
          op,
          words: [hex64(e.words[0]), hex64(e.words[1])],
          ...fields,
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
  const withConsumed = commands.map((c, i) => ({ ...c, consumedAt: consumed.get(seqs[i]!) ?? null }));
  const pasids: Record<string, number> = {};
  const asids: Record<string, number> = {};
  for (const o of Object.values(r.final.kernel.objects)) {
    if (typeof o.fields.pasid === "number" && !(o.process in pasids)) pasids[o.process] = o.fields.pasid;
    if (typeof o.fields.asid === "number" && !(o.process in asids)) asids[o.process] = o.fields.asid;
  }
  return {
    format: TRACE_FORMAT,
    kernel: r.final.kernel.release,
    driver: r.final.kernel.design,
    steps: r.steps.map((s) => ({ index: s.index, actor: s.actor, fn: s.fn, text: s.text })),
    commands: withConsumed,
    events,
    dma,
    pasids,
    asids,
    violations: r.violations.map((v) => ({ step: v.step, kind: v.kind, text: v.text })),
    stateHash: r.stateHash,
  };
}
