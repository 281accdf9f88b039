// Every lesson's link opens in the page at its step, with the state hash the runner gives there.
import { spawnSync } from "node:child_process";
import { equal, waitForStep } from "./lib/assert.mjs";
import { ROOT } from "./lib/runner.mjs";

function expected() {
  const r = spawnSync(process.execPath, ["--import", "tsx", "e2e/lib/library-expect.ts"], {
    cwd: ROOT,
    encoding: "utf8",
    timeout: 120_000,
  });
  if (r.status !== 0) throw new Error(`library-expect: ${r.stderr}`);
  return JSON.parse(r.stdout);
}

export default [
  {
    name: "every lesson's link opens at its step with the runner's state hash",
    async run(page, ctx) {
      for (const lesson of expected()) {
        await page.goto(`${ctx.base}#${lesson.fragment}`);
        await waitForStep(page, lesson.step, 15_000);
        await page.getByText(`Step ${lesson.step} / ${lesson.steps}`).first().waitFor();
        equal(
          (await page.getByTestId("state-hash").textContent())?.trim(),
          lesson.hashAtStep,
          `${lesson.id}: state hash at step ${lesson.step}`,
        );
      }
    },
  },
];
