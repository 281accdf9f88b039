// Lessons, the scenario editor, import/export: against the runner's counts and the library.
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { equal, ok, position, until, waitForStep } from "./lib/assert.mjs";
import { ROOT } from "./lib/runner.mjs";

/** The built-in library as the page has it: id, title, fault, and the scenario's JSON form. */
function library() {
  const script = `
    const { LIBRARY } = await import("./src/scenario/library/index.ts");
    const { lessonTitle } = await import("./src/scenario/library/guide.ts");
    const { scenarioToJson } = await import("./src/scenario/index.ts");
    console.log(JSON.stringify(LIBRARY.map((l) => ({
      id: l.id, title: l.scenario.title, menuTitle: lessonTitle(l), fault: l.fault ?? null,
      json: scenarioToJson(l.scenario),
    }))));`;
  const r = spawnSync(process.execPath, ["--import", "tsx", "--input-type=module", "-e", script], {
    cwd: ROOT,
    encoding: "utf8",
    timeout: 60_000,
  });
  if (r.status !== 0) throw new Error(`could not read the library: ${r.stderr}`);
  return JSON.parse(r.stdout);
}

const dir = mkdtempSync(join(tmpdir(), "sva-e2e-editor-"));
/** Writes a scenario JSON form to a file for the runner. */
function file(name, json) {
  const path = join(dir, name);
  writeFileSync(path, typeof json === "string" ? json : JSON.stringify(json, null, 2));
  return path;
}

async function openLesson(page, index) {
  await page.getByRole("button", { name: "Lessons" }).click();
  const menu = page.getByRole("dialog", { name: "Lessons" });
  await menu.waitFor();
  await menu.getByTestId("lesson-item").nth(index).click();
  await menu.waitFor({ state: "detached" });
}

const title = async (page) => (await page.getByTestId("scenario-title").textContent())?.trim();
const opField = (page, ti, oi) => page.locator(`[data-path="threads[${ti}].ops[${oi}].op"]`);

async function openEditor(page) {
  await page.getByRole("button", { name: "Edit scenario" }).click();
  await page.getByRole("dialog", { name: "Scenario editor" }).waitFor();
}

export default [
  {
    name: "the Lessons menu lists every lesson; each opens at Step 0 / M and by its own URL",
    async run(page, ctx) {
      const lessons = library();
      ok(lessons.length >= 10, `the library has ${lessons.length} lessons`);
      await page.goto(ctx.base);
      await page.getByRole("button", { name: "Lessons" }).click();
      const menu = page.getByRole("dialog", { name: "Lessons" });
      const items = menu.getByTestId("lesson-item");
      await items.first().waitFor(); // the dialog is fetched when the menu first opens
      equal(await items.count(), lessons.length, "lessons in the menu (LIBRARY.length)");
      equal(
        await menu.getByTestId("lesson-title").allTextContents(),
        lessons.map((l) => l.menuTitle),
        "the lessons' titles, in order",
      );
      await page.screenshot({ path: join(ctx.screenshots, "lessons-menu-1280x800.png") });
      await page.keyboard.press("Escape");
      await menu.waitFor({ state: "detached" });

      for (const [i, l] of lessons.entries()) {
        const M = ctx.runJson(file(`${l.id}.json`, l.json)).steps.length;
        await page.keyboard.press("ArrowRight"); // somewhere else than step 0 first
        await openLesson(page, i);
        await page.getByText(`Step 0 / ${M}`).waitFor();
        equal(await title(page), l.title, `${l.id}: title`);
        ok(
          (await page.getByTestId("lesson-bar").textContent()).includes(
            `Lesson ${i + 1} of ${lessons.length}`,
          ),
          `${l.id}: the lesson bar`,
        );
        await until(() => /#v1\.[^&]*&m=\d+&step=0(&|$)/.test(page.url()), `${l.id}: the URL`);
      }

      // A lesson's scenario URL opens it, lesson bar included; so does the short #lesson=<id>.
      const last = lessons.at(-1);
      const M = ctx.runJson(file(`${last.id}.json`, last.json)).steps.length;
      await page.reload();
      await page.getByText(`Step 0 / ${M}`).waitFor();
      equal(await title(page), last.title, "reloaded: same lesson");
      await page.getByTestId("lesson-bar").getByText(`Lesson ${lessons.length} of`).waitFor();

      const second = lessons[1];
      await page.goto(`${ctx.base}#lesson=${second.id}`);
      const M2 = ctx.runJson(file(`${second.id}.json`, second.json)).steps.length;
      await page.getByText(`Step 0 / ${M2}`).waitFor();
      equal(await title(page), second.title, "#lesson= opens the lesson");
      ok(page.url().includes("#v1."), `#lesson= becomes the scenario's link: ${page.url()}`);

      await page.goto(`${ctx.base}#lesson=no-such-lesson`);
      const alert = page.getByTestId("load-error");
      await alert.waitFor();
      ok(
        (await alert.textContent()).includes('no built-in lesson "no-such-lesson"'),
        await alert.textContent(),
      );
      await page.getByRole("button", { name: "Step forward" }).click();
      await waitForStep(page, 1);
    },
  },
  {
    name: "editor: an invalid op names its field, the page keeps working, fixing it re-runs",
    async run(page, ctx) {
      const M = ctx.expected.steps.length;
      await page.goto(ctx.base);
      await page.getByText(`Step 0 / ${M}`).waitFor();
      await openEditor(page);
      await page.screenshot({ path: join(ctx.screenshots, "editor-1280x800.png") });

      // threads[0].ops[1] is the first DMA: misspell its kind.
      await opField(page, 0, 1).fill("dmaa");
      const error = page.getByTestId("editor-error");
      await error.waitFor();
      const text = await error.textContent();
      ok(text.startsWith('threads[0].ops[1].op: unknown op "dmaa"'), `the error names the field: ${text}`);
      equal(await opField(page, 0, 1).getAttribute("aria-invalid"), "true", "the field is marked invalid");
      await page.waitForTimeout(400);
      await page.screenshot({ path: join(ctx.screenshots, "editor-error-1280x800.png") });
      equal(await position(page), { step: 0, total: M }, "the last valid run stays");
      await page.getByRole("button", { name: "Step forward" }).click();
      await waitForStep(page, 1);

      // A munmap instead of the DMA (its va becomes the start): the runner says how many steps.
      await opField(page, 0, 1).fill("munmap");
      await until(async () => (await error.count()) === 0, "the error to go");
      const lifecycle = JSON.parse(readFileSync(join(ctx.root, ctx.lifecycle), "utf8"));
      lifecycle.threads[0].ops[1] = { op: "munmap", process: "app", start: "0x10000", pages: 1 };
      const M2 = ctx.runJson(file("munmap.json", lifecycle)).steps.length;
      ok(M2 !== M, `the change changes the run (${M} → ${M2})`);
      await until(async () => (await position(page)).total === M2, `Step N / ${M2}`);
      equal((await position(page)).step, 1, "the cursor stays where it was");
      // The address bar holds the edited scenario: reloading opens it.
      await until(() => page.url() !== `${ctx.base}#${ctx.fragment}&step=1`, "the URL to follow");
      await page.reload();
      await until(async () => (await position(page)).total === M2, "the edited scenario from its URL");
    },
  },
  {
    name: "editor: Undo restores the previous scenario, Redo and Ctrl+Z / Ctrl+Shift+Z too",
    async run(page, ctx) {
      const M = ctx.expected.steps.length;
      await page.goto(ctx.base);
      await page.getByText(`Step 0 / ${M}`).waitFor();
      const original = await title(page);
      await openEditor(page);
      const undo = page.getByRole("button", { name: "Undo" });
      const redo = page.getByRole("button", { name: "Redo" });
      ok(await undo.isDisabled(), "nothing to undo yet");

      await page.getByRole("textbox", { name: "Title" }).fill("my own scenario");
      await until(async () => (await title(page)) === "my own scenario", "the title to follow");
      // Remove the last op (exit): a different run.
      await page.getByRole("button", { name: "Remove T0 op 6" }).click();
      await until(async () => (await position(page)).total !== M, "the run without exit");
      const shorter = (await position(page)).total;

      await undo.click();
      await until(async () => (await position(page)).total === M, "Undo: exit is back");
      equal(await title(page), "my own scenario", "one Undo undoes one edit");
      await undo.click();
      await until(async () => (await title(page)) === original, "Undo: the title is back");
      ok(await undo.isDisabled(), "back at the start");

      await redo.click();
      await until(async () => (await title(page)) === "my own scenario", "Redo");
      await page.getByRole("textbox", { name: "Title" }).focus();
      await page.keyboard.press("Control+Shift+Z");
      await until(async () => (await position(page)).total === shorter, "Ctrl+Shift+Z redoes");
      await page.keyboard.press("Control+z");
      await until(async () => (await position(page)).total === M, "Ctrl+Z undoes");
      // Keys pressed in the editor stay there: → on one of its buttons does not step the page.
      await undo.focus();
      await page.keyboard.press("ArrowRight");
      await page.waitForTimeout(100);
      equal((await position(page)).step, 0, "the page's shortcuts are not triggered from the editor");
      await page.keyboard.press("Escape");
      await page.getByRole("dialog", { name: "Scenario editor" }).waitFor({ state: "detached" });
    },
  },
  {
    name: "Export JSON then Import JSON round-trips; a malformed file shows its error and keeps the scenario",
    async run(page, ctx) {
      const M = ctx.expected.steps.length;
      await page.goto(`${ctx.base}#${ctx.fragment}&step=3`);
      await waitForStep(page, 3);
      const [download] = await Promise.all([
        page.waitForEvent("download"),
        page.getByRole("button", { name: "Export JSON" }).click(),
      ]);
      ok(download.suggestedFilename().endsWith(".json"), download.suggestedFilename());
      const exported = join(dir, download.suggestedFilename());
      await download.saveAs(exported);
      const text = readFileSync(exported, "utf8");
      ok(text.includes('\n  "format": "sva-lab/1"'), "pretty-printed JSON");
      const trace = ctx.runJson(exported);
      equal(trace.stateHash, ctx.expected.stateHash, "the runner runs the exported file to the same state");

      // Something else, then the exported file back.
      await openLesson(page, 1);
      ok((await title(page)) !== "bind, DMA, munmap, unbind, exit", "another lesson is shown");
      const importFile = async (path) => {
        const [chooser] = await Promise.all([
          page.waitForEvent("filechooser"),
          page.getByRole("button", { name: "Import JSON" }).click(),
        ]);
        await chooser.setFiles(path);
      };
      await importFile(exported);
      await page.getByText(`Step 0 / ${M}`).waitFor();
      equal(await title(page), "bind, DMA, munmap, unbind, exit", "imported");
      await page.keyboard.press("ArrowRight");
      await waitForStep(page, 1);

      // Malformed JSON, then a file whose error carries markup: text in the page, nothing lost.
      await importFile(file("broken.json", '{ "format": "sva-lab/1", "title": "x", '));
      const alert = page.getByTestId("load-error");
      await alert.waitFor();
      ok(
        /Could not import broken\.json: not valid JSON/.test(await alert.textContent()),
        await alert.textContent(),
      );
      const bad = JSON.parse(text);
      bad.threads[0].ops[0].op = '<img src=x onerror="window.__pwned=1">';
      await importFile(file("markup.json", bad));
      await until(async () => (await alert.textContent()).includes("markup.json"), "the second message");
      ok((await alert.textContent()).includes("threads[0].ops[0].op: unknown op"), await alert.textContent());
      equal(await alert.locator("img").count(), 0, "the error is text, not HTML");
      equal(await page.evaluate(() => window.__pwned), undefined, "nothing ran");
      equal(await position(page), { step: 1, total: M }, "the scenario and the cursor are kept");
      equal(await title(page), "bind, DMA, munmap, unbind, exit", "title kept");
    },
  },
  {
    name: "Break it: <what> on a lesson shows the violation the safeguard prevents",
    async run(page, ctx) {
      const lessons = library();
      await page.goto(ctx.base);
      // The lifecycle lesson: its own order already breaks without ATC_INV.
      const lifecycle = lessons.findIndex((l) => l.id === "lifecycle");
      await openLesson(page, lifecycle);
      const toggle = page.getByRole("checkbox", { name: "Break it: skip the ATC_INV" });
      ok((await toggle.getAttribute("aria-describedby")) !== null, "the toggle has its help text");
      equal(await page.getByTestId("violation").count(), 0, "no violation with the safeguard on");
      await toggle.check();
      await page.getByTestId("fault-result").waitFor();
      ok((await page.getByTestId("fault-result").textContent()).includes("stale-translation"), "the kind");
      ok((await page.getByTestId("violation").count()) >= 1, "the violation is on the timeline");
      ok(
        /[1-9]\d* in the run/.test(await page.getByTestId("violation-count").textContent()),
        "violations in the run",
      );
      await page.getByRole("button", { name: "Show the violation" }).click();
      ok(/^[1-9]/.test(await page.getByTestId("violation-count").textContent()), "the cursor is past it");
      await page.screenshot({ path: join(ctx.screenshots, "lesson-fault-1280x800.png") });
      await toggle.uncheck();
      await until(async () => (await page.getByTestId("violation").count()) === 0, "the safeguard back on");

      // cmd-sync: its own order breaks nothing without CMD_SYNC; the explorer finds one that does.
      const cmdSync = lessons.findIndex((l) => l.id === "cmd-sync");
      await openLesson(page, cmdSync);
      await page.getByRole("checkbox", { name: "Break it: skip the CMD_SYNC" }).check();
      await page.getByTestId("fault-result").waitFor({ timeout: 20_000 });
      ok(
        (await page.getByTestId("fault-result").textContent()).includes("explorer"),
        "found by the explorer",
      );
      ok((await page.getByTestId("violation").count()) >= 1, "the violation is on the timeline");
      ok(page.url().includes("#v1."), "the breaking run has its link");
    },
  },
  {
    name: "editor and menu in the dark theme; the editor's controls are reachable by Tab",
    async run(page, ctx) {
      await page.addInitScript(() => localStorage.setItem("sva-lab-theme", "dark"));
      await page.goto(ctx.base);
      await openEditor(page);
      const editor = page.getByRole("dialog", { name: "Scenario editor" });
      // Every control of the editor has a name.
      const unnamed = await editor.locator("input, select, textarea, button").evaluateAll((els) =>
        els
          .filter((el) => el.type !== "file")
          .filter((el) => {
            const labelled = el.getAttribute("aria-label") || el.labels?.[0]?.textContent?.trim();
            return !labelled && !el.textContent?.trim();
          })
          .map((el) => el.outerHTML.slice(0, 80)),
      );
      equal(unnamed, [], "controls without an accessible name");
      const seen = new Set();
      for (let i = 0; i < 12; i++) {
        await page.keyboard.press("Tab");
        seen.add(await page.evaluate(() => document.activeElement?.getAttribute("data-path") ?? ""));
      }
      ok(seen.has("description") && seen.has("kernel"), `Tab moves through the fields: ${[...seen]}`);
      await page.waitForTimeout(200);
      await page.screenshot({ path: join(ctx.screenshots, "editor-1280x800-dark.png") });
      await page.keyboard.press("Escape");
      await page.getByRole("button", { name: "Lessons" }).click();
      await page.getByRole("dialog", { name: "Lessons" }).waitFor();
      await page.screenshot({ path: join(ctx.screenshots, "lessons-menu-1280x800-dark.png") });
    },
  },
];
