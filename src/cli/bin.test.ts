/**
 * The installed entry point, bin/sva-lab.mjs: it runs the prebuilt bundle when there is a fresh
 * one and the TypeScript sources through tsx otherwise (SVA_LAB_FROM_SOURCE=1 forces them); both
 * give the same trace.
 */
import { spawnSync } from "node:child_process";
import { existsSync, statSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const root = fileURLToPath(new URL("../..", import.meta.url));

function bin(env: Record<string, string>, ...args: string[]) {
  const r = spawnSync(process.execPath, ["bin/sva-lab.mjs", ...args], {
    cwd: root,
    encoding: "utf8",
    env: { ...process.env, ...env },
  });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

describe("bin/sva-lab.mjs", () => {
  const lesson = "src/scenario/library/lifecycle.json";

  it("runs from the sources when told to (the fallback without a build)", () => {
    const r = bin({ SVA_LAB_FROM_SOURCE: "1" }, "run", lesson, "--json");
    expect(r.code).toBe(0);
    expect(JSON.parse(r.out).format).toBe("sva-lab-trace/1");
  });

  it.runIf(existsSync(`${root}build/cli/main.mjs`))("gives the same trace from the build", () => {
    const built = bin({}, "run", lesson, "--json");
    const source = bin({ SVA_LAB_FROM_SOURCE: "1" }, "run", lesson, "--json");
    expect(built.code).toBe(0);
    expect(built.out).toBe(source.out);
  });

  // zod's `z` namespace taken whole (`import { z } from "zod"`) brings its locales and JSON
  // Schema converters, 751 kB, and the runner's start time with them (docs/explorer.md).
  it.runIf(existsSync(`${root}build/cli/main.mjs`))("keeps the runner's bundle small", () => {
    expect(statSync(`${root}build/cli/main.mjs`).size).toBeLessThan(500_000);
  });

  it("explores with two worker threads and finds what one thread finds", () => {
    const race = "src/scenario/library/unbind-vs-exit.json";
    const one = JSON.parse(bin({}, "explore", race, "--json", "--workers", "1").out);
    const two = JSON.parse(bin({}, "explore", race, "--json", "--workers", "2").out);
    const summary = (r: {
      states: number;
      exactInterleavings: string;
      outcomes: { violations: string[]; exactCount: string }[];
    }) => [r.states, r.exactInterleavings, r.outcomes.map((o) => [o.violations, o.exactCount])];
    expect(summary(two)).toEqual(summary(one));
  });
});
