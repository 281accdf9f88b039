/**
 * Exploration speed on the race ladder (races.ts: 2–6 threads, each design), every run in a
 * child process of its own: states, CPU seconds (user + system), states per CPU-second, wall
 * time, peak RSS and the visited set's bytes per state. Against, in the same run:
 *   - the explorer before its rewrite (BENCH_BEFORE, default f7ca55a: its sources taken with
 *     `git archive` into a temporary folder, run with this repository's node_modules);
 *   - SPIN (when `spin` and `gcc` are installed and the SPIN model is found: SPIN_DIR, or
 *     ../shared/bench/spin above the repository) on the arm-smmu-v3-sva races of 3–5 threads:
 *     its whole check, spin + gcc + pan, as a developer would run it.
 * Each run stops after BENCH_BUDGET CPU seconds (default 60) and is then shown as incomplete
 * with the states it reached. BENCH_RUNGS=3,4 limits the thread counts.
 */

import { execFileSync, spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, symlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { DESIGNS } from "./races.ts";

const repo = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const child = join(repo, "bench", "explore-child.ts");

interface Run {
  readonly states: number;
  readonly complete: boolean;
  readonly cpu: number;
  readonly wall: number;
  readonly rss: number;
  readonly bytes: number | null;
  readonly outcomes: string[];
}

function explore(dir: string, design: string, threads: number, mode: string, budget: number): Run | string {
  const r = spawnSync(
    process.execPath,
    ["--import", "tsx", child, dir, design, String(threads), mode, String(budget)],
    {
      cwd: repo,
      encoding: "utf8",
      maxBuffer: 1 << 24,
    },
  );
  const line = r.stdout.trim().split("\n").pop() ?? "";
  if (r.status !== 0 || !line.startsWith("{"))
    return `failed: ${(r.stderr.trim().split("\n").pop() ?? "").slice(0, 120)}`;
  return JSON.parse(line) as Run;
}

/** The sources of the explorer before its rewrite, in a temporary folder. */
function before(): string | null {
  const commit = process.env.BENCH_BEFORE ?? "f7ca55a";
  const dir = mkdtempSync(join(tmpdir(), "sva-lab-before-"));
  try {
    const tar = execFileSync("git", ["archive", commit, "src"], { cwd: repo, maxBuffer: 1 << 28 });
    execFileSync("tar", ["-x", "-C", dir], { input: tar });
    symlinkSync(join(repo, "node_modules"), join(dir, "node_modules"));
    return dir;
  } catch {
    return null;
  }
}

function spinDir(): string | null {
  const candidates = [
    process.env.SPIN_DIR,
    join(repo, "..", "shared/bench/spin"),
    join(repo, "../..", "shared/bench/spin"),
  ];
  const has = (cmd: string): boolean => spawnSync("sh", ["-c", `command -v ${cmd}`]).status === 0;
  if (!has("spin") || !has("gcc") || !existsSync("/usr/bin/time")) return null;
  return candidates.find((d) => d && existsSync(join(d, "check.sh"))) ?? null;
}

/** SPIN's whole check of the n-thread race: states stored and CPU seconds (children included). */
function spin(dir: string, n: number): { states: number; cpu: number; rss: number } | string {
  const r = spawnSync("/usr/bin/time", ["-f", "TIME %U %S %M", "sh", join(dir, "check.sh"), String(n)], {
    encoding: "utf8",
  });
  const states = /([0-9.e+]+) states, stored/.exec(r.stdout)?.[1];
  const time = /TIME ([0-9.]+) ([0-9.]+) ([0-9]+)/.exec(r.stderr);
  if (!states || !time) return `failed: ${r.stderr.trim().split("\n")[0]}`;
  return { states: Number(states), cpu: Number(time[1]) + Number(time[2]), rss: Number(time[3]) * 1024 };
}

const mib = (b: number): string => `${(b / 2 ** 20).toFixed(0)} MiB`;
const num = (n: number): string => n.toLocaleString("en-US");

function describe(r: Run | string): string {
  if (typeof r === "string") return r;
  const rate = r.states / Math.max(r.cpu, 1e-3);
  return `${num(r.states)} states${r.complete ? "" : " (stopped)"}, ${r.cpu.toFixed(2)} CPU s, ${num(Math.round(rate))} states/CPU-s, ${r.wall.toFixed(2)} s wall, peak ${mib(r.rss)}${r.bytes ? `, ${(r.bytes / r.states).toFixed(0)} B/state visited set` : ""}`;
}

export function benchExplorer(): void {
  const budget = Number(process.env.BENCH_BUDGET ?? 60);
  const rungs = (process.env.BENCH_RUNGS ?? "2,3,4,5,6").split(",").map(Number);
  const old = before();
  const spinAt = spinDir();
  console.log(
    `race ladder, each run a child process, stopped after ${budget} CPU s; before: ${old ? (process.env.BENCH_BEFORE ?? "f7ca55a") : "unavailable (no git history)"}; SPIN: ${spinAt ?? "skipped (spin, gcc or the SPIN model not found)"}`,
  );
  for (const design of DESIGNS) {
    for (const n of rungs) {
      const now = explore(repo, design, n, "reduced", budget);
      console.log(`${design} ${n} threads: ${describe(now)}`);
      if (typeof now === "string") continue;
      console.log(`   outcomes: ${now.outcomes.join(", ")}`);
      if (old) {
        const was = explore(old, design, n, "reduced", budget);
        const ratio =
          typeof was === "string"
            ? ""
            : `: ${(was.states / was.cpu > 0 ? now.states / now.cpu / (was.states / was.cpu) : 0).toFixed(1)}× the states per CPU-second${was.complete && now.complete ? `, ${(was.cpu / now.cpu).toFixed(1)}× less CPU time` : ""}${was.complete && now.complete && was.outcomes.join() !== now.outcomes.join() ? " — OUTCOMES DIFFER" : ""}`;
        console.log(`   before: ${describe(was)}${ratio}`);
      }
      if (spinAt && design === "arm-smmu-v3-sva" && n >= 3 && n <= 5) {
        const s = spin(spinAt, n);
        console.log(
          typeof s === "string"
            ? `   SPIN: ${s}`
            : `   SPIN whole check: ${num(s.states)} states, ${s.cpu.toFixed(2)} CPU s, peak ${mib(s.rss)}: the explorer takes ${(now.cpu / s.cpu).toFixed(1)}× SPIN's CPU time${now.complete ? "" : " (and did not finish)"}, SPIN stores ${(s.states / now.states).toFixed(2)}× the states`,
        );
      }
      if (n === 6) {
        const k2 = explore(repo, design, n, "k2", budget);
        console.log(`   at most 2 preemptions: ${describe(k2)}`);
      }
    }
  }
  if (rungs.includes(4)) {
    const one = explore(repo, "arm-smmu-v3-sva", 4, "reduced", budget);
    const two = explore(repo, "arm-smmu-v3-sva", 4, "w2", budget);
    if (typeof one !== "string" && typeof two !== "string")
      console.log(
        `two worker threads, arm-smmu-v3-sva 4 threads: ${describe(two)}; ${(one.wall / two.wall).toFixed(2)}× faster wall than one thread (${one.wall.toFixed(2)} s), same states: ${one.states === two.states}`,
      );
  }
}
