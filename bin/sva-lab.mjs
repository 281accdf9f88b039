#!/usr/bin/env node
// The command-line runner. It runs the prebuilt bundle (build/cli/, made by `npm install` or
// `node scripts/build-cli.mjs`) when there is one at least as new as the sources, and
// otherwise the TypeScript sources through tsx, so `npx sva-lab` works with or without a build.
import { readdirSync, statSync } from "node:fs";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("..", import.meta.url));
const built = new URL("../build/cli/main.mjs", import.meta.url);

/** The build's time if it is newer than every source file, else 0. */
function buildIsFresh() {
  let at;
  try {
    at = statSync(built).mtimeMs;
  } catch {
    return false;
  }
  const src = `${root}src`;
  for (const e of readdirSync(src, { recursive: true, withFileTypes: true })) {
    if (!e.isFile() || e.name.endsWith(".test.ts") || e.name.endsWith(".test.tsx")) continue;
    if (statSync(`${e.parentPath ?? e.path}/${e.name}`).mtimeMs > at) return false;
  }
  return true;
}

// A closed pipe (`sva-lab run … | head`) ends the output quietly.
process.stdout.on("error", (e) => {
  if (e.code === "EPIPE") process.exit(process.exitCode ?? 0);
  throw e;
});
let main;
if (process.env.SVA_LAB_FROM_SOURCE !== "1" && buildIsFresh()) ({ main } = await import(built.href));
else {
  const { register } = await import("tsx/esm/api");
  register();
  ({ main } = await import("../src/cli/main.ts"));
}
const io = {
  out: (text) => console.log(text),
  err: (text) => console.error(text),
  env: process.env,
  // Progress rewrites one line of a terminal; in a pipe or a file it would be noise.
  ...(process.stderr.isTTY ? { progress: (text) => process.stderr.write(`\r\x1b[K${text}`) } : {}),
};
process.exitCode = await main(process.argv.slice(2), io);
