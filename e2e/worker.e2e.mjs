// The large scenario runs in the page's worker (src/store/run-worker.ts): the page keeps
// answering while it runs, shows the runner's state hash at the end and at a link's step, and a
// run the model refuses in the worker comes back as one message with the page as it was.
import { spawnSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { equal, ok, position, until, waitForStep } from "./lib/assert.mjs";

/** The large scenario as a file (the runner reads files), and a copy with `extra` merged in. */
function largeFiles(root, extra) {
  const json = spawnSync(
    process.execPath,
    [
      "--import",
      "tsx",
      "-e",
      'const { largeScenario, scenarioToJson } = await import("./src/scenario/index.ts"); console.log(JSON.stringify(scenarioToJson(largeScenario())));',
    ],
    { cwd: root, encoding: "utf8" },
  ).stdout;
  const dir = mkdtempSync(join(tmpdir(), "sva-e2e-worker-"));
  const file = join(dir, "large.json");
  const bad = join(dir, "large-bad.json");
  writeFileSync(file, json);
  writeFileSync(bad, JSON.stringify({ ...JSON.parse(json), ...extra }));
  return { file, bad };
}

/** `sva-lab run <file> --json [--until N]`: the large trace is megabytes, past ctx.runJson's buffer. */
function runLarge(root, file, until) {
  const args = [
    join(root, "bin", "sva-lab.mjs"),
    "run",
    file,
    "--json",
    ...(until === undefined ? [] : ["--until", String(until)]),
  ];
  const r = spawnSync(process.execPath, args, {
    cwd: root,
    encoding: "utf8",
    maxBuffer: 2 ** 28,
    timeout: 120_000,
  });
  if (r.status !== 0 && r.status !== 1)
    throw new Error(`sva-lab run exited ${r.status}: ${r.stderr || r.error?.message}`);
  return JSON.parse(r.stdout);
}

const stateHash = async (page) => (await page.getByTestId("state-hash").textContent())?.trim();

export default [
  {
    name: "worker: #large runs off the page's thread (its progress line moves), then End and a link's step= show the runner's state hashes",
    dev: true,
    async run(page, ctx) {
      page.setDefaultTimeout(60_000);
      const { file } = largeFiles(ctx.root, {});
      const whole = runLarge(ctx.root, file);
      const MID = 9000;
      const mid = runLarge(ctx.root, file, MID);
      await page.goto(`${ctx.base}#large`);
      // While the worker runs, the page redraws its busy line with the steps so far: its
      // thread is free (a run on it would show one line until the end).
      const busy = page.getByTestId("busy");
      const seen = new Set();
      await until(
        async () => {
          const text = (await busy.textContent().catch(() => null)) ?? "";
          const m = /([\d,]+) steps so far/.exec(text);
          if (m) seen.add(m[1]);
          return seen.size >= 2;
        },
        "two different progress lines while the run computes",
        60_000,
      );
      await until(async () => (await position(page)).total === whole.steps.length, "the large run", 60_000);
      await busy.waitFor({ state: "detached" });
      await waitForStep(page, 0);
      // Its panels come one at a time (layout/Staged.tsx), then every one is there.
      await until(async () => (await page.getByTestId("staged").count()) === 0, "every panel drawn", 30_000);
      for (const id of ["strtab", "pgtable", "detail", "cmdq", "tlb", "memory"])
        await page.locator(`[data-panel="${id}"] section`).first().waitFor();
      // Interactive: keys step it.
      await page.keyboard.press("ArrowRight");
      await waitForStep(page, 1);
      await page.keyboard.press("End");
      await waitForStep(page, whole.steps.length, 20_000);
      await until(
        async () => (await stateHash(page)) === whole.stateHash,
        "the runner's final state hash",
        20_000,
      );
      await page.keyboard.press("Home");
      await waitForStep(page, 0, 20_000);
      // A link's step= far into the run: the world there comes from the worker or is replayed
      // here, with the hash `sva-lab run --until` prints.
      await page.goto(`${ctx.base}#large&step=${MID}`);
      await waitForStep(page, MID, 60_000);
      await until(
        async () => (await stateHash(page)) === mid.stateHash,
        `the runner's hash at step ${MID}`,
        20_000,
      );
      await page.keyboard.press("ArrowLeft");
      await waitForStep(page, MID - 1, 20_000);
    },
  },
  {
    name: "worker: a page loaded on #large shows no lesson first; End draws the panels in turn, each then at the last step",
    async run(page, ctx) {
      page.setDefaultTimeout(60_000);
      await page.goto(`${ctx.base}#large`);
      // Until the large run is shown: its busy line over an empty page, no built-in lesson.
      await page.getByTestId("busy").waitFor();
      equal(await page.locator('[data-testid="starting"][aria-busy="true"]').count(), 1, "the empty page");
      equal(await page.getByTestId("scenario-title").count(), 0, "no scenario drawn meanwhile");
      ok(page.url().endsWith("#large"), `the link stays while it runs: ${page.url()}`);
      await until(async () => (await position(page)).total > 10_000, "the large run", 60_000);
      await page.getByTestId("busy").waitFor({ state: "detached" });
      ok((await page.getByTestId("scenario-title").textContent()).includes("64 processes"), "its title");
      await until(async () => (await page.getByTestId("staged").count()) === 0, "every panel drawn", 30_000);
      const { total } = await position(page);
      // The cursor moves at once; the panels follow one per task, marked busy until their turn.
      await page.keyboard.press("End");
      await waitForStep(page, total, 20_000);
      await until(
        async () => (await page.locator('[data-testid="workspace"] [aria-busy="true"]').count()) === 0,
        "every panel at the last step",
        30_000,
      );
      const current = page.locator('[data-testid="timeline-step"][data-current]');
      equal(await current.getAttribute("data-row"), String(total), "the steps list's current row");
      // ← is one step: drawn at once, nothing waits.
      await page.keyboard.press("ArrowLeft");
      await waitForStep(page, total - 1, 20_000);
      equal(await current.getAttribute("data-row"), String(total - 1), "the step before");
    },
  },
  {
    name: "worker: a large link whose schedule the model refuses says so in one line; the scenario shown stays",
    async run(page, ctx) {
      page.setDefaultTimeout(60_000);
      const { bad } = largeFiles(ctx.root, { schedule: ["smmu"] });
      await page.goto(ctx.base);
      await waitForStep(page, 0);
      const title = (await page.getByTestId("scenario-title").textContent())?.trim();
      const { total } = await position(page);
      await page.evaluate((h) => {
        location.hash = h;
      }, ctx.fragmentOf(bad));
      await page
        .getByText("schedule[0]: smmu cannot step (the command queue is empty)", { exact: false })
        .first()
        .waitFor();
      await page.getByTestId("busy").waitFor({ state: "detached" });
      equal((await page.getByTestId("scenario-title").textContent())?.trim(), title, "the scenario shown");
      equal((await position(page)).total, total, "its run");
      await page.keyboard.press("ArrowRight");
      await waitForStep(page, 1);
      ok(true, "still steps");
    },
  },
  {
    name: "worker: on #large, Run T5 next and ⇥ op end run it again in the worker and move onto T5's steps",
    async run(page, ctx) {
      page.setDefaultTimeout(60_000);
      await page.goto(`${ctx.base}#large`);
      await until(async () => (await position(page)).total > 10_000, "the large run", 60_000);
      await page.getByTestId("busy").waitFor({ state: "detached" });
      await waitForStep(page, 0);
      const current = page.locator('[data-testid="timeline-step"][data-current]');
      const chooser = page.getByTestId("next-step");
      await chooser.getByRole("button", { name: "Run T5 next" }).click();
      await waitForStep(page, 1, 60_000);
      await page.getByTestId("busy").waitFor({ state: "detached" });
      await until(async () => (await current.textContent())?.includes("T5"), "step 1 is T5's");
      await chooser.getByRole("button", { name: "Run T5 to the end of its op" }).click();
      await until(async () => (await position(page)).step > 1, "the cursor past T5's first step", 60_000);
      await page.getByTestId("busy").waitFor({ state: "detached" });
      ok((await current.textContent())?.includes("T5"), "the op's last step is T5's");
    },
  },
];
