/**
 * What changed, at a glance: after each move of the cursor, every entry the panels draw whose
 * text differs from what the panel showed before (a field of an STE or a CD, a queue slot, a
 * cache line, a page-table row, a frame, a refcount, a log line) is marked `data-changed`, with
 * "old → new" in its tooltip; a changed text line inside a diagram's entry (one field) is marked
 * too; each panel scrolls its first change into view; and the panel the step's text is about is
 * outlined (`data-named`).
 *
 * It reads the page (the DOM the panels drew), not the model: the panels stay as they are, and
 * the marks cost nothing at first paint (this module is fetched after it). The scan runs in the
 * animation frame after the step is drawn, not in the key's handling.
 */

import { useLab } from "../../store/store.ts";
import { panelNamed } from "../../view/index.ts";

/** What counts as one entry of a panel. */
const ENTRIES =
  'g[data-id], g.frame, g[data-testid="cache-entry"], g[data-testid="cache-extra"], li, tr, [data-ch]';

/** The panels that show the world (not the steps list, the timeline or the detail view). */
const PANELS = ["strtab", "pgtable", "cmdq", "tlb", "memory", "kernel"];

interface Seen {
  readonly text: string;
  /** A diagram entry's text lines (its fields), in order. */
  readonly fields: readonly string[];
}

interface PanelMemory {
  readonly entries: Map<string, Seen>;
  readonly scrollTop: number;
  readonly scrollLeft: number;
}

const memory = new Map<string, PanelMemory>();
/** The scenario last scanned (its threads, which only a new scenario replaces): another one starts afresh. */
let lastThreads: unknown = null;

const norm = (s: string | null | undefined): string => (s ?? "").replace(/\s+/g, " ").trim();

/** The entry's key: its data-id, else its kind and place among its like. */
function keyOf(el: Element, nth: Map<string, number>): string {
  const id = el.getAttribute("data-id") ?? el.getAttribute("data-ch");
  if (id) return `id:${id}`;
  const kind = `${el.tagName}.${el.getAttribute("class") ?? ""}.${el.getAttribute("data-testid") ?? ""}`;
  const n = nth.get(kind) ?? 0;
  nth.set(kind, n + 1);
  return `${kind}#${n}`;
}

/** The entry's own text: without its tooltip, and without nested entries (a list in a list item). */
function ownText(el: Element): string {
  // A frame of the memory grid says everything in its tooltip; an entry's kind and staleness count too.
  const attrs = `${el.getAttribute("data-kind") ?? ""} ${el.getAttribute("data-stale") ?? ""}`;
  if (el.matches("g.frame")) return norm(`${el.querySelector(":scope > title")?.textContent} ${attrs}`);
  let out = attrs;
  const walk = (n: Node): void => {
    for (const c of n.childNodes) {
      if (c.nodeType === 3) out += c.textContent;
      else if (c instanceof Element && c.tagName !== "title" && !(c !== el && c.matches(ENTRIES))) walk(c);
    }
  };
  walk(el);
  return norm(out);
}

function fieldsOf(el: Element): string[] {
  return el instanceof SVGElement ? [...el.querySelectorAll("text")].map((t) => norm(t.textContent)) : [];
}

/** "old → new" of the words that differ, with a word of context before them. */
export function describeChange(before: string, after: string): string {
  const a = before.split(" ");
  const b = after.split(" ");
  let p = 0;
  while (p < a.length && p < b.length && a[p] === b[p]) p++;
  let s = 0;
  while (s < a.length - p && s < b.length - p && a[a.length - 1 - s] === b[b.length - 1 - s]) s++;
  const ctx = p > 0 ? `${a[p - 1]} ` : "";
  const cut = (w: string[]): string => {
    const t = w.join(" ");
    return t.length > 60 ? `${t.slice(0, 59)}…` : t || "(nothing)";
  };
  return `${ctx}${cut(a.slice(p, a.length - s))} → ${cut(b.slice(p, b.length - s))}`;
}

function note(el: Element, text: string): void {
  if (el instanceof SVGElement) {
    const title = el.querySelector(":scope > title");
    if (title && !title.textContent?.includes("\nchanged: ")) title.textContent += `\nchanged: ${text}`;
  } else {
    el.setAttribute("title", `changed: ${text}`);
  }
  el.setAttribute("data-change", text);
}

function unmark(body: Element): void {
  for (const el of body.querySelectorAll("[data-changed]")) {
    el.removeAttribute("data-changed");
    el.removeAttribute("data-change");
    if (!(el instanceof SVGElement) && el.getAttribute("title")?.startsWith("changed: "))
      el.removeAttribute("title");
  }
  for (const el of body.querySelectorAll("[data-changed-field]")) el.removeAttribute("data-changed-field");
}

/**
 * Entries gone since the panel was last shown (a PTE cleared, a cache line dropped) cannot be
 * marked where they were: a note over the panel's top corner lists them.
 */
function noteRemoved(body: HTMLElement, removed: readonly string[]): void {
  const host = body.parentElement;
  if (!host) return;
  let box = host.querySelector<HTMLElement>(":scope > [data-removed]");
  if (removed.length === 0) {
    box?.remove();
    return;
  }
  if (!box) {
    box = document.createElement("div");
    box.setAttribute("data-removed", "");
    box.setAttribute("role", "note");
    box.className =
      "pointer-events-none absolute right-3 bottom-1 z-10 max-w-[70%] rounded border border-amber-400 bg-amber-50/95 px-1.5 py-0.5 font-mono text-[10px] text-amber-950 shadow-sm dark:border-amber-500 dark:bg-amber-950/95 dark:text-amber-100";
    host.append(box);
  }
  const shown = removed.slice(0, 2).map((t) => (t.length > 48 ? `${t.slice(0, 47)}…` : t));
  box.textContent = `removed: ${shown.join("; ")}${removed.length > 2 ? ` (+${removed.length - 2})` : ""}`;
  box.setAttribute("data-changed", "removed");
}

/** Scrolls `body` (a panel's scroll box) so that `el` is inside it, as little as needed. */
function reveal(body: HTMLElement, el: Element): void {
  const b = body.getBoundingClientRect();
  const r = el.getBoundingClientRect();
  const pad = 6;
  if (r.top < b.top + pad) body.scrollTop -= b.top + pad - r.top;
  else if (r.bottom > b.bottom - pad)
    body.scrollTop += Math.min(r.bottom - (b.bottom - pad), r.top - (b.top + pad));
  if (r.left < b.left + pad) body.scrollLeft -= b.left + pad - r.left;
  else if (r.right > b.right - pad)
    body.scrollLeft += Math.min(r.right - (b.right - pad), r.left - (b.left + pad));
}

/**
 * Beyond this many entries in a panel (the large scenario's 64 processes and 256 bindings) the
 * panel is not scanned: reading every entry's text at each step would cost more than the step.
 */
const MAX_ENTRIES = 400;

/** Scans one panel; returns how many entries changed. */
function scanPanel(id: string, panel: Element, compare: boolean): number {
  const body = panel.querySelector<HTMLElement>("[data-panel-body]");
  if (!body) return 0;
  unmark(body);
  const all = body.querySelectorAll(ENTRIES);
  if (all.length > MAX_ENTRIES) {
    memory.delete(id);
    return 0;
  }
  const before = memory.get(id);
  const scrolled =
    before !== undefined && (before.scrollTop !== body.scrollTop || before.scrollLeft !== body.scrollLeft);
  const now = new Map<string, Seen>();
  const nth = new Map<string, number>();
  let first: Element | null = null;
  let changed = 0;
  for (const el of all) {
    const key = keyOf(el, nth);
    const seen: Seen = { text: ownText(el), fields: fieldsOf(el) };
    now.set(key, seen);
    if (!compare || !before) continue;
    const old = before.entries.get(key);
    // An entry never seen before is new, unless the panel was scrolled since (drawn as it came into view).
    if (old === undefined && (scrolled || before.entries.size === 0)) continue;
    if (old !== undefined && old.text === seen.text) continue;
    el.setAttribute("data-changed", old === undefined ? "new" : "1");
    note(el, old === undefined ? "new" : describeChange(old.text, seen.text));
    if (old !== undefined && seen.fields.length === old.fields.length) {
      const texts = el.querySelectorAll("text");
      seen.fields.forEach((f, i) => {
        if (f !== old.fields[i]) texts[i]?.setAttribute("data-changed-field", "1");
      });
    }
    changed += 1;
    first ??= el.querySelector("[data-changed-field]") ?? el;
  }
  const removed: string[] = [];
  if (compare && before && !scrolled) {
    for (const [key, seen] of before.entries) {
      if (key.startsWith("id:") && !now.has(key) && seen.text !== "") removed.push(seen.text);
    }
  }
  noteRemoved(body, removed);
  if (first) reveal(body, first);
  memory.set(id, { entries: now, scrollTop: body.scrollTop, scrollLeft: body.scrollLeft });
  return changed + removed.length;
}

/** Marks the changes of the step just taken (or of a jump: the difference from what was shown). */
export function markChanges(root: ParentNode = document): void {
  const { result, cursor, scenario } = useLab.getState();
  const step = cursor > 0 ? result.steps[cursor - 1] : undefined;
  const same = scenario.threads === lastThreads;
  lastThreads = scenario.threads;
  const named = step ? panelNamed(step) : null;
  const counts = new Map<string, number>();
  const panels = new Map<string, Element>();
  for (const id of PANELS) {
    const panel = root.querySelector(`[data-testid="panel-${id}"]`);
    if (!panel) {
      memory.delete(id);
      continue;
    }
    panels.set(id, panel);
    counts.set(id, scanPanel(id, panel, cursor > 0 && same));
  }
  // The panel the text names, if the change shows there; else the one that changed most.
  let outline = named;
  if (outline !== null && !counts.get(outline)) {
    const busiest = [...counts].filter(([, n]) => n > 0).sort((a, b) => b[1] - a[1])[0];
    if (busiest) outline = busiest[0];
  }
  for (const [id, panel] of panels) {
    if (id === outline) panel.setAttribute("data-named", "1");
    else panel.removeAttribute("data-named");
  }
  document.body.setAttribute("data-marked", `${cursor}`);
}

/** Takes every mark off (a run that is not marked). */
function clearMarks(): void {
  if (memory.size === 0) return;
  memory.clear();
  lastThreads = null;
  for (const body of document.querySelectorAll<HTMLElement>("[data-panel-body]")) {
    unmark(body);
    noteRemoved(body, []);
  }
  for (const p of document.querySelectorAll("[data-named]")) p.removeAttribute("data-named");
}

/** Marks after every move of the cursor and every new run, in the frame after it is drawn. */
export function startChangeMarks(): () => void {
  let frame = 0;
  const schedule = (): void => {
    cancelAnimationFrame(frame);
    // Two frames: React commits, then the diagrams' effects draw; the marks go on what they drew.
    // A long run (checkpoints, a big world: the 14,000-step benchmark) is not marked: its
    // panels draw only what is in view, and moving their scroll boxes at each step would
    // redraw them between keys (npm run bench -- page measured the step latency doubling).
    if (useLab.getState().result.checkpointEvery > 1) {
      clearMarks();
      return;
    }
    frame = requestAnimationFrame(() => {
      frame = requestAnimationFrame(() => markChanges());
    });
  };
  schedule();
  return useLab.subscribe((s, prev) => {
    if (s.cursor !== prev.cursor || s.result !== prev.result) schedule();
  });
}
