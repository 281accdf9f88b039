/**
 * The glossary's index (glossary.ts with the terms of glossary-terms.ts), fetched just after the
 * first paint rather than with it: until it arrives, step texts show as plain text, and their
 * terms become links a moment later. Components read it with `useGlossaryIndex`.
 */

import { useSyncExternalStore } from "react";

export type GlossaryIndex = typeof import("../../view/glossary/glossary.ts");

let index: GlossaryIndex | null = null;
let loading: Promise<GlossaryIndex> | null = null;
const listeners = new Set<() => void>();

export function loadGlossaryIndex(): Promise<GlossaryIndex> {
  loading ??= import("../../view/glossary/glossary.ts").then((m) => {
    index = m;
    for (const l of listeners) l();
    return m;
  });
  return loading;
}

function subscribe(l: () => void): () => void {
  listeners.add(l);
  return () => listeners.delete(l);
}

/** The index, or null until it has arrived (asking for it starts the fetch). */
export function useGlossaryIndex(): GlossaryIndex | null {
  const g = useSyncExternalStore(subscribe, () => index);
  if (g === null) void loadGlossaryIndex();
  return g;
}
