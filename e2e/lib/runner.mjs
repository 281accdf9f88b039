// The command-line runner, for the expected results the page must agree with.
import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, readFileSync, statSync } from "node:fs";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

export const ROOT = fileURLToPath(new URL("../..", import.meta.url));
const BIN = join(ROOT, "bin", "sva-lab.mjs");

/** Runs already made in this process: the runner is deterministic, so the same input gives the same output. */
const runs = new Map();

/** What a run's output depends on: its arguments and the contents of the files they name. */
function runKey(args) {
  const h = createHash("sha256");
  for (const a of args) {
    h.update(a).update("\0");
    const file = resolve(ROOT, a);
    if (!a.startsWith("#") && existsSync(file) && statSync(file).isFile())
      h.update(readFileSync(file)).update("\0");
  }
  return h.digest("hex");
}

/**
 * `npx sva-lab <args>`, as node runs the package's bin (npx itself would add most of a second
 * to each call); returns stdout. Exit 0 and 1 (a violation) are runs, and so is 3 (an explore
 * that stopped early); 2 is bad input.
 */
export function sva(args) {
  const key = runKey(args);
  const known = runs.get(key);
  if (known !== undefined) return known;
  const r = spawnSync(process.execPath, [BIN, ...args], {
    cwd: ROOT,
    encoding: "utf8",
    timeout: 120_000,
    maxBuffer: 256 * 1024 * 1024,
  });
  if (r.status !== 0 && r.status !== 1 && r.status !== 3) {
    throw new Error(`sva-lab ${args.join(" ")} exited ${r.status}: ${r.stderr || r.error?.message}`);
  }
  runs.set(key, r.stdout);
  return r.stdout;
}

/** The trace JSON of `sva-lab run <file> --json [--until N]`. */
export function runJson(file, until) {
  const args = ["run", file, "--json", ...(until === undefined ? [] : ["--until", String(until)])];
  return JSON.parse(sva(args));
}

/** The `#v1.…` fragment (without `#`) of a scenario file. */
export function fragmentOf(file) {
  const url = sva(["url", file]).trim();
  const hash = url.indexOf("#");
  if (hash < 0) throw new Error(`sva-lab url printed no fragment: ${url}`);
  return url.slice(hash + 1);
}
