// The page people learn from: keys, the keyboard help, exporting a diagram, embed mode, the
// panel layout (shown, hidden, sized; remembered and in the link), the large scenario,
// tablets, and screenshots of a race mid-way.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { equal, fitsWindow, ok, position, until, waitForStep } from "./lib/assert.mjs";

const UNBIND_VS_EXIT = "src/scenario/library/unbind-vs-exit.json";

/** The step where T0 and T1 have both run and keep interleaving: the race mid-way. */
function midRace(trace) {
  const steps = trace.steps;
  for (let i = 1; i < steps.length - 2; i++) {
    const before = new Set(steps.slice(0, i).map((s) => s.actor));
    if (before.has("T0") && before.has("T1") && steps[i].actor !== steps[i - 1].actor) {
      const after = new Set(steps.slice(i).map((s) => s.actor));
      if (after.has("T0") || after.has("T1")) return i + 1;
    }
  }
  return Math.floor(steps.length / 2);
}

async function download(page, button) {
  const [d] = await Promise.all([page.waitForEvent("download"), button.click()]);
  const file = await d.path();
  return { name: d.suggestedFilename(), bytes: readFileSync(file) };
}

function screenshotMidRace(width, height) {
  return {
    name: `page: screenshot of unbind-vs-exit mid-race, ${width}×${height}`,
    viewport: { width, height },
    async run(page, ctx) {
      const trace = ctx.runJson(UNBIND_VS_EXIT);
      const step = midRace(trace);
      await page.goto(`${ctx.base}#${ctx.fragmentOf(UNBIND_VS_EXIT)}&step=${step}`);
      await waitForStep(page, step);
      await fitsWindow(page);
      // Nothing in the controls bar or the header is pushed out of the window.
      for (const name of ["Step forward", "Share link", "Panels"]) {
        const box = await page.getByRole("button", { name, exact: true }).boundingBox();
        ok(
          box && box.x >= 0 && box.x + box.width <= width,
          `${name} is inside the window: ${JSON.stringify(box)}`,
        );
      }
      await page.waitForTimeout(400);
      await page.screenshot({ path: join(ctx.screenshots, `unbind-vs-exit-${width}x${height}.png`) });
    },
  };
}

export default [
  {
    name: "page: keys: → ← step, End goes to the last step, Home back to the first",
    async run(page, ctx) {
      const M = ctx.expected.steps.length;
      await page.goto(ctx.base);
      await waitForStep(page, 0);
      await page.keyboard.press("End");
      await waitForStep(page, M);
      equal((await position(page)).total, M, "same run");
      await page.keyboard.press("ArrowLeft");
      await waitForStep(page, M - 1);
      await page.keyboard.press("Home");
      await waitForStep(page, 0);
      await page.keyboard.press("ArrowRight");
      await page.keyboard.press("ArrowRight");
      await waitForStep(page, 2);
      await until(() => page.url().endsWith("&step=2"), "the URL to follow");
    },
  },
  {
    name: "page: ? opens the keyboard help listing every command with its keys; focus stays in it, Escape closes",
    async run(page, ctx) {
      await page.goto(ctx.base);
      await waitForStep(page, 0);
      await page.keyboard.press("?");
      const dialog = page.getByRole("dialog", { name: "Keyboard shortcuts" });
      await dialog.waitFor();
      const rows = await dialog
        .getByTestId("help-commands")
        .locator("tr")
        .evaluateAll((trs) =>
          trs.map((tr) => ({
            name: tr.getAttribute("data-command"),
            keys: [...tr.querySelectorAll("kbd")].map((k) => k.textContent),
            label: tr.children[1]?.textContent,
          })),
        );
      const byName = Object.fromEntries(rows.map((r) => [r.name, r]));
      for (const [name, label, key] of [
        ["step-forward", "Step forward", "→"],
        ["step-back", "Step back", "←"],
        ["play-pause", "Play", "Space"],
        ["reset", "Reset", "Home"],
        ["last-step", "Last step", "End"],
        ["help", "Keyboard shortcuts", "?"],
      ]) {
        ok(byName[name], `the help lists ${name}: ${JSON.stringify(rows)}`);
        equal(byName[name].label, label, `${name}'s label`);
        ok(byName[name].keys.includes(key), `${name} has key ${key}: ${byName[name].keys}`);
      }
      ok(
        rows.every((r) => r.keys.length > 0),
        "every command shows its keys",
      );
      // Focus is trapped: Tab goes round inside the dialog.
      for (let i = 0; i < 6; i++) {
        await page.keyboard.press("Tab");
        ok(
          await page.evaluate(() => !!document.activeElement?.closest("[data-testid=help-dialog]")),
          `focus stays in the dialog after ${i + 1} Tab(s)`,
        );
      }
      // The page's keys do not act behind it.
      await page.keyboard.press("ArrowRight");
      equal((await position(page)).step, 0, "→ does nothing while the help is open");
      await page.keyboard.press("Escape");
      await dialog.waitFor({ state: "detached" });

      // Opened from the ? button, closing gives the focus back to it.
      const button = page.getByRole("button", { name: "Keyboard shortcuts" });
      await button.click();
      await dialog.waitFor();
      await dialog.getByRole("button", { name: "Close" }).click();
      await dialog.waitFor({ state: "detached" });
      ok(await button.evaluate((b) => document.activeElement === b), "the focus is back on the ? button");
    },
  },
  {
    name: "page: Export SVG and Export PNG download the panel's diagram: the SVG has its entries",
    async run(page, ctx) {
      await page.goto(`${ctx.base}#${ctx.fragment}&step=20`);
      await waitForStep(page, 20);
      const panel = page.getByTestId("panel-strtab");
      const svg = await download(page, panel.getByRole("button", { name: /^Export Stream table.* as SVG$/ }));
      ok(svg.name.endsWith(".svg"), `an .svg file: ${svg.name}`);
      const text = svg.bytes.toString("utf8");
      ok(text.startsWith("<?xml") && text.includes("<svg"), "an SVG document");
      ok(text.includes("STE 16") && text.includes("S1CtxPtr"), "the STE card is in it");
      ok(/CD \d/.test(text), "a CD card is in it");
      ok(!text.includes("var(--"), "no CSS variables left: the colours are inlined");
      // The SVG element may be taller than its drawing (it grows in steps): the file is not.
      const drawing = Number(await panel.locator("svg.diagram").first().getAttribute("data-height"));
      const tall = Number(await panel.locator("svg.diagram").first().getAttribute("height"));
      const fileHeight = Number(/<svg[^>]* height="(\d+)"/.exec(text)?.[1]);
      ok(
        drawing > 0 && drawing < tall && fileHeight < drawing + 100,
        `the file is as tall as the drawing (${fileHeight} for ${drawing}; the element ${tall})`,
      );
      const png = await download(page, panel.getByRole("button", { name: /^Export Stream table.* as PNG$/ }));
      ok(png.name.endsWith(".png"), `a .png file: ${png.name}`);
      equal([...png.bytes.subarray(0, 4)], [0x89, 0x50, 0x4e, 0x47], "PNG signature");
      ok(png.bytes.length > 2000, `a PNG with something in it (${png.bytes.length} bytes)`);

      // Another panel: the memory grid.
      const mem = await download(
        page,
        page.getByTestId("panel-memory").getByRole("button", { name: "Export Physical memory as SVG" }),
      );
      ok(mem.bytes.toString("utf8").includes("frame"), "the memory SVG has its frames");
    },
  },
  {
    name: "page: embed mode: only the diagrams and the step controls; Step forward works; the link keeps it",
    async run(page, ctx) {
      await page.goto(`${ctx.base}#${ctx.fragment}&step=3&embed=1`);
      await waitForStep(page, 3);
      for (const name of ["Lessons", "Edit scenario", "Import JSON", "Panels", "Share link"]) {
        equal(await page.getByRole("button", { name, exact: true }).count(), 0, `no ${name} button`);
      }
      equal(await page.getByTestId("lesson-bar").count(), 0, "no lesson bar");
      equal(await page.getByTestId("panel-steps").count(), 0, "no steps list");
      equal(await page.getByTestId("next-step").count(), 0, "no next-step chooser");
      await page.getByTestId("panel-strtab").waitFor();
      await page.getByTestId("swimlane").waitFor();
      await page.getByRole("button", { name: "Step forward" }).click();
      await waitForStep(page, 4);
      await page.keyboard.press("ArrowRight");
      await waitForStep(page, 5);
      await until(
        () => page.url().includes("&step=5") && page.url().includes("embed=1"),
        "the link to keep embed=1",
      );
      await page.getByRole("link", { name: "Open in SVA Lab" }).waitFor();
      await fitsWindow(page);
      await page.screenshot({ path: join(ctx.screenshots, "embed-1280x800.png") });
    },
  },
  {
    name: "page: Copy embed link copies the link with embed=1",
    async run(page, ctx) {
      await ctx.context.grantPermissions(["clipboard-read", "clipboard-write"]);
      await page.goto(`${ctx.base}#${ctx.fragment}&step=7`);
      await waitForStep(page, 7);
      await page.getByRole("button", { name: "Copy embed link" }).click();
      await until(
        async () => (await page.getByTestId("share-status").textContent()) === "Embed link copied",
        "copied",
      );
      const copied = await page.evaluate(() => navigator.clipboard.readText());
      ok(copied.includes("#v1.") && copied.includes("&step=7") && copied.endsWith("&embed=1"), copied);
    },
  },
  {
    name: "page: panels: hidden from the Panels menu and resized; the layout survives reload and travels in the link",
    async run(page, ctx) {
      await page.goto(`${ctx.base}#${ctx.fragment}&step=10`);
      await waitForStep(page, 10);
      await page.getByRole("button", { name: "Panels", exact: true }).click();
      const menu = page.getByRole("dialog", { name: "Panels" });
      await menu.getByRole("checkbox", { name: "Physical memory" }).uncheck();
      await menu.getByRole("checkbox", { name: "Kernel" }).uncheck();
      await page.keyboard.press("Escape");
      await menu.waitFor({ state: "detached" });
      equal(await page.getByTestId("panel-memory").count(), 0, "the memory panel is hidden");
      equal(await page.getByTestId("panel-kernel").count(), 0, "the kernel panel is hidden");

      // Resize by keyboard: the splitter between the two rows of panels.
      const rows = page.getByRole("separator", { name: "Resize the two rows of panels" });
      const before = await page.getByTestId("panel-strtab").boundingBox();
      await rows.focus();
      for (let i = 0; i < 5; i++) await page.keyboard.press("ArrowDown");
      equal((await position(page)).step, 10, "the arrows moved the splitter, not the cursor");
      const after = await page.getByTestId("panel-strtab").boundingBox();
      ok(after.height > before.height + 20, `the top row grew: ${before.height} → ${after.height}`);
      await until(() => decodeURIComponent(page.url()).includes("hide=kernel.memory"), "hide= in the link");
      await until(() => decodeURIComponent(page.url()).includes("rows:0."), "the sizes in the link");
      const link = page.url();

      await page.reload();
      await waitForStep(page, 10);
      equal(await page.getByTestId("panel-memory").count(), 0, "still hidden after reload");
      const reloaded = await page.getByTestId("panel-strtab").boundingBox();
      ok(Math.abs(reloaded.height - after.height) < 4, "same size after reload");

      // Remembered without the link too (localStorage).
      await page.goto(ctx.base);
      await waitForStep(page, 0);
      equal(await page.getByTestId("panel-memory").count(), 0, "remembered: hidden on the bare page");

      // The link opens the same panels elsewhere (a fresh browser profile).
      const other = await ctx.context.browser().newContext({ viewport: { width: 1280, height: 800 } });
      try {
        const p2 = await other.newPage();
        await p2.goto(link);
        await waitForStep(p2, 10);
        equal(await p2.getByTestId("panel-memory").count(), 0, "the link hides the memory panel");
        equal(await p2.getByTestId("panel-kernel").count(), 0, "and the kernel panel");
        const there = await p2.getByTestId("panel-strtab").boundingBox();
        ok(
          Math.abs(there.height - after.height) < 4,
          `the link sizes the rows: ${there.height} vs ${after.height}`,
        );
        // A link without a layout opens the default one.
        await p2.goto(`${ctx.base}#${ctx.fragment}&step=2`);
        await waitForStep(p2, 2);
        await p2.getByTestId("panel-memory").waitFor();
      } finally {
        await other.close();
      }

      // Reset layout brings every panel back.
      await page.getByRole("button", { name: "Panels", exact: true }).click();
      await page.getByRole("button", { name: "Reset layout" }).click();
      await page.getByTestId("panel-memory").waitFor();
      await page.getByTestId("panel-kernel").waitFor();
    },
  },
  {
    name: "page: the theme is remembered across reloads and in embed mode",
    async run(page, ctx) {
      await page.emulateMedia({ colorScheme: "light" });
      await page.goto(ctx.base);
      await page.getByRole("button", { name: "Switch to dark theme" }).click();
      await page.goto(`${ctx.base}#${ctx.fragment}&embed=1`);
      await waitForStep(page, 0);
      ok(
        await page.evaluate(() => document.documentElement.classList.contains("dark")),
        "dark in embed mode",
      );
    },
  },
  {
    name: "page: the large scenario (64 processes × 16 devices) loads from the Lessons menu and steps",
    async run(page, ctx) {
      page.setDefaultTimeout(60_000);
      await page.goto(ctx.base);
      await waitForStep(page, 0);
      await page.getByRole("button", { name: "Lessons", exact: true }).click();
      await page.getByTestId("large-item").click();
      await until(async () => (await position(page)).total > 10_000, "the large run", 60_000);
      const { total } = await position(page);
      ok((await page.getByTestId("scenario-title").textContent()).includes("64 processes"), "its title");
      await page.keyboard.press("ArrowRight");
      await waitForStep(page, 1);
      await page.getByRole("button", { name: "Step forward" }).click();
      await waitForStep(page, 2);
      await page.keyboard.press("End");
      await waitForStep(page, total, 20_000);
      await page.keyboard.press("ArrowLeft");
      await waitForStep(page, total - 1, 20_000);
      // The memory grid is a canvas; the step list draws only the rows in view.
      await page.getByTestId("memory-canvas").waitFor();
      ok((await page.getByTestId("timeline-step").count()) < 300, "the step list is windowed");
      await fitsWindow(page);
      // Its link opens it again.
      ok(page.url().includes("#v1."), "the large scenario has a link");
      await page.goto(`${ctx.base}#large&step=100`);
      await waitForStep(page, 100, 60_000);
      await page.screenshot({ path: join(ctx.screenshots, "large-1280x800.png") });
    },
  },
  {
    name: "page: on the large scenario long lists draw what is in view; ↑/↓ reach every thread that can step",
    async run(page, ctx) {
      page.setDefaultTimeout(60_000);
      await page.goto(`${ctx.base}#large`);
      await until(async () => (await position(page)).total > 10_000, "the large run", 60_000);
      await waitForStep(page, 0);
      // Next step: 64 threads want sva_lock at step 0, all runnable; a few lines are drawn.
      const chooser = page.getByTestId("next-step");
      await chooser.getByRole("button", { name: "Run T0 next" }).waitFor();
      const drawn = await chooser.locator("li").count();
      ok(drawn < 40, `the Next-step list draws the lines in view, not all 68: ${drawn}`);
      await chooser.getByRole("button", { name: "Run T0 next" }).focus();
      for (let i = 0; i < 40; i++) await page.keyboard.press("ArrowDown");
      await until(
        async () =>
          (await page.evaluate(() => document.activeElement?.textContent?.trim())) === "Run T40 next",
        "↓ forty times from T0 reaches T40",
      );
      const inView = await page.evaluate(() => {
        const b = document.activeElement.getBoundingClientRect();
        const box = document.activeElement.closest("ul").parentElement.getBoundingClientRect();
        return b.top >= box.top - 1 && b.bottom <= box.bottom + 1;
      });
      ok(inView, "the focused line is scrolled into the list's view");
      await page.keyboard.press("ArrowUp");
      await until(
        async () =>
          (await page.evaluate(() => document.activeElement?.textContent?.trim())) === "Run T39 next",
        "↑ goes back to T39",
      );
      // The kernel panel's threads: the lines in view; scrolled to the end, the last thread.
      const threads = page.getByRole("list", { name: "Threads" });
      ok((await threads.locator("li").count()) < 64, "the thread lines are windowed");
      await page
        .getByTestId("panel-kernel")
        .locator("[data-panel-body]")
        .evaluate((el) => {
          el.scrollTop = 64 * 18;
        });
      await until(
        async () => (await threads.locator("li", { hasText: "T63" }).count()) === 1,
        "T63's line drawn",
      );
      // Statecharts (a chunk fetched when first shown): every card is there, with its state;
      // those out of view draw no diagram.
      await page.getByTestId("statechart").first().waitFor();
      const cards = await page.getByTestId("statechart").count();
      const diagrams = await page.getByTestId("statechart-svg").count();
      ok(cards > 100 && diagrams < cards / 2, `cards ${cards}, diagrams drawn ${diagrams}`);
      // The swimlane draws the steps in view and a margin; stepping on moves its view a
      // screenful at a time, and the steps ahead are drawn (when idle) before it gets there.
      const lane = () =>
        page.evaluate(() => {
          const view = document.querySelector('[data-testid="swimlane-box"]').getBoundingClientRect();
          const seen = [];
          let last = 0;
          for (const b of document.querySelectorAll('[data-testid="swimlane-step"]')) {
            const step = Number(b.getAttribute("data-step"));
            last = Math.max(last, step);
            const r = b.getBoundingClientRect();
            if (r.left >= view.left && r.right <= view.right) seen.push(step);
          }
          return { first: Math.min(...seen), end: Math.max(...seen), last };
        });
      const start = (await position(page)).step;
      let jumps = 0;
      let before = await lane();
      for (let i = 1; jumps < 2; i++) {
        await page.keyboard.press("ArrowRight");
        await waitForStep(page, start + i);
        const now = await lane();
        if (now.first > before.first) {
          jumps++;
          const screen = now.end - now.first;
          await until(
            async () => (await lane()).last - now.end >= 0.8 * screen,
            `after the view moved on (step ${start + i}), the next screenful of steps drawn`,
          );
        }
        before = now;
      }
    },
  },
  {
    name: "page: a tablet (1024×768): panels stack, the controls stay, no editor",
    viewport: { width: 1024, height: 768 },
    async run(page, ctx) {
      await page.goto(`${ctx.base}#${ctx.fragment}&step=12`);
      await waitForStep(page, 12);
      equal(await page.getByRole("button", { name: "Edit scenario" }).isVisible(), false, "no editor");
      equal(await page.getByRole("button", { name: "Import JSON" }).isVisible(), false, "no import");
      await page.getByRole("button", { name: "Step forward" }).click();
      await waitForStep(page, 13);
      const m = await page.evaluate(() => ({ w: document.documentElement.scrollWidth, iw: innerWidth }));
      ok(m.w <= m.iw, `no sideways scroll: ${JSON.stringify(m)}`);
      const a = await page.getByTestId("panel-strtab").boundingBox();
      const b = await page.getByTestId("panel-memory").boundingBox();
      ok(a.width > 300 && b.width > 300, "panels keep a usable width");
      await page.screenshot({ path: join(ctx.screenshots, "tablet-1024x768.png"), fullPage: true });
    },
  },
  {
    name: "page: a tablet upright (768×1024): one panel per row, the controls stay",
    viewport: { width: 768, height: 1024 },
    async run(page, ctx) {
      await page.goto(`${ctx.base}#${ctx.fragment}&step=12`);
      await waitForStep(page, 12);
      await page.keyboard.press("ArrowRight");
      await waitForStep(page, 13);
      const m = await page.evaluate(() => ({ w: document.documentElement.scrollWidth, iw: innerWidth }));
      ok(m.w <= m.iw, `no sideways scroll: ${JSON.stringify(m)}`);
      const a = await page.getByTestId("panel-strtab").boundingBox();
      ok(a.width > 600, `a panel takes the width: ${a.width}`);
      await page.screenshot({ path: join(ctx.screenshots, "tablet-768x1024.png") });
    },
  },
  screenshotMidRace(1280, 800),
  screenshotMidRace(1920, 1080),
];
