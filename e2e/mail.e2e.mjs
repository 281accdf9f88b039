// Mailing-list ready (issue 13) and the page keeping what the user had (issue 15): `sva-lab
// open` prints a link that opens; mail-damaged links open the same scenario; a link that does
// not open stays in the address bar and in history, with a box to paste a repaired one; of two
// links the last one wins; Copy as text and Export Perfetto give what the runner prints; each
// step's function links to its source; the panel views travel in the link.
import { spawn, spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { equal, ok, until, waitForStep } from "./lib/assert.mjs";

const UNBIND = "src/scenario/library/unbind-vs-exit.json";

/** `sva-lab <args>` in the repository; returns { status, stdout, stderr }. */
function svaRun(ctx, args, input) {
  return spawnSync(process.execPath, [join(ctx.root, "bin", "sva-lab.mjs"), ...args], {
    cwd: ctx.root,
    encoding: "utf8",
    timeout: 120_000,
    env: { ...process.env, SVA_LAB_BASE_URL: "" },
    ...(input === undefined ? {} : { input }),
  });
}

/** The unbind-vs-exit race with its safeguard off, on the explorer's first violating schedule. */
function raceLink(ctx) {
  const r = svaRun(ctx, [
    "explore",
    UNBIND,
    "--fault",
    "free-notifier-now",
    "--json",
    "--base-url",
    ctx.base,
  ]);
  const bad = JSON.parse(r.stdout).outcomes.find((o) => o.violations.length > 0);
  return bad.url;
}

/** Starts `sva-lab <args>` in the background; resolves with its first line of stdout and the process. */
function startCli(ctx, args) {
  const child = spawn(process.execPath, [join(ctx.root, "bin", "sva-lab.mjs"), ...args], {
    cwd: ctx.root,
    env: { ...process.env, SVA_LAB_BASE_URL: "" },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let out = "";
  let err = "";
  child.stderr.on("data", (d) => {
    err += d;
  });
  const exited = new Promise((done) => child.on("exit", (code, signal) => done({ code, signal })));
  const line = new Promise((done, fail) => {
    child.stdout.on("data", (d) => {
      out += d;
      if (out.includes("\n")) done(out.split("\n")[0]);
    });
    child.on("exit", (code) => fail(new Error(`sva-lab ${args.join(" ")} exited ${code}: ${err}`)));
  });
  return { child, line, exited };
}

const dist = () => (process.env.E2E_DIST ? resolve(process.env.E2E_DIST) : null);

export default [
  {
    name: "sva-lab open prints a link that opens the scenario; --base-url changes the host; SIGTERM stops it",
    async run(page, ctx) {
      const title = JSON.parse(readFileSync(join(ctx.root, UNBIND), "utf8")).title;
      const steps = ctx.runJson(UNBIND).steps.length;
      const d = dist();
      const { child, line, exited } = startCli(ctx, [
        "open",
        UNBIND,
        "--port",
        "0",
        ...(d ? ["--dist", d] : []),
      ]);
      try {
        const link = await line;
        ok(/^http:\/\/127\.0\.0\.1:\d+\/#v1\.[\w-]+(&m=\d+)?$/.test(link), `a local link: ${link}`);
        await page.goto(link);
        await page.getByText(`Step 0 / ${steps}`).waitFor();
        equal((await page.getByTestId("scenario-title").textContent())?.trim(), title, "the scenario opened");
        // Off the page before its server goes: it would go on fetching the views it loads later.
        await page.goto("about:blank");
      } finally {
        child.kill("SIGTERM");
      }
      equal((await exited).code, 0, "serve stops cleanly on SIGTERM");

      const other = svaRun(ctx, ["open", UNBIND, "--base-url", "https://sva.example.org/lab"]);
      equal(other.status, 0, "open --base-url exits at once");
      ok(other.stdout.startsWith("https://sva.example.org/lab/#v1."), `the printed host: ${other.stdout}`);
    },
  },
  {
    name: "the static build works under a sub-path, and links made with --base-url open there",
    async run(page, ctx) {
      const root = mkdtempSync(join(tmpdir(), "sva-e2e-host-"));
      // A host with a site of its own, the page in a folder of it.
      writeFileSync(join(root, "index.html"), "<!doctype html><title>Another site</title>");
      symlinkSync(dist() ?? join(ctx.root, "dist"), join(root, "sva-lab"));
      const { child, line, exited } = startCli(ctx, ["serve", "--port", "0", "--dist", root]);
      try {
        const host = await line;
        const base = `${host}sva-lab`;
        const link = svaRun(ctx, ["url", UNBIND, "--base-url", base, "--step", "5"]).stdout.trim();
        ok(link.startsWith(`${base}/#v1.`), `the link keeps the sub-path: ${link}`);
        await page.goto(link);
        await waitForStep(page, 5);
        const title = JSON.parse(readFileSync(join(ctx.root, UNBIND), "utf8")).title;
        equal((await page.getByTestId("scenario-title").textContent())?.trim(), title, "the scenario");
        await page.goto("about:blank");
      } finally {
        child.kill("SIGINT");
      }
      equal((await exited).code, 0, "serve stops cleanly on SIGINT");
    },
  },
  {
    name: "a link as mail damaged it opens the same scenario in the page and in the runner",
    async run(page, ctx) {
      const url = raceLink(ctx);
      const expected = JSON.parse(svaRun(ctx, ["run", url, "--json"]).stdout);
      // What survives an address bar: percent-encoded spaces and line breaks, a full stop after it.
      const hash = url.indexOf("#");
      const damaged = `${url.slice(0, hash + 30)}%20${url.slice(hash + 30, hash + 90)}%0A${url.slice(hash + 90)}.`;
      await page.goto(damaged);
      const step = Number(/&step=(\d+)/.exec(url)[1]);
      await waitForStep(page, step);
      equal(await page.getByTestId("load-error").count(), 0, "no message");
      // The runner reads the same link, and a quoted, wrapped one from standard input.
      const mailed = `> <${url.slice(0, 70)}\n> ${url.slice(70, 142)}\n> ${url.slice(142)}>`;
      const viaStdin = JSON.parse(svaRun(ctx, ["run", "-", "--json"], mailed).stdout);
      equal(viaStdin.stateHash, expected.stateHash, "the runner reads the mailed link");
      // A bad step= is ignored with a message; the scenario opens.
      await page.goto(`${url.replace(/&step=\d+/, "")}&step=-3`);
      await page.getByTestId("load-error").getByText("The link's step was ignored").waitFor();
      await page.getByText(`Step 0 / ${expected.steps.length}`).waitFor();
    },
  },
  {
    name: "a link that does not open stays in the address bar and in history; a repaired one opens",
    async run(page, ctx) {
      const bad = `${ctx.base}#v1.${ctx.fragment.slice(3, 60)}`;
      await page.goto(bad);
      const alert = page.getByTestId("load-error");
      await alert.getByText("cut short").waitFor();
      const M = ctx.expected.steps.length;
      await page.getByText(`Step 0 / ${M}`).waitFor();
      await page.keyboard.press("ArrowRight");
      await waitForStep(page, 1);
      await page.waitForTimeout(600);
      equal(page.url(), bad, "the address bar keeps the link");
      // A link that still does not open says why and keeps its text.
      const box = page.getByLabel(/Paste a repaired link/);
      await box.fill("#v2.abc");
      await page.getByRole("button", { name: "Open link" }).click();
      await page.getByTestId("link-repair-problem").getByText("newer SVA Lab").waitFor();
      // The whole link, as a quoted and wrapped mail has it.
      const url = `${ctx.base}#${ctx.fragment}`;
      await box.fill(`> ${url.slice(0, 60)}\n> ${url.slice(60)}`);
      await page.getByRole("button", { name: "Open link" }).click();
      await until(
        () => page.url().startsWith(`${ctx.base}#${ctx.fragment}`),
        "the repaired link in the address bar",
      );
      await page.getByText(`Step 0 / ${M}`).waitFor();
      equal(await alert.count(), 0, "the message is gone");
      await page.goBack();
      await until(() => page.url() === bad, "the bad link is the entry before");

      // A link from a newer version, and a lesson link naming no lesson, stay too.
      for (const [link, says] of [
        [`${ctx.base}#v2.${ctx.fragment.slice(3)}`, "newer SVA Lab"],
        [`${ctx.base}#lesson=no-such-lesson`, 'no built-in lesson "no-such-lesson"'],
      ]) {
        await page.goto("about:blank");
        await page.goto(link);
        await alert.getByText(says).waitFor();
        await page.keyboard.press("ArrowRight");
        await waitForStep(page, 1);
        await page.waitForTimeout(600);
        equal(page.url(), link, "the address bar keeps the link");
      }
    },
  },
  {
    name: "of two links opened 10 ms apart, the second is shown",
    async run(page, ctx) {
      const first = `${ctx.base}#${ctx.fragmentOf(UNBIND)}`;
      const second = ctx.fragmentOf("src/scenario/library/sva-lock.json");
      const title = JSON.parse(
        readFileSync(join(ctx.root, "src/scenario/library/sva-lock.json"), "utf8"),
      ).title;
      await page.goto(first, { waitUntil: "commit" });
      await page.waitForTimeout(10);
      await page.evaluate((h) => {
        location.hash = h;
      }, second);
      await until(
        async () => (await page.getByTestId("scenario-title").textContent())?.trim() === title,
        "the second link's scenario",
      );
      await page.waitForTimeout(1000);
      equal((await page.getByTestId("scenario-title").textContent())?.trim(), title, "still the second");

      // With the reader here, a large link (seconds to run) and a small one 10 ms later.
      const dir = mkdtempSync(join(tmpdir(), "sva-e2e-large-"));
      const json = spawnSync(
        process.execPath,
        [
          "--import",
          "tsx",
          "-e",
          'const { largeScenario, scenarioToJson } = await import("./src/scenario/index.ts"); console.log(JSON.stringify(scenarioToJson(largeScenario())));',
        ],
        { cwd: ctx.root, encoding: "utf8" },
      ).stdout;
      writeFileSync(join(dir, "large.json"), json);
      const large = ctx.fragmentOf(join(dir, "large.json"));
      const small = ctx.fragmentOf(UNBIND);
      const smallTitle = JSON.parse(readFileSync(join(ctx.root, UNBIND), "utf8")).title;
      await page.evaluate(
        ([a, b]) => {
          location.hash = a;
          setTimeout(() => {
            location.hash = b;
          }, 10);
        },
        [large, small],
      );
      await until(
        async () => (await page.getByTestId("scenario-title").textContent())?.trim() === smallTitle,
        "the small link's scenario",
        20_000,
      );
      await until(async () => (await page.getByTestId("busy").count()) === 0, "no run in progress", 30_000);
      await page.waitForTimeout(500);
      equal(
        (await page.getByTestId("scenario-title").textContent())?.trim(),
        smallTitle,
        "the large one never shows",
      );
    },
  },
  {
    name: "Copy as text and Export Perfetto give what the runner prints, byte for byte",
    async run(page, ctx) {
      await ctx.context.grantPermissions(["clipboard-read", "clipboard-write"], {
        origin: ctx.base.replace(/\/$/, ""),
      });
      const url = raceLink(ctx);
      await page.goto(url);
      await page.getByTestId("timeline-step").first().waitFor();
      await page.getByRole("button", { name: "Copy as text" }).click();
      await page.getByTestId("race-status").getByText("Copied as text").waitFor();
      const text = await page.evaluate(() => navigator.clipboard.readText());
      const cli = svaRun(ctx, ["run", url, "--format", "text-diagram", "--base-url", ctx.base]);
      equal(cli.status, 1, "the race breaks");
      equal(text.trimEnd(), cli.stdout.trimEnd(), "the page's text is the runner's");
      ok(text.includes("!! use-after-free at step"), "the violation");

      const download = page.waitForEvent("download");
      await page.getByRole("button", { name: "Export Perfetto" }).click();
      const file = await (await download).path();
      const trace = JSON.parse(readFileSync(file, "utf8"));
      const expected = JSON.parse(svaRun(ctx, ["run", url, "--format", "perfetto"]).stdout);
      equal(JSON.stringify(trace), JSON.stringify(expected), "the page's trace is the runner's");
    },
  },
  {
    name: "each step's kernel function links to its source in the release modelled; the panel's view travels in the link",
    async run(page, ctx) {
      await page.goto(`${ctx.base}#${ctx.fragment}&step=3`);
      await waitForStep(page, 3);
      const current = page.locator('[data-testid="timeline-step"][data-current]');
      const link = current.getByTestId("source-link");
      const href = await link.getAttribute("href");
      ok(/^https:\/\/elixir\.bootlin\.com\/linux\/v6\.1\/A\/ident\/\w+$/.test(href), `step list: ${href}`);
      await page.getByTestId("panel-detail").getByRole("button", { name: "Entry" }).click();
      const detail = page.getByTestId("step-source").getByTestId("source-link");
      equal(await detail.getAttribute("href"), href, "the detail view links the same function");

      await page
        .getByRole("group", { name: "Stream table view" })
        .getByRole("button", { name: "Path" })
        .click();
      await until(() => decodeURIComponent(page.url()).includes("tab=stream:path"), "the tab in the link");
      const shared = page.url();
      await page.goto("about:blank");
      await page.goto(shared);
      await page.getByText("Translation path of the last DMA").waitFor();
    },
  },
];
