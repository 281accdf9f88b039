/**
 * `sva-lab`, the command-line runner (CONTRACT §2). Exit status: 0 ran with no violation,
 * 1 ran and an invariant broke, 2 bad input (one line on stderr saying what and where).
 */

import { closeSync, fstatSync, openSync, readSync } from "node:fs";
import "../kernel/all.ts";
import { exploreScenario } from "../explorer/explore.ts";
import { FAULTS } from "../kernel/faults.ts";
import { toTraceJson } from "../kernel/report.ts";
import { runScenario, ScheduleError } from "../kernel/run.ts";
import {
  decodeScenarioUrl,
  encodeScenarioUrl,
  modelNote,
  parseScenarioText,
  SCENARIO_LIMITS,
  scenarioToJson,
} from "../scenario/index.ts";
import { KERNEL_CHANGES } from "../scenario/kernel-changes.ts";
import { changesIn, DEFAULT_RELEASE, designOf, RELEASE_RANGE, RELEASES } from "../scenario/releases.ts";
import { parseScenario } from "../scenario/schema.ts";
import type { Scenario } from "../scenario/types.ts";

export const USAGE = `usage:
  sva-lab run <file.json | URL> [--json] [--until STEP]
  sva-lab explore <file.json | URL> [--json] [--max-states N]
  sva-lab url <file.json>
  sva-lab decode <URL>
  sva-lab faults
  sva-lab kernels [--json]

run and explore also take --kernel RELEASE (${RELEASE_RANGE}).`;

class InputError extends Error {}

interface Io {
  out(text: string): void;
  err(text: string): void;
}

const looksLikeUrl = (arg: string): boolean => /^[a-z][a-z0-9+.-]*:\/\//i.test(arg) || arg.startsWith("#");

/**
 * The file's text, reading at most one byte more than a scenario may hold (SCENARIO_LIMITS.text
 * characters take at most 4 bytes each): `/dev/zero` or a huge file is refused after that,
 * not read to the end first.
 */
function readText(path: string): string {
  const max = SCENARIO_LIMITS.text * 4;
  let fd: number | undefined;
  try {
    fd = openSync(path, "r");
    if (fstatSync(fd).isDirectory())
      throw new InputError(`${path}: cannot read the file (it is a directory)`);
    const buf = Buffer.alloc(max + 1);
    let size = 0;
    for (let n = 1; n > 0 && size <= max; size += n) n = readSync(fd, buf, size, max + 1 - size, null);
    if (size > max) throw new InputError(`${path}: the file is too large (more than ${max} bytes)`);
    return buf.toString("utf8", 0, size);
  } catch (e) {
    if (e instanceof InputError) throw e;
    const code = (e as NodeJS.ErrnoException).code;
    throw new InputError(`${path}: cannot read the file${code ? ` (${code})` : ""}`);
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

/**
 * A scenario from a file or a URL, with the step a URL names and its note on the model version.
 * What a migration changed (a scenario from an earlier SVA Lab) goes to stderr, one line each,
 * and the scenario opens.
 */
function load(arg: string | undefined, io: Io): { scenario: Scenario; step?: number; note?: string } {
  if (!arg) throw new InputError("missing the scenario file or URL");
  if (looksLikeUrl(arg)) {
    const r = decodeScenarioUrl(arg);
    if (!r.ok) throw new InputError(`URL: ${r.error}`);
    for (const n of r.value.notes ?? []) io.err(`sva-lab: URL: note: ${n}`);
    const note = modelNote(r.value.model);
    return {
      scenario: r.value.scenario,
      ...(r.value.step !== undefined ? { step: r.value.step } : {}),
      ...(note !== null ? { note } : {}),
    };
  }
  const r = parseScenarioText(readText(arg));
  if (!r.ok) throw new InputError(`${arg}: ${r.error}`);
  for (const n of r.notes ?? []) io.err(`sva-lab: ${arg}: note: ${n}`);
  return { scenario: r.value };
}

/** The link of a scenario, or why there is none (too large: CONTRACT §2's bad input). */
function linkOf(s: Scenario): { url: string } | { error: string } {
  try {
    return { url: encodeScenarioUrl(s) };
  } catch (e) {
    if (e instanceof RangeError) return { error: e.message };
    throw e;
  }
}

function flag(args: string[], name: string): boolean {
  const i = args.indexOf(name);
  if (i < 0) return false;
  args.splice(i, 1);
  return true;
}

function option(args: string[], name: string): number | undefined {
  const i = args.indexOf(name);
  if (i < 0) return undefined;
  const raw = args[i + 1];
  args.splice(i, 2);
  const n = Number(raw);
  if (raw === undefined || !Number.isInteger(n) || n < 0)
    throw new InputError(`${name}: expected a non-negative integer`);
  return n;
}

function stringOption(args: string[], name: string): string | undefined {
  const i = args.indexOf(name);
  if (i < 0) return undefined;
  const raw = args[i + 1];
  args.splice(i, 2);
  if (raw === undefined || raw.startsWith("--")) throw new InputError(`${name}: expected a value`);
  return raw;
}

/**
 * The scenario and the `--kernel` override, validated as if the file had named that release; a
 * link's note on the model version goes to stderr.
 */
function loadFor(args: string[], io: Io): { scenario: Scenario; step?: number } {
  const kernel = stringOption(args, "--kernel");
  const [file, ...rest] = args;
  if (rest.length > 0) throw new InputError(`unexpected argument "${rest[0]}"`);
  const loaded = load(file, io);
  if (loaded.note !== undefined) io.err(`sva-lab: note: ${loaded.note}`);
  if (kernel === undefined) return loaded;
  const r = parseScenario({ ...scenarioToJson(loaded.scenario), kernel });
  if (!r.ok) throw new InputError(`--kernel: ${r.error.replace(/^kernel: /, "")}`);
  return { ...loaded, scenario: r.value };
}

/** `sva-lab kernels`: every release, its design, and the changes that land in it. */
function kernels(args: string[], io: Io): number {
  const json = flag(args, "--json");
  if (args.length > 0) throw new InputError(`kernels: unexpected argument "${args[0]}"`);
  const defaults = new Map(Object.entries(DEFAULT_RELEASE).map(([d, r]) => [r, d]));
  const releases = RELEASES.map((release) => ({
    release,
    design: designOf(release),
    ...(defaults.has(release) ? { defaultFor: defaults.get(release) } : {}),
    changes: changesIn(release).map((c) => c.id),
  }));
  if (json) {
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

function pad(s: string, n: number): string {
  return s.length >= n ? s : s + " ".repeat(n - s.length);
}

function run(args: string[], io: Io): number {
  const json = flag(args, "--json");
  const until = option(args, "--until");
  const { scenario } = loadFor(args, io);
  // The JSON trace lists each step's table writes, records and registers (docs/trace-tables.md).
  const result = runScenario(scenario, { ...(until === undefined ? {} : { until }), tables: json });
  const trace = toTraceJson(result);
  if (json) {
    io.out(JSON.stringify(trace, null, 2));
  } else {
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
  }
  return trace.violations.length > 0 ? 1 : 0;
}

function explore(args: string[], io: Io): number {
  const json = flag(args, "--json");
  const maxStates = option(args, "--max-states");
  const { scenario } = loadFor(args, io);
  const report = exploreScenario(scenario, maxStates === undefined ? {} : { maxStates });
  // An outcome whose link would be too long is printed without one (and says so on stderr
  // once): the search's result is never lost to the link.
  let tooLong: string | undefined;
  const withUrls = {
    ...report,
    outcomes: report.outcomes.map((o) => {
      const link = linkOf({ ...scenario, schedule: o.schedule });
      if ("error" in link) tooLong ??= link.error;
      return "url" in link ? { ...o, url: link.url } : o;
    }),
  };
  if (tooLong !== undefined) io.err(`sva-lab: note: outcomes are printed without their link: ${tooLong}`);
  if (json) io.out(JSON.stringify(withUrls, null, 2));
  else {
    io.out(
      `${report.complete ? "complete" : "incomplete (state limit reached)"}: ${report.states} states, ${report.interleavings} interleavings`,
    );
    for (const o of withUrls.outcomes) {
      io.out(`${o.count} × ${o.violations.length ? o.violations.join(", ") : "no violation"}`);
      io.out(`   schedule ${o.schedule.join(" ")}`);
      if ("url" in o) io.out(`   ${o.url}`);
    }
  }
  return report.outcomes.some((o) => o.violations.length > 0) ? 1 : 0;
}

export function main(argv: readonly string[], io: Io = { out: console.log, err: console.error }): number {
  const args = [...argv];
  const command = args.shift();
  try {
    switch (command) {
      case "run":
        return run(args, io);
      case "explore":
        return explore(args, io);
      case "url": {
        const link = linkOf(load(args[0], io).scenario);
        if ("error" in link) throw new InputError(`${args[0]}: ${link.error}`);
        io.out(link.url);
        return 0;
      }
      case "decode": {
        if (!args[0] || !looksLikeUrl(args[0])) throw new InputError("decode: expected a URL");
        io.out(JSON.stringify(scenarioToJson(load(args[0], io).scenario), null, 2));
        return 0;
      }
      case "kernels":
        return kernels(args, io);
      case "faults":
        for (const [name, text] of Object.entries(FAULTS)) io.out(`${pad(name, 18)} ${text}`);
        return 0;
      case undefined:
      case "help":
      case "--help":
        io.out(USAGE);
        return command === undefined ? 2 : 0;
      default:
        throw new InputError(`unknown command "${command}"\n${USAGE}`);
    }
  } catch (e) {
    if (e instanceof InputError || e instanceof ScheduleError) {
      io.err(`sva-lab: ${e.message}`);
      return 2;
    }
    throw e;
  }
}
