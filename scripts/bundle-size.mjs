#!/usr/bin/env node
// The page's JavaScript by weight: what the first load fetches (dist/index.html's scripts,
// their modulepreloads and everything those import statically) and everything built, each
// gzipped as a server would send it. `node scripts/bundle-size.mjs [dist] [--max-kb N]`
// exits 1 when the initial JavaScript is N kB gzip or more (npm run test:e2e checks 200, the
// budget of issue 4); `--json` prints the figures for other scripts.
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { gzipSync } from "node:zlib";

const ROOT = fileURLToPath(new URL("..", import.meta.url));
export const INITIAL_BUDGET_KB = 200;

const gz = (buf) => gzipSync(buf, { level: 9 }).length;
/** kB as Vite prints them: 1000 bytes. */
const kb = (n) => (n / 1000).toFixed(1);

/** The files a module imports statically (`import … from "./x.js"`, `import "./x.js"`, `export … from`). */
function staticImports(code) {
  const out = [];
  // Minified output: an import statement starts after `;`, `}` or a line start; `import(` is dynamic.
  const re = /(?:^|[;}\n])\s*(?:import|export)\s*(?:[\w$*{}\s,]*?\s*from\s*)?["']([^"']+\.js)["']/g;
  for (let m = re.exec(code); m !== null; m = re.exec(code)) out.push(m[1]);
  return out;
}

/** `{ initial, all }`: the initial files (with raw and gzip bytes) and every .js file built. */
export function measure(dist = join(ROOT, "dist")) {
  const html = readFileSync(join(dist, "index.html"), "utf8");
  const entries = [
    ...html.matchAll(/<script[^>]*type="module"[^>]*src="([^"]+)"/g),
    ...html.matchAll(/<link[^>]*rel="modulepreload"[^>]*href="([^"]+)"/g),
  ].map((m) => resolve(dist, m[1]));
  const seen = new Set();
  const queue = [...entries];
  while (queue.length > 0) {
    const file = queue.shift();
    if (seen.has(file)) continue;
    seen.add(file);
    const code = readFileSync(file, "utf8");
    for (const spec of staticImports(code))
      if (spec.startsWith(".")) queue.push(resolve(dirname(file), spec));
  }
  const row = (file) => {
    const buf = readFileSync(file);
    return { file: relative(dist, file), raw: buf.length, gzip: gz(buf) };
  };
  const initial = [...seen].map(row).sort((a, b) => b.gzip - a.gzip);
  const js = [];
  const walk = (dir) => {
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      const p = join(dir, e.name);
      // dist/gallery/: the diagram gallery's own build (gallery.html), none of it the page's.
      if (e.isDirectory() && p === join(dist, "gallery")) continue;
      if (e.isDirectory()) walk(p);
      else if (e.name.endsWith(".js")) js.push(p);
    }
  };
  walk(dist);
  const all = js.map(row).sort((a, b) => b.gzip - a.gzip);
  const sum = (rows, k) => rows.reduce((n, r) => n + r[k], 0);
  return {
    initial,
    all,
    initialGzip: sum(initial, "gzip"),
    initialRaw: sum(initial, "raw"),
    totalGzip: sum(all, "gzip"),
    totalRaw: sum(all, "raw"),
  };
}

export function report(m, log = console.log) {
  log(`initial JavaScript (index.html, its modulepreloads and their static imports), gzip:`);
  for (const r of m.initial)
    log(`  ${kb(r.gzip).padStart(7)} kB  (${kb(r.raw).padStart(7)} kB raw)  ${r.file}`);
  log(`  ${kb(m.initialGzip).padStart(7)} kB  (${kb(m.initialRaw).padStart(7)} kB raw)  initial total`);
  log(
    `all JavaScript built: ${kb(m.totalGzip)} kB gzip (${kb(m.totalRaw)} kB raw) in ${m.all.length} files; loaded on demand: ${kb(m.totalGzip - m.initialGzip)} kB gzip`,
  );
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const args = process.argv.slice(2);
  const maxAt = args.indexOf("--max-kb");
  const max = maxAt >= 0 ? Number(args[maxAt + 1]) : null;
  const dist = resolve(
    args.find((a, i) => !a.startsWith("--") && !(maxAt >= 0 && i === maxAt + 1)) ?? join(ROOT, "dist"),
  );
  if (!existsSync(join(dist, "index.html"))) {
    console.error(`${dist}/index.html is missing: run \`npm run build\` first`);
    process.exit(2);
  }
  const m = measure(dist);
  if (args.includes("--json")) console.log(JSON.stringify(m));
  else report(m);
  if (max !== null && m.initialGzip >= max * 1000) {
    console.error(`initial JavaScript is ${kb(m.initialGzip)} kB gzip: the budget is under ${max} kB`);
    process.exit(1);
  }
}
