// A safeguard switched off: the ATC keeps a translation the CPU dropped, and the page shows it.
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { equal, ok, waitForStep } from "./lib/assert.mjs";

function staleScenario(ctx) {
  const scenario = JSON.parse(readFileSync(join(ctx.root, ctx.lifecycle), "utf8"));
  scenario.title = "lifecycle without ATC_INV";
  scenario.faults = ["skip-atc-inv"];
  const file = join(mkdtempSync(join(tmpdir(), "sva-e2e-")), "stale.json");
  writeFileSync(file, JSON.stringify(scenario));
  return file;
}

export default [
  {
    name: "skip-atc-inv: the stale ATC entry, the violation and the freed frame are shown",
    async run(page, ctx) {
      const file = staleScenario(ctx);
      const trace = ctx.runJson(file);
      const v = trace.violations.find((x) => x.kind === "stale-translation");
      ok(v, "the runner finds the stale translation");
      const fragment = ctx.fragmentOf(file);

      // Just before the DMA that uses it, the ATC entry is already stale (the page is unmapped).
      await page.goto(`${ctx.base}#${fragment}&step=${v.step}`);
      await waitForStep(page, v.step);
      const stale = page.locator('[data-testid="cache-entry"][data-stale="true"]');
      ok((await stale.count()) >= 1, "a stale cache entry is marked");
      equal(await page.getByTestId("violation").count(), 1, "the violation is listed on the timeline");
      const row = page.locator('[data-testid="timeline-step"][data-violation]');
      ok((await row.textContent()).includes("stale-translation"), "the violation's kind is shown");

      await page.keyboard.press("ArrowRight");
      await waitForStep(page, v.step + 1);
      ok(
        (await page.getByTestId("violation-count").textContent()).startsWith("1 so far"),
        "violations so far",
      );
      ok((await page.locator('[data-kind="free"]').count()) >= 1, "the freed frame is drawn as free");
      await page.waitForTimeout(300);
      await page.screenshot({ path: join(ctx.screenshots, "stale-1280x800.png") });
    },
  },
  {
    name: "screenshots mid-run: commands pending, caches filled",
    async run(page, ctx) {
      await page.goto(`${ctx.base}#${ctx.fragment}&step=8`);
      await waitForStep(page, 8);
      await page.waitForTimeout(300);
      await page.screenshot({ path: join(ctx.screenshots, "lifecycle-step8-1280x800.png") });
      const dma = ctx.expected.dma[0];
      await page.goto(`${ctx.base}#${ctx.fragment}&step=${dma.step + 1}`);
      await waitForStep(page, dma.step + 1);
      await page.locator('[data-kind="page"]').first().click();
      await page.getByTestId("detail").getByRole("cell", { name: "AP_RDONLY", exact: true }).waitFor();
      await page.waitForTimeout(300);
      await page.screenshot({ path: join(ctx.screenshots, "lifecycle-dma-1280x800.png") });
    },
  },
];
