/**
 * The page's JavaScript by weight (scripts/bundle-size.mjs): what the first load fetches, gzip,
 * against the budget of issue 4 (under 200 KB; `npm run test:e2e` fails at 200), and all of it.
 */

import { join } from "node:path";
import { fileURLToPath } from "node:url";
// @ts-expect-error: a plain .mjs script without types
import { INITIAL_BUDGET_KB, measure, report } from "../scripts/bundle-size.mjs";
import { ensureBuild } from "./page.ts";

const ROOT = fileURLToPath(new URL("..", import.meta.url));

export function benchSize(): void {
  const dist = process.env.BENCH_DIST;
  if (!dist) ensureBuild();
  const m = measure(dist ?? join(ROOT, "dist"));
  report(m);
  const kb = (m.initialGzip / 1000).toFixed(1);
  console.log(
    `budget: initial JavaScript under ${INITIAL_BUDGET_KB} kB gzip: ${kb} kB (${m.initialGzip < INITIAL_BUDGET_KB * 1000 ? "within" : "OVER"})`,
  );
}
