/**
 * View model of the page-table diagram: each process's arm64 page table as a tree, pgd → L1 →
 * L2 → L3 tables → pages, read from the table frames. Long runs of siblings collapse into one
 * "… N more" node. Each node keeps the address of the descriptor that points at it, which is
 * what the detail view decodes.
 */

import type { MmState, Pa, World } from "../../engine/index.ts";
import { describeOwner, frameAt, getField, LEVELS, mappings, PTE, readWord } from "../../engine/index.ts";
import { hexNum } from "./format.ts";

export interface PtNode {
  /** Stable across steps: the transitions key on it. */
  readonly id: string;
  readonly kind: "table" | "page" | "more";
  /** 0..3 for tables, 4 for pages. */
  readonly level: number;
  readonly label: string;
  /** The hover text. */
  readonly title: string;
  /** Physical address of the descriptor that points here (null for the pgd and "more"). */
  readonly descAddr: number | null;
  /** The frame is free now, or belongs to someone else: a walk through it reads garbage. */
  readonly bad: boolean;
  readonly children?: readonly PtNode[];
}

export interface MmView {
  readonly id: string;
  readonly process: string;
  readonly summary: string;
  readonly root: PtNode | null;
  /** Mapped pages, as `mappings` counts them. */
  readonly pages: number;
}

/** Siblings beyond this many collapse into a "more" node. */
const MAX_SIBLINGS = 8;
const KEEP_HEAD = 4;
const KEEP_TAIL = 2;
const ENTRIES = 512;

const span = (level: number): number => 2 ** (12 + 9 * (3 - level));

function collapse(parentId: string, nodes: PtNode[]): PtNode[] {
  if (nodes.length <= MAX_SIBLINGS) return nodes;
  const hidden = nodes.length - KEEP_HEAD - KEEP_TAIL;
  const more: PtNode = {
    id: `${parentId}:more`,
    kind: "more",
    level: nodes[0]!.level,
    label: `… ${hidden} more`,
    title: `${hidden} entries not drawn`,
    descAddr: null,
    bad: false,
  };
  return [...nodes.slice(0, KEEP_HEAD), more, ...nodes.slice(-KEEP_TAIL)];
}

function tableNode(
  w: World,
  mm: MmState,
  table: Pa,
  level: number,
  base: number,
  descAddr: number | null,
): PtNode {
  const id = `pt:${mm.process}:${hexNum(table)}`;
  const owner = frameAt(w.mem, table)?.owner;
  const bad = owner?.kind !== "pgtable" || owner.process !== mm.process;
  const children: PtNode[] = [];
  for (let i = 0; i < ENTRIES; i++) {
    const slot = table + i * 8;
    const word = readWord(w.mem, slot);
    if (word === 0n) continue;
    const desc = [word];
    const valid = getField(desc, PTE.fields.VALID) === 1n;
    const protNone = getField(desc, PTE.fields.PROT_NONE) === 1n;
    if (!valid && !protNone) continue;
    const next = Number(getField(desc, PTE.fields.OA)) as Pa;
    const va = base + i * span(level);
    if (level < LEVELS - 1) {
      children.push(tableNode(w, mm, next, level + 1, va, slot));
      continue;
    }
    const page = frameAt(w.mem, next)?.owner;
    const pageBad = page?.kind !== "data" || page.process !== mm.process;
    const prot = protNone ? "none" : getField(desc, PTE.fields.AP_RDONLY) === 0n ? "rw" : "r";
    children.push({
      id: `pg:${mm.process}:${hexNum(va)}`,
      kind: "page",
      level: LEVELS,
      label: `${hexNum(va)} → ${hexNum(next)} ${prot}`,
      title: `VA ${hexNum(va)} maps frame ${hexNum(next)} (${page ? describeOwner(page) : "no frame"}), ${prot}`,
      descAddr: slot,
      bad: pageBad,
    });
  }
  const name = level === 0 ? "pgd" : `L${level}`;
  return {
    id,
    kind: "table",
    level,
    label: `${name} ${hexNum(table)}`,
    title: `${name} table at ${hexNum(table)} covering ${hexNum(base)}…, ${children.length} entr${children.length === 1 ? "y" : "ies"}${bad ? ` — this frame is now ${owner ? describeOwner(owner) : "unallocated"}` : ""}`,
    descAddr,
    bad,
    children: collapse(id, children),
  };
}

/** What the panel says of each mm without walking its table: cheap enough for every step. */
export interface MmSummary {
  readonly id: string;
  readonly process: string;
  readonly summary: string;
  readonly live: boolean;
}

export function mmSummaries(w: World): MmSummary[] {
  return w.mms.map((mm) => {
    const parts = [
      `mm ${mm.state}`,
      `mm_users ${mm.users}`,
      `mm_count ${mm.count}`,
      `ASID ${mm.cpuAsid}`,
      mm.pasid === null ? "no PASID" : `PASID ${mm.pasid}`,
    ];
    return {
      id: `mm:${mm.process}`,
      process: mm.process,
      summary: parts.join(" · "),
      live: mm.state !== "freed",
    };
  });
}

/** One mm's table as a tree, and its mapped pages: a walk of the whole table. */
export function mmTree(w: World, process: string): { root: PtNode | null; pages: number } {
  const mm = w.mms.find((m) => m.process === process);
  if (!mm || mm.state === "freed") return { root: null, pages: 0 };
  return { root: tableNode(w, mm, mm.pgd, 0, 0, null), pages: mappings(w.mem, mm.pgd).length };
}

export function pageTablesVm(w: World): MmView[] {
  return mmSummaries(w).map((s) => ({
    id: s.id,
    process: s.process,
    summary: s.summary,
    ...mmTree(w, s.process),
  }));
}
