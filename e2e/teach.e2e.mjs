// The teaching views, checked against the command-line runner: topology, translation path,
// queues and caches, the page-table tree and Find VA, the glossary, breakpoints, violations.
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { equal, fitsWindow, ok, position, until, waitForStep } from "./lib/assert.mjs";

const hex = (n) => `0x${Number(n).toString(16)}`;

/** A scenario file next to the library's, changed by `edit`. */
function variant(ctx, base, edit) {
  const scenario = JSON.parse(readFileSync(join(ctx.root, base), "utf8"));
  edit(scenario);
  const file = join(mkdtempSync(join(tmpdir(), "sva-teach-")), "scenario.json");
  writeFileSync(file, JSON.stringify(scenario));
  return file;
}

const staleFile = (ctx) =>
  variant(ctx, ctx.lifecycle, (s) => {
    s.title = "lifecycle without ATC_INV";
    s.faults = ["skip-atc-inv"];
  });

/** The decoded fields of the detail view, by name, once its title says `title` (it loads lazily). */
async function detailFields(page, title) {
  await until(
    async () =>
      ((await page.getByTestId("detail").locator("h3").textContent({ timeout: 5000 })) ?? "").includes(title),
    `the detail view of ${title}`,
  );
  const rows = page.getByTestId("detail").locator("tbody tr");
  return Object.fromEntries(
    await rows.evaluateAll((trs) =>
      trs.map((tr) => {
        const td = tr.querySelectorAll("td");
        return [td[0].textContent.trim(), td[2].textContent.trim()];
      }),
    ),
  );
}

const detailWords = (page) =>
  page
    .getByTestId("detail-words")
    .locator("li")
    .evaluateAll((lis) => lis.map((li) => li.textContent.replace(/^w\d+\s*/, "").trim()));

async function openLink(page, ctx, fragment, step) {
  await page.goto(`${ctx.base}#${fragment}&step=${step}`);
  await waitForStep(page, step);
}

/** Every focusable control has a name (aria-label, its label, its text or its title). */
async function unnamedControls(page) {
  return page.evaluate(() => {
    const out = [];
    const all = document.querySelectorAll(
      'button, input, select, textarea, a[href], [tabindex]:not([tabindex="-1"])',
    );
    for (const el of all) {
      if (el.closest("[aria-hidden=true]") || el.disabled) continue;
      const r = el.getBoundingClientRect();
      if (r.width === 0 && r.height === 0) continue;
      const byId = (ids) =>
        (ids ?? "")
          .split(/\s+/)
          .map((id) => document.getElementById(id)?.textContent ?? "")
          .join(" ");
      const name =
        el.getAttribute("aria-label") ||
        byId(el.getAttribute("aria-labelledby")) ||
        [...(el.labels ?? [])].map((l) => l.textContent).join(" ") ||
        el.textContent ||
        el.getAttribute("title") ||
        "";
      if (name.trim() === "") out.push(el.outerHTML.slice(0, 120));
    }
    return out;
  });
}

export default [
  {
    name: "teach: at the first DMA every diagram shows the runner's entries (lifecycle)",
    async run(page, ctx) {
      const dma = ctx.expected.dma[0];
      const N = dma.step + 1;
      const ex = ctx.runJson(ctx.lifecycle, N);
      const pasid = ex.pasids.app;
      const asid = ex.asids.app;
      const pgd = /pgd \((0x[0-9a-f]+)\)/.exec(ex.steps.map((s) => s.text).join(" "))?.[1];
      ok(pgd, "the runner names app's pgd in a step text");
      await openLink(page, ctx, ctx.fragment, N);
      equal(await page.getByTestId("state-hash").textContent(), ex.stateHash, `state hash at step ${N}`);

      // Stream table: the CD at the bound PASID carries the ASID and TTB0 = the pgd.
      const cd = page.getByTestId(`cd-16-${pasid}`);
      equal(await cd.getAttribute("data-asid"), String(asid), "ASID in the CD");
      ok(
        await cd.evaluate((g) => g.classList.contains("on-path")),
        "the CD the DMA used is marked on the stream table",
      );
      await cd.click();
      const cdFields = await detailFields(page, `CD ${pasid} of gpu0`);
      equal(cdFields.TTB0, pgd, "TTB0 is app's pgd");
      equal(cdFields.ASID, hex(asid), "ASID field");
      equal(cdFields.V, "1", "V");

      // Translation path: STE → CD → L0..L3 → the frame the runner says.
      await page.getByRole("button", { name: "Path", exact: true }).click();
      // The path view is fetched the first time it is shown.
      await page.getByTestId("path-view").waitFor();
      const boxes = await page
        .getByTestId("path-box")
        .evaluateAll((gs) => gs.map((g) => [g.getAttribute("data-box"), g.textContent]));
      equal(
        boxes.map(([id]) => id),
        ["path:ste", "path:cd", "path:l0", "path:l1", "path:l2", "path:l3", "path:frame"],
        "the boxes of a walk",
      );
      const text = Object.fromEntries(boxes);
      ok(
        text["path:cd"].includes(`ASID ${asid}`) && text["path:cd"].includes(`TTB0 ${pgd}`),
        text["path:cd"],
      );
      ok(text["path:l0"].includes(pgd), `the walk starts at the pgd: ${text["path:l0"]}`);
      ok(text["path:frame"].includes(dma.pa), `the frame ${dma.pa}: ${text["path:frame"]}`);
      ok(
        (await page.getByTestId("path-view").textContent()).includes(`Step ${dma.step + 1}:`),
        "the path names the DMA's step",
      );

      // Page-table tree: the walk is marked down to the page.
      const onPath = await page
        .locator('[data-testid="pt-row"].on-path')
        .evaluateAll((gs) => gs.map((g) => g.getAttribute("data-kind")));
      equal(onPath, ["mm", "table", "table", "table", "table", "page"], "rows on the DMA's path");
      ok(
        (await page.locator('[data-testid="pt-row"][data-kind="table"]').first().textContent()).includes(pgd),
        "the tree's pgd",
      );

      // Caches: the walk cache holds app's level-3 table for its ASID.
      const wc = await page
        .getByTestId("cache-extra")
        .evaluateAll((gs) => gs.map((g) => g.getAttribute("data-entry")));
      ok(
        wc.some((id) => id.startsWith(`wc:${asid}:`)),
        `a walk-cache entry for ASID ${asid}: ${wc.join(", ")}`,
      );
      ok(wc.includes("cfg:ste:16") && wc.includes(`cfg:cd:16:${pasid}`), "STE and CD in the config cache");

      // Topology: the process, its binding with the PASID, the device, the ASID in use.
      await page.getByRole("button", { name: "Topology", exact: true }).click();
      const topo = page.getByTestId("topology");
      // The topology view is fetched the first time it is shown.
      await topo.waitFor();
      const nodes = await topo
        .locator('[data-testid="topo-node"]')
        .evaluateAll((gs) =>
          gs.map((g) => [g.getAttribute("data-node"), g.getAttribute("data-tone"), g.textContent]),
        );
      const byId = Object.fromEntries(nodes.map(([id, tone, t]) => [id, { tone, t }]));
      ok(byId["mm:app"]?.t.includes(`PASID ${pasid}`), `the mm's PASID: ${byId["mm:app"]?.t}`);
      ok(byId["dev:gpu0"]?.t.includes("StreamID 16"), "the device's StreamID");
      ok(byId.smmu?.t.includes(`ASID ${asid}`), `the SMMU's ASIDs: ${byId.smmu?.t}`);
      const bond = nodes.find(([, , t]) => t.startsWith("arm_smmu_bond"));
      ok(bond && bond[1] === "live", "a live bond");
      ok((await topo.textContent()).includes(`PASID ${pasid}`), "the binding's link carries the PASID");

      // After exit, everything is freed and drawn so.
      await page.keyboard.press("End");
      await waitForStep(page, ctx.expected.steps.length);
      const tones = await topo
        .locator('[data-testid="topo-node"]')
        .evaluateAll((gs) =>
          gs
            .filter((g) => g.getAttribute("data-node").startsWith("obj:"))
            .map((g) => g.getAttribute("data-tone")),
        );
      ok(tones.length > 0 && tones.every((t) => t === "freed"), `freed driver objects: ${tones}`);
    },
  },
  {
    name: "teach: the detail view decodes a command, an event record and a page request as the runner has them",
    async run(page, ctx) {
      // A command: the runner's words and decoded fields.
      const ex = ctx.expected;
      const i = ex.commands.findIndex((c) => c.op === "ATC_INV");
      const c = ex.commands[i];
      await openLink(page, ctx, ctx.fragment, c.step + 1);
      await page.getByTestId("cmd-log-item").nth(i).click();
      const f = await detailFields(page, `Command ${i + 1}: ATC_INV`);
      equal(await detailWords(page), [...c.words], "the command's two words");
      equal(
        [f.OP, f.SID, f.SSID, f.SIZE],
        ["0x40", hex(c.sid), hex(c.ssid), hex(c.size)],
        "decoded fields (CMDQ_OP_ATC_INV = 0x40)",
      );

      // An event record (the stall lesson): the EVTQ ring, slot 0.
      const stall = "src/scenario/library/stall.json";
      const st = ctx.runJson(stall);
      const ev = st.events[0];
      ok(ev, "the runner records an event");
      await openLink(page, ctx, ctx.fragmentOf(stall), ev.step + 1);
      await page.getByRole("button", { name: /^EVTQ/ }).click();
      const slot = page.getByTestId("evtq-slot").first();
      equal(await slot.getAttribute("data-name"), ev.type, "the ring names the record");
      await slot.click();
      const e = await detailFields(page, "EVTQ slot 0");
      equal(
        [e.ID, e.SID, e.SSV, e.SSID, e.INPUT_ADDR, e.STALL],
        [ev.type, hex(ev.sid), "1", hex(ev.ssid), ev.addr, "1"],
        "decoded event fields",
      );
      equal((await detailWords(page)).length, 4, "an event record is 4 words");
      const resume = st.commands.find((x) => x.op === "RESUME");
      equal(hex(resume.stag), e.STAG, "the RESUME answers the record's STAG");

      // A page request (the pri lesson): the PRIQ ring, slot 0.
      const pri = "src/scenario/library/pri.json";
      const pr = ctx.runJson(pri);
      const req = pr.dma.find((d) => d.result === "pri");
      await openLink(page, ctx, ctx.fragmentOf(pri), req.step + 1);
      await page.getByRole("button", { name: /^PRIQ/ }).click();
      await page.getByTestId("priq-slot").first().click();
      const p = await detailFields(page, "PRIQ slot 0");
      const resp = pr.commands.find((x) => x.op === "PRI_RESP");
      equal(
        [p.SID, p.SSID, p.SSID_V, p.ADDR, p.PRG_IDX, p.PRG_LAST],
        [hex(resp.sid), hex(req.pasid), "1", req.va, hex(resp.grpid), "1"],
        "decoded page request",
      );
      equal((await detailWords(page)).length, 2, "a PRI entry is 2 words");
    },
  },
  {
    name: "teach: a term in a step's text opens the glossary there; the Glossary button lists them all",
    async run(page, ctx) {
      const i = ctx.expected.steps.findIndex((s) => /\bPASID\b/.test(s.text));
      await openLink(page, ctx, ctx.fragment, i + 1);
      const term = page.locator("[data-current]").getByRole("link", { name: "What is PASID?" });
      await term.click();
      const glossary = page.getByRole("dialog", { name: "Glossary" });
      await glossary.waitFor();
      const entry = page.locator("#glossary-pasid");
      await until(
        () => entry.evaluate((el) => document.activeElement === el),
        "the PASID entry to take focus",
      );
      ok((await entry.textContent()).includes("Process Address Space ID"), "the entry's text");
      equal((await position(page)).step, i + 1, "the cursor did not move");
      await page.keyboard.press("Escape");
      await glossary.waitFor({ state: "detached" });
      ok(await term.evaluate((el) => document.activeElement === el), "focus back on the term");

      await page.getByRole("button", { name: "Glossary", exact: true }).click();
      ok((await page.getByTestId("glossary-entry").count()) >= 40, "every entry listed");
      await page.getByRole("searchbox", { name: "Filter the glossary" }).fill("ATC_INV");
      ok((await page.getByTestId("glossary-entry").count()) < 15, "the filter narrows the list");
      await page.getByRole("button", { name: "Close glossary" }).click();

      // A field name in the detail view links to its entry too.
      await openLink(page, ctx, ctx.fragment, ctx.expected.dma[0].step + 1);
      await page.getByTestId("cd-16-1").click();
      await page.getByTestId("detail").getByRole("link", { name: "What is EPD0?" }).click();
      await page.locator("#glossary-epd0").waitFor();
      await page.screenshot({ path: join(ctx.screenshots, "teach-glossary-1280x800.png") });
    },
  },
  {
    name: "teach: Find VA highlights the path to a page, or says where the walk stops",
    async run(page, ctx) {
      await openLink(page, ctx, ctx.fragment, 1);
      const input = page.getByRole("textbox", { name: "Find VA" });
      const status = page.getByTestId("find-va-status");
      await input.fill("0x12345");
      await input.press("Enter");
      await until(async () => (await status.textContent()).includes("0x12345 →"), "Find VA's answer");
      const found = await page
        .locator('[data-testid="pt-row"].found')
        .evaluateAll((gs) => gs.map((g) => [g.getAttribute("data-kind"), g.classList.contains("target")]));
      equal(
        found.map(([k]) => k),
        ["mm", "table", "table", "table", "table", "page"],
        "the rows from the mm down to the page",
      );
      ok(found[5][1], "the page is the target");

      await input.fill("0x7f0000000000");
      await input.press("Enter");
      await until(async () => /stops at level 0/.test(await status.textContent()), "an unmapped VA");

      // After munmap, 0x10000's walk stops at level 3.
      const after = ctx.expected.steps.findIndex((s) => s.fn === "tlb_finish_mmu") + 1;
      await openLink(page, ctx, ctx.fragment, after);
      await input.fill("0x10000");
      await input.press("Enter");
      await until(async () => /stops at level 3/.test(await status.textContent()), "an unmapped page");
    },
  },
  {
    name: "teach: thousands of mappings stay a few rows; Find VA opens the run",
    async run(page, ctx) {
      const file = variant(ctx, ctx.lifecycle, (s) => {
        s.title = "many pages";
        s.processes[0].vmas.push({ start: "0x1000000", pages: 3000, prot: "rw", populate: true });
      });
      await openLink(page, ctx, ctx.fragmentOf(file), 1);
      // The forest is drawn after the first paint (its view loads on demand): wait for it.
      await page.locator('[data-testid="pt-row"][data-kind="run"]').first().waitFor();
      const rows = page.getByTestId("pt-row");
      ok((await rows.count()) < 40, `a few rows: ${await rows.count()}`);
      ok((await page.locator('[data-testid="pt-row"][data-kind="run"]').count()) >= 1, "range rows");
      const va = 0x1000000 + 2500 * 4096;
      const input = page.getByRole("textbox", { name: "Find VA" });
      await input.fill(hex(va));
      await input.press("Enter");
      const target = page.locator('[data-testid="pt-row"].target');
      await target.waitFor();
      equal(await target.getAttribute("data-node"), `pg:app:${hex(va)}`, "the page row is shown");
      ok(
        (await page.locator('[data-testid="pt-row"][data-kind="run"][aria-expanded="true"]').count()) === 1,
        "its run opened",
      );
      const box = await target.boundingBox();
      const view = await page.getByTestId("pt-tree").boundingBox();
      ok(box.y >= view.y && box.y + box.height <= view.y + view.height, "scrolled into the view");
      await page.getByRole("button", { name: "Zoom the page tables in" }).click();
      await page.getByRole("button", { name: "Fit the page tables" }).click();
      await page.screenshot({ path: join(ctx.screenshots, "teach-many-pages-1280x800.png") });
    },
  },
  {
    name: "teach: a breakpoint on ATC_INV stops Play at the first one; it persists; Run to breakpoint",
    async run(page, ctx) {
      const atcInv = ctx.expected.commands.filter((c) => c.op === "ATC_INV").map((c) => c.step);
      ok(atcInv.length >= 2, "the lifecycle queues ATC_INV twice");
      await openLink(page, ctx, ctx.fragment, 0);
      await page.getByRole("button", { name: "Breakpoints" }).click();
      const panel = page.getByRole("dialog", { name: "Breakpoints" });
      await panel.getByRole("combobox", { name: "Breakpoint on" }).selectOption("cmd");
      await panel.getByRole("combobox", { name: "Name" }).fill("ATC_INV");
      await panel.getByRole("button", { name: "Add breakpoint" }).click();
      ok((await panel.getByTestId("breakpoint").textContent()).includes("command ATC_INV"), "listed");
      await page.screenshot({ path: join(ctx.screenshots, "teach-breakpoints-1280x800.png") });
      await page.keyboard.press("Escape");
      await panel.waitFor({ state: "detached" });

      await page.getByRole("combobox", { name: "Speed" }).selectOption("10");
      await page.getByRole("button", { name: "Play" }).click();
      await page.getByRole("button", { name: "Play" }).waitFor({ timeout: 15_000 });
      equal((await position(page)).step, atcInv[0] + 1, "Play stopped just after the first ATC_INV");

      await until(() => page.url().includes(`&step=${atcInv[0] + 1}`), "the URL to follow the cursor");
      await page.reload();
      await waitForStep(page, atcInv[0] + 1);
      equal(await page.getByRole("button", { name: "Breakpoints (1)" }).count(), 1, "kept in localStorage");
      await page.getByRole("button", { name: "Reset", exact: true }).click();
      await page.keyboard.press("c");
      await waitForStep(page, atcInv[0] + 1);
      await page.keyboard.press("c");
      await waitForStep(page, atcInv[1] + 1);
    },
  },
  {
    name: "teach: next violation jumps to the runner's violation, which says what would have prevented it",
    async run(page, ctx) {
      const file = staleFile(ctx);
      const trace = ctx.runJson(file);
      const v = trace.violations[0];
      ok(v?.kind === "stale-translation", "the runner finds the stale translation");
      await openLink(page, ctx, ctx.fragmentOf(file), 0);
      await page.locator("body").click({ position: { x: 5, y: 5 } });
      await page.keyboard.press("n");
      await waitForStep(page, v.step + 1);
      const row = page.locator("[data-current]");
      ok(
        (await row.getByTestId("violation").textContent()).includes(v.kind),
        "the current step is the violation",
      );
      const why = await row.getByTestId("violation-why").textContent();
      ok(why.includes("skip-atc-inv") && why.includes("ATC_INV"), `the safeguard: ${why}`);
      ok(
        await page.getByRole("button", { name: "Next violation" }).isDisabled(),
        "no violation after the last one",
      );
      const mark = await page.getByTestId("swimlane-violation").first().locator("title").textContent();
      ok(mark.includes("Prevented by"), `the timeline's tooltip explains it: ${mark}`);

      await page.getByRole("button", { name: "Path", exact: true }).click();
      // The path view is fetched the first time it is shown.
      await page.getByTestId("path-view").waitFor();
      const boxes = await page
        .getByTestId("path-box")
        .evaluateAll((gs) => gs.map((g) => g.getAttribute("data-box")));
      equal(boxes, ["path:atc", "path:frame"], "served by the ATC: no SMMU lookup");
      equal(await page.locator('[data-box="path:frame"]').getAttribute("data-tone"), "bad", "a stale frame");

      await page.keyboard.press("End");
      await page.keyboard.press("Shift+N");
      await waitForStep(page, v.step + 1);
      await page.screenshot({ path: join(ctx.screenshots, "teach-violation-1280x800.png") });
    },
  },
  {
    name: "teach: every control has a name and the teaching controls are reachable by Tab",
    async run(page, ctx) {
      const file = staleFile(ctx);
      const v = ctx.runJson(file).violations[0];
      await openLink(page, ctx, ctx.fragmentOf(file), v.step + 3);
      await page.getByRole("button", { name: "Topology", exact: true }).click();
      equal(await unnamedControls(page), [], "controls without a name");
      // Past the run's only violation: "Previous violation" is on, "Next violation" off (checked below).
      const want = [
        "Previous violation",
        "Breakpoints",
        "Glossary",
        "Tables",
        "Path",
        "CMDQ",
        "EVTQ",
        "PRIQ",
        "State",
        "Topology",
        "Find VA",
        "Zoom the page tables in",
        "Fit the page tables",
        "What is STE?",
      ];
      await page.locator("body").click({ position: { x: 5, y: 5 } });
      const seen = new Set();
      for (let i = 0; i < 250 && seen.size < want.length; i++) {
        await page.keyboard.press("Tab");
        const name = await page.evaluate(() => {
          const el = document.activeElement;
          return (el?.getAttribute("aria-label") || el?.textContent || "").trim();
        });
        if (want.includes(name)) seen.add(name);
      }
      equal([...seen].sort(), [...want].sort(), "reached by Tab");

      await page.getByRole("button", { name: "Reset", exact: true }).click();
      await page.locator("body").click({ position: { x: 5, y: 5 } });
      let reached = false;
      for (let i = 0; i < 40 && !reached; i++) {
        await page.keyboard.press("Tab");
        reached = await page.evaluate(
          () => document.activeElement?.getAttribute("aria-label") === "Next violation",
        );
      }
      ok(reached, "Next violation reached by Tab at step 0");
      await page.keyboard.press("Enter");
      await waitForStep(page, v.step + 1);
    },
  },
  ...[
    [1280, 800, "light"],
    [1920, 1080, "light"],
    [1280, 800, "dark"],
    [1920, 1080, "dark"],
  ].map(([width, height, theme]) => ({
    name: `teach: screenshot of the teaching views, ${width}×${height}, ${theme}`,
    viewport: { width, height },
    async run(page, ctx) {
      await page.addInitScript((t) => localStorage.setItem("sva-lab-theme", t), theme);
      const file = staleFile(ctx);
      const v = ctx.runJson(file).violations[0];
      await openLink(page, ctx, ctx.fragmentOf(file), v.step + 1);
      await page.getByRole("button", { name: "Path", exact: true }).click();
      await page.getByRole("button", { name: "Topology", exact: true }).click();
      await page.getByRole("button", { name: /^EVTQ/ }).click();
      await page.waitForTimeout(400);
      await fitsWindow(page);
      // Nothing in a panel header is cut off: the header's content fits it.
      const clipped = await page.evaluate(() =>
        [...document.querySelectorAll("section[data-testid^='panel-'] > header")]
          .filter((h) => h.scrollWidth > h.clientWidth + 1)
          .map((h) => h.parentElement.getAttribute("data-testid")),
      );
      equal(clipped, [], "panel headers that overflow");
      await page.screenshot({ path: join(ctx.screenshots, `teach-${width}x${height}-${theme}.png`) });
    },
  })),
];
