#!/usr/bin/env node
// `npm run bench`: the benchmarks, run from the TypeScript sources through tsx.
import { register } from "tsx/esm/api";

register();
const { main } = await import("./main.ts");
await main(process.argv.slice(2));
