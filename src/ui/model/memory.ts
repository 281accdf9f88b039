/** View model of physical memory: one cell per frame, its owner kind, and its hover text. */

import type { World } from "../../engine/index.ts";
import { describeOwner, type FrameOwner, frameAddr } from "../../engine/index.ts";
import { hexNum } from "./format.ts";

export type OwnerKind = FrameOwner["kind"];

/** The legend's order. */
export const OWNER_KINDS: readonly OwnerKind[] = ["data", "pgtable", "strtab", "cdtable", "queue", "free"];

export interface FrameView {
  readonly id: string;
  readonly index: number;
  readonly kind: OwnerKind;
  /** The kind the frame had before it was freed, for freed frames. */
  readonly was: OwnerKind | null;
  readonly title: string;
}

export function memoryVm(w: World): FrameView[] {
  return w.mem.frames.map((f, index) => {
    const lines = [`frame ${index} at ${hexNum(frameAddr(w.mem, index))}`, describeOwner(f.owner)];
    if (f.content) lines.push(`holds: ${f.content}`);
    if (f.previous) lines.push(`before: ${describeOwner(f.previous)}`);
    lines.push(`allocated ${f.generation} time${f.generation === 1 ? "" : "s"}`);
    return {
      id: `frame:${index}`,
      index,
      kind: f.owner.kind,
      was: f.owner.kind === "free" ? (f.previous?.kind ?? null) : null,
      title: lines.join("\n"),
    };
  });
}
