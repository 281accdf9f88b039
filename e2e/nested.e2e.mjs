// Nested translation in the page: the guest's vSMMU queue beside the host's CMDQ (converted
// commands, the refused CFGI_STE, CERROR_ILL), the VM in the topology, and the editor's VMs.
import { copyFileSync, mkdirSync } from "node:fs";
import { join } from "node:path";
import { equal, ok, until, waitForStep } from "./lib/assert.mjs";

const LESSON = "src/scenario/library/nested-invalidation.json";
/** Screenshots also go here, to be looked at outside the test tree. */
const TMP = "/tmp/sva-e2e-nested";

async function shot(page, ctx, name) {
  await page.waitForTimeout(300);
  const path = join(ctx.screenshots, name);
  await page.screenshot({ path });
  mkdirSync(TMP, { recursive: true });
  copyFileSync(path, join(TMP, name));
}

/** The cursors of the lesson's steps that matter here, from the runner's trace. */
function cursors(ctx) {
  const trace = ctx.runJson(LESSON);
  const zap = trace.steps.findIndex((s) => s.fn === "zap_pte_range (guest)");
  ok(zap >= 0, "the lesson's munmap clears a guest PTE");
  const forward = trace.steps.findIndex((s, i) => i > zap && s.fn === "arm_vsmmu_cache_invalidate");
  ok(forward > zap, "the host forwards the munmap's invalidations");
  const refused = trace.steps.findIndex(
    (s) => s.fn === "arm_vsmmu_cache_invalidate" && s.text.includes("-EIO"),
  );
  ok(refused > forward, "the host refuses the CFGI_STE");
  return { trace, munmap: forward + 1, refused: refused + 1 };
}

/** Opens the lesson from the Lessons menu, then steps to `step` with the → key. */
async function openLessonAt(page, ctx, trace, step) {
  await page.goto(ctx.base);
  await page.getByRole("button", { name: "Lessons" }).click();
  const menu = page.getByRole("dialog", { name: "Lessons" });
  await menu.getByTestId("lesson-item").filter({ hasText: "Nested translation" }).first().click();
  await menu.waitFor({ state: "detached" });
  await page.getByText(`Step 0 / ${trace.steps.length}`).waitFor();
  for (let i = 0; i < step; i++) await page.keyboard.press("ArrowRight");
  await waitForStep(page, step);
}

const text = async (loc) => ((await loc.textContent()) ?? "").replace(/\s+/g, " ");

export default [
  {
    name: "nested: the guest's vSMMU queue beside the host's CMDQ, -EIO and CERROR_ILL, the VM in the topology",
    async run(page, ctx) {
      const { trace, munmap, refused } = cursors(ctx);
      await openLessonAt(page, ctx, trace, munmap);
      const queues = page.getByTestId("panel-cmdq");
      await queues.getByTestId("nested-queues").waitFor();

      // The munmap: the guest wrote TLBI_NH_VA with VMID 0 and ATC_INV for vSID 1 ...
      const guestTlbi = queues.locator('[data-testid="vcmdq-slot"][data-op="TLBI_NH_VA"]').last();
      const guestAtc = queues.locator('[data-testid="vcmdq-slot"][data-op="ATC_INV"]').last();
      const g1 = await text(guestTlbi);
      const g2 = await text(guestAtc);
      ok(g1.includes("TLBI_NH_VA asid=3 vmid=0"), `guest TLBI: ${g1}`);
      ok(g2.includes("ATC_INV sid=1 ssid=1"), `guest ATC_INV: ${g2}`);
      // ... which the host rewrote: VMID 1, StreamID 16, in its own CMDQ.
      ok(g1.includes("host: TLBI_NH_VA asid=3 vmid=1"), `what the host made of the TLBI: ${g1}`);
      ok(g2.includes("host: ATC_INV sid=16"), `what the host made of the ATC_INV: ${g2}`);
      const hostTlbi = await text(
        queues.locator('[data-testid="host-cmdq-slot"][data-op="TLBI_NH_VA"]').last(),
      );
      const hostAtc = await text(queues.locator('[data-testid="host-cmdq-slot"][data-op="ATC_INV"]').last());
      ok(hostTlbi.includes("vmid=1") && hostTlbi.includes("from vm0 vSMMU"), `host TLBI: ${hostTlbi}`);
      ok(hostAtc.includes("ATC_INV sid=16 ssid=1"), `host ATC_INV: ${hostAtc}`);
      equal(
        await queues.getByTestId("vcmdq-slot-prod").textContent(),
        "PROD 7 w0",
        "the vSMMU's PROD after the munmap's TLBI, ATC_INV and CMD_SYNC",
      );
      await shot(page, ctx, "nested-munmap-1280x800.png");

      // The guest slot opens in the detail view: its fields, and what the host issued.
      await guestAtc.click();
      const detail = page.getByTestId("detail");
      await detail.getByText(/vm0 vSMMU CMDQ slot \d+/).waitFor();
      ok((await text(detail)).includes("The host issued ATC_INV sid=16"), await text(detail));
      await detail.getByRole("cell", { name: "SID", exact: true }).waitFor();
      await page.getByRole("button", { name: "Close detail" }).click();

      // The refused CFGI_STE: -EIO at once, CERROR_ILL once the VMM has reported it.
      await page.keyboard.press("Home");
      await waitForStep(page, 0);
      for (let i = 0; i < refused; i++) await page.keyboard.press("ArrowRight");
      await waitForStep(page, refused);
      const bad = queues.locator('[data-testid="vcmdq-slot"][data-op="CFGI_STE"]');
      await bad.waitFor();
      equal(await bad.getAttribute("data-tone"), "bad", "the refused command is marked");
      const why = await text(bad);
      ok(why.includes("refused: -EIO") && why.includes("CERROR_ILL"), `the refusal: ${why}`);
      await page.keyboard.press("ArrowRight");
      await waitForStep(page, refused + 1);
      await until(
        async () => (await text(queues.getByTestId("vcmdq-cerror"))).includes("CERROR_ILL at CONS"),
        "CERROR_ILL in the vSMMU's registers",
      );
      await shot(page, ctx, "nested-cerror-1280x800.png");

      // The topology: the VM's box with its VMID, its process and its devices.
      const topo = page.getByTestId("topology-detail");
      const box = topo.locator('[data-testid="topo-vm"][data-vm="vm0"]');
      await box.waitFor();
      ok((await text(box)).includes("VM vm0 · VMID 1"), await text(box));
      const nic0 = await text(topo.locator('[data-node="dev:nic0"]'));
      ok(nic0.includes("vSID 1 → StreamID 16"), `nic0's card: ${nic0}`);
      ok((await text(topo.locator('[data-node="mm:gapp"]'))).includes("guest mm of gapp"), "gapp is a guest");
    },
  },
  {
    name: "nested: the stream table shows a nested STE and the guest page table at 1920x1080",
    viewport: { width: 1920, height: 1080 },
    async run(page, ctx) {
      const { trace, munmap } = cursors(ctx);
      const dma = trace.dma.find((d) => d.device === "nic0" && d.result === "ok");
      ok(dma, "the lesson's first DMA is translated");
      await openLessonAt(page, ctx, trace, dma.step + 1);
      const ste = page.getByTestId("ste-16");
      const steText = await text(ste);
      ok(steText.includes("NESTED") && steText.includes("S2VMID") && steText.includes("IPA → PA"), steText);
      const cd = await text(page.getByTestId("cd-16-1"));
      ok(cd.includes("TTB0") && cd.includes("IPA 0x") && cd.includes("gapp"), `CD 1 of nic0: ${cd}`);
      // The guest's page table, read through stage 2: its one page.
      const tree = await text(page.getByTestId("panel-pgtable"));
      ok(tree.includes("0x10000 → IPA 0x"), `the guest's page table: ${tree}`);
      // The caches: the IOTLB entry is tagged with VMID 1 and is not stale.
      const tlb = page.getByTestId("panel-tlb");
      ok((await text(tlb)).includes("ASID VMID"), "the IOTLB has a VMID column");
      const entry = await text(tlb.getByTestId("cache-entry").first());
      ok(entry.startsWith("3 1") && entry.includes("0x10000"), `the IOTLB entry: ASID 3, VMID 1: ${entry}`);
      equal(await page.locator('[data-testid="cache-entry"][data-stale="true"]').count(), 0, "nothing stale");
      // The path of the DMA: both stages.
      const path = page.getByTestId("panel-strtab");
      await path.getByRole("button", { name: "Path" }).click();
      const view = await text(page.getByTestId("path-view"));
      ok(view.includes("S1ContextPtr IPA") && view.includes("S2VMID 1"), `the path: ${view}`);
      await shot(page, ctx, "nested-dma-1920x1080.png");

      await page.keyboard.press("Home");
      await waitForStep(page, 0);
      for (let i = 0; i < munmap; i++) await page.keyboard.press("ArrowRight");
      await waitForStep(page, munmap);
      await shot(page, ctx, "nested-munmap-1920x1080.png");
    },
  },
  {
    name: "editor: adding a VM and moving the process into it gives a nested run",
    async run(page, ctx) {
      const M = ctx.expected.steps.length;
      await page.goto(ctx.base);
      await page.getByText(`Step 0 / ${M}`).waitFor();
      await page.getByRole("button", { name: "Edit scenario" }).click();
      const editor = page.getByRole("dialog", { name: "Scenario editor" });
      await editor.waitFor();

      await editor.getByRole("button", { name: "Add VM", exact: true }).click();
      equal(await editor.getByTestId("editor-vm").count(), 1, "one VM");
      equal(await editor.getByLabel("vm0 device 1 name").inputValue(), "gpu0", "it owns the device");
      equal(await editor.getByLabel("vm0 device 1 vSID").inputValue(), "1", "as vSID 1");
      ok(await editor.getByLabel("SMMU feature NESTED").isChecked(), "the SMMU gets the nested feature");
      // The lifecycle's process still runs on the host: the binding is refused, by field.
      const error = editor.getByTestId("editor-error");
      await error.waitFor();
      ok((await error.textContent()).includes('"gpu0" belongs to VM "vm0"'), await error.textContent());

      await editor.getByLabel("Process app VM").selectOption("vm0");
      await until(async () => (await error.count()) === 0, "the error to go");
      await editor.getByTestId("editor-status").getByText("Valid: the run shown").waitFor();
      const queues = page.getByTestId("panel-cmdq");
      await queues.getByTestId("nested-queues").waitFor();

      // A guest-cmd op: its command is chosen from the list a guest may write.
      const ops = editor.getByTestId("editor-op");
      const n = await ops.count();
      await editor.getByRole("button", { name: "Add op to T0" }).click();
      await until(async () => (await ops.count()) === n + 1, "a new op");
      await editor.locator(`[data-path="threads[0].ops[${n}].op"]`).fill("guest-cmd");
      const cmd = editor.locator(`[data-path="threads[0].ops[${n}].cmd"]`);
      await cmd.waitFor();
      const options = await cmd.locator("option").allTextContents();
      ok(options.includes("TLBI_NSNH_ALL") && options.includes("CFGI_STE"), `commands: ${options}`);
      await cmd.selectOption("TLBI_NSNH_ALL");
      await editor.getByLabel(`T0 op ${n + 1} device (optional)`).waitFor();
      await editor.getByTestId("editor-status").getByText("Valid: the run shown").waitFor();
      await shot(page, ctx, "nested-editor-1280x800.png");
      await page.getByRole("button", { name: "Close editor" }).click();

      // The run has the VM: its box in the topology, and the guest's TLBI_NSNH_ALL in its queue.
      await page.keyboard.press("End");
      const topo = page.getByTestId("topology-detail");
      await topo.locator('[data-testid="topo-vm"][data-vm="vm0"]').waitFor();
      ok((await text(topo.locator('[data-testid="topo-vm"]'))).includes("VMID 1"), "the VM's VMID");
      await queues.locator('[data-testid="vcmdq-slot"][data-op="TLBI_NSNH_ALL"]').waitFor();
    },
  },
];
