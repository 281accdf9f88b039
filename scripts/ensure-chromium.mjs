#!/usr/bin/env node
// Installs what the browser tests need on a fresh Debian machine: Debian's Chromium, which
// Playwright drives (a test tool's own browser download cannot work here). Does nothing when
// Chromium is already there.
import { execFileSync } from "node:child_process";
import { existsSync } from "node:fs";

const chromium = process.env.CHROMIUM_PATH || "/usr/bin/chromium";
if (existsSync(chromium)) {
  console.log(`chromium: ${chromium}`);
} else {
  const root = typeof process.getuid === "function" && process.getuid() === 0;
  const sudo = root ? [] : ["sudo"];
  const run = (args) => {
    const [cmd, ...rest] = [...sudo, ...args];
    execFileSync(cmd, rest, { stdio: "inherit", env: { ...process.env, DEBIAN_FRONTEND: "noninteractive" } });
  };
  console.log("chromium: not found, installing Debian's chromium with apt-get");
  run(["apt-get", "update", "-qq"]);
  run(["apt-get", "install", "-y", "-qq", "chromium", "fonts-dejavu-core"]);
}
