// A finding of the model that no release fixes: its lesson bar says so, in one line, and the
// run shows the violation the runner finds.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { equal, ok, until } from "./lib/assert.mjs";

const LESSON = "src/scenario/library/museum-release-vs-clear.json";

export default [
  {
    name: "findings: the lesson bar says found by the model, not confirmed upstream, on every release from v6.10",
    async run(page, ctx) {
      const title = JSON.parse(readFileSync(join(ctx.root, LESSON), "utf8")).title;
      const trace = ctx.runJson(LESSON);
      ok(
        trace.violations.some((v) => v.kind === "stale-cd"),
        "the runner finds the stale CD",
      );
      await page.goto(ctx.base);
      await page.getByRole("button", { name: "Lessons" }).click();
      const menu = page.getByRole("dialog", { name: "Lessons" });
      await menu.getByTestId("lesson-item").filter({ hasText: title }).first().click();
      await menu.waitFor({ state: "detached" });
      const note = page.getByTestId("finding-note");
      await note.waitFor();
      const text = ((await note.textContent()) ?? "").replace(/\s+/g, " ");
      ok(
        /Found by the model, not confirmed upstream: stale-cd on every release from v6\.10 to v6\.\d+/.test(
          text,
        ),
        text,
      );
      await page.getByText(`Step 0 / ${trace.steps.length}`).waitFor();
      equal(
        await page.getByRole("checkbox", { name: /Switch off/ }).count(),
        0,
        "no safeguard to switch off",
      );
      await until(async () => (await page.getByTestId("bug-note").count()) === 0, "no fix to switch to");
    },
  },
];
