/**
 * View model of physical memory: each frame's owner kind (and, for a freed frame, what it
 * was), packed in byte arrays so that 20,000 frames cost one pass per step; the hover text of a
 * frame is made only when asked for.
 */

import type { World } from "../engine/index.ts";
import { describeOwner, type FrameOwner, frameAddr } from "../engine/index.ts";
import { hexNum } from "./format.ts";
import { sameData } from "./same.ts";

export type OwnerKind = FrameOwner["kind"];

/** The legend's order. */
export const OWNER_KINDS: readonly OwnerKind[] = [
  "data",
  "pgtable",
  "strtab",
  "cdtable",
  "queue",
  "free",
  "guest",
];

/** In `was`: the frame is not a freed one. */
export const NONE = 255;

export interface MemoryVm {
  readonly count: number;
  readonly free: number;
  /** Index into OWNER_KINDS per frame. */
  readonly kind: Uint8Array;
  /** For freed frames, the kind they had (index into OWNER_KINDS), else NONE. */
  readonly was: Uint8Array;
  /** The hover text of frame i. */
  title(i: number): string;
}

/** Kept for the SVG drawing of small memories: one record per frame. */
export interface FrameView {
  readonly id: string;
  readonly index: number;
  readonly kind: OwnerKind;
  readonly was: OwnerKind | null;
}

const INDEX = new Map(OWNER_KINDS.map((k, i) => [k, i]));

export function memoryVm(w: World): MemoryVm {
  const frames = w.mem.frames;
  const kind = new Uint8Array(frames.length);
  const was = new Uint8Array(frames.length).fill(NONE);
  let free = 0;
  for (let i = 0; i < frames.length; i++) {
    const f = frames[i]!;
    const k = INDEX.get(f.owner.kind) ?? 0;
    kind[i] = k;
    if (f.owner.kind === "free") {
      free++;
      if (f.previous) was[i] = INDEX.get(f.previous.kind) ?? NONE;
    }
  }
  const title = (index: number): string => {
    const f = frames[index];
    if (!f) return "";
    const lines = [`frame ${index} at ${hexNum(frameAddr(w.mem, index))}`, describeOwner(f.owner)];
    if (f.content) lines.push(`holds: ${f.content}`);
    if (f.previous) lines.push(`before: ${describeOwner(f.previous)}`);
    lines.push(`allocated ${f.generation} time${f.generation === 1 ? "" : "s"}`);
    return lines.join("\n");
  };
  return { count: frames.length, free, kind, was, title };
}

/** One record per frame, for drawing each as an SVG element. */
export function frameViews(vm: MemoryVm): FrameView[] {
  return Array.from({ length: vm.count }, (_, index) => ({
    id: `frame:${index}`,
    index,
    kind: OWNER_KINDS[vm.kind[index]!]!,
    was: vm.was[index] === NONE ? null : (OWNER_KINDS[vm.was[index]!] ?? null),
  }));
}

/** Up to this many frames, the titles are compared too (the SVG grid shows them). */
const MEMORY_TITLES = 2048;

/**
 * Memory drawn the same: frames of the same kinds, and (small memories) the same hover texts.
 * A large memory's hover text is read when shown; it may lag a step behind an owner change
 * that kept the frame's kind.
 */
export function sameMemory(a: MemoryVm, b: MemoryVm): boolean {
  if (a.count !== b.count || a.free !== b.free || !sameData(a.kind, b.kind) || !sameData(a.was, b.was))
    return false;
  if (a.count > MEMORY_TITLES) return true;
  for (let i = 0; i < a.count; i++) if (a.title(i) !== b.title(i)) return false;
  return true;
}
