/**
 * The race as text, for a mail or a commit message (`sva-lab run --format text-diagram`, the
 * page's "Copy as text"; docs/cli.md): a column per thread, and per other actor (the SMMU, the
 * IRQ threads, SRCU) that steps in the window, the kernel functions each runs in order, one row
 * per micro-step, cut to the race window, the violation at the bottom and the link last.
 *
 * The race window runs from the first step whose order matters to the first violation:
 *   - the first step of the earliest op that runs at the same time as an op of another thread
 *     (each op spans its first to its last step; two spans of two threads overlap), as a lock
 *     taken or a CMD_SYNC awaited in one can let the other in;
 *   - when no two ops overlap, the first step of the op of another thread that ran last before
 *     the violating op (the order of those two is what matters), else of the violating op.
 * Without a violation the window ends where the last overlapping op ends. What comes before is
 * summarised (the ops each thread finished), what comes after is counted.
 *
 * Plain ASCII apart from what names and texts hold; fits `width` columns (72) with 2–3 threads
 * and the SMMU; with more columns than fit, each keeps a minimum and the diagram is wider.
 */
import { decodeCmd } from "../engine/commands.ts";
import type { RunResult, StepRecord } from "../kernel/run.ts";
import type { Op, Scenario } from "../scenario/types.ts";
import { sourceLink } from "./source-links.ts";

export interface TextDiagramOptions {
  /** Columns to fit (default 72). */
  readonly width?: number;
  /** The link to the scenario, printed last. */
  readonly link?: string;
  /** The schedule that replays the run, short form (schedule.ts). */
  readonly schedule?: readonly string[];
  /** Footnotes with each kernel function's source link (Elixir, the release's tag). */
  readonly links?: boolean;
}

/** A column's least width; a column needing less (a DMA, a command name) gives the rest to others. */
const MIN_COLUMN = 8;
const GAP = 2;
const NON_THREAD_ORDER = ["smmu", "iopf", "srcu"];

interface Span {
  readonly thread: string;
  readonly op: number;
  readonly start: number;
  end: number;
}

function opSpans(steps: readonly StepRecord[], threads: ReadonlySet<string>): Span[] {
  const spans = new Map<string, Span>();
  for (const s of steps) {
    if (!threads.has(s.actor) || s.opIndex === null) continue;
    const key = `${s.actor}\u0000${s.opIndex}`;
    const span = spans.get(key);
    if (span) span.end = s.index;
    else spans.set(key, { thread: s.actor, op: s.opIndex, start: s.index, end: s.index });
  }
  return [...spans.values()].sort((a, b) => a.start - b.start);
}

const overlap = (a: Span, b: Span): boolean => a.thread !== b.thread && a.start < b.end && b.start < a.end;

/** [first, last] step of the race window (see the file's comment). */
export function raceWindow(r: RunResult, threads: ReadonlySet<string>): { first: number; last: number } {
  const lastStep = r.steps.length - 1;
  const violation = r.violations.length ? Math.min(Math.max(r.violations[0]!.step, 0), lastStep) : null;
  const spans = opSpans(r.steps, threads);
  const limit = violation ?? lastStep;
  const racing = spans.filter((a) => a.start <= limit && spans.some((b) => overlap(a, b)));
  if (racing.length > 0) {
    const last = violation ?? Math.max(...racing.map((s) => s.end));
    return { first: Math.min(...racing.map((s) => s.start)), last };
  }
  if (violation === null) return { first: 0, last: lastStep };
  const at = spans.find((s) => s.start <= violation && violation <= s.end);
  const before = spans.filter((s) => s.end < (at?.start ?? violation) && s.thread !== at?.thread).at(-1);
  return { first: before?.start ?? at?.start ?? Math.max(0, violation), last: violation };
}

/** A short name for an op, as its column header says it. */
function opLabel(op: Op): string {
  if (op.op === "dma") return `dma ${op.access}`;
  return "process" in op && typeof op.process === "string" ? `${op.op} ${op.process}` : op.op;
}

/** What a step shows in its column: the function, or the command the SMMU consumed. */
function cellText(s: StepRecord): string {
  if (s.actor !== "smmu") return s.fn;
  for (const e of s.events) {
    if (e.type === "smmu.cmd.consume") {
      const op = decodeCmd(e.words).op;
      return op === "UNKNOWN" ? "(unknown cmd)" : op;
    }
  }
  return s.fn;
}

const length = (s: string): number => [...s].length;

/** Splits text into lines of at most `width`, breaking after `_ ( , > ` where it can. */
export function wrapText(text: string, width: number): string[] {
  const lines: string[] = [];
  let rest = [...text];
  while (rest.length > width) {
    let cut = -1;
    for (let i = width; i > width / 3; i--) {
      if (/[_(,> \-/]/.test(rest[i - 1]!)) {
        cut = i;
        break;
      }
    }
    if (cut < 0) cut = width;
    lines.push(rest.slice(0, cut).join("").trimEnd());
    rest = rest.slice(cut);
    while (rest[0] === " ") rest.shift();
  }
  if (rest.length > 0 || lines.length === 0) lines.push(rest.join(""));
  return lines;
}

/** Words wrapped to `width`, each line after the first indented by `indent`. */
function paragraph(text: string, width: number, indent = ""): string[] {
  const out: string[] = [];
  let line = "";
  for (const word of text.split(/\s+/).filter(Boolean)) {
    const candidate = line ? `${line} ${word}` : word;
    const room = width - (out.length ? length(indent) : 0);
    if (length(candidate) > room && line) {
      out.push(line);
      line = word;
    } else line = candidate;
  }
  if (line) out.push(line);
  return out
    .map((l, i) => (i ? indent + l : l))
    .flatMap((l) => (length(l) > width ? wrapText(l, width) : [l]));
}

const pad = (s: string, n: number): string => s + " ".repeat(Math.max(0, n - length(s)));

/** Column widths: each as wide as it needs, within a fair share of what the width leaves. */
function columnWidths(needs: readonly number[], room: number): number[] {
  const widths = needs.map((n) => Math.max(MIN_COLUMN, n));
  let total = widths.reduce((a, b) => a + b, 0);
  // Narrow the widest column one step at a time until they fit, none below the minimum.
  while (total > room) {
    const widest = widths.indexOf(Math.max(...widths));
    if (widths[widest]! <= MIN_COLUMN) break;
    widths[widest]! -= 1;
    total -= 1;
  }
  return widths;
}

function summarise(r: RunResult, scenario: Scenario, first: number): string | null {
  if (first <= 0) return null;
  const parts: string[] = [];
  for (const t of scenario.threads) {
    const ops = new Set<number>();
    for (const s of r.steps.slice(0, first)) if (s.actor === t.name && s.opIndex !== null) ops.add(s.opIndex);
    if (ops.size) parts.push(`${t.name} ${[...ops].map((i) => opLabel(t.ops[i]!)).join(", ")}`);
  }
  const others = new Map<string, number>();
  for (const s of r.steps.slice(0, first))
    if (!scenario.threads.some((t) => t.name === s.actor))
      others.set(s.actor, (others.get(s.actor) ?? 0) + 1);
  for (const [actor, n] of others) parts.push(`${actor} ×${n}`);
  return `Steps 0-${first - 1} not shown: ${parts.join("; ")}.`;
}

function tail(r: RunResult, last: number): string | null {
  const after = r.steps.slice(last + 1);
  const more = r.violations.slice(1);
  if (after.length === 0 && more.length === 0) return null;
  const counts = new Map<string, number>();
  for (const s of after) counts.set(s.actor, (counts.get(s.actor) ?? 0) + 1);
  const steps = after.length
    ? `Steps ${last + 1}-${r.steps.length - 1} not shown (${[...counts].map(([a, n]) => `${a} ×${n}`).join(", ")})`
    : "";
  const vs = more.length
    ? `${more.length} more violation${more.length > 1 ? "s" : ""}: ${more
        .slice(0, 4)
        .map((v) => `${v.kind} at step ${v.step}`)
        .join(", ")}${more.length > 4 ? ", …" : ""}`
    : "";
  return `${[steps, vs].filter(Boolean).join("; ")}.`;
}

/**
 * The text diagram of a run.
 *
 * @example
 * textDiagram(scenario, runScenario(scenario), { link: encodeScenarioUrl(scenario) })
 */
export function textDiagram(scenario: Scenario, r: RunResult, opts: TextDiagramOptions = {}): string {
  const width = opts.width ?? 72;
  const threads = new Set(scenario.threads.map((t) => t.name));
  const out: string[] = [];
  out.push(...paragraph(scenario.title, width));
  out.push(
    ...paragraph(
      `kernel ${scenario.kernel} (${scenario.driver})${scenario.faults.length ? `, faults: ${scenario.faults.join(", ")}` : ""}`,
      width,
    ),
  );
  if (r.steps.length === 0) {
    out.push("", "No step ran.");
    if (opts.link) out.push("", opts.link);
    return `${out.join("\n")}\n`;
  }
  const { first, last } = raceWindow(r, threads);
  const shown = r.steps.slice(first, last + 1);
  const before = summarise(r, scenario, first);
  if (before) out.push("", ...paragraph(before, width));

  const present = new Set(shown.map((s) => s.actor));
  const columns = [
    ...scenario.threads.map((t) => t.name).filter((n) => present.has(n)),
    ...NON_THREAD_ORDER.filter((n) => present.has(n)),
    ...[...present].filter((n) => !threads.has(n) && !NON_THREAD_ORDER.includes(n)),
  ];
  const headers = columns.map((name) => {
    const t = scenario.threads.find((x) => x.name === name);
    if (!t) return [name];
    const ops = [
      ...new Set(shown.filter((s) => s.actor === name && s.opIndex !== null).map((s) => s.opIndex!)),
    ];
    return [name, ops.map((i) => opLabel(t.ops[i]!)).join(", ")];
  });
  const gutter = String(last).length + GAP;
  const needs = columns.map((name, c) =>
    Math.max(
      ...headers[c]!.map(length),
      ...shown.filter((s) => s.actor === name).map((s) => length(cellText(s))),
    ),
  );
  const widths = columnWidths(needs, width - gutter - GAP * (columns.length - 1));
  const row = (gut: string, cells: readonly string[]): string =>
    (
      pad(gut, gutter) + cells.map((c, i) => pad(c, i === cells.length - 1 ? 0 : widths[i]! + GAP)).join("")
    ).trimEnd();

  out.push("");
  const headerLines = columns.map((_, c) => headers[c]!.flatMap((h) => wrapText(h, widths[c]!)));
  for (let k = 0; k < Math.max(...headerLines.map((h) => h.length)); k++) {
    out.push(
      row(
        "",
        headerLines.map((h) => h[k] ?? ""),
      ),
    );
  }
  out.push(
    row(
      "",
      widths.map((w) => "-".repeat(Math.min(w, 8))),
    ),
  );
  let blockedMark = false;
  for (const s of shown) {
    const waiting = new Set((r.steps[s.index - 1]?.blocked ?? []).map((b) => b.thread));
    const col = columns.indexOf(s.actor);
    const lines = wrapText(cellText(s), widths[col]!);
    lines.forEach((line, k) => {
      const cells = columns.map((name, c) => {
        if (c === col) return line;
        if (waiting.has(name) && s.actor !== name) {
          blockedMark = true;
          return "|";
        }
        return "";
      });
      out.push(row(k === 0 ? String(s.index) : "", cells));
    });
  }
  if (blockedMark) out.push("", "| waits (for a lock, a CMD_SYNC or a grace period)");

  out.push("");
  const v = r.violations[0];
  if (v) {
    const at = r.steps[Math.min(Math.max(v.step, 0), r.steps.length - 1)]!;
    out.push(...paragraph(`!! ${v.kind} at step ${v.step} (${at.actor}: ${at.fn}): ${v.text}`, width, "   "));
  } else out.push("No violation.");
  const after = tail(r, last);
  if (after) out.push(...paragraph(after, width));

  if (opts.links) {
    const seen = new Set<string>();
    const notes: string[] = [];
    let label = "";
    for (const s of shown) {
      const l = sourceLink(scenario.kernel, s.actor, s.fn);
      if (!l || seen.has(l.ident)) continue;
      seen.add(l.ident);
      label = l.label;
      notes.push(l.url);
    }
    if (notes.length) out.push("", `Source (${label}):`, ...notes);
  }
  if (opts.schedule) {
    const text = opts.schedule.length ? opts.schedule.join(" ") : "(none: the default policy)";
    out.push("", ...paragraph(`Schedule: ${text}`, width, "  "));
  }
  if (opts.link) out.push("", opts.link);
  return `${out.join("\n")}\n`;
}
