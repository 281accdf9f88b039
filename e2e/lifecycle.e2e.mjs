// The built-in scenario, driven through the page's controls and compared with the runner.
import { equal, ok, position, until, waitForStep } from "./lib/assert.mjs";

const ops = (page) =>
  page.getByTestId("cmd-log-item").evaluateAll((items) => items.map((li) => li.getAttribute("data-op")));

export default [
  {
    name: "loads the lifecycle scenario at Step 0 / M, M as the runner counts",
    async run(page, ctx) {
      await page.goto(ctx.base);
      const M = ctx.expected.steps.length;
      ok(M > 0, "the runner gave no steps");
      await page.getByText(`Step 0 / ${M}`).waitFor();
      equal(await position(page), { step: 0, total: M }, "position");
      equal(await page.getByTestId("timeline-step").count(), M + 1, "timeline rows (boot + steps)");
      equal(
        (await page.getByTestId("scenario-title").textContent())?.trim(),
        "bind, DMA, munmap, unbind, exit",
        "title",
      );
      ok(
        await page.getByRole("button", { name: "Step back" }).isDisabled(),
        "Step back is disabled at step 0",
      );
      ok(await page.getByRole("button", { name: "Step forward" }).isEnabled(), "Step forward is enabled");
      ok(
        page.url().includes("#v1.") && page.url().includes("&step=0"),
        `the URL carries the scenario: ${page.url()}`,
      );
    },
  },
  {
    name: "Step forward / → to the end and ← back agree with the runner",
    async run(page, ctx) {
      const ex = ctx.expected;
      const M = ex.steps.length;
      await page.goto(ctx.base);
      await page.getByText(`Step 0 / ${M}`).waitFor();
      await page.getByRole("button", { name: "Step forward" }).click();
      await waitForStep(page, 1);
      await page.locator("body").click({ position: { x: 5, y: 5 } });
      for (let i = 1; i < M; i++) await page.keyboard.press("ArrowRight");
      await waitForStep(page, M);
      ok(
        await page.getByRole("button", { name: "Step forward" }).isDisabled(),
        "Step forward is disabled at the end",
      );
      await page.keyboard.press("ArrowRight");
      equal((await position(page)).step, M, "→ at the end stays at the end");

      equal(await page.getByTestId("state-hash").textContent(), ex.stateHash, "state hash at the end");
      equal(
        await ops(page),
        ex.commands.map((c) => c.op),
        "queued commands, in order",
      );
      // The header describes the cursor: at the end, unbind and exit have freed the PASID.
      ok(
        (await page.getByTestId("pasids").textContent()).includes("none bound"),
        "no PASID bound at the end",
      );

      // Back to the first DMA: the binding is live, the CD at the PASID carries the ASID.
      const dma = ex.dma[0];
      ok(dma, "the runner recorded a DMA");
      const target = dma.step + 1;
      for (let i = M; i > target; i--) await page.keyboard.press("ArrowLeft");
      await waitForStep(page, target);
      const pasidText = await page.getByTestId("pasids").textContent();
      for (const [proc, pasid] of Object.entries(ex.pasids)) {
        ok(
          pasidText.includes(`${proc}: PASID ${pasid}, ASID ${ex.asids[proc]}`),
          `PASID summary at the DMA: ${pasidText}`,
        );
      }
      await waitForStep(page, target);
      const sid = 16;
      const cd = page.getByTestId(`cd-${sid}-${ex.pasids.app}`);
      equal(await cd.getAttribute("data-asid"), String(ex.asids.app), "ASID in the CD at the bound PASID");
      equal(await cd.getAttribute("data-valid"), "1", "the CD is valid while bound");
      const atTarget = ctx.runJson(ctx.lifecycle, target);
      equal(
        await page.getByTestId("state-hash").textContent(),
        atTarget.stateHash,
        `state hash at step ${target}`,
      );
      equal(
        await ops(page),
        ex.commands.filter((c) => c.step < target).map((c) => c.op),
        `commands queued before step ${target}`,
      );

      await page.getByRole("button", { name: "Reset" }).click();
      await waitForStep(page, 0);
      ok(
        await page.getByRole("button", { name: "Step back" }).isDisabled(),
        "Step back disabled after Reset",
      );
    },
  },
  {
    name: "Play becomes Pause and advances; Pause stops; Space toggles",
    async run(page, ctx) {
      await page.goto(ctx.base);
      await page.getByText(`Step 0 / ${ctx.expected.steps.length}`).waitFor();
      await page.getByRole("button", { name: "Play" }).click();
      await page.getByRole("button", { name: "Pause" }).waitFor();
      await until(async () => (await position(page)).step >= 2, "playback to advance");
      await page.getByRole("button", { name: "Pause" }).click();
      await page.getByRole("button", { name: "Play" }).waitFor();
      const stopped = (await position(page)).step;
      await page.waitForTimeout(1200);
      equal((await position(page)).step, stopped, "paused position");

      await page.keyboard.press("Space");
      await page.getByRole("button", { name: "Pause" }).waitFor();
      await until(async () => (await position(page)).step > stopped, "Space to play");
      await page.keyboard.press("Space");
      await page.getByRole("button", { name: "Play" }).waitFor();
    },
  },
  {
    name: "clicking a step moves the cursor there; violations and the detail view",
    async run(page, ctx) {
      await page.goto(ctx.base);
      const rows = page.getByTestId("timeline-step");
      await rows.nth(6).getByRole("button").click();
      await waitForStep(page, 6);
      ok(await rows.nth(6).getAttribute("data-current"), "the clicked step is current");
      await rows.nth(20).getByRole("button").click();
      await waitForStep(page, 20);
      await page.getByTestId("ste-16").click();
      const detail = page.getByTestId("detail");
      await detail.getByRole("cell", { name: "S1CTXPTR", exact: true }).waitFor();
      await detail.getByRole("cell", { name: "CONFIG", exact: true }).waitFor();
      equal(await page.getByTestId("detail-words").locator("li").count(), 8, "an STE has 8 words");
      await page.getByTestId("cd-16-1").focus();
      await page.keyboard.press("Enter");
      await detail.getByRole("cell", { name: "TTB0", exact: true }).waitFor();
      ok(page.url().includes("view=cd%3A16%3A1"), `the selection follows the URL: ${page.url()}`);
    },
  },
];
