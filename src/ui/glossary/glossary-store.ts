/**
 * Whether the glossary side panel is open and which entry it shows. Kept apart from the lab's
 * store: it is view state only, not part of a shared link.
 */

import { create } from "zustand";

export interface GlossaryState {
  readonly open: boolean;
  /** The entry to scroll to and highlight, or null for the whole list. */
  readonly focus: string | null;
  /** Bumped on every request to show an entry, so asking twice for one entry scrolls again. */
  readonly nonce: number;
  show(id?: string | null): void;
  close(): void;
  toggle(): void;
}

/** The element that had focus before the panel opened: focus goes back there on close. */
let opener: HTMLElement | null = null;

export const useGlossary = create<GlossaryState>()((set, get) => ({
  open: false,
  focus: null,
  nonce: 0,
  show(id = null) {
    if (!get().open) {
      const active = globalThis.document?.activeElement;
      opener = active instanceof HTMLElement ? active : null;
    }
    set({ open: true, focus: id, nonce: get().nonce + 1 });
  },
  close() {
    set({ open: false });
    const back = opener;
    opener = null;
    if (back?.isConnected) back.focus({ preventScroll: true });
  },
  toggle() {
    if (get().open) get().close();
    else get().show(null);
  },
}));
