/** The fixed colours of frame owners, one per kind, the same in both themes. */

import { OWNER_KINDS, type OwnerKind } from "../../view/index.ts";

const COLOURS: readonly string[] = [
  "#10b981", // data: a process's page
  "#6366f1", // pgtable
  "#f59e0b", // strtab
  "#ec4899", // cdtable
  "#06b6d4", // queue
  "#94a3b8", // free
  "#a3a3a3", // guest: a VM's RAM the guest is not using
];

const BY_KIND = new Map(OWNER_KINDS.map((k, i) => [k, COLOURS[i % COLOURS.length]!]));

export const ownerColour = (kind: OwnerKind): string => BY_KIND.get(kind) ?? COLOURS[0]!;

export const OWNER_LABELS: Readonly<Record<OwnerKind, string>> = {
  data: "process page",
  pgtable: "page table",
  strtab: "stream table",
  cdtable: "CD table",
  queue: "queue",
  free: "free",
  guest: "free guest RAM",
};
