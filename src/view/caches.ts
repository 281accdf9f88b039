/**
 * View model of the SMMU's other caches and pending work, shown with the IOTLB and the ATC:
 * the walk cache (level-3 table pointers per ASID and 2 MiB region: stale when the table's
 * frame was freed or reallocated since), the configuration cache (cached STEs, CDs and L1 CD
 * descriptors: stale when the copy differs from memory, the fields that differ named), the transactions the SMMU
 * holds stalled, and the page requests devices wait on.
 */

import type { Pa, World } from "../engine/index.ts";
import {
  CD_L1_DESC,
  CD_LAYOUT,
  CTXDESC_L2_ENTRIES,
  cdL1DescAddr,
  cdL1FirstSsid,
  decode,
  describeOwner,
  frameAt,
  getField,
  type Layout,
  locateSte,
  parseCfgKey,
  readWords,
  STE_LAYOUT,
} from "../engine/index.ts";
import { hexNum } from "./format.ts";
import { cdWords, toPa } from "./nested.ts";
import type { Selection } from "./selection.ts";

export interface CacheRow {
  readonly id: string;
  /** Short columns: tag, what, state. */
  readonly tag: string;
  readonly what: string;
  readonly state: string;
  readonly stale: boolean;
  /** The hover text: why stale, or what it is. */
  readonly why: string;
  readonly select?: Selection;
}

export interface CacheSection {
  readonly id: string;
  readonly title: string;
  /** The column headings. */
  readonly cols: readonly [string, string, string];
  readonly rows: readonly CacheRow[];
  readonly empty: string;
  /** The glossary entry the section is about. */
  readonly term: string;
  /** Rows left out (beyond MAX_ROWS), counted in the title. */
  readonly hidden?: number;
  /** All stale rows, drawn or not. */
  readonly stale?: number;
}

function walkCache(w: World): CacheSection {
  const rows = w.smmu.walkCache.map((e, i): CacheRow => {
    const frame = frameAt(w.mem, e.table as Pa);
    const freed = !frame || frame.owner.kind === "free";
    const moved = !freed && frame.generation !== e.generation;
    const notTable = !freed && !moved && frame.owner.kind !== "pgtable";
    const stale = freed || moved || notTable;
    const region = `${hexNum(e.va)}+2M`;
    const why = freed
      ? `the level-3 table at ${hexNum(e.table)} has been freed: a walk through it reads a free page`
      : moved
        ? `the frame at ${hexNum(e.table)} was reallocated since (now ${describeOwner(frame.owner)})`
        : notTable
          ? `the frame at ${hexNum(e.table)} is ${describeOwner(frame.owner)}`
          : `level-3 table of ${describeOwner(frame.owner)}`;
    return {
      id: `wc:${e.asid}:${e.vmid}:${e.va}:${i}`,
      tag: `${e.asid}`,
      what: `${region} → L3 ${hexNum(e.table)}`,
      state: freed ? "freed" : moved || notTable ? "reused" : "ok",
      stale,
      why: `ASID ${e.asid} VMID ${e.vmid}, VA ${hexNum(e.va)}–${hexNum(e.va + 0x200000 - 1)}: ${why}`,
    };
  });
  return {
    id: "walk",
    title: `SMMU walk cache (${rows.length})`,
    cols: ["ASID", "region → level-3 table", ""],
    rows,
    empty: "empty",
    term: "walk-cache",
  };
}

/** The fields whose values differ between two copies of an entry. */
function differing(layout: Layout, a: readonly bigint[], b: readonly bigint[]): string[] {
  if (a.length === b.length && a.every((x, i) => x === b[i])) return [];
  const da = decode(layout, a);
  const db = decode(layout, b);
  return da.filter((f, i) => f.value !== db[i]?.value).map((f) => f.name);
}

function configCache(w: World): CacheSection {
  const rows: CacheRow[] = [];
  for (const [key, cached] of Object.entries(w.smmu.cfg.ste)) {
    const sid = Number(key);
    const where = locateSte(w, w.smmu.strtab, sid);
    const mem = where.ok ? readWords(w.mem, where.addr, 8) : new Array<bigint>(8).fill(0n);
    const diff = differing(STE_LAYOUT, cached, mem);
    rows.push({
      id: `cfg:ste:${sid}`,
      tag: `STE ${sid}`,
      what: diff.length === 0 ? "same as memory" : `differs: ${diff.join(", ")}`,
      state: diff.length === 0 ? "ok" : "stale",
      stale: diff.length > 0,
      why:
        diff.length === 0
          ? `The SMMU's copy of STE ${sid} matches the stream table.`
          : `The SMMU still uses its copy of STE ${sid}; memory has changed ${diff.join(", ")} since. Only CFGI_STE drops it.`,
      select: { kind: "ste", sid },
    });
  }
  for (const [key, cached] of Object.entries(w.smmu.cfg.cd)) {
    const [sid, ssid] = parseCfgKey(key);
    const dev = w.devices.find((d) => d.sid === sid);
    // Through stage 2 for a VM's device (its CD table is in guest RAM).
    const mem = dev ? cdWords(w, dev, ssid) : new Array<bigint>(8).fill(0n);
    const diff = differing(CD_LAYOUT, cached, mem);
    rows.push({
      id: `cfg:cd:${key}`,
      tag: `CD ${sid}:${ssid}`,
      what: diff.length === 0 ? "same as memory" : `differs: ${diff.join(", ")}`,
      state: diff.length === 0 ? "ok" : "stale",
      stale: diff.length > 0,
      why:
        diff.length === 0
          ? `The SMMU's copy of CD ${ssid} of StreamID ${sid} matches memory.`
          : `The SMMU still uses its copy of CD ${ssid} of StreamID ${sid}; memory has changed ${diff.join(", ")} since. Only CFGI_CD drops it.`,
      select: { kind: "cd", sid, ssid },
    });
  }
  for (const [key, cached] of Object.entries(w.smmu.cfg.l1cd ?? {})) {
    const [sid, index] = parseCfgKey(key);
    const dev = w.devices.find((d) => d.sid === sid);
    // The descriptor's address is an IPA for a VM's device: read it through stage 2.
    const at = dev ? toPa(w, dev, cdL1DescAddr(dev.cdTable, cdL1FirstSsid(index))) : null;
    const mem = at === null ? 0n : (readWords(w.mem, at, 1)[0] ?? 0n);
    const diff = differing(CD_L1_DESC, [cached], [mem]);
    const first = cdL1FirstSsid(index);
    const valid = getField([cached], CD_L1_DESC.fields.V) === 1n;
    rows.push({
      id: `cfg:l1cd:${key}`,
      tag: `L1CD ${sid}:${index}`,
      what: `${valid ? "valid" : "invalid (V=0)"}; ${diff.length === 0 ? "same as memory" : `differs: ${diff.join(", ")}`}`,
      state: diff.length === 0 ? "ok" : "stale",
      stale: diff.length > 0,
      why:
        diff.length === 0
          ? `The SMMU's copy of the L1 CD descriptor for SSIDs ${first}–${first + CTXDESC_L2_ENTRIES - 1} of StreamID ${sid} matches memory.`
          : `The SMMU still uses its copy of the L1 CD descriptor for SSIDs ${first}–${first + CTXDESC_L2_ENTRIES - 1} of StreamID ${sid}; memory has changed ${diff.join(", ")} since. CFGI_CD with LEAF=0 (or CFGI_CD_ALL) drops it; LEAF=1 need not.`,
      select: { kind: "cd", sid, ssid: first },
    });
  }
  return {
    id: "cfg",
    title: `Configuration cache (${rows.length})`,
    cols: ["entry", "cached copy vs memory", ""],
    rows,
    empty: "empty",
    term: "config-cache",
  };
}

function stalls(w: World): CacheSection {
  const rows = w.smmu.stalls.map(
    (s): CacheRow => ({
      id: `stall:${s.stag}`,
      tag: `STAG ${s.stag}`,
      what: `sid ${s.sid}${s.ssid === null ? "" : ` ssid ${s.ssid}`} ${s.write ? "write" : "read"} ${hexNum(s.va)}`,
      state: s.state,
      stale: false,
      why:
        s.state === "stalled"
          ? "Held in the SMMU; the IOPF handler has not taken it yet."
          : s.state === "handling"
            ? "The IOPF handler is resolving it; a CMD_RESUME will answer."
            : `Answered with RESUME ${s.state}; the device retries or gives up at its next step.`,
    }),
  );
  return {
    id: "stalls",
    title: `Stalled transactions (${rows.length})`,
    cols: ["STAG", "transaction", ""],
    rows,
    empty: "none",
    term: "stall",
  };
}

function pageRequests(w: World): CacheSection {
  const rows = w.devices.flatMap((d) =>
    d.prgs.map(
      (p): CacheRow => ({
        id: `prg:${d.name}:${p.prg}`,
        tag: `${d.name} ${p.prg}`,
        what: `${p.pasid === null ? "no PASID" : `PASID ${p.pasid}`} ${p.write ? "write" : "read"} ${hexNum(p.va)}`,
        state: p.response ?? "waiting",
        stale: false,
        why:
          p.response === null
            ? `${d.name} waits for the PRG Response to page request group ${p.prg}.`
            : `Answered ${p.response}; ${d.name} acts on it at its next step.`,
      }),
    ),
  );
  return {
    id: "prgs",
    title: `Page requests (${rows.length})`,
    cols: ["device PRG", "request", ""],
    rows,
    empty: "none",
    term: "prg",
  };
}

/** Rows drawn per section at most (stale ones first): a large run caches hundreds of entries. */
export const MAX_ROWS = 32;

/** Keeps a section readable: its stale rows first, then the others, MAX_ROWS in all. */
function capped(s: CacheSection): CacheSection {
  if (s.rows.length <= MAX_ROWS) return s;
  const rows = [...s.rows.filter((r) => r.stale), ...s.rows.filter((r) => !r.stale)];
  return {
    ...s,
    rows: rows.slice(0, MAX_ROWS),
    hidden: rows.length - MAX_ROWS,
    stale: s.rows.filter((r) => r.stale).length,
  };
}

export function cachesVm(w: World): readonly CacheSection[] {
  return [walkCache(w), configCache(w), stalls(w), pageRequests(w)].map(capped);
}
