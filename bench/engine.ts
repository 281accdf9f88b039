/**
 * Engine replay speed: micro-steps per second replaying the large scenario (64 processes,
 * 16 devices, 256 bindings, 16k mapped pages), against the same replay keeping a full clone
 * of the world after every step (the naive way to time-travel) as the baseline.
 */

import { runScenario } from "../src/kernel/run.ts";
import { largeScenario } from "../src/scenario/large.ts";

function time<T>(f: () => T): [T, number] {
  const t0 = performance.now();
  const r = f();
  return [r, performance.now() - t0];
}

export function benchEngine(): void {
  const s = largeScenario();
  const [warm] = time(() => runScenario(s));
  const [plain, msPlain] = time(() => runScenario(s));
  const steps = plain.steps.length;
  const small = largeScenario({ processes: 8, devices: 4, pages: 256 });
  const [snap, msSnap] = time(() => runScenario(small, { snapshots: true }));
  const [smallPlain, msSmallPlain] = time(() => runScenario(small));
  console.log(`scenario: ${s.title}; ${steps} micro-steps; ${warm.violations.length} violations`);
  console.log(`replay: ${msPlain.toFixed(0)} ms, ${((steps / msPlain) * 1000).toFixed(0)} micro-steps/s`);
  console.log(
    `baseline (8 processes, clone per step): ${((snap.steps.length / msSnap) * 1000).toFixed(0)} steps/s vs ${((smallPlain.steps.length / msSmallPlain) * 1000).toFixed(0)} steps/s without clones: replay is ${(msSnap / msSmallPlain).toFixed(1)}× faster than cloning every step`,
  );
}
