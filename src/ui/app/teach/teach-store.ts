/** View state of the teaching bar: whether the breakpoints panel is open. */

import { create } from "zustand";

export interface TeachState {
  readonly breakpointsOpen: boolean;
  setBreakpointsOpen(open: boolean): void;
  toggleBreakpoints(): void;
}

export const useTeach = create<TeachState>()((set, get) => ({
  breakpointsOpen: false,
  setBreakpointsOpen(open) {
    set({ breakpointsOpen: open });
  },
  toggleBreakpoints() {
    set({ breakpointsOpen: !get().breakpointsOpen });
  },
}));
