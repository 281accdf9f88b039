// Task vs mm in the page: on rfc-2017 (the RFCv2 binding keyed by the task) task main's exit
// tears the binding down and task worker's DMA faults on a live mm (lost-binding); on rfc-2018
// and the mainline releases the same scenario breaks nothing. The topology shows the mm's tasks
// and mm_users; the Lessons menu groups the design history. Expected values come from the runner.
import { readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { equal, ok, until, waitForStep } from "./lib/assert.mjs";

const LESSON = "src/scenario/library/task-vs-mm.json";
// v5.11–v5.13 refuse SVA without IOPF in the model: the first release that binds is v5.14.
const MAINLINE = ["v5.14", "v5.15", "v6.1", "v6.12"];

/** The lesson with another kernel, as a file the runner reads. */
function onKernel(ctx, kernel) {
  const json = JSON.parse(readFileSync(join(ctx.root, LESSON), "utf8"));
  const file = join(tmpdir(), `sva-e2e-task-vs-mm-${kernel}.json`);
  writeFileSync(file, JSON.stringify({ ...json, kernel }));
  return file;
}

async function stepTo(page, step) {
  await page.keyboard.press("Home");
  await waitForStep(page, 0);
  for (let i = 0; i < step; i++) await page.keyboard.press("ArrowRight");
  await waitForStep(page, step);
}

async function toEnd(page, steps) {
  await page.keyboard.press("End");
  await waitForStep(page, steps);
}

export default [
  {
    name: "task-vs-mm: on rfc-2017 main's exit tears the binding down and worker's DMA faults (lost-binding)",
    async run(page, ctx) {
      const trace = ctx.runJson(LESSON);
      equal(trace.kernel, "rfc-2017", "the lesson's kernel");
      equal(
        trace.violations.map((v) => v.kind),
        ["lost-binding"],
        "the runner's violations",
      );
      equal(
        trace.dma.map((d) => [d.result, d.fault ?? null]),
        [
          ["ok", null],
          ["fault", "C_BAD_CD"],
        ],
        "worker's first DMA translates, its second faults on the cleared CD",
      );

      await page.goto(`${ctx.base}#lesson=task-vs-mm`);
      await page.getByText(`Step 0 / ${trace.steps.length}`).waitFor();
      // The topology: one mm, two tasks, one mm_users reference each.
      const mm = page.getByTestId("topology-detail").locator('[data-node="mm:app"]');
      await mm.waitFor();
      await until(async () => {
        const t = await mm.textContent();
        return t.includes("tasks: main, worker") && t.includes("mm_users 2");
      }, "the mm's tasks and mm_users at step 0");

      // Just after the violation: main has exited, worker still runs on the mm.
      const v = trace.violations[0];
      await stepTo(page, v.step + 1);
      await until(
        async () => (await mm.textContent()).includes("tasks: main (exited), worker"),
        "main has exited, worker has not",
      );
      await toEnd(page, trace.steps.length);
      await until(
        async () => (await page.getByTestId("violation-count").textContent()).includes("1 in the run"),
        "one violation in the run",
      );
      const shown = await page.getByTestId("violation").first().textContent();
      ok(shown.includes("lost-binding:") && shown.includes("never unbound nic0"), `the timeline: ${shown}`);
    },
  },
  {
    name: "task-vs-mm: the lesson's switch runs it on rfc-2018, and the mainline releases break nothing",
    async run(page, ctx) {
      const fixed = ctx.runJson(onKernel(ctx, "rfc-2018"));
      equal(fixed.violations, [], "the runner finds no violation on rfc-2018");
      await page.goto(`${ctx.base}#lesson=task-vs-mm`);
      const note = page.getByTestId("bug-note");
      await note.waitFor();
      ok((await note.textContent()).includes("lost-binding on rfc-2017"), await note.textContent());
      await note.getByRole("button", { name: "Run it on rfc-2018 (with the fix)" }).click();
      await page.getByText(`Step 0 / ${fixed.steps.length}`).waitFor();
      await toEnd(page, fixed.steps.length);
      equal(
        await page.getByTestId("violation-count").textContent(),
        "0 so far, 0 in the run",
        "no violation on rfc-2018 in the page",
      );

      for (const kernel of MAINLINE) {
        const file = onKernel(ctx, kernel);
        const trace = ctx.runJson(file);
        equal(trace.violations, [], `the runner finds no violation on ${kernel}`);
        equal(
          trace.dma.map((d) => [d.pasid, d.result]),
          [
            [1, "ok"],
            [1, "ok"],
          ],
          `${kernel}: both of worker's DMAs translate with the PASID`,
        );
        await page.goto(`${ctx.base}#${ctx.fragmentOf(file)}`);
        await page.getByText(`Step 0 / ${trace.steps.length}`).waitFor();
        await toEnd(page, trace.steps.length);
        equal(
          await page.getByTestId("violation-count").textContent(),
          "0 so far, 0 in the run",
          `no violation on ${kernel} in the page`,
        );
      }
    },
  },
  {
    name: "task-vs-mm: the Lessons menu's Design history, each lesson with the release it runs on",
    async run(page, ctx) {
      await page.goto(ctx.base);
      await page.getByRole("button", { name: "Lessons" }).click();
      const menu = page.getByRole("dialog", { name: "Lessons" });
      const group = menu.getByRole("list", { name: "Design history" });
      await group.waitFor();
      const items = group.getByTestId("lesson-item");
      equal(
        await Promise.all((await items.all()).map((i) => i.getAttribute("data-lesson"))),
        [
          "task-vs-mm",
          "history-2018-io-mm",
          "history-2021-share-asid",
          "history-2022-sva-domain",
          "history-2023-user-invalidation",
        ],
        "one lesson per review thread, in order",
      );
      equal(
        await group.getByTestId("lesson-runs-on").allTextContents(),
        ["runs on rfc-2017", "runs on rfc-2018", "runs on v5.14", "runs on v6.12", "runs on nested-v1-2023"],
        "the release or RFC of each",
      );
      for (const text of await items.allTextContents())
        ok(text.includes("?"), `opens with a question: ${text}`);
      // Keyboard: the first history lesson opens with Enter.
      await items.first().focus();
      await page.keyboard.press("Enter");
      await menu.waitFor({ state: "detached" });
      const M = ctx.runJson(LESSON).steps.length;
      await page.getByText(`Step 0 / ${M}`).waitFor();
    },
  },
];
