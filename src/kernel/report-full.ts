/**
 * The trace as `sva-lab run --json` prints it: `toTraceJson` (report.ts, which the page shares)
 * with what only the runner's reader needs, kept out of the page's first download
 * (docs/trace-tables.md): each DMA's translation path (recorded when the run was asked for
 * paths, `runScenario(…, { paths: pathLog })`), each guest command with the host command it
 * became, and each lifecycle change with its state's tags.
 */

import { hex, hex64 } from "../engine/bits.ts";
import { stateTags } from "./machine-tags.ts";
import {
  commandFields,
  type TraceGuestCommand,
  type TraceJson,
  type TraceLifecycle,
  toTraceJson,
} from "./report.ts";
import type { RunResult } from "./run.ts";

const ADDRESSES = new Set(["addr", "tableAddr", "ipa", "pa", "va"]);

/** Addresses as hex and words as 64-bit hex, in a translation path (engine/xlate-path.ts). */
function tracePath(v: unknown, key = ""): unknown {
  if (typeof v === "bigint") return hex64(v);
  if (typeof v === "number") return ADDRESSES.has(key) ? hex(v) : v;
  if (Array.isArray(v)) return v.map((x) => tracePath(x));
  if (v !== null && typeof v === "object")
    return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, tracePath(x, k)]));
  return v;
}

const cmdWords = (w: readonly [bigint, bigint]): [string, string] => [hex64(w[0]), hex64(w[1])];

export function toFullTraceJson(r: RunResult): TraceJson {
  const t = toTraceJson(r);
  const paths: unknown[] = [];
  const lifecycles: TraceLifecycle[] = [];
  const guest = new Map<string, TraceGuestCommand>();
  for (const s of r.steps) {
    for (const e of s.events) {
      if (e.type === "dev.dma") paths.push(e.path === undefined ? undefined : tracePath(e.path));
      else if (e.type === "vcmdq.insert") {
        guest.set(`${e.vm}\0${e.seq}`, {
          vm: e.vm,
          seq: e.seq,
          step: s.index,
          op: commandFields(e.words).op,
          words: cmdWords(e.words),
          takenAt: null,
        });
      } else if (e.type === "vcmdq.consume") {
        const key = `${e.vm}\0${e.seq}`;
        const was = guest.get(key);
        if (was?.error !== undefined) {
          // The CMD_SYNC the guest's arm_smmu_cmdq_skip_err put in the refused command's place.
          guest.set(key, { ...was, completedAt: s.index });
          continue;
        }
        guest.set(key, {
          vm: e.vm,
          seq: e.seq,
          step: was?.step ?? null,
          op: was?.op ?? "",
          words: was?.words ?? ["", ""],
          takenAt: s.index,
          ...(e.host
            ? {
                host: {
                  op: commandFields(e.host).op,
                  words: cmdWords(e.host),
                  ...(e.hostSeq === undefined ? {} : { seq: e.hostSeq }),
                },
              }
            : {}),
          ...(e.error === null ? {} : { error: e.error }),
        });
      } else if (e.type === "kernel.lifecycle") {
        const { machine, object, from, to } = e;
        lifecycles.push({ step: s.index, machine, object, from, to, tags: stateTags(machine, to) });
      }
    }
  }
  return {
    ...t,
    // toTraceJson lists one dma[] entry per dev.dma event, in the same order.
    dma: t.dma.map((d, i) => (paths[i] === undefined ? d : { ...d, path: paths[i] })),
    ...(guest.size > 0 ? { guestCommands: [...guest.values()] } : {}),
    lifecycles,
  };
}
