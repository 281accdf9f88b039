// The page header at desktop sizes: the scenario's title is shown whole (not cut to
// "64 proces…"), and no control overlaps another (the kernel picker once sat under the Lessons
// button at 1280×800 on #large). Every box is measured in Chromium's real layout.
import { join } from "node:path";
import { equal, ok, position, until, waitForStep } from "./lib/assert.mjs";

/** Every visible control of the header and the title, as { what, x, y, w, h } in page pixels. */
function headerBoxes(page) {
  return page.evaluate(() => {
    const header = document.querySelector("header");
    const describe = (e) =>
      e.getAttribute("data-testid") ||
      e.getAttribute("aria-label") ||
      e.textContent?.trim().slice(0, 30) ||
      e.tagName.toLowerCase();
    const items = [
      header.querySelector("h1"),
      header.querySelector("[data-testid=scenario-title]"),
      ...header.querySelectorAll("button, select, a[href], input, [role=button]"),
    ];
    return items
      .map((e) => ({ e, r: e.getBoundingClientRect() }))
      .filter(({ r }) => r.width > 0 && r.height > 0)
      .map(({ e, r }) => ({ what: describe(e), x: r.x, y: r.y, w: r.width, h: r.height }));
  });
}

/** The pairs of boxes that share more than half a pixel each way. */
function overlaps(boxes) {
  const out = [];
  for (let i = 0; i < boxes.length; i++)
    for (let j = i + 1; j < boxes.length; j++) {
      const a = boxes[i];
      const b = boxes[j];
      const dx = Math.min(a.x + a.w, b.x + b.w) - Math.max(a.x, b.x);
      const dy = Math.min(a.y + a.h, b.y + b.h) - Math.max(a.y, b.y);
      if (dx > 0.5 && dy > 0.5) out.push(`${a.what} × ${b.what}`);
    }
  return out;
}

async function checkHeader(page, ctx, width, height, name) {
  const boxes = await headerBoxes(page);
  ok(boxes.length >= 12, `the header's controls (found ${boxes.length})`);
  equal(overlaps(boxes), [], "header boxes that overlap");
  const outside = boxes.filter((b) => b.x < 0 || b.x + b.w > width + 0.5).map((b) => b.what);
  equal(outside, [], "header boxes past the window's edge");
  // The title whole: its text fits its box (a cut one ends in an ellipsis, scrollWidth > clientWidth).
  const cut = await page
    .getByTestId("scenario-title")
    .evaluate((e) => ({ scroll: e.scrollWidth, client: e.clientWidth, text: e.textContent }));
  ok(cut.scroll <= cut.client, `the title is cut: ${JSON.stringify(cut)}`);
  // The header leaves the page most of the window.
  const header = await page.locator("header").first().boundingBox();
  ok(header.height <= 120, `the header is ${header.height} px tall`);
  // Every control can still be reached by Tab (from the page's start, in the header's order).
  const controls = await page
    .locator("header")
    .first()
    .evaluate(
      (h) =>
        [...h.querySelectorAll("button, select, a[href]")].filter((e) => e.getClientRects().length > 0)
          .length,
    );
  await page.evaluate(() => {
    document.activeElement?.blur();
    window.scrollTo(0, 0);
  });
  let reached = 0;
  for (let i = 0; i < controls + 2 && reached < controls; i++) {
    await page.keyboard.press("Tab");
    const inHeader = await page.evaluate(() => {
      const a = document.activeElement;
      if (!a?.closest("header")) return null;
      const label = a.getAttribute("aria-label") || a.labels?.[0]?.textContent || a.textContent;
      return label?.trim() ?? "";
    });
    if (inHeader === null) continue;
    ok(inHeader !== "", `a header control without a name at Tab ${i + 1}`);
    reached += 1;
  }
  equal(reached, controls, "header controls reached by Tab");
  await page.screenshot({ path: join(ctx.screenshots, `header-${name}-${width}x${height}.png`) });
}

export default [
  {
    name: "header: at 1280×800 on #large the title is whole and no control overlaps another",
    async run(page, ctx) {
      page.setDefaultTimeout(60_000);
      await page.goto(`${ctx.base}#large`);
      await until(async () => (await position(page)).total > 10_000, "the large run", 60_000);
      await waitForStep(page, 0);
      await checkHeader(page, ctx, 1280, 800, "large");
    },
  },
  ...[
    [1280, 800],
    [1920, 1080],
  ].map(([width, height]) => ({
    name: `header: at ${width}×${height} on a lesson with a long title no control overlaps another`,
    viewport: { width, height },
    async run(page, ctx) {
      await page.goto(`${ctx.base}#lesson=museum-release-vs-clear`);
      await page.getByTestId("lesson-bar").waitFor();
      await waitForStep(page, 0);
      ok(
        ((await page.getByTestId("scenario-title").textContent()) ?? "").length > 80,
        "the lesson's title is a long one",
      );
      await checkHeader(page, ctx, width, height, "lesson");
    },
  })),
];
