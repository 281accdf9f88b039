import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { referenceLinks, segments, termId } from "./glossary.ts";
import { GLOSSARY, TEXT } from "./glossary-data.ts";
import { TERMS } from "./glossary-terms.ts";

const ids = (text: string, opts?: Parameters<typeof segments>[1]) =>
  segments(text, opts).flatMap((s) => (typeof s === "string" ? [] : [s.id]));

describe("the glossary", () => {
  it("has unique ids, and every see-also names an entry", () => {
    const all = new Set(GLOSSARY.map((e) => e.id));
    expect(all.size).toBe(GLOSSARY.length);
    for (const e of GLOSSARY) for (const s of e.see ?? []) expect(all.has(s), `${e.id} → ${s}`).toBe(true);
  });

  it("has the text of every term in the index, and of no other", () => {
    expect(Object.keys(TEXT).sort()).toEqual(TERMS.map((t) => t.id).sort());
    for (const e of GLOSSARY) expect(e.body.length, e.id).toBeGreaterThan(0);
  });

  it("covers the terms a newcomer meets", () => {
    for (const t of ["PASID", "SSID", "ASID", "VMID", "StreamID", "STE", "CD", "TTB0", "EPD0", "ASET"])
      expect(termId(t), t).toBeDefined();
    for (const t of ["IOTLB", "walk cache", "configuration cache", "ATC", "ATS", "PRI", "PRG", "STAG", "BTM"])
      expect(termId(t), t).toBeDefined();
    for (const t of ["CMD_SYNC", "CFGI_CD", "TLBI_NH_VA", "ATC_INV", "quiet CD", "release CD", "SRCU"])
      expect(termId(t), t).toBeDefined();
    for (const t of ["mm_users", "mm_count", "bond", "io_mm", "SVA domain", "IOPF", "MMU notifier"])
      expect(termId(t), t).toBeDefined();
  });
});

describe("segments", () => {
  it("links the first mention of each term and keeps the text whole", () => {
    const text =
      "CFGI_CD: the SMMU forgets CD 1 of StreamID 16; the next access with that PASID reads the CD.";
    const segs = segments(text);
    expect(segs.map((s) => (typeof s === "string" ? s : s.text)).join("")).toBe(text);
    expect(ids(text)).toEqual(["cfgi", "smmu", "cd", "streamid", "pasid"]);
  });

  it("prefers the longest spelling and allows a plural", () => {
    expect(ids("the CD tables and the CDs")).toEqual(["cd-table", "cd"]);
    expect(ids("Page tables")).toEqual(["page-table"]);
  });

  it("does not link inside identifiers, hex numbers or other words", () => {
    expect(ids("arm_smmu_mmu_notifier_free frees 0xCD and CDROM")).toEqual([]);
    expect(ids("IOMMU_DOMAIN_SVA")).toEqual(["sva-domain"]);
    expect(ids("mmu_notifier_register")).toEqual([]);
  });

  it("can skip an entry and link every mention", () => {
    expect(ids("CD and CD", { once: false })).toEqual(["cd", "cd"]);
    expect(ids("CD and PASID", { skip: "cd" })).toEqual(["pasid"]);
  });

  it("treats markup as text", () => {
    const segs = segments("<img src=x onerror=alert(1)> PASID");
    expect(segs[0]).toBe("<img src=x onerror=alert(1)> ");
  });
});

describe("the glossary's references", () => {
  const docs = (name: string): string =>
    readFileSync(fileURLToPath(new URL(`../../../docs/${name}`, import.meta.url)), "utf8");

  it("become links into the repository's docs, each to a section that exists", () => {
    const sources = docs("sources.md");
    for (const e of GLOSSARY) {
      if (!e.ref) continue;
      const links = referenceLinks(e.ref);
      expect(links.length, `${e.id}: ${e.ref}`).toBeGreaterThan(0);
      for (const l of links) {
        const [file, anchor] = l.href.split("#");
        const text = docs(file!.replace(/^docs\//, ""));
        if (anchor) expect(text, `${e.id} → ${l.href}`).toContain(`<a id="${anchor}"></a>`);
        expect(file === "docs/sources.md" ? sources : text).toBeTruthy();
      }
    }
  });

  it("reads §5.2, §5.5 (4, 9) as one link to §5 and trace as the trace format", () => {
    expect(referenceLinks("§5.2, §5.5 (4, 9)").map((l) => l.href)).toEqual(["docs/sources.md#s5"]);
    expect(referenceLinks("§1.1, §7").map((l) => l.label)).toEqual(["§1.1", "§7"]);
    expect(referenceLinks("trace")).toEqual([{ label: "the trace format", href: "docs/trace-format.md" }]);
  });
});
