/**
 * Benchmarks, each quoted as a ratio against a baseline measured in the same run on the same
 * machine (never as a timed assertion in a test).
 */

import { cpus, totalmem } from "node:os";
import "../src/kernel/all.ts";
import { benchEngine } from "./engine.ts";
import { benchExplorer } from "./explorer.ts";
import { benchPage } from "./page.ts";
import { benchSize } from "./size.ts";
import { benchUrl } from "./url.ts";

export function machine(): string {
  const c = cpus();
  return `${c[0]?.model.trim() ?? "unknown CPU"} × ${c.length}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version}`;
}

const SUITES: Record<string, () => Promise<void> | void> = {
  engine: benchEngine,
  explorer: benchExplorer,
  url: benchUrl,
  size: benchSize,
  page: benchPage,
};

export async function main(args: string[]): Promise<void> {
  console.log(`machine: ${machine()}`);
  const names = args.length > 0 ? args : Object.keys(SUITES);
  for (const name of names) {
    const suite = SUITES[name];
    if (!suite) throw new Error(`unknown benchmark ${name} (have: ${Object.keys(SUITES).join(", ")})`);
    console.log(`\n== ${name}`);
    await suite();
  }
}
