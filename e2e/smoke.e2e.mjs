// The smoke pass: open, step, every panel tab, every dialog, the Lessons menu; a panel that
// breaks stays in its box; Space on a focused button presses that button. Marked `dev: true`,
// so e2e/run.mjs runs these against the Vite dev server (what `npm start` serves) as well as
// against the build: the two crashes of issue 12 (the Path view under React Refresh, the
// Lessons menu under StrictMode) showed only there.
import { equal, ok, position, until, waitForStep } from "./lib/assert.mjs";

/** Nothing blanked the page, and no panel shows its error box. */
async function pageAlive(page, what) {
  const text = await page.evaluate(() => document.getElementById("root")?.textContent?.length ?? 0);
  ok(text > 200, `the page is blank after ${what}`);
  const broken = await page.locator('[data-testid^="panel-error-"]').count();
  equal(broken, 0, `panels showing an error after ${what}`);
}

/** Clicks every view switch (Tables / Path, CMDQ / EVTQ / PRIQ, State / Topology, …) in the page. */
async function everyTab(page) {
  const groups = page.locator('[role="group"]:has(button[aria-pressed])');
  const n = await groups.count();
  ok(n >= 3, `the page has its view switches (found ${n})`);
  let clicked = 0;
  for (let g = 0; g < n; g++) {
    const buttons = groups.nth(g).locator("button[aria-pressed]");
    const k = await buttons.count();
    for (let i = 0; i < k; i++) {
      const b = buttons.nth(i);
      const name = (await b.textContent())?.trim();
      await b.click();
      await until(async () => (await b.getAttribute("aria-pressed")) === "true", `${name} to be shown`);
      // Lazily fetched views (the path, the record queues) draw after their chunk arrives.
      await page.waitForTimeout(150);
      await pageAlive(page, `the ${name} tab`);
      clicked += 1;
    }
    // Back to the first view, as a learner would leave it.
    await buttons.first().click();
  }
  return clicked;
}

export default [
  {
    name: "smoke: open, step, every panel tab, every dialog and the Lessons menu, with no error",
    dev: true,
    async run(page, ctx) {
      await page.goto(ctx.base);
      await waitForStep(page, 0);
      await page.keyboard.press("ArrowRight");
      await waitForStep(page, 1);
      await page.getByRole("button", { name: "Step forward", exact: true }).click();
      await waitForStep(page, 2);
      // A step that queues commands and one that reaches a DMA: the panels redraw with content.
      await page.getByTestId("timeline-step").nth(20).getByRole("button").click();
      await waitForStep(page, 20);
      await pageAlive(page, "stepping");

      const tabs = await everyTab(page);
      ok(tabs >= 7, `clicked every tab (${tabs})`);

      // The Lessons menu stays open (StrictMode ran its effect twice and closed it at once).
      await page.getByRole("button", { name: "Lessons", exact: true }).click();
      const lessons = page.getByTestId("lesson-menu");
      await lessons.waitFor();
      await page.waitForTimeout(400);
      ok(await lessons.evaluate((d) => d.open), "the Lessons menu is still open 0.4 s later");
      await page.keyboard.press("Escape");
      await until(async () => !(await lessons.isVisible()), "Escape to close the Lessons menu");

      // The keyboard help, then the glossary, the panels menu, the breakpoints, the editor.
      await page.getByRole("button", { name: "Keyboard shortcuts" }).click();
      const help = page.getByRole("dialog", { name: "Keyboard shortcuts" });
      await help.waitFor();
      await page.waitForTimeout(300);
      ok(await help.isVisible(), "the keyboard help stays open");
      await page.keyboard.press("Escape");
      await until(async () => !(await help.isVisible()), "the keyboard help to close");

      for (const [button, dialog] of [
        ["Glossary", "Glossary"],
        ["Panels", "Panels"],
        ["Breakpoints", "Breakpoints"],
        ["Edit scenario", null],
      ]) {
        await page.getByRole("button", { name: button, exact: true }).click();
        const d = dialog ? page.getByRole("dialog", { name: dialog }) : page.getByRole("dialog").last();
        await d.waitFor();
        await page.waitForTimeout(300);
        ok(await d.isVisible(), `the ${button} dialog stays open`);
        await pageAlive(page, `opening ${button}`);
        await page.keyboard.press("Escape");
        await page.waitForTimeout(150);
        if (await d.isVisible()) {
          // The editor closes by its button (Escape in a form field is the field's).
          const close = d.getByRole("button", { name: /^Close/ }).first();
          if (await close.count()) await close.click();
        }
        await until(async () => !(await d.isVisible()), `the ${button} dialog to close`);
      }

      // The explorer's panel opens and runs on the lesson.
      await page.getByRole("button", { name: "Explore interleavings" }).click();
      await page
        .getByRole("dialog")
        .filter({ hasText: /interleaving/i })
        .first()
        .waitFor();
      await pageAlive(page, "opening the explorer");

      // A lesson picked from the menu opens at step 0 and steps.
      await page.getByRole("button", { name: "Lessons", exact: true }).click();
      await page.getByTestId("lesson-item").nth(5).click();
      await waitForStep(page, 0);
      await page.keyboard.press("ArrowRight");
      await waitForStep(page, 1);
      await pageAlive(page, "opening a lesson from the menu");
    },
  },
  {
    name: "smoke: a panel that throws shows its error in its box, the rest works, Reset draws it again",
    dev: true,
    init: () => {
      globalThis.__svaLabBreakPanel = "memory";
    },
    async run(page, ctx) {
      // React reports the caught error on the console; this test provokes exactly that one.
      ctx.allowConsoleError(/panel memory broken on purpose/);
      ctx.allowConsoleError(/The above error occurred in/);
      await page.goto(ctx.base);
      const box = page.getByTestId("panel-error-memory");
      await box.waitFor();
      ok((await box.textContent()).includes("panel memory broken on purpose"), "the error is in the panel");
      // The rest of the page works: step, the other panels draw.
      await page.keyboard.press("ArrowRight");
      await waitForStep(page, 1);
      ok(await page.getByTestId("panel-strtab").isVisible(), "the stream table panel is still there");
      ok(await page.getByTestId("panel-cmdq").isVisible(), "the queues panel is still there");
      await box.getByRole("button", { name: "Reset this panel" }).click();
      await page.getByTestId("panel-memory").waitFor();
      equal(await box.count(), 0, "the error box after Reset");
    },
  },
  {
    name: "smoke: Space on a focused Step forward or Run T0 next presses it and does not start Play",
    dev: true,
    async run(page, ctx) {
      await page.goto(ctx.base);
      await waitForStep(page, 0);
      const forward = page.getByRole("button", { name: "Step forward", exact: true });
      await forward.focus();
      await page.keyboard.press("Space");
      await waitForStep(page, 1);
      await page.waitForTimeout(700);
      equal((await position(page)).step, 1, "Space on Step forward took one step, no more");
      ok(await page.getByRole("button", { name: "Play", exact: true }).isVisible(), "still paused");

      const run = page.getByRole("button", { name: /^Run T0 next/ });
      await run.focus();
      await page.keyboard.press("Space");
      await waitForStep(page, 2);
      await page.waitForTimeout(700);
      equal((await position(page)).step, 2, "Space on Run T0 next took T0's step, no more");
      ok(await page.getByRole("button", { name: "Play", exact: true }).isVisible(), "still paused");

      // With the focus on the page, Space plays.
      await page.evaluate(() => document.activeElement?.blur());
      await page.keyboard.press("Space");
      await page.getByRole("button", { name: "Pause", exact: true }).waitFor();
      await page.keyboard.press("Space");
      await page.getByRole("button", { name: "Play", exact: true }).waitFor();
    },
  },
  {
    name: "docs: the glossary's references open the docs beside the page; the scenario schema is served",
    dev: true,
    async run(page, ctx) {
      await page.goto(ctx.base);
      await waitForStep(page, 0);
      await page.getByRole("button", { name: "Glossary", exact: true }).click();
      const ref = page.getByTestId("glossary-ref").first();
      await ref.waitFor();
      const href = await ref.getAttribute("href");
      ok(/^docs\/sources\.md#s\d+$/.test(href ?? ""), `a reference links into docs/sources.md: ${href}`);
      const doc = await page.request.get(new URL(href, ctx.base).href);
      equal(doc.status(), 200, `GET ${href}`);
      ok(
        (await doc.text()).includes(`<a id="${href.split("#")[1]}"></a>`),
        "the section is in the page served",
      );
      const schema = await page.request.get(
        new URL(ctx.mode === "dev" ? "docs/scenario.schema.json" : "scenario.schema.json", ctx.base).href,
      );
      equal(schema.status(), 200, "the scenario schema");
      const json = await schema.json();
      equal(json.properties.format.const, "sva-lab/1", "the schema's format");
    },
  },
];
