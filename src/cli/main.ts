/**
 * `sva-lab`, the command-line runner (CONTRACT §2, docs/cli.md). Exit status: 0 ran with no
 * violation, 1 ran and an invariant broke, 2 bad input or a usage error (one line on stderr
 * saying what and where), 3 `explore` stopped before completing without meeting a violation.
 */

import { closeSync, fstatSync, openSync, readSync } from "node:fs";
import { totalmem } from "node:os";
import { join } from "node:path";
import { tableTracker } from "../engine/table-writes.ts";
import { pathLog } from "../engine/xlate-path.ts";
import "../kernel/all.ts";
import { type ExploreOptions, type ExploreReport, exploreScenario } from "../explorer/explore.ts";
import { exploreParallel } from "../explorer/node-parallel.ts";
import { perfettoTrace } from "../export/perfetto.ts";
import { expandSchedule, shortSchedule } from "../export/schedule.ts";
import { textDiagram } from "../export/text-diagram.ts";
import { toTraceJson } from "../kernel/report.ts";
import { toFullTraceJson } from "../kernel/report-full.ts";
import { type RunResult, runScenario, ScheduleError } from "../kernel/run.ts";
import { FAULTS } from "../scenario/faults.ts";
import {
  decodeScenarioUrl,
  encodeScenarioUrl,
  modelNote,
  parseScenarioText,
  SCENARIO_LIMITS,
  scenarioToJson,
} from "../scenario/index.ts";
import { KERNEL_CHANGES } from "../scenario/kernel-changes.ts";
import { looksLikeLink } from "../scenario/link-text.ts";
import { changesIn, DEFAULT_RELEASE, designOf, RELEASE_RANGE, RELEASES } from "../scenario/releases.ts";
import { parseScenario } from "../scenario/schema.ts";
import type { Scenario } from "../scenario/types.ts";
import { type CommandSpec, type ParsedArgs, parseArgs, strictCount, UsageError } from "./args.ts";
import { DEFAULT_BASE, DEFAULT_PORT, ensureBuilt, ROOT, startServer, untilSignal } from "./serve.ts";

const RUN_OPTIONS = {
  "--kernel": "string",
  "--fault": "list",
  "--schedule": "string",
  "--base-url": "string",
} as const;

/** Each command: its arguments, its options, its help. */
const COMMANDS: Readonly<Record<string, CommandSpec & { readonly usage: string; readonly help: string }>> = {
  run: {
    name: "run",
    positional: [1, 1],
    options: {
      ...RUN_OPTIONS,
      "--json": "flag",
      "--format": "string",
      "--until": "count",
      "--links": "flag",
    },
    usage:
      "sva-lab run <file.json | URL | -> [--format human|json|text-diagram|perfetto] [--json] [--until STEP] [--links]",
    help: `Runs a scenario and prints its trace.
  --format human         the trace, one line per micro-step (the default)
  --format json, --json  the trace as JSON (format sva-lab-trace/1)
  --format text-diagram  the interleaving as columns per thread, for a mail (≤ 72 columns
                         with 2–3 threads), cut to the race window, the link last
  --format perfetto      Chrome trace-event JSON, for ui.perfetto.dev or chrome://tracing
  --links                with text-diagram: each kernel function's source link (Elixir)
  --until STEP           stop after STEP micro-steps`,
  },
  explore: {
    name: "explore",
    positional: [1, 1],
    options: {
      ...RUN_OPTIONS,
      "--json": "flag",
      "--max-states": "count",
      "--max-mib": "count",
      "--preemptions": "count",
      "--random": "count",
      "--seed": "count",
      "--full": "flag",
      "--workers": "count",
    },
    usage:
      "sva-lab explore <file.json | URL | -> [--json] [--max-states N] [--max-mib N] [--preemptions K | --random N [--seed S]] [--full] [--workers N]",
    help: `Tries every interleaving of the threads (and of the SMMU, the IRQ threads and SRCU) after
the scenario's schedule, and prints the distinct outcomes: for each, its first violation's
step and op, a short schedule that \`run --schedule\` replays, and its link.
  --max-states N   give up after N distinct states (default: no limit but memory): exit 3
                   if no violation was met by then
  --max-mib N      give up when the visited states take N MiB (default: half the RAM)
  --preemptions K  only the interleavings with at most K preemptions (CHESS), reduced;
                   with --full each one, counted exactly
  --random N       N seeded random interleavings instead (--seed S, default 1)
  --full           no partial-order reduction
  --workers N      split the search over N worker threads (same outcomes and counts)
  --json           the report as JSON (format sva-lab-explore/1; exact counts as strings)
See docs/explorer.md.
Progress goes to stderr while it runs, when stderr is a terminal.`,
  },
  url: {
    name: "url",
    positional: [1, 1],
    options: { "--step": "count", "--base-url": "string" },
    usage: "sva-lab url <file.json | URL | -> [--step N] [--base-url URL]",
    help: "Prints the shareable link of a scenario (of a link: the same scenario, on this base URL).",
  },
  decode: {
    name: "decode",
    positional: [1, 1],
    options: {},
    usage: "sva-lab decode <URL | ->",
    help: "Prints the scenario JSON a link holds (a link as mail left it is read too).",
  },
  faults: {
    name: "faults",
    positional: [0, 0],
    options: {},
    usage: "sva-lab faults",
    help: "Lists the safeguards that can be switched off (--fault NAME, or the scenario's faults).",
  },
  kernels: {
    name: "kernels",
    positional: [0, 0],
    options: { "--json": "flag" },
    usage: "sva-lab kernels [--json]",
    help: "Lists the releases that can be modelled and what changes at each (commit subject and hash).",
  },
  serve: {
    name: "serve",
    positional: [0, 0],
    options: { "--port": "count", "--dist": "string" },
    usage: `sva-lab serve [--port N] [--dist DIR]`,
    help: `Serves the built page on 127.0.0.1 and prints its URL; builds it first (npm run build)
when dist/ is missing. Ctrl-C (SIGINT) or SIGTERM stops it.
  --port N     the port (default ${DEFAULT_PORT}; 0 picks a free one)
  --dist DIR   serve another build of the page`,
  },
  open: {
    name: "open",
    positional: [1, 1],
    options: { "--port": "count", "--dist": "string", "--base-url": "string", "--step": "count" },
    usage: "sva-lab open <file.json | URL | -> [--port N] [--base-url URL] [--step N]",
    help: `Prints the link that opens the scenario in the page. With no base URL (--base-url or
$SVA_LAB_BASE_URL) it also serves the built page on 127.0.0.1, as \`serve\` does, until
Ctrl-C; with one, it prints the link on that host and exits.`,
  },
};

const COMMON = `
run and explore also take:
  --kernel RELEASE   run on that release (${RELEASE_RANGE})
  --fault NAME       switch that safeguard off (repeatable; sva-lab faults lists them)
  --schedule "…"     replace the scenario's schedule: T0 T0×9 smmu×2 T1:op srcu iopf
Printed links start with --base-url URL, else $SVA_LAB_BASE_URL, else ${DEFAULT_BASE}
(the address of \`sva-lab serve\`). A file or link argument may be - (standard input).`;

export const USAGE = `usage:
${Object.values(COMMANDS)
  .map((c) => `  ${c.usage}`)
  .join("\n")}
  sva-lab <command> --help
${COMMON}
Exit status: 0 no violation, 1 a violation, 2 bad input or usage, 3 explore gave up before
completing without meeting a violation.`;

class InputError extends Error {}

export interface Io {
  out(text: string): void;
  err(text: string): void;
  /** Standard input, read whole (for `-`; by default fd 0, capped as a file is). */
  stdin?(): string;
  /** Progress for long searches: set when stderr is a terminal (it rewrites one line). */
  progress?(text: string): void;
  /** The environment (SVA_LAB_BASE_URL). */
  env?: Readonly<Record<string, string | undefined>>;
}

/** Bytes read from a file at most: a scenario's text limit, in UTF-8's widest characters. */
const MAX_FILE_BYTES = SCENARIO_LIMITS.text * 4;

/** A file's text, its size checked before anything is read (`/dev/zero` is not read for ever). */
function readText(path: string): string {
  let fd: number;
  try {
    fd = openSync(path, "r");
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new InputError(`${path}: cannot read the file${code ? ` (${code})` : ""}`);
  }
  try {
    return readCapped(fd, path);
  } finally {
    closeSync(fd);
  }
}

/** What an open file (or standard input, fd 0) holds, up to MAX_FILE_BYTES. */
function readCapped(fd: number, name: string): string {
  try {
    const info = fstatSync(fd);
    if (info.isDirectory()) throw new InputError(`${name}: is a directory, not a scenario file`);
    if (info.isFile() && info.size > MAX_FILE_BYTES) {
      throw new InputError(
        `${name}: the file is too large (${info.size} bytes; the limit is ${MAX_FILE_BYTES})`,
      );
    }
    const chunks: Buffer[] = [];
    let total = 0;
    const buf = Buffer.alloc(64 * 1024);
    for (;;) {
      let n: number;
      try {
        n = readSync(fd, buf, 0, buf.length, null);
      } catch (e) {
        // A non-blocking standard input with nothing yet: wait for it.
        if ((e as NodeJS.ErrnoException).code === "EAGAIN") continue;
        throw e;
      }
      if (n === 0) break;
      total += n;
      if (total > MAX_FILE_BYTES) {
        throw new InputError(`${name}: the file is too large (more than ${MAX_FILE_BYTES} bytes)`);
      }
      chunks.push(Buffer.from(buf.subarray(0, n)));
    }
    return Buffer.concat(chunks).toString("utf8");
  } catch (e) {
    if (e instanceof InputError) throw e;
    const code = (e as NodeJS.ErrnoException).code;
    throw new InputError(`${name}: cannot read it${code ? ` (${code})` : ""}`);
  }
}

interface Loaded {
  readonly scenario: Scenario;
  readonly step?: number;
  /** What the source is called in messages. */
  readonly name: string;
}

/** A scenario from a file, a link, or standard input (`-`: JSON or a link). */
function load(arg: string, io: Io, wantLink = false): Loaded {
  let text = arg;
  let name = "URL";
  let isLink = looksLikeLink(arg);
  if (arg === "-") {
    text = io.stdin ? io.stdin() : readCapped(0, "stdin");
    name = "stdin";
    isLink = !text.trimStart().startsWith("{");
  } else if (!isLink) {
    if (wantLink) throw new InputError(`expected a link (https://…#v1.…), got "${arg.slice(0, 60)}"`);
    const r = parseScenarioText(readText(arg));
    if (!r.ok) throw new InputError(`${arg}: ${r.error}`);
    // What a migration changed (a file from an earlier SVA Lab): one line each, and it opens.
    for (const n of r.notes ?? []) io.err(`sva-lab: ${arg}: note: ${n}`);
    return { scenario: r.value, name: arg };
  }
  if (!isLink && !wantLink) {
    const r = parseScenarioText(text);
    if (!r.ok) throw new InputError(`${name}: ${r.error}`);
    for (const n of r.notes ?? []) io.err(`sva-lab: ${name}: note: ${n}`);
    return { scenario: r.value, name };
  }
  const r = decodeScenarioUrl(text);
  if (!r.ok) throw new InputError(`${name}: ${r.error}`);
  for (const note of r.value.notes ?? []) io.err(`sva-lab: ${name}: ${note}`);
  const model = modelNote(r.value.model);
  if (model !== null) io.err(`sva-lab: note: ${model}`);
  return { scenario: r.value.scenario, name, ...(r.value.step !== undefined ? { step: r.value.step } : {}) };
}

/** The flag a validation error is about, when an override caused it. */
function blame(error: string): string | null {
  if (/^kernel: /.test(error)) return `--kernel: ${error.replace(/^kernel: /, "")}`;
  if (/^faults(\[\d+\])?: /.test(error)) return `--fault: ${error.replace(/^faults(\[\d+\])?: /, "")}`;
  if (/^schedule(\[\d+\])?: /.test(error)) return `--schedule: ${error}`;
  return null;
}

/** The scenario with `--kernel`, `--fault` and `--schedule` applied, validated as a file would be. */
function loadFor(args: ParsedArgs, io: Io): Loaded {
  const loaded = load(args.positional[0]!, io);
  const kernel = args.strings.get("--kernel");
  const faults = args.lists.get("--fault") ?? [];
  const scheduleText = args.strings.get("--schedule");
  if (kernel === undefined && faults.length === 0 && scheduleText === undefined) return loaded;
  let json = scenarioToJson(loaded.scenario) as Record<string, unknown>;
  if (kernel !== undefined) json = { ...json, kernel };
  if (faults.length) json = { ...json, faults: [...new Set([...loaded.scenario.faults, ...faults])] };
  if (scheduleText !== undefined) {
    const schedule = expandSchedule(scheduleText);
    if (!schedule.ok) throw new InputError(`--schedule: ${schedule.error}`);
    json = { ...json, schedule: schedule.value };
  }
  const r = parseScenario(json);
  if (!r.ok) throw new InputError(blame(r.error) ?? `${loaded.name}: ${r.error}`);
  return { ...loaded, scenario: r.value };
}

/** The base of printed links: --base-url, then $SVA_LAB_BASE_URL, then `serve`'s address. */
function baseUrl(args: ParsedArgs, io: Io): string {
  const given = args.strings.get("--base-url");
  const env = io.env?.SVA_LAB_BASE_URL;
  const [raw, where] =
    given !== undefined ? [given, "--base-url"] : env ? [env, "SVA_LAB_BASE_URL"] : [DEFAULT_BASE, ""];
  return normaliseBase(raw, where);
}

/**
 * An http(s) URL without its fragment; a path not ending in `/` or a file name gets one, as
 * the page's assets are relative to it (`https://host/sva-lab` → `https://host/sva-lab/`).
 */
export function normaliseBase(raw: string, where: string): string {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new InputError(`${where}: not a URL: "${raw.slice(0, 60)}" (expected https://host/path/)`);
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") {
    throw new InputError(`${where}: expected an http:// or https:// URL, got "${url.protocol}"`);
  }
  url.hash = "";
  if (!url.pathname.endsWith("/") && !/\.[a-z0-9]+$/i.test(url.pathname)) url.pathname += "/";
  return url.toString();
}

function pad(s: string, n: number): string {
  return s.length >= n ? s : s + " ".repeat(n - s.length);
}

/** The link of a scenario, or the reason there is none (too large for a link). */
function linkOf(scenario: Scenario, base: string, step?: number): string {
  try {
    return encodeScenarioUrl(scenario, { base, ...(step === undefined ? {} : { step }) });
  } catch (e) {
    throw new InputError(e instanceof Error ? e.message : String(e));
  }
}

/** An outcome's link, or null when the scenario is too large for one: the search's result stays. */
function linkOrNull(scenario: Scenario, base: string, step?: number): string | null {
  try {
    return linkOf(scenario, base, step);
  } catch {
    return null;
  }
}

/** The run's actors as a scenario schedule that replays it (short form, then expanded). */
function replaying(scenario: Scenario, r: RunResult): { scenario: Scenario; short: string[] } {
  const short = shortSchedule(
    scenario,
    r.steps.map((s) => s.actor),
  );
  const expanded = expandSchedule(short.join(" "));
  return { scenario: { ...scenario, schedule: expanded.ok ? expanded.value : [] }, short };
}

function run(args: ParsedArgs, io: Io): number {
  const format = args.flags.has("--json") ? "json" : (args.strings.get("--format") ?? "human");
  if (args.flags.has("--json") && args.strings.has("--format") && args.strings.get("--format") !== "json") {
    throw new UsageError("--json and --format disagree", "run");
  }
  if (!["human", "json", "text-diagram", "perfetto"].includes(format)) {
    throw new UsageError(
      `--format: unknown format "${format.slice(0, 30)}" (human, json, text-diagram, perfetto)`,
      "run",
    );
  }
  if (args.flags.has("--links") && format !== "text-diagram") {
    throw new UsageError("--links: only with --format text-diagram", "run");
  }
  const untilText = args.strings.get("--until");
  const until = untilText === undefined ? undefined : strictCount(untilText, "--until", "run");
  const base = baseUrl(args, io);
  const { scenario } = loadFor(args, io);
  // The JSON trace lists each step's table writes, records and registers, and each DMA's
  // translation path (docs/trace-tables.md).
  const result = runScenario(scenario, {
    ...(until === undefined ? {} : { until }),
    ...(format === "json" ? { tables: tableTracker, paths: pathLog } : {}),
  });
  const broke = result.violations.length > 0 ? 1 : 0;
  if (format === "text-diagram") {
    const again = replaying(scenario, result);
    const step = result.violations[0]?.step;
    io.out(
      textDiagram(again.scenario, result, {
        link: linkOf(again.scenario, base, step !== undefined && step >= 0 ? step : undefined),
        schedule: again.short,
        links: args.flags.has("--links"),
      }).trimEnd(),
    );
    return broke;
  }
  if (format === "perfetto") {
    io.out(JSON.stringify(perfettoTrace(scenario, result)));
    return broke;
  }
  const trace = format === "json" ? toFullTraceJson(result) : toTraceJson(result);
  if (format === "json") {
    io.out(JSON.stringify(trace, null, 2));
    return broke;
  }
  io.out(
    `${scenario.title} — kernel ${scenario.kernel} (${scenario.driver})${scenario.faults.length ? `, faults: ${scenario.faults.join(", ")}` : ""}`,
  );
  const cmdsAt = new Map<number, string[]>();
  for (const c of trace.commands) cmdsAt.set(c.step, [...(cmdsAt.get(c.step) ?? []), c.op]);
  for (const s of trace.steps) {
    const cmds = cmdsAt.get(s.index);
    io.out(
      `${pad(String(s.index), 4)} ${pad(s.actor, 6)} ${pad(s.fn, 38)} ${cmds ? `[${cmds.join(" ")}] ` : ""}${s.text}`,
    );
    for (const v of trace.violations.filter((x) => x.step === s.index))
      io.out(`     !! ${v.kind}: ${v.text}`);
  }
  const last = trace.steps.length - 1;
  for (const v of trace.violations.filter((x) => x.step > last || x.step < 0))
    io.out(`!! ${v.kind}: ${v.text}`);
  io.out(`pasids ${JSON.stringify(trace.pasids)} asids ${JSON.stringify(trace.asids)}`);
  io.out(`${trace.violations.length} violation(s); state hash ${trace.stateHash}`);
  return broke;
}

/** Where an outcome first breaks: its step, the actor, the op it was running and its function. */
function firstViolation(scenario: Scenario, r: RunResult) {
  const v = r.violations[0];
  if (!v) return null;
  const s = r.steps[Math.min(Math.max(v.step, 0), r.steps.length - 1)];
  const op =
    s && s.opIndex !== null ? scenario.threads.find((t) => t.name === s.actor)?.ops[s.opIndex] : undefined;
  return {
    step: v.step,
    kind: v.kind,
    ...(s ? { actor: s.actor, fn: s.fn } : {}),
    ...(op && s?.opIndex !== null ? { op: op.op, opIndex: s!.opIndex } : {}),
  };
}

/** What the search covered, in words. */
function coverage(r: ExploreReport): string {
  const m = r.mode;
  return m.kind === "random"
    ? `a random sample of ${m.runs} run(s), seed ${m.seed}`
    : m.kind === "preemptions"
      ? `every interleaving with at most ${m.bound} preemption(s)${m.reduced ? ", partial-order reduced" : ""}`
      : m.kind === "full"
        ? "every interleaving, no reduction"
        : "every interleaving, partial-order reduced";
}

const STOPPED: Record<string, string> = {
  "max-states": "stopped at the state limit",
  "max-bytes": "stopped at the memory limit",
  cancelled: "cancelled",
};

function explore(args: ParsedArgs, io: Io): number {
  const count = (name: string): number | undefined => {
    const text = args.strings.get(name);
    return text === undefined ? undefined : strictCount(text, name, "explore");
  };
  const maxStates = count("--max-states");
  const maxMib = count("--max-mib");
  const preemptions = count("--preemptions");
  const runs = count("--random");
  const seed = count("--seed");
  const workers = count("--workers");
  if (preemptions !== undefined && runs !== undefined)
    throw new UsageError("--preemptions and --random: choose one mode", "explore");
  if (seed !== undefined && runs === undefined)
    throw new UsageError("--seed: only with --random N", "explore");
  if (workers === 0) throw new UsageError("--workers: expected at least 1", "explore");
  const base = baseUrl(args, io);
  const { scenario } = loadFor(args, io);
  let shown = false;
  const started = Date.now();
  const opts: ExploreOptions = {
    // By default the visited set may take half the machine's memory.
    maxBytes: maxMib !== undefined ? maxMib * 2 ** 20 : totalmem() / 2,
    ...(maxStates === undefined ? {} : { maxStates }),
    ...(args.flags.has("--full") ? { reduce: false } : {}),
    ...(preemptions !== undefined ? { preemptions } : {}),
    ...(runs !== undefined ? { random: { runs, seed: seed ?? 1 } } : {}),
    ...(io.progress
      ? {
          onProgress: (states: number, info: { depth: number; bytes: number }) => {
            shown = true;
            const s = Math.max(0.001, (Date.now() - started) / 1000);
            io.progress!(
              `explore: ${states} states… ${Math.round(states / s)} states/s, depth ${info.depth}, ${(info.bytes / 2 ** 20).toFixed(0)} MiB`,
            );
          },
        }
      : {}),
  };
  // One thread unless asked: each worker keeps its own visited set (docs/explorer.md).
  const report =
    workers !== undefined && workers > 1
      ? exploreParallel(scenario, opts, workers)
      : exploreScenario(scenario, opts);
  if (shown) io.progress!("");
  const outcomes = report.outcomes.map((o) => {
    const r = runScenario({ ...scenario, schedule: o.schedule });
    const again = replaying(scenario, r);
    const first = firstViolation(scenario, r);
    return {
      ...o,
      shortSchedule: again.short.join(" "),
      ...(first ? { firstViolation: first } : {}),
      url: linkOrNull(again.scenario, base, first && first.step >= 0 ? first.step : undefined),
    };
  });
  const violated = outcomes.some((o) => o.violations.length > 0);
  const reason = report.stopped
    ? STOPPED[report.stopped]
    : report.mode.kind === "random"
      ? "a sample"
      : undefined;
  if (args.flags.has("--json")) io.out(JSON.stringify({ ...report, outcomes }, null, 2));
  else {
    io.out(
      `${report.complete ? "complete" : `incomplete (${reason ?? "state limit reached"})`}: ${report.states} states, ${report.exactInterleavings} interleavings (${coverage(report)}; depth ${report.maxDepth})`,
    );
    for (const o of outcomes) {
      io.out(`${o.exactCount} × ${o.violations.length ? o.violations.join(", ") : "no violation"}`);
      const f = o.firstViolation;
      if (f) {
        const op = f.op !== undefined ? ` op ${f.opIndex} (${f.op})` : "";
        io.out(`   first: ${f.kind} at step ${f.step}, ${f.actor ?? "?"}${op} in ${f.fn ?? "?"}`);
      }
      io.out(`   schedule ${o.shortSchedule || "(the default policy)"}`);
      io.out(`   ${o.url ?? "(no link: the scenario is too large for one; replay it with run --schedule)"}`);
    }
    if (!report.complete && !violated) {
      io.out("no violation met, but the search stopped before trying every interleaving (exit 3)");
    }
  }
  if (violated) return 1;
  return report.complete ? 0 : 3;
}

function url(args: ParsedArgs, io: Io): number {
  const { scenario, name } = load(args.positional[0]!, io);
  const step = args.strings.get("--step");
  let link: string;
  try {
    link = linkOf(scenario, baseUrl(args, io), step === undefined ? undefined : Number(step));
  } catch (e) {
    // Where, then what: "s.json: the scenario is too large for a link (…)".
    if (e instanceof InputError) throw new InputError(`${name}: ${e.message}`);
    throw e;
  }
  io.out(link);
  return 0;
}

/** `sva-lab kernels`: every release, its design, and the changes that land in it. */
function kernels(args: ParsedArgs, io: Io): number {
  const defaults = new Map(Object.entries(DEFAULT_RELEASE).map(([d, r]) => [r, d]));
  const releases = RELEASES.map((release) => ({
    release,
    design: designOf(release),
    ...(defaults.has(release) ? { defaultFor: defaults.get(release) } : {}),
    changes: changesIn(release).map((c) => c.id),
  }));
  if (args.flags.has("--json")) {
    io.out(JSON.stringify({ format: "sva-lab-kernels/1", releases, changes: KERNEL_CHANGES }, null, 2));
    return 0;
  }
  const byId = new Map(KERNEL_CHANGES.map((c) => [c.id, c]));
  for (const r of releases) {
    const dflt = r.defaultFor ? ` (default for "driver": "${r.defaultFor}")` : "";
    io.out(`${pad(r.release, 9)} ${r.design}${dflt}`);
    for (const id of r.changes) {
      const c = byId.get(id)!;
      io.out(`          + ${id}: ${c.after}`);
      if (c.commit) io.out(`            ${c.commit.hash} ("${c.commit.subject}")`);
    }
  }
  return 0;
}

/** `serve` and `open` without a base URL: serve until a signal; resolves with the exit status. */
async function serving(args: ParsedArgs, io: Io, link: ((base: string) => string) | null): Promise<number> {
  const port = args.strings.has("--port") ? Number(args.strings.get("--port")) : DEFAULT_PORT;
  const dist = args.strings.get("--dist") ?? join(ROOT, "dist");
  const built = ensureBuilt(dist, io.err);
  if (built !== null) throw new InputError(built);
  let served: Awaited<ReturnType<typeof startServer>>;
  try {
    served = await startServer(dist, port);
  } catch (e) {
    throw new InputError(e instanceof Error ? e.message : String(e));
  }
  io.out(link ? link(served.url) : served.url);
  io.err(`sva-lab: serving ${dist} at ${served.url} (Ctrl-C stops)`);
  await untilSignal();
  await served.close();
  return 0;
}

function open(args: ParsedArgs, io: Io): number | Promise<number> {
  const step = args.strings.get("--step");
  const { scenario, step: linked } = load(args.positional[0]!, io);
  const at = step === undefined ? linked : Number(step);
  if (args.strings.has("--base-url") || io.env?.SVA_LAB_BASE_URL) {
    io.out(linkOf(scenario, baseUrl(args, io), at));
    return 0;
  }
  const link = (base: string): string => linkOf(scenario, base, at);
  // The link is made before serving, so a scenario too large for one fails at once.
  link(DEFAULT_BASE);
  return serving(args, io, link);
}

function dispatch(command: string, args: ParsedArgs, io: Io): number | Promise<number> {
  switch (command) {
    case "run":
      return run(args, io);
    case "explore":
      return explore(args, io);
    case "url":
      return url(args, io);
    case "decode":
      io.out(JSON.stringify(scenarioToJson(load(args.positional[0]!, io, true).scenario), null, 2));
      return 0;
    case "kernels":
      return kernels(args, io);
    case "faults":
      for (const [name, text] of Object.entries(FAULTS)) io.out(`${pad(name, 18)} ${text}`);
      return 0;
    case "serve":
      return serving(args, io, null);
    case "open":
      return open(args, io);
    default:
      throw new UsageError(`unknown command "${command}"`, null);
  }
}

function helpOf(command: string): string {
  const c = COMMANDS[command]!;
  return `usage: ${c.usage}\n\n${c.help}\n${command === "run" || command === "explore" ? COMMON : ""}`.trimEnd();
}

function report(e: unknown, io: Io): number {
  if (e instanceof UsageError) {
    const help = e.command ? `sva-lab ${e.command} --help` : "sva-lab --help";
    io.err(`sva-lab: ${e.message} (see ${help})`);
    return 2;
  }
  if (e instanceof InputError || e instanceof ScheduleError) {
    io.err(`sva-lab: ${e.message}`);
    return 2;
  }
  throw e;
}

/**
 * Runs one command; returns its exit status (a promise for `serve` and `open`, which serve
 * until SIGINT or SIGTERM).
 */
export function main(
  argv: readonly string[],
  io: Io = { out: console.log, err: console.error },
): number | Promise<number> {
  const [command, ...rest] = argv;
  if (command === undefined) {
    io.err(USAGE);
    return 2;
  }
  if (command === "--help" || command === "-h" || command === "help") {
    const about = rest[0];
    if (about !== undefined && COMMANDS[about]) io.out(helpOf(about));
    else if (about !== undefined) return report(new UsageError(`help: unknown command "${about}"`, null), io);
    else io.out(USAGE);
    return 0;
  }
  const spec = COMMANDS[command];
  if (!spec) {
    return report(
      new UsageError(
        `unknown command "${command.slice(0, 40)}" (commands: ${Object.keys(COMMANDS).join(", ")})`,
        null,
      ),
      io,
    );
  }
  if (rest.includes("--help") || rest.includes("-h")) {
    io.out(helpOf(command));
    return 0;
  }
  try {
    const status = dispatch(command, parseArgs(spec, rest), io);
    return typeof status === "number" ? status : status.catch((e: unknown) => report(e, io));
  } catch (e) {
    return report(e, io);
  }
}
