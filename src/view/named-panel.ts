/**
 * The panel a step's text is about, to outline it: a DMA is the caches' (and the DMA log's), a
 * queued command the queues', the SMMU consuming an invalidation the caches', a CD or an STE
 * written the stream table's, a PTE the page tables', frames freed or allocated the memory's,
 * and the rest (locks, refcounts, PASIDs, notifiers) the kernel's.
 */

import type { StepRecord } from "../kernel/index.ts";

/** In order: the first rule that matches names the panel. */
const RULES: readonly (readonly [RegExp, string])[] = [
  [/\b(IOTLB|ATC|walk[- ]cache|configuration cache)\b|\bforgets\b/, "tlb"],
  [/\b(frames?|page allocator|freed?|go back to)\b.*\b(pages?|frames?|allocator|pgd)\b/i, "memory"],
  [/\b(PTEs?|page[- ]tables?)\b/, "pgtable"],
  [/\b(CD|CDs|STE|STEs|L1 descriptor|quiet CD|stream table)\b/, "strtab"],
];

export function panelNamed(step: StepRecord): string {
  if (step.events.some((e) => e.type === "dev.dma")) return "tlb";
  if (step.events.some((e) => e.type === "cmdq.insert")) return "cmdq";
  const consumed = step.events.some((e) => e.type === "smmu.cmd.consume");
  for (const [re, panel] of RULES) if (re.test(step.text)) return panel;
  return consumed ? "cmdq" : "kernel";
}
