// Links: a tampered link, a shared link at a step, the Share link button, the address bar.
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { equal, ok, position, until, waitForStep } from "./lib/assert.mjs";

export default [
  {
    name: "a tampered URL (#v1.garbage) shows its error and the page still works",
    async run(page, ctx) {
      const M = ctx.expected.steps.length;
      await page.goto(`${ctx.base}#v1.garbage`);
      const alert = page.getByTestId("load-error");
      await alert.waitFor();
      ok(
        (await alert.textContent()).includes("could not be opened"),
        `message: ${await alert.textContent()}`,
      );
      await page.getByText(`Step 0 / ${M}`).waitFor();
      const forward = page.getByRole("button", { name: "Step forward" });
      ok(await forward.isEnabled(), "Step forward is enabled");
      await forward.click();
      await waitForStep(page, 1);
      await page.getByRole("button", { name: "Dismiss" }).click();
      equal(await alert.count(), 0, "the message can be dismissed");
    },
  },
  {
    name: "a link's text is never HTML: markup in the fragment and in the title stays text",
    async run(page, ctx) {
      await page.goto(`${ctx.base}#<img src=x onerror="window.__pwned=1">`);
      const alert = page.getByTestId("load-error");
      await alert.waitFor();
      equal(await alert.locator("img").count(), 0, "no element made from the link");

      const scenario = JSON.parse(readFileSync(join(ctx.root, ctx.lifecycle), "utf8"));
      scenario.title = '<b id="injected">bold</b> & <script>window.__pwned=1</script>';
      const dir = mkdtempSync(join(tmpdir(), "sva-e2e-"));
      const file = join(dir, "markup.json");
      writeFileSync(file, JSON.stringify(scenario));
      await page.goto(`${ctx.base}#${ctx.fragmentOf(file)}&step=5`);
      await waitForStep(page, 5);
      equal(
        (await page.getByTestId("scenario-title").textContent())?.trim(),
        scenario.title,
        "title as text",
      );
      equal(await page.locator("#injected").count(), 0, "no element from the title");
      equal(await page.evaluate(() => window.__pwned), undefined, "no script ran");
    },
  },
  {
    name: "a shared link opens at its step; the address bar follows with replaceState",
    async run(page, ctx) {
      const M = ctx.expected.steps.length;
      await page.goto(`${ctx.base}#${ctx.fragment}&step=12`);
      await waitForStep(page, 12);
      equal((await position(page)).total, M, "same run");
      const length = await page.evaluate(() => history.length);
      for (let i = 0; i < 3; i++) await page.keyboard.press("ArrowRight");
      await waitForStep(page, 15);
      await until(() => page.url().endsWith("&step=15"), "the URL to follow the cursor");
      equal(
        await page.evaluate(() => history.length),
        length,
        "history length (replaceState, not pushState)",
      );
      await page.reload();
      await waitForStep(page, 15);
    },
  },
  {
    name: "Share link copies the URL of what is shown",
    async run(page, ctx) {
      await ctx.context.grantPermissions(["clipboard-read", "clipboard-write"], {
        origin: ctx.base.replace(/\/$/, ""),
      });
      await page.goto(ctx.base);
      await page.keyboard.press("ArrowRight");
      await waitForStep(page, 1);
      await page.getByRole("button", { name: "Share link" }).click();
      await page.getByTestId("share-status").getByText("Copied").waitFor();
      const copied = await page.evaluate(() => navigator.clipboard.readText());
      // The address bar follows the cursor after a short debounce; the copied link must not wait for it.
      await until(() => page.url().endsWith("&step=1"), "the URL to follow the cursor");
      equal(copied, page.url(), "clipboard");
      ok(copied.endsWith("&step=1"), `the link has the step: ${copied}`);
    },
  },
];
