/**
 * The page's view of the model: the pure view models the UI draws (docs/code-layout.md).
 * The UI imports them from here; the bundler keeps each in the chunk of the views that use it.
 */

export * from "./cache.ts";
export * from "./caches.ts";
export * from "./cmdq.ts";
export * from "./detail.ts";
export * from "./editor/draft.ts";
export * from "./editor/vm-draft.ts";
export * from "./format.ts";
export * from "./glossary/glossary.ts";
export * from "./glossary/glossary-data.ts";
export * from "./glossary/glossary-terms.ts";
export * from "./kernel-state.ts";
export * from "./lifecycles.ts";
export * from "./memory.ts";
export * from "./model.ts";
export * from "./named-panel.ts";
export * from "./navigate.ts";
export * from "./nested.ts";
export * from "./outcome-diff.ts";
export * from "./path.ts";
export * from "./per-world.ts";
export * from "./pgtree.ts";
export * from "./records.ts";
export * from "./ring.ts";
export * from "./safeguards.ts";
export * from "./same.ts";
export * from "./selection.ts";
export * from "./statechart-layout.ts";
export * from "./stream.ts";
export * from "./swimlane.ts";
export * from "./tasks.ts";
export * from "./tlb.ts";
export * from "./topology.ts";
export * from "./vcmdq.ts";
export * from "./warm.ts";
