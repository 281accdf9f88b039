// A guest's 2-level CD table in the page: on nested-v1-2023 (the 2023 v1 host, CFGI_CD turned
// into LEAF=1) the cached invalid L1 CD descriptor survives the guest's CFGI_CD LEAF=0 and the
// device faults on the CD the guest wrote (a stale-config violation); the same scenario on the
// merged conversion (v6.14) translates and breaks nothing. Expected values come from the runner.
import { readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { equal, ok, until, waitForStep } from "./lib/assert.mjs";
import { sva } from "./lib/runner.mjs";

const LESSON = "src/scenario/library/nested-cd-2lvl.json";
/** The row of the configuration cache that holds L1 CD descriptor 1 of nic0 (StreamID 16). */
const L1CD = '[data-testid="cache-extra"][data-entry="cfg:l1cd:16:1"]';

/** Steps forward from 0 to `step` with the → key. */
async function stepTo(page, step) {
  await page.keyboard.press("Home");
  await waitForStep(page, 0);
  for (let i = 0; i < step; i++) await page.keyboard.press("ArrowRight");
  await waitForStep(page, step);
}

/** The lesson with another kernel, as a file the runner reads. */
function onKernel(ctx, kernel) {
  const json = JSON.parse(readFileSync(join(ctx.root, LESSON), "utf8"));
  const file = join(tmpdir(), `sva-e2e-nested-cd-2lvl-${kernel}.json`);
  writeFileSync(file, JSON.stringify({ ...json, kernel }));
  return file;
}

export default [
  {
    name: "nested-cd-2lvl: on nested-v1-2023 the guest's new L1 CD descriptor stays stale and the DMA faults",
    async run(page, ctx) {
      const trace = ctx.runJson(LESSON);
      equal(trace.kernel, "nested-v1-2023", "the lesson's kernel");
      equal(
        trace.violations.map((v) => v.kind),
        ["stale-config"],
        "the runner's violations",
      );
      equal(
        trace.dma.map((d) => [d.pasid, d.result, d.fault ?? null]),
        [
          [1024, "fault", "C_BAD_SUBSTREAMID"],
          [1024, "fault", "C_BAD_SUBSTREAMID"],
        ],
        "both DMAs fault, the second after the guest's bind",
      );
      const v = trace.violations[0];

      await page.goto(`${ctx.base}#lesson=nested-cd-2lvl`);
      await page.getByText(`Step 0 / ${trace.steps.length}`).waitFor();
      await page.keyboard.press("End");
      await waitForStep(page, trace.steps.length);
      await until(
        async () => (await page.getByTestId("violation-count").textContent()).includes("1 in the run"),
        "one violation in the run",
      );
      equal(await page.getByTestId("violation").count(), 1, "one violation on the timeline");

      // Just after the step that broke it: the configuration cache still holds the invalid
      // descriptor, marked stale, although the guest has written it and sent CFGI_CD LEAF=0.
      await stepTo(page, v.step + 1);
      const row = page.locator(L1CD);
      await row.waitFor();
      equal(await row.getAttribute("data-stale"), "true", "L1 CD descriptor 1 is stale");
      const words = ((await row.textContent()) ?? "").replace(/\s+/g, " ");
      ok(words.includes("L1CD 16:1") && words.includes("invalid (V=0)"), `the cache row: ${words}`);
      ok(
        /[1-9]\d* so far/.test(await page.getByTestId("violation-count").textContent()),
        "the cursor is past it",
      );
    },
  },
  {
    name: "nested-cd-2lvl: the lesson's switch runs it on the merged conversion (v6.14): no violation",
    async run(page, ctx) {
      const file = onKernel(ctx, "v6.14");
      const trace = ctx.runJson(file);
      equal(trace.violations, [], "the runner finds no violation on v6.14");
      equal(
        trace.dma.map((d) => d.result),
        ["fault", "ok"],
        "the DMA after the bind is translated",
      );
      const leaf0 = trace.commands.find((c) => c.op === "CFGI_CD" && c.leaf === false);
      ok(
        leaf0 && leaf0.sid === 16 && leaf0.ssid === 1024,
        "the guest's LEAF=0 reached the host's queue as it was",
      );

      // The lesson bar names the fix and switches the release in one click.
      await page.goto(`${ctx.base}#lesson=nested-cd-2lvl`);
      const note = page.getByTestId("bug-note");
      await note.waitFor();
      ok((await note.textContent()).includes("stale-config on nested-v1-2023"), await note.textContent());
      await note.getByRole("button", { name: "Run it on v6.14 (with the fix)" }).click();
      await page.getByText(`Step 0 / ${trace.steps.length}`).waitFor();
      await note.getByRole("button", { name: "Back to nested-v1-2023 (before the fix)" }).waitFor();
      await page.keyboard.press("End");
      await waitForStep(page, trace.steps.length);
      equal(
        await page.getByTestId("violation-count").textContent(),
        "0 so far, 0 in the run",
        "no violation in the page",
      );
      equal(await page.getByTestId("violation").count(), 0, "none on the timeline");

      // After the DMA that follows the bind: the SMMU caches the guest's new descriptor, fresh.
      await stepTo(page, trace.dma[1].step + 1);
      const row = page.locator(L1CD);
      await row.waitFor();
      equal(await row.getAttribute("data-stale"), "false", "L1 CD descriptor 1 is the guest's");
      ok(((await row.textContent()) ?? "").includes("valid; same as memory"), "valid and fresh");

      // And its link opens the same run anywhere: the runner's fragment of the v6.14 file.
      await page.goto(`${ctx.base}#${ctx.fragmentOf(file)}`);
      await page.getByText(`Step 0 / ${trace.steps.length}`).waitFor();
    },
  },
  {
    name: "nested-cd-2lvl: the editor shows the guest's CD table, S1DSS and first PASID, and checks them",
    async run(page, ctx) {
      const trace = ctx.runJson(LESSON);
      await page.goto(`${ctx.base}#lesson=nested-cd-2lvl`);
      await page.getByText(`Step 0 / ${trace.steps.length}`).waitFor();
      await page.getByRole("button", { name: "Edit scenario" }).click();
      const editor = page.getByRole("dialog", { name: "Scenario editor" });
      await editor.waitFor();
      const table = editor.getByLabel("VM vm0 guest CD table");
      equal(await table.inputValue(), "2lvl", "the guest's CD table");
      equal(await editor.getByLabel("VM vm0 S1DSS").inputValue(), "ssid0", "S1DSS by default");
      equal(await editor.getByLabel("VM vm0 first PASID").inputValue(), "1024", "the first PASID");

      // A linear table cannot hold PASID 1024: one line, on the field, and the run shown stays.
      await table.selectOption("linear");
      const error = editor.getByTestId("editor-error");
      await error.waitFor();
      const line = (await error.textContent()) ?? "";
      ok(line.includes("vms[0].pasidBase: 1024 is beyond the guest's PASIDs"), line);
      await table.selectOption("2lvl");
      await until(async () => (await error.count()) === 0, "the error to go");

      // S1DSS = terminate: the run changes (no CD 0, so no leaf 0 to look in on this host).
      await editor.getByLabel("VM vm0 S1DSS").selectOption("terminate");
      await editor.getByTestId("editor-status").getByText("Valid: the run shown").waitFor();
      await page.getByRole("button", { name: "Close editor" }).click();
      // The page's link carries them: what the runner decodes from it.
      await until(async () => page.url().includes("#v1."), "the page's link");
      const decoded = JSON.parse(sva(["decode", page.url()]));
      equal(
        [decoded.vms[0].cdTable, decoded.vms[0].s1dss, decoded.vms[0].pasidBase],
        ["2lvl", "terminate", 1024],
        "the VM's guest fields in the link",
      );
    },
  },
];
