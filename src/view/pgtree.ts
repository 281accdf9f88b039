/**
 * View model of the page-table forest: every process's arm64 table, pgd → L1 → L2 → L3 →
 * pages, read from the table frames, kept readable with thousands of mappings:
 *   - a run of RUN_MIN or more consecutive present pages of one level-3 table, with the same
 *     protection, becomes one range row ("0x10000–0x4ffff · 64 pages rw") that expands;
 *   - a table with more than MAX_CHILDREN rows left groups them into chunks of CHUNK that
 *     expand ("entries 0–15 · 16 pages").
 * Every node knows the VA range it covers, so "Find VA" can find the path to an address.
 */

import type { MmState, Pa, World } from "../engine/index.ts";
import { describeOwner, frameAt, LEVELS } from "../engine/index.ts";
import { levelSpan, type TableEntry, tableEntries, walkSteps } from "../engine/on-demand.ts";
import { hexNum } from "./format.ts";
import { spaceOf, toPa } from "./nested.ts";
import { machineParts } from "./parts.ts";
import { perWorld } from "./per-world.ts";
import { shareEqual } from "./same.ts";

export const RUN_MIN = 8;
export const MAX_CHILDREN = 32;
export const CHUNK = 16;

export type TreeKind = "mm" | "table" | "page" | "run" | "chunk";

export interface TreeNode {
  /** Stable across steps: expansion state and transitions key on it. */
  readonly id: string;
  readonly kind: TreeKind;
  readonly label: string;
  readonly title: string;
  /** The descriptor that points here (the detail view decodes it), or null. */
  readonly descAddr: number | null;
  /** For a table: its physical address. */
  readonly table: number | null;
  /** The VA range covered, [va, vaEnd). */
  readonly va: number;
  readonly vaEnd: number;
  /** A frame that is free or someone else's: a walk through it reads garbage. */
  readonly bad: boolean;
  /** Pages under this node. */
  readonly pages: number;
  /** Runs and chunks start collapsed; tables and mms are always open. */
  readonly collapsible: boolean;
  readonly children: readonly TreeNode[];
}

interface Leaf {
  readonly index: number;
  readonly node: TreeNode;
  readonly prot: string;
}

/** "IPA 0x… " for a guest's addresses (its tables hold IPAs), "" for the host's. */
const ipa = (mm: MmState): string => (mm.vm === undefined ? "" : "IPA ");

function pageNode(w: World, mm: MmState, e: TableEntry): Leaf["node"] & { prot: string } {
  const { slot, va, next } = e;
  const nextPa = toPa(w, mm, next);
  const page = nextPa === null ? undefined : frameAt(w.mem, nextPa as Pa)?.owner;
  const bad = page?.kind !== "data" || page.process !== mm.process;
  const prot = !e.valid ? "none" : e.readOnly ? "r" : "rw";
  return {
    id: `pg:${mm.process}:${hexNum(va)}`,
    kind: "page",
    label: `${hexNum(va)} → ${ipa(mm)}${hexNum(next)} ${prot}`,
    title: `VA ${hexNum(va)} maps ${mm.vm === undefined ? "frame" : `IPA ${hexNum(next)}, which stage 2 maps to frame`} ${nextPa === null ? "none" : hexNum(nextPa)} (${page ? describeOwner(page) : "no frame"}), ${prot}`,
    descAddr: slot,
    table: null,
    va,
    vaEnd: va + levelSpan(LEVELS - 1),
    bad,
    pages: 1,
    collapsible: false,
    children: [],
    prot,
  };
}

/** Groups runs of consecutive pages (same protection, all good or all bad) into range rows. */
function runs(mm: MmState, leaves: readonly Leaf[]): TreeNode[] {
  const out: TreeNode[] = [];
  let i = 0;
  while (i < leaves.length) {
    let j = i + 1;
    while (
      j < leaves.length &&
      leaves[j]!.index === leaves[j - 1]!.index + 1 &&
      leaves[j]!.prot === leaves[i]!.prot &&
      leaves[j]!.node.bad === leaves[i]!.node.bad
    )
      j++;
    const group = leaves.slice(i, j);
    if (group.length >= RUN_MIN) {
      const first = group[0]!.node;
      const last = group[group.length - 1]!.node;
      out.push({
        id: `run:${mm.process}:${hexNum(first.va)}`,
        kind: "run",
        label: `${hexNum(first.va)}–${hexNum(last.vaEnd - 1)} · ${group.length} pages ${group[0]!.prot}`,
        title: `${group.length} consecutive pages from ${hexNum(first.va)}, ${group[0]!.prot}${first.bad ? ", frames not the process's own" : ""}: expand to see each`,
        descAddr: null,
        table: null,
        va: first.va,
        vaEnd: last.vaEnd,
        bad: first.bad,
        pages: group.length,
        collapsible: true,
        children: group.map((l) => l.node),
      });
    } else out.push(...group.map((l) => l.node));
    i = j;
  }
  return out;
}

/** Wraps rows into chunks when a table has too many to read. */
function chunks(parentId: string, rows: TreeNode[]): TreeNode[] {
  if (rows.length <= MAX_CHILDREN) return rows;
  const out: TreeNode[] = [];
  for (let k = 0; k < rows.length; k += CHUNK) {
    const part = rows.slice(k, k + CHUNK);
    const pages = part.reduce((n, r) => n + r.pages, 0);
    const first = part[0]!;
    const last = part[part.length - 1]!;
    out.push({
      id: `${parentId}:chunk:${k / CHUNK}`,
      kind: "chunk",
      label: `${hexNum(first.va)}–${hexNum(last.vaEnd - 1)} · ${part.length} rows, ${pages} page${pages === 1 ? "" : "s"}`,
      title: `Rows ${k + 1}–${k + part.length} of ${rows.length}: expand to see them`,
      descAddr: null,
      table: null,
      va: first.va,
      vaEnd: last.vaEnd,
      bad: part.some((r) => r.bad),
      pages,
      collapsible: true,
      children: part,
    });
  }
  return out;
}

function tableNode(
  w: World,
  mm: MmState,
  table: number,
  level: number,
  base: number,
  descAddr: number | null,
): TreeNode {
  const id = `pt:${mm.process}:${hexNum(table)}`;
  // A guest's table is at an IPA: its entries are read where stage 2 puts it.
  const { at, entries } = tableEntries(w.mem, table, level, base, spaceOf(w, mm));
  const owner = at === null ? undefined : frameAt(w.mem, at as Pa)?.owner;
  const bad = owner?.kind !== "pgtable" || owner.process !== mm.process;
  const rows: TreeNode[] = [];
  const leaves: Leaf[] = [];
  for (const e of entries) {
    if (level < LEVELS - 1) {
      // A PROT_NONE bit only means something in a level-3 entry.
      if (e.valid) rows.push(tableNode(w, mm, e.next, level + 1, e.va, e.slot));
    } else {
      const node = pageNode(w, mm, e);
      leaves.push({ index: e.index, node, prot: node.prot });
    }
  }
  if (leaves.length > 0) rows.push(...runs(mm, leaves));
  const pages = rows.reduce((n, r) => n + r.pages, 0);
  const name = level === 0 ? "pgd" : `L${level}`;
  const vaEnd = level === 0 ? 2 ** 48 : base + levelSpan(level - 1);
  return {
    id,
    kind: "table",
    label: `${name} ${ipa(mm)}${hexNum(table)}${level > 0 ? ` · ${hexNum(base)}+` : ""}`,
    title: `${name} table at ${mm.vm === undefined ? hexNum(table) : `IPA ${hexNum(table)} (PA ${at === null ? "none" : hexNum(at)})`} covering ${hexNum(base)}–${hexNum(vaEnd - 1)}: ${pages} page${pages === 1 ? "" : "s"}${bad ? ` — this frame is now ${owner ? describeOwner(owner) : "unallocated"}` : ""}`,
    descAddr,
    table,
    va: base,
    vaEnd,
    bad,
    pages,
    collapsible: false,
    children: chunks(id, rows),
  };
}

export interface MmForest {
  readonly roots: readonly TreeNode[];
  readonly pages: number;
}

/** Beyond this many processes, each mm's row starts closed and its table is read when opened. */
export const OPEN_ALL = 8;

/**
 * Every process's table, one root row per mm (a freed mm has no table). With more than
 * OPEN_ALL processes only the mms in `open` (by process name) have their tables read.
 */
export function pageForest(w: World, open: ReadonlySet<string> | null = null): MmForest {
  let total = 0;
  const many = w.mms.length > OPEN_ALL;
  const roots = w.mms.map((mm): TreeNode => {
    const live = mm.state !== "freed";
    const read = live && (!many || open === null || open.has(mm.process));
    const root = read ? tableNode(w, mm, mm.pgd, 0, 0, null) : null;
    total += root?.pages ?? 0;
    const summary = [
      `mm ${mm.state}`,
      `mm_users ${mm.users}`,
      `mm_count ${mm.count}`,
      `ASID ${mm.cpuAsid}`,
      mm.pasid === null ? "no PASID" : `PASID ${mm.pasid}`,
    ].join(" · ");
    return {
      id: `mm:${mm.process}`,
      kind: "mm",
      label: `${mm.process}: mm ${mm.state} · mm_users ${mm.users} · mm_count ${mm.count} · ${mm.pasid === null ? "no PASID" : `PASID ${mm.pasid}`}${root ? ` · ${root.pages} page${root.pages === 1 ? "" : "s"}` : ""}`,
      title: `${mm.process}: ${summary}`,
      descAddr: null,
      table: null,
      va: 0,
      vaEnd: 2 ** 48,
      bad: false,
      pages: root?.pages ?? 0,
      collapsible: many && live,
      children: root ? [root] : [],
    };
  });
  return { roots, pages: total };
}

/** A row of the tree as drawn: its depth and whether it is open. */
export interface TreeRow {
  readonly node: TreeNode;
  readonly depth: number;
  readonly open: boolean;
  readonly parent: TreeNode | null;
}

/** The rows to draw: tables always open, runs and chunks only when `expanded` says so. */
export function visibleRows(forest: MmForest, expanded: ReadonlySet<string>): TreeRow[] {
  const out: TreeRow[] = [];
  const visit = (n: TreeNode, depth: number, parent: TreeNode | null): void => {
    const open = !n.collapsible || expanded.has(n.id);
    out.push({ node: n, depth, open, parent });
    if (open) for (const c of n.children) visit(c, depth + 1, n);
  };
  for (const r of forest.roots) visit(r, 0, null);
  return out;
}

export interface FindResult {
  /** The rows on the way to the VA, root first, in each process that maps or tables it. */
  readonly path: readonly string[];
  /** Runs and chunks to open so the page row shows. */
  readonly expand: readonly string[];
  /** The deepest row found (scrolled into view). */
  readonly target: string | null;
  /** One sentence per process: mapped where, or where the walk stops. */
  readonly messages: readonly string[];
  readonly mapped: boolean;
}

/** Parses "0x10000", "10000" (hex) or "65536"… as written: hex unless it is plainly decimal. */
export function parseVa(text: string): number | null {
  const t = text.trim().toLowerCase().replace(/_/g, "");
  if (/^0x[0-9a-f]{1,12}$/.test(t)) return Number.parseInt(t, 16);
  if (/^[0-9a-f]{1,12}$/.test(t) && /[a-f]/.test(t)) return Number.parseInt(t, 16);
  if (/^\d{1,15}$/.test(t)) return Number(t);
  return null;
}

/** How the walk for `va` goes in one process's table: mapped, or the level where it stops. */
function walkMessage(w: World, mm: MmState, va: number): { text: string; mapped: boolean } {
  if (mm.state === "freed")
    return { text: `${mm.process}: the mm is freed, it has no page table.`, mapped: false };
  const { result, steps } = walkSteps(w.mem, mm.pgd, va, spaceOf(w, mm));
  const last = steps.at(-1);
  if (result.ok && last) {
    return {
      text: `${mm.process}: ${hexNum(va)} → ${hexNum(result.pa)} (${last.readOnly ? "read-only" : "read-write"}), through L0 to L3.`,
      mapped: true,
    };
  }
  if (!last)
    return { text: `${mm.process}: stage 2 maps no page at its pgd ${hexNum(mm.pgd)}.`, mapped: false };
  const { level, index } = last;
  const protNone = last.protNone && !last.valid && level === LEVELS - 1;
  return {
    text: protNone
      ? `${mm.process}: ${hexNum(va)} is PROT_NONE: the level-3 entry ${index} keeps frame ${hexNum(last.next)} but is not valid; a walk faults there.`
      : `${mm.process}: ${hexNum(va)} is not mapped: the walk stops at level ${level}, entry ${index} of the ${level === 0 ? "pgd" : `L${level} table`} at ${hexNum(last.tableIn)} is invalid (F_TRANSLATION).`,
    mapped: false,
  };
}

/** The path to `va` in every process's table (or only the root `only`), the rows to open, and what the walk finds. */
export function findVa(w: World, forest: MmForest, va: number, only: string | null = null): FindResult {
  const path: string[] = [];
  const expand: string[] = [];
  let target: string | null = null;
  let mapped = false;
  const messages: string[] = [];
  for (const root of forest.roots) {
    if (only !== null && root.id !== only) continue;
    const mm = w.mms.find((m) => `mm:${m.process}` === root.id);
    if (!mm) continue;
    const m = walkMessage(w, mm, va);
    messages.push(m.text);
    mapped ||= m.mapped;
    // Among many processes (closed mm rows), only those that map the VA open up.
    if (root.collapsible && !m.mapped) {
      path.push(root.id);
      continue;
    }
    let node: TreeNode | undefined = root;
    let deepest: TreeNode = root;
    while (node) {
      path.push(node.id);
      deepest = node;
      if (node.collapsible) expand.push(node.id);
      node = node.children.find((c) => va >= c.va && va < c.vaEnd);
    }
    if (target === null || (m.mapped && deepest.kind === "page")) target = deepest.id;
  }
  return { path, expand, target, messages, mapped };
}

/** The forest with every mm open (few processes), or with all closed (many): what shows first. */
export const fullForestOf = /* @__PURE__ */ perWorld((w: World) => pageForest(w), {
  parts: machineParts,
  share: shareEqual,
});
export const closedForestOf = /* @__PURE__ */ perWorld((w: World) => pageForest(w, new Set()), {
  parts: machineParts,
  share: shareEqual,
});
/** The forest the panel shows first for `w`. */
export const firstForestOf = (w: World): MmForest =>
  w.mms.length > OPEN_ALL ? closedForestOf(w) : fullForestOf(w);
