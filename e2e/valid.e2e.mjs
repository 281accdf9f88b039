// Valid is safe (issue 15): a link beyond a cost limit is refused at once with the limit named;
// a 2^36-page exit runs at once; hostile names step to the end as their plain-named twins; a
// sample of the semantic fuzzer's scenarios reaches the runner's state hash in the page.
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { equal, ok, position, until, waitForStep } from "./lib/assert.mjs";
import { ROOT } from "./lib/runner.mjs";

let cache;
function expected() {
  if (cache) return cache;
  const r = spawnSync(process.execPath, ["--import", "tsx", "e2e/lib/valid-expect.ts"], {
    cwd: ROOT,
    encoding: "utf8",
    timeout: 120_000,
  });
  if (r.status !== 0) throw new Error(`valid-expect: ${r.stderr}`);
  cache = JSON.parse(r.stdout);
  return cache;
}

/** Opens a link and waits for its last step; returns what the page shows there. */
async function openAtEnd(page, ctx, e) {
  await page.goto(`${ctx.base}#${e.fragment}&step=${e.steps}`);
  await waitForStep(page, e.steps, 15_000);
  await until(
    async () => (await page.getByTestId("state-hash").getAttribute("aria-busy")) === null,
    "the state hash",
  );
  return {
    hash: (await page.getByTestId("state-hash").textContent())?.trim(),
    violations: (await page.getByTestId("violation-count").textContent())?.trim(),
    pasids: (await page.getByTestId("pasids").textContent())?.trim(),
  };
}

export default [
  {
    name: "valid is safe: a link populating 2^23 pages is refused at once, naming the limit; the page stays usable",
    async run(page, ctx) {
      const { bomb } = expected();
      ok(bomb.length < 500, `a short link (${bomb.length} characters)`);
      const started = Date.now();
      await page.goto(`${ctx.base}#${bomb}`);
      const alert = page.getByTestId("load-error");
      await alert.waitFor();
      const took = Date.now() - started;
      const text = (await alert.textContent()) ?? "";
      ok(text.includes("beyond the limit of 65536"), `the message names the limit: ${text}`);
      ok(took < 5000, `refused at once (${took} ms)`);
      const memory = await page.evaluate(() => performance.memory?.usedJSHeapSize ?? 0);
      ok(memory < 512 * 2 ** 20, `the tab did not grow (${Math.round(memory / 2 ** 20)} MiB of heap)`);
      await page.getByRole("button", { name: "Step forward" }).click();
      await waitForStep(page, 1);
    },
  },
  {
    name: "valid is safe: a link with a 2^36-page VMA and an exit runs to its end at once",
    async run(page, ctx) {
      const e = expected().hugeExit;
      const started = Date.now();
      const shown = await openAtEnd(page, ctx, e);
      ok(Date.now() - started < 5000, `ran within the budget (${Date.now() - started} ms)`);
      equal(shown.hash, e.stateHash, "state hash at the last step, as the runner gives it");
    },
  },
  {
    name: "valid is safe: a process named constructor or __proto__ and a guest process named g:app step to the end as their plain twins",
    async run(page, ctx) {
      for (const t of expected().twins) {
        const plain = await openAtEnd(page, ctx, t.plain);
        const hostile = await openAtEnd(page, ctx, t.hostile);
        equal(plain.hash, t.plain.stateHash, `${t.id}: the plain twin's state hash`);
        equal(hostile.hash, t.hostile.stateHash, `${t.id} with ${t.to}: the state hash the runner gives`);
        equal(hostile.violations, plain.violations, `${t.id} with ${t.to}: the same violations as the twin`);
        ok(t.hostile.violations > 0, `${t.id}: the fault still breaks it`);
        if (t.id === "lifecycle") {
          // The header describes the cursor (issue 12): at the end the PASID is freed; while
          // bound, the process's name shows there as text.
          const bound = `${t.to}: PASID 1`;
          const pasids = async () => (await page.getByTestId("pasids").textContent()) ?? "";
          await page.keyboard.press("Home");
          await waitForStep(page, 0);
          for (let i = 0; i < 40 && !(await pasids()).includes(bound); i++)
            await page.keyboard.press("ArrowRight");
          ok((await pasids()).includes(bound), `PASIDs: ${await pasids()}`);
          await page.keyboard.press("End");
        }
        // Stepping back from the end and forward again lands on the same state.
        await page.keyboard.press("Home");
        await waitForStep(page, 0);
        await page.keyboard.press("End");
        await waitForStep(page, (await position(page)).total);
        equal(
          (await page.getByTestId("state-hash").textContent())?.trim(),
          t.hostile.stateHash,
          "after Home, End",
        );
      }
    },
  },
  {
    name: "valid is safe: a link made before the fault no-cleared-flag was removed opens, with a note saying so",
    async run(page, ctx) {
      const corpus = JSON.parse(readFileSync(join(ctx.root, "src/scenario/url-corpus-v1.json"), "utf8"));
      const entry = corpus.entries.find((e) => e.id === "no-cleared-flag-unbind-vs-exit");
      await page.goto(`${ctx.base}${entry.url.slice(entry.url.indexOf("#"))}`);
      const alert = page.getByTestId("load-error");
      await alert.waitFor();
      const text = (await alert.textContent()) ?? "";
      ok(text.includes("made by an earlier SVA Lab"), `the note: ${text}`);
      ok(text.includes('the fault "no-cleared-flag" was removed'), `names the fault: ${text}`);
      equal(
        (await page.getByTestId("scenario-title").textContent())?.trim(),
        entry.scenario.title,
        "its scenario is shown",
      );
      await page.getByRole("button", { name: "Step forward" }).click();
      await waitForStep(page, 1);
    },
  },
  {
    name: "valid is safe: a sample of the semantic fuzzer's scenarios opens in the page at the runner's state hash",
    async run(page, ctx) {
      const { fuzz } = expected();
      ok(fuzz.length >= 10, `a sample of ${fuzz.length}`);
      for (const e of fuzz) {
        const shown = await openAtEnd(page, ctx, e);
        equal(shown.hash, e.stateHash, `fuzz seed ${e.seed}: state hash at step ${e.steps}`);
        equal(
          shown.violations,
          `${e.violations} so far, ${e.violations} in the run`,
          `fuzz seed ${e.seed}: violations`,
        );
      }
    },
  },
];
