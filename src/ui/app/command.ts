/**
 * The shape of a page command (commands.ts lists them; teach/commands.ts adds the teaching
 * ones): its own module, so that the two lists need not import each other.
 */

import type { LabState } from "../../store/store.ts";

export interface CommandOf<N extends string> {
  readonly name: N;
  /** The button's accessible name (CONTRACT §6). */
  readonly label: (s: LabState) => string;
  /** What it does, for the keyboard help (the label when absent). */
  readonly help?: string;
  /** A button in the step controls (default); false: a key only, listed in the help. */
  readonly toolbar?: boolean;
  readonly keys: readonly string[];
  /** `key`: the key that ran it, for a command several keys run differently (1…9). */
  readonly enabled: (s: LabState, key?: string) => boolean;
  readonly run: (s: LabState, key?: string) => void;
}
