// The command-line runner, for the expected results the page must agree with.
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";

export const ROOT = fileURLToPath(new URL("../..", import.meta.url));

/**
 * `npx sva-lab <args>`; returns stdout. Exit 0 and 1 (a violation) are runs, and so is 3 (an
 * explore that stopped early); 2 is bad input.
 */
export function sva(args) {
  const r = spawnSync("npx", ["--no-install", "sva-lab", ...args], {
    cwd: ROOT,
    encoding: "utf8",
    timeout: 120_000,
  });
  if (r.status !== 0 && r.status !== 1 && r.status !== 3) {
    throw new Error(`sva-lab ${args.join(" ")} exited ${r.status}: ${r.stderr || r.error?.message}`);
  }
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
