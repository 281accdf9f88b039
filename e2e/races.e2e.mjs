// Races on the page: the swimlane timeline, picking the interleaving by hand, the explorer in
// its worker, the statecharts; each checked against the command-line runner.
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { equal, fitsWindow, ok, position, until, waitForStep } from "./lib/assert.mjs";
import { sva } from "./lib/runner.mjs";

const UNBIND_VS_EXIT = "src/scenario/library/unbind-vs-exit.json";
const FREED_EARLY = "src/scenario/library/notifier-freed-early.json";

/** A lesson with changes, written to a temporary file the runner can read. */
function variant(ctx, file, name, change) {
  const scenario = JSON.parse(readFileSync(join(ctx.root, file), "utf8"));
  change(scenario);
  const path = join(mkdtempSync(join(tmpdir(), "sva-e2e-")), `${name}.json`);
  writeFileSync(path, JSON.stringify(scenario));
  return path;
}

/** The scenario a page URL holds, as `sva-lab decode` prints it. */
const decode = (url) => JSON.parse(sva(["decode", url]));

/** Step index → actor, as the swimlane draws it (device lanes left out). */
const laneActors = (page) =>
  page
    .locator('[data-testid="swimlane-step"]:not([data-lane^="dev:"])')
    .evaluateAll((boxes) =>
      boxes.map((b) => [Number(b.getAttribute("data-step")), b.getAttribute("data-actor")]),
    )
    .then((pairs) => pairs.sort((a, b) => a[0] - b[0]).map(([, actor]) => actor));

/** Opens the use-after-free outcome of notifier-freed-early with free-notifier-now, explored in the page. */
async function openUseAfterFree(page, ctx) {
  const file = variant(ctx, FREED_EARLY, "freed-early", (s) => {
    s.faults = ["free-notifier-now"];
  });
  const expected = JSON.parse(sva(["explore", file, "--json"]));
  const uaf = expected.outcomes.find((o) => o.violations.includes("use-after-free"));
  ok(uaf, "the runner's explorer finds the use-after-free");
  const trace = ctx.runJson(uaf.url);
  const v = trace.violations[0];
  ok(
    v && v.kind === "use-after-free",
    `the outcome's schedule breaks with a use-after-free: ${JSON.stringify(v)}`,
  );

  const workers = [];
  page.on("request", (r) => {
    if (/worker[^/]*\.js/.test(r.url())) workers.push(r.url());
  });
  await page.goto(`${ctx.base}#${ctx.fragmentOf(file)}`);
  await waitForStep(page, 0);
  await page.waitForTimeout(200);
  equal(workers.length, 0, "no worker is loaded before Explore is pressed");
  await page.getByRole("button", { name: "Explore interleavings" }).click();
  await page.getByRole("progressbar").waitFor();
  const status = page.getByTestId("explore-status");
  await until(
    async () => (await status.textContent()).startsWith("Complete"),
    "the exploration to finish",
    30_000,
  );
  ok(workers.length >= 1, "the explorer's worker was loaded on demand");
  ok(
    (await status.textContent()).includes(
      `${expected.states.toLocaleString("en-US")} states, ${expected.interleavings.toLocaleString("en-US")} interleavings`,
    ),
    `states and interleavings as the runner counts: ${await status.textContent()} vs ${expected.states}/${expected.interleavings}`,
  );
  const rows = page.getByTestId("explore-outcome");
  equal(await rows.count(), expected.outcomes.length, "distinct outcomes");
  const row = page.locator('[data-testid="explore-outcome"][data-violations~="use-after-free"]');
  ok((await row.textContent()).includes(`× ${uaf.count.toLocaleString("en-US")} interleaving`), "its count");
  await row.getByRole("button", { name: "Open", exact: true }).click();
  await waitForStep(page, v.step + 1);
  return { file, uaf, trace, v };
}

export default [
  {
    name: "swimlane: a lane per thread, then smmu, srcu and the device; a box per step as the runner has it",
    async run(page, ctx) {
      const ex = ctx.runJson(UNBIND_VS_EXIT);
      await page.goto(`${ctx.base}#${ctx.fragmentOf(UNBIND_VS_EXIT)}`);
      await waitForStep(page, 0);
      const lanes = await page
        .getByTestId("swimlane-lane")
        .evaluateAll((ls) => ls.map((l) => [l.getAttribute("data-lane"), l.getAttribute("data-kind")]));
      const threads = lanes.filter(([, kind]) => kind === "thread").map(([name]) => name);
      equal(threads, ["T0", "T1", "T2"], "one lane per thread, in order");
      const names = lanes.map(([name]) => name);
      ok(names.includes("smmu") && names.includes("srcu"), `smmu and srcu lanes: ${names}`);
      equal(names.at(-1), "gpu0", "the device's lane comes last");
      equal(names.indexOf("smmu"), 3, "smmu right after the threads");

      equal(
        await laneActors(page),
        ex.steps.map((s) => s.actor),
        "each step in its actor's lane, in order",
      );
      equal(
        await page.locator('[data-testid="swimlane-step"][data-lane="dev:gpu0"]').count(),
        ex.dma.length,
        "each DMA also marks the device's lane",
      );
      const blocked = page.locator('[data-testid="swimlane-blocked"][data-lane="T0"]');
      ok((await blocked.count()) >= 1, "T0 is shown blocked while it waits for the SMMU");
      ok(
        (await blocked.first().locator("title").textContent()).includes("waiting for"),
        "the blocked span says what it waits for",
      );
      // The lesson's race on v6.1: release reads the shared CD the last unbind kfree'd.
      equal(
        ex.violations.map((v) => v.kind),
        ["use-after-free"],
        "the runner finds the lesson's one violation",
      );
      equal(await page.getByTestId("swimlane-violation").count(), 1, "the same one on the swimlane");

      // Click a box: the cursor moves just after that step; the whole run first, to see it.
      const s = ex.steps.findIndex((x) => x.actor === "smmu");
      await page.getByRole("button", { name: "Whole run" }).click();
      await page.locator(`[data-testid="swimlane-step"][data-step="${s}"][data-lane="smmu"]`).click();
      await waitForStep(page, s + 1);
      equal(
        await page.getByTestId("swimlane-cursor").getAttribute("data-cursor"),
        String(s + 1),
        "the cursor line follows",
      );
      await page.getByRole("button", { name: "Zoom the timeline in" }).click();
      await page.keyboard.press("ArrowRight");
      await waitForStep(page, s + 2);
      equal(
        await page.getByTestId("swimlane-cursor").getAttribute("data-cursor"),
        String(s + 2),
        "→ moves it too",
      );
    },
  },
  {
    name: "manual interleaving: Run T1 next re-runs with T1 at the cursor; the link and step back follow",
    async run(page, ctx) {
      const ex = ctx.runJson(UNBIND_VS_EXIT);
      // After T0's bind and DMA (the scenario's schedule), T0, T1 and T2 could all go.
      const c = ex.steps.findIndex((s) => s.actor === "T0" && s.fn === "dma") + 1;
      ok(c > 0 && ex.steps[c].actor === "T0", "in the default run T0 goes on");
      await page.goto(`${ctx.base}#${ctx.fragmentOf(UNBIND_VS_EXIT)}&step=${c}`);
      await waitForStep(page, c);
      const chooser = page.getByTestId("next-step");
      for (const t of ["T0", "T1", "T2"]) {
        ok(await chooser.getByRole("button", { name: `Run ${t} next` }).isEnabled(), `${t} can go`);
      }
      ok(
        await chooser.getByRole("button", { name: "Run smmu next" }).isDisabled(),
        "the SMMU has nothing to do",
      );
      ok(
        (await chooser.locator('[data-actor="smmu"]').textContent()).includes("the command queue is empty"),
        "with its reason",
      );
      const before = page.url();

      await chooser.getByRole("button", { name: "Run T1 next" }).click();
      await waitForStep(page, c + 1);
      const row = page.getByTestId("timeline-step").nth(c + 1);
      ok(await row.getAttribute("data-current"), "the new step is the current one");
      ok(
        (await row.textContent()).includes("T1"),
        `the step list shows T1 at step ${c}: ${await row.textContent()}`,
      );
      equal(
        await page
          .locator(`[data-testid="swimlane-step"][data-step="${c}"]:not([data-lane^="dev:"])`)
          .getAttribute("data-actor"),
        "T1",
        "the swimlane too",
      );
      await until(() => page.url() !== before, "the URL to change");
      const url = page.url();
      const schedule = decode(url).schedule;
      equal(schedule, [...ex.steps.slice(0, c).map((s) => s.actor), "T1"], "the link's schedule");
      equal(
        await page.getByTestId("state-hash").textContent(),
        ctx.runJson(url, c + 1).stateHash,
        "state hash as the runner computes it for that link",
      );

      // Step back still works, and the run stays the one chosen.
      await page.getByRole("button", { name: "Step back" }).click();
      await waitForStep(page, c);
      await until(() => page.url().endsWith(`&step=${c}`), "the URL to follow the step back");
      equal(decode(page.url()).schedule, schedule, "the schedule stays");
      ok(
        (await chooser.locator('[data-actor="T1"]').textContent()).includes("▸"),
        "T1 is now the run's own next step",
      );

      // The chooser by keyboard: Tab to "Run T2 next", Enter.
      let reached = false;
      for (let i = 0; i < 60 && !reached; i++) {
        await page.keyboard.press("Tab");
        reached = await page.evaluate(() => document.activeElement?.textContent?.trim() === "Run T2 next");
      }
      ok(reached, "Run T2 next is reachable by Tab");
      await page.keyboard.press("Enter");
      await waitForStep(page, c + 1);
      equal(decode(page.url()).schedule.at(-1), "T2", "Enter picked T2");
    },
  },
  {
    name: "explore in a worker: the use-after-free outcome opens at its step, marked on the timeline",
    async run(page, ctx) {
      const { uaf, trace, v } = await openUseAfterFree(page, ctx);
      equal(decode(page.url()).schedule, uaf.schedule, "the page runs the outcome's schedule");
      equal((await position(page)).total, trace.steps.length, "the run the runner has for that schedule");
      const mark = page.locator(`[data-testid="swimlane-violation"][data-step="${v.step}"]`);
      equal(await mark.count(), 1, `a violation marked at step ${v.step} on the timeline`);
      ok((await mark.getAttribute("data-kinds")).includes("use-after-free"), "of the right kind");
      const first = await page.getByTestId("swimlane-violation").first().getAttribute("data-step");
      equal(Number(first), v.step, "the first violation on the timeline is the runner's first");
      ok(
        await page
          .locator(`[data-testid="swimlane-step"][data-step="${v.step}"]`)
          .first()
          .evaluate((b) => b.classList.contains("violation")),
        "the step's box is drawn as a violation",
      );
      equal(
        await page.getByTestId("swimlane-cursor").getAttribute("data-cursor"),
        String(v.step + 1),
        "the cursor stands just after it",
      );
      const row = page.locator('[data-testid="timeline-step"][data-violation]').first();
      ok((await row.textContent()).includes("use-after-free"), "the step list names it");
      ok(
        (
          await page
            .locator('[data-testid="explore-outcome"][data-violations~="use-after-free"]')
            .textContent()
        ).includes("(shown)"),
        "the explorer marks the outcome shown",
      );
      await page.getByRole("button", { name: "Close", exact: true }).click();
      equal(await page.getByTestId("explore-panel").count(), 0, "the panel closes");
      await page.waitForTimeout(300);
      await page.screenshot({ path: join(ctx.screenshots, "races-uaf-1280x800.png") });
    },
  },
  {
    name: "explorer: progress while it runs, Cancel stops the worker",
    async run(page, ctx) {
      // Two more DMA threads: tens of thousands of states, several seconds of exploring.
      const file = variant(ctx, UNBIND_VS_EXIT, "busy", (s) => {
        s.threads.push({
          name: "T3",
          ops: [
            { op: "dma", device: "gpu0", process: "app", va: "0x10000", access: "read" },
            { op: "dma", device: "gpu0", process: "app", va: "0x10000", access: "write" },
          ],
        });
        s.threads.push({
          name: "T4",
          ops: [{ op: "dma", device: "gpu0", process: "app", va: "0x10000", access: "read" }],
        });
        delete s.schedule;
      });
      await page.goto(`${ctx.base}#${ctx.fragmentOf(file)}`);
      await waitForStep(page, 0);
      await page.getByRole("button", { name: "Explore interleavings" }).click();
      const bar = page.getByRole("progressbar");
      await until(
        async () => Number(await bar.getAttribute("aria-valuenow")) >= 512,
        "progress past 512 states",
        20_000,
      );
      equal(await bar.getAttribute("aria-valuemax"), "100000", "the state limit is the maximum");
      ok(
        (await page.getByRole("button", { name: "Outcomes" }).textContent()).includes("exploring"),
        "the strip says it is exploring",
      );
      await page.getByRole("button", { name: "Cancel" }).click();
      const status = page.getByTestId("explore-status");
      await until(async () => (await status.textContent()).startsWith("Cancelled after"), "Cancelled");
      const stopped = await bar.getAttribute("aria-valuenow");
      await page.waitForTimeout(600);
      equal(await bar.getAttribute("aria-valuenow"), stopped, "no progress after Cancel");
      equal(await page.getByTestId("explore-outcome").count(), 0, "no outcomes from a cancelled run");
      equal(await page.getByRole("button", { name: "Cancel" }).count(), 0, "Cancel is gone");
      // The page still works.
      await page.getByRole("button", { name: "Step forward" }).click();
      await waitForStep(page, 1);
    },
  },
  {
    name: "explorer: with 2 workers a search past 20,000 states goes on in task workers and counts as one search does",
    async run(page, ctx) {
      const file = variant(ctx, UNBIND_VS_EXIT, "split", (s) => {
        s.faults = ["free-notifier-now"];
        s.threads.push({
          name: "T3",
          ops: [
            { op: "dma", device: "gpu0", process: "app", va: "0x10000", access: "read" },
            { op: "dma", device: "gpu0", process: "app", va: "0x10000", access: "write" },
          ],
        });
        // A CPU write too: the reduced search merges enough that three threads stay under 20,000.
        s.threads.push({
          name: "T4",
          ops: [{ op: "touch", process: "app", va: "0x10000", access: "write" }],
        });
        delete s.schedule;
      });
      const one = JSON.parse(sva(["explore", file, "--json", "--workers", "1"]));
      ok(one.complete && one.states > 20_000, `the race is past 20,000 states: ${one.states}`);
      const tasks = [];
      page.on("request", (r) => {
        if (/task-worker[^/]*\.js/.test(r.url())) tasks.push(r.url());
      });
      await page.goto(`${ctx.base}#${ctx.fragmentOf(file)}`);
      await waitForStep(page, 0);
      await page.getByRole("button", { name: "Explore interleavings" }).click();
      await page.getByLabel("Workers").selectOption("2");
      await page.getByRole("button", { name: /Restart|Explore again/ }).click();
      const status = page.getByTestId("explore-status");
      await until(
        async () => (await status.textContent()).startsWith("Complete"),
        "the split search",
        120_000,
      );
      ok(tasks.length >= 2, `task workers were started: ${tasks.length}`);
      ok(
        (await status.textContent()).includes(
          `${one.states.toLocaleString("en-US")} states, ${BigInt(one.exactInterleavings).toLocaleString("en-US")} interleavings`,
        ),
        `as one search counts: ${await status.textContent()} vs ${one.states} / ${one.exactInterleavings}`,
      );
      equal(await page.getByTestId("explore-outcome").count(), one.outcomes.length, "the same outcomes");
    },
  },
  {
    name: "explorer: a search too big for the limit offers the bounded and random modes, as the runner counts them",
    async run(page, ctx) {
      // Two more DMAs: more than 10,000 states from the start (one alone now fits in 9,501).
      const file = variant(ctx, UNBIND_VS_EXIT, "too-big", (s) => {
        s.threads.push({
          name: "T3",
          ops: [{ op: "dma", device: "gpu0", process: "app", va: "0x10000", access: "read" }],
        });
        s.threads.push({
          name: "T4",
          ops: [{ op: "dma", device: "gpu0", process: "app", va: "0x10000", access: "write" }],
        });
        delete s.schedule;
      });
      const k2 = JSON.parse(sva(["explore", file, "--json", "--preemptions", "2", "--max-states", "10000"]));
      const sample = JSON.parse(sva(["explore", file, "--json", "--random", "1000", "--seed", "1"]));
      await page.goto(`${ctx.base}#${ctx.fragmentOf(file)}`);
      await waitForStep(page, 0);
      await page.getByRole("button", { name: "Explore interleavings" }).click();
      await page.getByLabel("State limit").selectOption("10000");
      await page.getByRole("button", { name: /Restart|Explore again/ }).click();
      const status = page.getByTestId("explore-status");
      await until(
        async () => (await status.textContent()).startsWith("Stopped at the limit"),
        "the limit",
        60_000,
      );
      await page.getByRole("button", { name: "every interleaving with at most 2 preemptions" }).click();
      const bounded = `${k2.complete ? "Complete" : "Stopped at the limit of 10,000 states"} with at most 2 preemptions`;
      await until(async () => (await status.textContent()).startsWith(bounded), bounded, 60_000);
      ok(
        (await status.textContent()).includes(
          `${k2.states.toLocaleString("en-US")} states, ${BigInt(k2.exactInterleavings).toLocaleString("en-US")} interleavings`,
        ),
        `the bounded search as the runner counts it: ${await status.textContent()} vs ${k2.states}`,
      );
      await page.getByLabel("Search mode").selectOption("random");
      await page.getByRole("button", { name: "Explore again" }).click();
      await until(
        async () => (await status.textContent()).startsWith("Sampled 1,000 random"),
        "the sample",
        60_000,
      );
      ok(
        (await status.textContent()).includes(
          `${sample.states.toLocaleString("en-US")} states, 1,000 interleavings`,
        ),
        `the seeded sample meets the runner's states: ${await status.textContent()} vs ${sample.states}`,
      );
      equal(
        await page.getByTestId("explore-outcome").count(),
        sample.outcomes.length,
        "the sample's outcomes",
      );
    },
  },
  {
    name: "statecharts: one per mm, driver object and thread, the active state as the world has it",
    async run(page, ctx) {
      const ex = ctx.runJson(UNBIND_VS_EXIT);
      const c = ex.steps.findIndex((s) => s.actor === "T0" && s.fn === "dma") + 1;
      await page.goto(`${ctx.base}#${ctx.fragmentOf(UNBIND_VS_EXIT)}&step=${c}`);
      await waitForStep(page, c);
      const detail = page.getByTestId("panel-detail");
      ok(
        await detail.getByRole("button", { name: "Statecharts", exact: true }).getAttribute("aria-pressed"),
        "statecharts shown while nothing is selected",
      );
      // The statecharts are fetched when first shown.
      await page.getByTestId("statechart").first().waitFor();
      const charts = await page
        .getByTestId("statechart")
        .evaluateAll((cs) =>
          cs.map((c) => [
            c.getAttribute("data-id"),
            c.getAttribute("data-machine"),
            c.getAttribute("data-state"),
          ]),
        );
      const byId = Object.fromEntries(charts.map(([id, machine, state]) => [id, { machine, state }]));
      equal(byId["mm:app"], { machine: "mm", state: "live" }, "app's mm");
      equal(byId["thread:T0"], { machine: "thread", state: "ready" }, "T0");
      const notifier = charts.find(([, machine]) => machine === "notifier");
      ok(notifier && notifier[2] === "registered", `a registered notifier: ${JSON.stringify(charts)}`);
      const card = page.locator(`[data-testid="statechart"][data-id="${notifier[0]}"]`);
      // #1 is the shared CD (arm_smmu_ctx_desc), made before the notifier.
      ok((await card.textContent()).includes("arm_smmu_mmu_notifier #2 (app ↔ gpu0)"), "the notifier's name");
      ok((await card.textContent()).includes("refcount"), "its refcount");
      equal(
        await card.locator("g.state.active").getAttribute("data-state"),
        "registered",
        "the active state drawn",
      );
      ok((await card.locator("g.edge").count()) >= 4, "the transitions drawn as edges");

      // To the end: the notifier freed after the grace period, the threads done.
      await page.goto(`${ctx.base}#${ctx.fragmentOf(UNBIND_VS_EXIT)}&step=${ex.steps.length}`);
      await waitForStep(page, ex.steps.length);
      equal(await card.getAttribute("data-state"), "freed", "the notifier at the end");
      equal(
        await page.locator('[data-testid="statechart"][data-id="thread:T1"]').getAttribute("data-state"),
        "done",
        "T1 at the end",
      );
      // Selecting an entry shows its detail; closing it brings the statecharts back.
      await page.getByTestId("ste-16").click();
      await page.getByTestId("detail").waitFor();
      await page.getByRole("button", { name: "Close detail" }).click();
      await page.getByTestId("statechart").first().waitFor();
    },
  },
  ...[
    [1280, 800, "light"],
    [1920, 1080, "light"],
    [1280, 800, "dark"],
  ].map(([width, height, theme]) => ({
    name: `screenshot of a race, ${width}×${height}, ${theme}: nothing overflows`,
    viewport: { width, height },
    async run(page, ctx) {
      await page.addInitScript((t) => localStorage.setItem("sva-lab-theme", t), theme);
      const { v } = await openUseAfterFree(page, ctx);
      await fitsWindow(page);
      await page.waitForTimeout(400);
      await page.screenshot({ path: join(ctx.screenshots, `races-explore-${width}x${height}-${theme}.png`) });
      await page.getByRole("button", { name: "Close", exact: true }).click();
      await page.keyboard.press("ArrowLeft");
      await waitForStep(page, v.step);
      await fitsWindow(page);
      await page.waitForTimeout(400);
      await page.screenshot({ path: join(ctx.screenshots, `races-${width}x${height}-${theme}.png`) });
    },
  })),
];
