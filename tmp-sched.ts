import "./src/kernel/all.ts";
import { readFileSync } from "node:fs";
import { runScenario } from "./src/kernel/run.ts";
import { parseScenario } from "./src/scenario/schema.ts";
const [file, sched, ...faults] = process.argv.slice(2);
const p = parseScenario(JSON.parse(readFileSync(`src/scenario/library/${file}.json`, "utf8")));
if (!p.ok) throw new Error(p.error);
const schedule = JSON.parse(sched!);
for (const f of [[], ...faults.map((x) => [x])]) {
  try {
    const r = runScenario({ ...p.value, faults: f, schedule });
    console.log(f.join() || "(safe)", "→", r.violations.map((v) => `${v.kind}@${v.step}`).join(",") || "none", "steps", r.steps.length,
      "| actors:", r.steps.map((s) => s.actor[0] === "T" ? s.actor : s.actor[0]).join("").replace(/T0/g, "0").replace(/T1/g, "1").replace(/T2/g, "2"));
  } catch (e) { console.log(f.join() || "(safe)", "ERROR", (e as Error).message); }
}
