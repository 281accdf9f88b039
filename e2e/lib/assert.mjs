// Assertions and waiting, without a test framework.
import { isDeepStrictEqual } from "node:util";

export function ok(value, message) {
  if (!value) throw new Error(message);
}

export function equal(actual, expected, what) {
  if (!isDeepStrictEqual(actual, expected)) {
    throw new Error(`${what}: expected ${JSON.stringify(expected)}, got ${JSON.stringify(actual)}`);
  }
}

/** Polls `probe` until it returns a truthy value; throws with `what` after `ms`. */
export async function until(probe, what, ms = 5000) {
  const end = Date.now() + ms;
  let last;
  while (Date.now() < end) {
    last = await probe();
    if (last) return last;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`timed out waiting for ${what} (last: ${JSON.stringify(last)})`);
}

/** The page's "Step N / M" text, as numbers. */
export async function position(page) {
  const text = (await page.getByTestId("position").textContent()) ?? "";
  const m = /Step (\d+) \/ (\d+)/.exec(text.replace(/\s+/g, " "));
  if (!m) throw new Error(`no "Step N / M" in ${JSON.stringify(text)}`);
  return { step: Number(m[1]), total: Number(m[2]) };
}

export async function waitForStep(page, step, ms = 5000) {
  await until(async () => (await position(page)).step === step, `Step ${step}`, ms);
  // The timeline chart is fetched just after the first paint: wait for it where the page has one.
  if ((await page.getByTestId("races-strip").count()) > 0) await page.getByTestId("swimlane").waitFor();
}

/** The page fits its window: no scrollbars on the document. */
export async function fitsWindow(page) {
  const m = await page.evaluate(() => ({
    w: document.documentElement.scrollWidth,
    h: document.documentElement.scrollHeight,
    iw: innerWidth,
    ih: innerHeight,
  }));
  ok(m.w <= m.iw && m.h <= m.ih, `the page overflows the window: ${JSON.stringify(m)}`);
}
