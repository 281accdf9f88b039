/**
 * The engine's public face: what the page, the runner and the kernel model may use. The
 * engine is pure TypeScript (no DOM, no React, no store).
 */

export * from "./bits.ts";
export * from "./cd.ts";
export * from "./clone.ts";
export * from "./cmdq-error.ts";
export * from "./commands.ts";
export * from "./events.ts";
export * from "./hash.ts";
export * from "./ids.ts";
export * from "./memory.ts";
export * from "./pgtable.ts";
export * from "./queue.ts";
export * from "./stage2.ts";
export * from "./ste.ts";
export * from "./table-writes.ts";
export * from "./tables.ts";
export * from "./tlb.ts";
export type * from "./trace.ts";
export * from "./world.ts";
export * from "./write-entry.ts";
export type * from "./xlate-path.ts";
