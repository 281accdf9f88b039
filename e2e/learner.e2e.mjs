// A learner's first hour (issue 12): races that race, what changed at a glance, the learner as
// the scheduler (numbered choices, to the end of an op, branches in the link), a challenge won
// by scheduling, words that mean what they say, and the phone layout.
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { equal, ok, position, until, waitForStep } from "./lib/assert.mjs";
import { sva } from "./lib/runner.mjs";

const UNBIND_VS_EXIT = "src/scenario/library/unbind-vs-exit.json";
const dir = mkdtempSync(join(tmpdir(), "sva-e2e-learner-"));
const decode = (url) => JSON.parse(sva(["decode", url]));

/** Waits until the change marks are on the step the cursor is at. */
async function marked(page, step) {
  await page.waitForFunction((n) => document.body.dataset.marked === String(n), step);
}

/** The first changed element of each panel, and whether it lies inside its panel's scroll box. */
/** Opens the unbind-vs-exit lesson by its link and waits for its title (read from its JSON) at step 0. */
async function openUnbindVsExit(page, ctx) {
  const { title } = JSON.parse(readFileSync(join(ctx.root, UNBIND_VS_EXIT), "utf8"));
  await page.goto(`${ctx.base}#lesson=unbind-vs-exit`);
  await until(
    async () => (await page.getByTestId("scenario-title").textContent()) === title,
    "the lesson to open",
    15_000,
  );
  await waitForStep(page, 0);
}

function changesInView(page) {
  return page.evaluate(() => {
    const out = [];
    for (const panel of document.querySelectorAll('[data-testid^="panel-"]')) {
      const body = panel.querySelector("[data-panel-body]");
      const changed = panel.querySelector("[data-changed]");
      if (!body || !changed) continue;
      const el = changed.querySelector("[data-changed-field]") ?? changed;
      const b = body.getBoundingClientRect();
      const r = el.getBoundingClientRect();
      const inside =
        r.top >= b.top - 1 && r.bottom <= b.bottom + 1 && r.left >= b.left - 1 && r.right <= b.right + 1;
      out.push({ panel: panel.dataset.testid, inside, change: changed.getAttribute("data-change") ?? "" });
    }
    return out;
  });
}

export default [
  {
    name: "races: unbind-vs-exit's own order lands exit inside unbind with DMA in flight, and release reads the freed CD",
    async run(page, ctx) {
      const ex = ctx.runJson(UNBIND_VS_EXIT);
      const at = (actor, fn) => ex.steps.findIndex((s) => s.actor === actor && s.fn === fn);
      // Unbind's first step (v6.1: iopf_queue_flush_dev, before it takes sva_lock).
      const unbindStart = at("T0", "iopf_queue_flush_dev");
      const unbindEnd = ex.steps.findLastIndex((s) => s.actor === "T0" && s.fn === "mutex_unlock(&sva_lock)");
      const mmput = at("T1", "mmput");
      const dma = ex.steps.findIndex((s) => s.actor === "T2" && s.fn === "dma");
      ok(
        unbindStart < mmput && mmput < unbindEnd,
        `exit starts inside unbind (${unbindStart} < ${mmput} < ${unbindEnd})`,
      );
      ok(mmput < dma && dma < unbindEnd, `the DMA is in flight during unbind (${dma})`);
      ok(ex.dma.find((d) => d.step === dma)?.result === "ok", "the DMA in flight is served");
      ok(
        ex.violations.some((v) => v.kind === "use-after-free" && ex.steps[v.step]?.actor === "T1"),
        "v6.1 as written: release (T1) reads the shared CD unbind freed",
      );

      await openUnbindVsExit(page, ctx);
      const rows = page.getByTestId("timeline-step");
      // The page numbers steps from 1: the step list's row for trace index i says i + 1.
      const row = await rows.nth(mmput + 1).textContent();
      ok(
        row.includes(`${mmput + 1}`) && row.includes("T1") && row.includes("mmput"),
        `the list shows it: ${row}`,
      );

      // The page shows the violation the kernel as written has, in the lesson's own order.
      await page.keyboard.press("End");
      await until(
        async () => /violations\s*[1-9]\d* so far/.test((await page.locator("body").textContent()) ?? ""),
        "the use-after-free in the page",
      );
    },
  },
  {
    name: "races: the three designs' unbind-vs-exit lessons differ in title and first sentence; the menu is grouped",
    async run(page, ctx) {
      await page.goto(ctx.base);
      await page.getByRole("button", { name: "Lessons", exact: true }).click();
      const menu = page.getByTestId("lesson-menu");
      await menu.getByTestId("lesson-item").first().waitFor();
      const groups = await menu
        .getByTestId("lesson-group")
        .evaluateAll((els) => els.map((e) => e.dataset.group));
      equal(
        groups,
        ["basics", "invalidation", "races", "faults", "nested", "real bugs", "history"],
        "the menu's sections",
      );
      const items = await menu
        .getByTestId("lesson-item")
        .evaluateAll((els) => els.map((e) => ({ id: e.dataset.lesson, text: e.textContent })));
      const titles = await menu.getByTestId("lesson-title").allTextContents();
      equal(new Set(titles).size, titles.length, "no two lessons share a title");
      const designs = items.filter((i) => /unbind-vs-exit$/.test(i.id));
      equal(designs.length, 3, "one per design");
      equal(new Set(designs.map((d) => d.text)).size, 3, "different titles and first sentences");
      ok(
        (await menu.getByTestId("lesson-group-progress").first().textContent()).includes("0 of"),
        "progress per section",
      );
    },
  },
  {
    name: "changes: at 1280×800 every step of the first lesson marks what changed inside its panel's visible box",
    async run(page, ctx) {
      const M = ctx.expected.steps.length;
      await page.goto(`${ctx.base}#${ctx.fragment}`);
      await waitForStep(page, 0);
      let withChange = 0;
      const outside = [];
      // The step that writes the CD (its first arm_smmu_write_ctx_desc), and the one queueing ATC_INV.
      const cdStep = ctx.expected.steps.findIndex((s) => s.fn === "arm_smmu_write_ctx_desc") + 1;
      const queueStep = ctx.expected.commands.find((c) => c.op === "ATC_INV").step + 1;
      for (let i = 1; i <= M; i++) {
        await page.keyboard.press("ArrowRight");
        await waitForStep(page, i);
        await marked(page, i);
        const seen = await changesInView(page);
        if (seen.length > 0) withChange += 1;
        for (const s of seen) if (!s.inside) outside.push(`step ${i}: ${s.panel} (${s.change})`);
        if (i === cdStep) {
          // The CD written at this step shows in the stream table, outlined as the panel named.
          const cd = seen.find((s) => s.panel === "panel-strtab");
          ok(cd, `step ${i} marks the stream table: ${JSON.stringify(seen)}`);
          equal(
            await page.getByTestId("panel-strtab").getAttribute("data-named"),
            "1",
            "the panel the step names",
          );
        }
        if (i === queueStep) {
          const q = seen.find((s) => s.panel === "panel-cmdq");
          ok(q, `step ${i} marks the queue: ${JSON.stringify(seen)}`);
        }
      }
      equal(outside, [], "changed elements outside their panel's visible box");
      ok(withChange >= M * 0.6, `most steps mark a change (${withChange} of ${M})`);
      // Old → new on hover: a changed entry says what it was.
      // The step that takes sva_lock (v6.1: after the caller's mm_users and the driver's bind op).
      const lockStep = ctx.expected.steps.findIndex((s) => s.fn === "mutex_lock(&sva_lock)") + 1;
      await page.keyboard.press("Home");
      await waitForStep(page, 0);
      for (let i = 1; i <= lockStep; i++) {
        await page.keyboard.press("ArrowRight");
        await waitForStep(page, i);
      }
      await marked(page, lockStep);
      const locks = page.locator('[data-ch="locks"]');
      equal(await locks.getAttribute("data-changed"), "1", "mutex_lock changes the locks held");
      ok(/none → sva_lock/.test(await locks.getAttribute("title")), await locks.getAttribute("title"));
    },
  },
  {
    name: "scheduler: keys 1…n pick the numbered choices, op end runs a thread to the end of its op, branches stay and travel in the link",
    async run(page, ctx) {
      const ex = ctx.runJson(UNBIND_VS_EXIT);
      const c = ex.steps.findIndex((s) => s.actor === "T0" && s.fn === "dma") + 1;
      await page.goto(`${ctx.base}#${ctx.fragmentOf(UNBIND_VS_EXIT)}&step=${c}`);
      await waitForStep(page, c);
      const chooser = page.getByTestId("next-step");
      const numbers = await chooser.getByTestId("choice-number").allTextContents();
      equal(numbers.filter(Boolean), ["1", "2", "3"], "T0, T1 and T2 are choices 1, 2, 3");
      const first = page.url();
      // 3: T2 steps next (its DMA), a new branch of the run.
      await page.keyboard.press("3");
      await waitForStep(page, c + 1);
      ok(
        (
          await page
            .getByTestId("timeline-step")
            .nth(c + 1)
            .textContent()
        ).includes("T2"),
        "T2 took the step",
      );
      const branch = page.getByTestId("branch");
      await branch.first().waitFor();
      equal(await branch.count(), 1, "the run left behind is a branch");
      await until(() => page.url() !== first, "the link to carry the new branch");
      const second = page.url();
      equal(decode(second).schedule.at(-1), "T2", "the link's schedule ends with the choice");

      // T1 to the end of its op (mmput, then blocked on sva_lock? no: T0 holds nothing yet).
      await chooser.getByRole("button", { name: "Run T1 to the end of its op" }).click();
      await until(async () => (await position(page)).step > c + 1, "the cursor to move past T1's op");
      const afterOp = (await position(page)).step;
      const steps = ctx.runJson(page.url()).steps;
      equal(steps[afterOp - 1].actor, "T1", "the cursor is on T1's last step of the op");
      ok(
        steps.slice(c + 1, afterOp).every((s) => s.actor === "T1" || s.actor === "smmu"),
        "T1 ran its op alone",
      );
      equal(await branch.count(), 2, "two runs left behind");

      // Back to the first branch, one click: its link is the page's again.
      await branch.first().click();
      await until(() => decode(page.url()).schedule?.at(-1) !== "T2", "the first run back");
      await until(async () => (await position(page)).step === c, "at the step it was left at");
      const back = page.url();
      ok(!back.includes(second.split("#")[1]), "a different link from the second branch");
      // The link reopens the branch shown: same run, same step, same state hash.
      const hash = await page.getByTestId("state-hash").textContent();
      await page.goto("about:blank");
      await page.goto(back);
      await waitForStep(page, c);
      equal(await page.getByTestId("state-hash").textContent(), hash, "the branch restored from its link");
    },
  },
  {
    name: "challenge: the default order does not win it, the scripted schedule does; hints after a failed try; kept in the browser",
    async run(page, ctx) {
      // The explorer's witness for the challenge's goal (the runner's, from the same start).
      const json = JSON.parse(sva(["decode", `#${ctx.fragmentOf(UNBIND_VS_EXIT)}`]));
      const start = { ...json, faults: [], schedule: undefined };
      const file = join(dir, "challenge.json");
      writeFileSync(file, JSON.stringify(start));
      const report = JSON.parse(sva(["explore", file, "--json"]));
      const win = report.outcomes.find((o) => o.violations.includes("use-after-free"));
      ok(win, "the explorer has a witness");
      equal(ctx.runJson(file).violations.length, 0, "the default order breaks nothing");

      await openUnbindVsExit(page, ctx);
      await page.getByTestId("challenge-start").click();
      const bar = page.getByTestId("challenge");
      await bar.waitFor();
      ok((await bar.textContent()).includes("Make release read the shared CD that unbind freed"), "the goal");
      // The default order, to its end: a failed try, and the first hint.
      await page.keyboard.press("End");
      await until(async () => (await bar.textContent()).includes("1 try without the goal"), "a failed try");
      await page.getByTestId("challenge-hints").waitFor();
      equal(await page.getByTestId("challenge-won").count(), 0, "not won by the default order");

      // The scripted schedule, choice by choice with the numbered keys.
      await bar.getByRole("button", { name: "Start over" }).click();
      await waitForStep(page, 0);
      for (const [i, actor] of win.schedule.entries()) {
        const n = await page.locator(`[data-actor="${actor}"] [data-testid="choice-number"]`).textContent();
        ok(n, `step ${i + 1}: ${actor} is a choice`);
        await page.keyboard.press(n);
        await waitForStep(page, i + 1);
        if ((await page.getByTestId("challenge-won").count()) > 0) break;
      }
      const won = page.getByTestId("challenge-won");
      await won.waitFor();
      ok((await won.textContent()).includes(`step ${win.step + 1}`), await won.textContent());

      // Kept in the browser: the menu shows the challenge won after a reload.
      await page.reload();
      await page.getByRole("button", { name: "Lessons", exact: true }).click();
      const item = page.locator('[data-testid="lesson-item"][data-lesson="unbind-vs-exit"]');
      await item.waitFor();
      ok((await item.textContent()).includes("challenge 1/1"), await item.textContent());
    },
  },
  {
    name: "words: Break it switches, Step forward primary, About on the first visit, a recap at the end, step numbers that agree",
    async run(page, ctx) {
      await page.goto(ctx.base);
      await waitForStep(page, 0);
      const welcome = page.getByTestId("welcome");
      await welcome.waitFor();
      ok(
        (await welcome.textContent()).includes("press → (or Step forward) to take the first step"),
        "the welcome",
      );
      ok(await page.getByTestId("about").evaluate((d) => d.open), "About is open on the first visit");
      const primary = await page.locator("button[data-primary]").allTextContents();
      equal(
        primary.map((t) => t.trim()),
        ["Step forward"],
        "the one primary button",
      );
      await page.getByRole("checkbox", { name: "Break it: skip the ATC_INV" }).waitFor();

      await page.keyboard.press("ArrowRight");
      await waitForStep(page, 1);
      await until(async () => !(await page.getByTestId("about").evaluate((d) => d.open)), "About to close");
      // Step N / M: the step just taken is the one numbered N in the list and on the timeline.
      for (let i = 0; i < 10; i++) await page.keyboard.press("ArrowRight");
      await waitForStep(page, 11);
      const current = page.locator('[data-testid="timeline-step"][data-current]');
      ok((await current.textContent()).trim().startsWith("11"), await current.textContent());
      await until(() => page.url().endsWith("&step=11"), "the link to follow the cursor");
      await page.reload();
      await waitForStep(page, 11);
      equal(await page.getByTestId("welcome").count(), 0, "no welcome on the second visit");

      await page.keyboard.press("End");
      const recap = page.getByTestId("lesson-recap");
      await recap.waitFor();
      ok((await recap.textContent()).includes("Now break it"), await recap.textContent());
    },
  },
  {
    name: "phone: 390×844 reads a shared link: header, step controls, the step text, one panel at a time, no scrolling by itself",
    dev: true,
    viewport: { width: 390, height: 844 },
    async run(page, ctx) {
      const M = ctx.expected.steps.length;
      await page.goto(`${ctx.base}#${ctx.fragment}&step=11`);
      await page.getByTestId("phone").waitFor();
      await until(async () => (await position(page)).step === 11, "Step 11");
      equal((await position(page)).total, M, "the run");
      equal(
        (await page.getByTestId("scenario-title").textContent()).trim(),
        "bind, DMA, munmap, unbind, exit",
        "the title, whole",
      );
      const text = await page.getByTestId("phone-step").textContent();
      ok(text.includes(ctx.expected.steps[10].fn), `the step just taken, in words: ${text}`);
      for (const name of ["Step forward", "Step back", "Play", "Reset", "Share link", "Lessons"]) {
        const box = await page.getByRole("button", { name, exact: true }).boundingBox();
        ok(
          box && box.x >= 0 && box.x + box.width <= 390 && box.y < 844,
          `${name} is on screen: ${JSON.stringify(box)}`,
        );
      }
      equal(await page.locator('[data-testid^="panel-"]').count(), 1, "one panel at a time");
      await page.getByLabel("Show").selectOption("cmdq");
      await page.getByTestId("panel-cmdq").waitFor();
      equal(await page.locator('[data-testid^="panel-"]').count(), 1, "still one");
      await page.getByRole("button", { name: "Step forward", exact: true }).click();
      await until(async () => (await position(page)).step === 12, "Step 12");
      await page.waitForTimeout(300);
      equal(await page.evaluate(() => scrollY), 0, "the page did not scroll by itself");
      const w = await page.evaluate(() => document.documentElement.scrollWidth);
      ok(w <= 390, `no sideways scrolling (${w})`);
      await page.screenshot({ path: join(ctx.screenshots, "phone-390x844.png") });
    },
  },
];
