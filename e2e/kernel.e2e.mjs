// The kernel release: the header's picker runs the same scenario on another release, and a
// link made with an older kernel model says that its outcomes may differ.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { equal, ok, position, until } from "./lib/assert.mjs";
import { sva } from "./lib/runner.mjs";

/** The release the page's address bar holds, as the runner decodes it. */
function kernelOfLink(url) {
  return JSON.parse(sva(["decode", url])).kernel;
}

export default [
  {
    name: "the kernel picker shows the release and runs the scenario on the one chosen",
    async run(page, ctx) {
      await page.goto(`${ctx.base}#${ctx.fragment}`);
      const picker = page.getByRole("combobox", { name: "kernel" });
      await picker.waitFor();
      equal(await picker.inputValue(), "v6.1", "a file naming only the driver runs on its default release");
      equal(await page.getByTestId("load-error").count(), 0, "a link of this model has no note");
      await picker.selectOption("v5.15");
      await until(async () => (await picker.inputValue()) === "v5.15", "the picker shows v5.15");
      const expected = JSON.parse(sva(["run", join(ctx.root, ctx.lifecycle), "--json", "--kernel", "v5.15"]));
      await until(async () => (await position(page)).total === expected.steps.length, "the v5.15 run");
      await until(async () => kernelOfLink(page.url()) === "v5.15", "the link carries the release");
      // Beside the picker: the design the run modelled, as the trace names it, with its era.
      const modelled = page.getByTestId("kernel-modelled");
      await until(
        async () => (await modelled.textContent()).includes(expected.driver),
        `the header names ${expected.driver}`,
      );
      ok((await modelled.getAttribute("title"))?.includes("v5.11"), "the design's era in its title");
      await picker.selectOption("v6.12");
      await until(
        async () => (await modelled.textContent()).includes("sva-domain"),
        "v6.12 runs the SVA-domain design",
      );
    },
  },
  {
    name: "a link made before releases were modelled opens with a one-line note",
    async run(page, ctx) {
      const corpus = JSON.parse(readFileSync(join(ctx.root, "src/scenario/url-corpus-v1.json"), "utf8"));
      const old = corpus.entries[0].url;
      const fragment = old.slice(old.indexOf("#"));
      await page.goto(`${ctx.base}${fragment}`);
      const note = page.getByTestId("load-error");
      await note.waitFor();
      const text = await note.textContent();
      ok(/older kernel model \(model 1;.*outcomes may differ/.test(text), `note: ${text}`);
      ok((await position(page)).total > 0, "the scenario is shown");
    },
  },
];
