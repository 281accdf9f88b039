/**
 * The teaching commands, for the page's one registry (commands.ts): moving between
 * violations (n / N), running to the next breakpoint (c, as a debugger's "continue"), the
 * breakpoints panel (b) and the glossary (g). Their buttons are the teaching bar's
 * (TeachBar.tsx), so they are not drawn in the step controls.
 */

import { nextHit, useBreakpoints } from "../../../store/breakpoints.ts";
import type { LabState } from "../../../store/store.ts";
import { nextViolation, prevViolation } from "../../../view/index.ts";
import { useGlossary } from "../../glossary/glossary-store.ts";
import type { CommandOf } from "../command.ts";
import { useTeach } from "./teach-store.ts";

export type TeachCommandName =
  | "prev-violation"
  | "next-violation"
  | "run-to-breakpoint"
  | "breakpoints"
  | "glossary";

const nextBreak = (s: LabState): number | null =>
  nextHit(s.result.steps, useBreakpoints.getState().list, s.cursor);

export const TEACH_COMMANDS: readonly CommandOf<TeachCommandName>[] = [
  {
    name: "prev-violation",
    label: () => "Previous violation",
    help: "The previous step that broke an invariant",
    toolbar: false,
    keys: ["N"],
    enabled: (s) => prevViolation(s.result.violations, s.result.steps.length, s.cursor) !== null,
    run: (s) => {
      const to = prevViolation(s.result.violations, s.result.steps.length, s.cursor);
      if (to === null) return;
      s.pause();
      s.goTo(to);
    },
  },
  {
    name: "next-violation",
    label: () => "Next violation",
    help: "The next step that breaks an invariant",
    toolbar: false,
    keys: ["n"],
    enabled: (s) => nextViolation(s.result.violations, s.result.steps.length, s.cursor) !== null,
    run: (s) => {
      const to = nextViolation(s.result.violations, s.result.steps.length, s.cursor);
      if (to === null) return;
      s.pause();
      s.goTo(to);
    },
  },
  {
    name: "run-to-breakpoint",
    label: () => "Run to breakpoint",
    help: "Just after the next step that hits a breakpoint",
    toolbar: false,
    keys: ["c"],
    enabled: (s) => nextBreak(s) !== null,
    run: (s) => {
      const hit = nextBreak(s);
      if (hit === null) return;
      s.pause();
      s.goTo(hit + 1);
    },
  },
  {
    name: "breakpoints",
    label: () => "Breakpoints",
    help: "Open or close the breakpoints: on a kernel function, a command, a fault",
    toolbar: false,
    keys: ["b"],
    enabled: () => true,
    run: () => useTeach.getState().toggleBreakpoints(),
  },
  {
    name: "glossary",
    label: () => "Glossary",
    help: "Open or close the glossary: every term, in plain words",
    toolbar: false,
    keys: ["g"],
    enabled: () => true,
    run: () => useGlossary.getState().toggle(),
  },
];
