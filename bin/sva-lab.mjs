#!/usr/bin/env node
// The command-line runner: runs the TypeScript sources through tsx, so `npx sva-lab` works
// right after `npm install`, with no build step.
import { register } from "tsx/esm/api";

register();
// A closed pipe (`sva-lab run … | head`) ends the output quietly.
process.stdout.on("error", (e) => {
  if (e.code === "EPIPE") process.exit(process.exitCode ?? 0);
  throw e;
});
const { main } = await import("../src/cli/main.ts");
const io = {
  out: (text) => console.log(text),
  err: (text) => console.error(text),
  env: process.env,
  // Progress rewrites one line of a terminal; in a pipe or a file it would be noise.
  ...(process.stderr.isTTY ? { progress: (text) => process.stderr.write(`\r\x1b[K${text}`) } : {}),
};
process.exitCode = await main(process.argv.slice(2), io);
