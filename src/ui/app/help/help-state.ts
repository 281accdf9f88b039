/** Whether the keyboard help is open (the `?` key, the header's ? button). */

import { create } from "zustand";

export interface HelpState {
  readonly open: boolean;
  setOpen(open: boolean): void;
}

export const useHelp = create<HelpState>()((set) => ({
  open: false,
  setOpen(open) {
    set({ open });
  },
}));
