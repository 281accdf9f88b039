/**
 * Simulated physical memory: 4 KiB frames, each with an owner and a content tag, and the
 * 64-bit words that tables (page tables, STEs, CDs, queues) hold in them.
 *
 * The allocator is deterministic and reuses freed frames promptly (last freed, first reused),
 * as the kernel's per-CPU page lists do, so a stale translation lands on memory that now
 * belongs to someone else: the harm becomes visible.
 *
 * Words are kept in one sparse map keyed by physical address (8-byte aligned). A freed frame
 * keeps its words until it is allocated again (allocation zeroes it, like __GFP_ZERO), so a
 * walk through a freed page-table page still finds the old descriptors, as real hardware would.
 */

import { PAGE_SIZE, type Pa } from "./ids.ts";
import { metaOf, newMeta } from "./meta.ts";

export type FrameOwner =
  | { readonly kind: "free" }
  | { readonly kind: "data"; readonly process: string; readonly va: number }
  | { readonly kind: "pgtable"; readonly process: string; readonly level: number }
  | { readonly kind: "strtab"; readonly level: 1 | 2 }
  | { readonly kind: "cdtable"; readonly device: string; readonly level: 1 | 2 }
  | { readonly kind: "queue"; readonly queue: "cmdq" | "evtq" | "priq" | "vcmdq" }
  /** A VM's RAM the guest is not using: pinned and mapped in stage 2 for the VM's life. */
  | { readonly kind: "guest"; readonly vm: string };

export interface Frame {
  owner: FrameOwner;
  /** The owner before this one, kept when a frame is freed: "whose frame" a stale DMA hit. */
  previous: FrameOwner | null;
  /** Bumped on every allocation: a translation taken before a reallocation is stale. */
  generation: number;
  /** What the page holds, in words: "app 0x10000", "app 0x10000 + gpu0 write". */
  content: string;
  /** How many of its 64-bit words are non-zero: zeroing an unused frame is free. */
  used: number;
}

export interface Memory {
  /** Physical address of frame 0. */
  readonly base: number;
  readonly frames: Frame[];
  /** Freed frames, most recently freed last: reused first. */
  readonly free: number[];
  /** 64-bit words by physical address. Absent = 0. */
  readonly words: Map<number, bigint>;
}

/** DRAM starts at 1 GiB, as on QEMU's `virt` machine. */
export const DRAM_BASE = 0x4000_0000;

export function createMemory(): Memory {
  return { base: DRAM_BASE, frames: [], free: [], words: new Map() };
}

export function frameIndex(mem: Memory, addr: Pa): number {
  return Math.floor((addr - mem.base) / PAGE_SIZE);
}

export function frameAddr(mem: Memory, index: number): Pa {
  return (mem.base + index * PAGE_SIZE) as Pa;
}

export function frameAt(mem: Memory, addr: Pa): Frame | undefined {
  return mem.frames[frameIndex(mem, addr)];
}

/*
 * Copies share (copy on write). Time travel copies a world at every step it replays, and a
 * world's memory is most of it (17,000 frames in the large scenario) while a step changes a
 * few frames at most: so a copy shares the frames and the word map with its original, and
 * whichever of the two changes a frame first copies that frame (or the map) for itself. The
 * bookkeeping lives beside the memory, not in it: the state hash and the data are unchanged.
 */

/**
 * A cache on objects' Meta (`field`), or, for a frozen object without one (the test mode that
 * freezes shared parts, clone.ts), in a WeakMap: a frozen object never changes.
 */
function metaCache(field: "hash" | "live") {
  const frozen = new WeakMap<object, Int32Array>();
  return {
    get(o: object): Int32Array | undefined {
      const m = metaOf(o);
      return m ? m[field] : Object.isExtensible(o) ? undefined : frozen.get(o);
    },
    set(o: object, l: Int32Array): void {
      const m = metaOf(o);
      if (m) m[field] = l;
      else if (Object.isExtensible(o)) newMeta(o, 0)[field] = l;
      else frozen.set(o, l);
    },
  };
}

/**
 * Hashes of frames and word maps (world-hash.ts), by identity: an entry is dropped whenever
 * memory.ts hands that frame or map out to be changed, so a kept hash is always current.
 * Dropping it drops the explorer's fingerprint too (`liveCache`).
 */
export const hashCache = {
  ...metaCache("hash"),
  delete(o: object): void {
    const m = metaOf(o);
    if (m) {
      m.hash = undefined;
      m.live = undefined;
    }
  },
};

/**
 * The explorer's fingerprint of a frame or a word map (fingerprint.ts `hashLiveWorldInto`),
 * kept and dropped with its hash.
 */
export const liveCache = metaCache("live");

/**
 * What copy on write keeps per memory, beside the data (a non-enumerable symbol on the memory
 * object, like the hashes): which frames it has its own copy of (frames appended since are
 * its own), whether another memory also holds its word map, and its frame list's hash.
 */
interface Cow {
  own: Uint8Array | null;
  sharedWords: boolean;
  frames: Int32Array | undefined;
  /** The frame list's fingerprint for the explorer (fingerprint.ts), dropped with `frames`. */
  liveFrames: Int32Array | undefined;
}
const COW = Symbol("memory.cow");

function cowOf(mem: Memory): Cow | undefined {
  return (mem as { [COW]?: Cow })[COW];
}

function cowFor(mem: Memory): Cow {
  let c = cowOf(mem);
  if (!c) {
    c = { own: null, sharedWords: false, frames: undefined, liveFrames: undefined };
    Object.defineProperty(mem, COW, { value: c, enumerable: false, configurable: true });
  }
  return c;
}

/**
 * The hash of a memory's frame list, kept until one of its frames changes or a frame is added;
 * a copy starts with its original's (the same frames), so the world hash need not look up
 * every frame's hash at every state.
 */
export const framesHash = {
  get: (mem: Memory): Int32Array | undefined => cowOf(mem)?.frames,
  set: (mem: Memory, l: Int32Array): void => {
    cowFor(mem).frames = l;
  },
  getLive: (mem: Memory): Int32Array | undefined => cowOf(mem)?.liveFrames,
  setLive: (mem: Memory, l: Int32Array): void => {
    cowFor(mem).liveFrames = l;
  },
};

function dropFramesHash(mem: Memory): void {
  const c = cowOf(mem);
  if (c) {
    c.frames = undefined;
    c.liveFrames = undefined;
  }
}

/**
 * Below this many frames a copy is plain (the explorer copies small worlds by the thousand,
 * and there sharing costs more than it saves).
 */
const SHARE_FROM = 0;

/** A copy of `mem`: one that shares its frames and words until either changes them. */
export function cloneMemory(mem: Memory): Memory {
  if (mem.frames.length < SHARE_FROM) {
    return {
      base: mem.base,
      frames: mem.frames.map((f) => ({ ...f })),
      free: mem.free.slice(),
      words: new Map(mem.words),
    };
  }
  const out: Memory = {
    base: mem.base,
    frames: mem.frames.slice(),
    free: mem.free.slice(),
    words: mem.words,
  };
  const c = cowFor(mem);
  c.own = new Uint8Array(mem.frames.length);
  c.sharedWords = true;
  Object.defineProperty(out, COW, {
    value: {
      own: new Uint8Array(mem.frames.length),
      sharedWords: true,
      frames: c.frames,
      liveFrames: c.liveFrames,
    },
    enumerable: false,
    configurable: true,
  });
  return out;
}

/** Frame `index`, to be changed: copied first if it is shared with another memory. */
export function frameForWrite(mem: Memory, index: number): Frame | undefined {
  const c = cowOf(mem);
  if (c) {
    c.frames = undefined;
    c.liveFrames = undefined;
  }
  const frame = mem.frames[index];
  const own = c?.own;
  if (!frame || !own || index >= own.length || own[index] === 1) {
    if (frame) hashCache.delete(frame);
    return frame;
  }
  own[index] = 1;
  const copy = { ...frame };
  mem.frames[index] = copy;
  return copy;
}

/** The word map, to be changed: copied first if it is shared with another memory. */
function wordsForWrite(mem: Memory): Map<number, bigint> {
  const c = cowOf(mem);
  if (c?.sharedWords) {
    c.sharedWords = false;
    (mem as { words: Map<number, bigint> }).words = new Map(mem.words);
  } else hashCache.delete(mem.words);
  return mem.words;
}

function zero(mem: Memory, index: number): void {
  if (!mem.frames[index] || mem.frames[index].used === 0) return;
  const frame = frameForWrite(mem, index)!;
  const words = wordsForWrite(mem);
  const start = frameAddr(mem, index);
  for (let off = 0; off < PAGE_SIZE; off += 8) words.delete(start + off);
  frame.used = 0;
}

/** Gives frame `index` to a new owner, zeroed (a guest's allocator claims the frames of its RAM). */
export function claim(mem: Memory, index: number, owner: FrameOwner, content: string): void {
  const frame = frameForWrite(mem, index);
  if (frame) {
    frame.previous =
      frame.owner.kind === "free" || frame.owner.kind === "guest" ? frame.previous : frame.owner;
    frame.owner = owner;
    frame.generation += 1;
    frame.content = content;
  } else {
    dropFramesHash(mem);
    mem.frames[index] = { owner, previous: null, generation: 1, content, used: 0 };
  }
  zero(mem, index);
}

/** Allocates one zeroed frame, reusing the most recently freed one if there is one. */
export function allocFrame(mem: Memory, owner: FrameOwner, content = ""): Pa {
  const index = mem.free.length > 0 ? mem.free.pop()! : mem.frames.length;
  claim(mem, index, owner, content);
  return frameAddr(mem, index);
}

/**
 * Allocates `count` physically contiguous zeroed frames aligned to their total size (the
 * stream table, a CD table leaf, a queue): always fresh frames at the top of memory.
 */
export function allocContiguous(mem: Memory, count: number, owner: FrameOwner, content = ""): Pa {
  let index = mem.frames.length;
  const align = 2 ** Math.ceil(Math.log2(Math.max(1, count)));
  while (index % align !== 0) {
    // Padding frames go to the free list so they are not lost.
    dropFramesHash(mem);
    mem.frames[index] = { owner: { kind: "free" }, previous: null, generation: 0, content: "", used: 0 };
    mem.free.unshift(index);
    index += 1;
  }
  for (let i = 0; i < count; i++) claim(mem, index + i, owner, content);
  return frameAddr(mem, index);
}

export function freeFrame(mem: Memory, addr: Pa): void {
  const index = frameIndex(mem, addr);
  const frame = frameForWrite(mem, index);
  if (!frame || frame.owner.kind === "free") throw new Error(`double free of frame ${addr.toString(16)}`);
  frame.previous = frame.owner;
  frame.owner = { kind: "free" };
  mem.free.push(index);
}

/**
 * What a writer knows about a word it writes and memory does not: the input address and level
 * of a page-table descriptor (pgtable.ts, stage2.ts). The trace names table writes with it.
 */
export interface WriteTag {
  /** The first input address (VA or IPA) the descriptor covers. */
  readonly va: number;
  readonly level: number;
}

/** One word written while a journal was open. */
export interface WordWrite {
  readonly addr: number;
  readonly value: bigint;
  readonly tag?: WriteTag;
}

/**
 * The open journal, or null. Only `journalWrites` opens one (the runner, for the trace's table
 * writes); everywhere else, the explorer included, a write costs one comparison more.
 */
let journal: WordWrite[] | null = null;

/**
 * Runs `fn` and returns its result with every word written meanwhile, in order.
 *
 * @example
 *   const [, writes] = journalWrites(() => writeWord(mem, 0x4000_0000, 1n)); // [{ addr, value: 1n }]
 */
export function journalWrites<T>(fn: () => T): [T, WordWrite[]] {
  const outer = journal;
  const mine: WordWrite[] = [];
  journal = mine;
  try {
    return [fn(), mine];
  } finally {
    journal = outer;
  }
}

export function readWord(mem: Memory, addr: number): bigint {
  return mem.words.get(addr) ?? 0n;
}

/**
 * Writes one 64-bit word. A page-table writer passes the descriptor's input address and level
 * (its `WriteTag`, as two numbers so that nothing is allocated when no journal is open).
 */
export function writeWord(mem: Memory, addr: number, value: bigint, tagVa?: number, tagLevel?: number): void {
  if (journal !== null) {
    journal.push(
      tagVa === undefined ? { addr, value } : { addr, value, tag: { va: tagVa, level: tagLevel ?? 3 } },
    );
  }
  const was = mem.words.has(addr);
  const now = value !== 0n;
  if (!was && !now) return;
  const words = wordsForWrite(mem);
  if (now) words.set(addr, value);
  else words.delete(addr);
  if (was !== now) {
    const frame = frameForWrite(mem, frameIndex(mem, addr as Pa));
    if (frame) frame.used += now ? 1 : -1;
  }
}

export function readWords(mem: Memory, addr: number, count: number): bigint[] {
  const out: bigint[] = [];
  for (let i = 0; i < count; i++) out.push(readWord(mem, addr + 8 * i));
  return out;
}

export function writeWords(mem: Memory, addr: number, words: readonly bigint[]): void {
  for (let i = 0; i < words.length; i++) writeWord(mem, addr + 8 * i, words[i]!);
}

export function describeOwner(owner: FrameOwner): string {
  switch (owner.kind) {
    case "free":
      return "free";
    case "data":
      return `${owner.process}'s page at 0x${owner.va.toString(16)}`;
    case "pgtable":
      return `${owner.process}'s level-${owner.level} page table`;
    case "strtab":
      return owner.level === 1 ? "the stream table" : "a level-2 stream table";
    case "cdtable":
      return `${owner.device}'s ${owner.level === 1 ? "CD table" : "level-2 CD table"}`;
    case "queue":
      return owner.queue === "vcmdq" ? "a guest's vSMMU command queue" : `the ${owner.queue.toUpperCase()}`;
    case "guest":
      return `${owner.vm}'s free RAM`;
    default: {
      const exhaustive: never = owner;
      return exhaustive;
    }
  }
}
