// The page's look: the theme is remembered, nothing overflows the window, screenshots.
import { join } from "node:path";
import { equal, fitsWindow, waitForStep } from "./lib/assert.mjs";

function screenshotAtEnd(width, height, theme) {
  return {
    name: `screenshot at the last step, ${width}×${height}, ${theme}`,
    viewport: { width, height },
    async run(page, ctx) {
      const M = ctx.expected.steps.length;
      await page.addInitScript((t) => localStorage.setItem("sva-lab-theme", t), theme);
      await page.goto(`${ctx.base}#${ctx.fragment}&step=${M}&view=cd%3A16%3A1`);
      await waitForStep(page, M);
      await page.getByTestId("detail").waitFor();
      await fitsWindow(page);
      await page.waitForTimeout(400); // let the diagrams' transitions finish
      await page.screenshot({ path: join(ctx.screenshots, `lifecycle-${width}x${height}-${theme}.png`) });
    },
  };
}

export default [
  {
    name: "the theme toggle switches to dark and is remembered",
    async run(page, ctx) {
      await page.emulateMedia({ colorScheme: "light" });
      await page.goto(ctx.base);
      equal(
        await page.evaluate(() => document.documentElement.classList.contains("dark")),
        false,
        "light first",
      );
      await page.getByRole("button", { name: "Switch to dark theme" }).click();
      equal(await page.evaluate(() => document.documentElement.classList.contains("dark")), true, "dark");
      await page.reload();
      await page.getByRole("button", { name: "Switch to light theme" }).waitFor();
      equal(
        await page.evaluate(() => document.documentElement.classList.contains("dark")),
        true,
        "still dark",
      );
    },
  },
  {
    name: "every control has its accessible name and is reachable by Tab",
    async run(page, ctx) {
      await page.goto(ctx.base);
      await page.keyboard.press("ArrowRight");
      const names = ["Reset", "Step back", "Play", "Step forward", "Share link"];
      const seen = new Set();
      for (let i = 0; i < 40 && seen.size < names.length; i++) {
        await page.keyboard.press("Tab");
        const name = await page.evaluate(() =>
          document.activeElement?.textContent?.replace(/^\W+/, "").trim(),
        );
        if (names.includes(name)) seen.add(name);
      }
      equal([...seen].sort(), [...names].sort(), "controls reached by Tab");
    },
  },
  screenshotAtEnd(1280, 800, "light"),
  screenshotAtEnd(1920, 1080, "light"),
  screenshotAtEnd(1280, 800, "dark"),
  screenshotAtEnd(1920, 1080, "dark"),
];
