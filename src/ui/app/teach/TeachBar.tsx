/**
 * The teaching bar in the step controls: previous / next violation, the breakpoints (a small
 * panel to add and remove them, and "Run to breakpoint", fetched when it first opens), and the
 * glossary. The buttons run the registry's commands (teach/commands.ts), so their keys do the
 * same.
 */

import { lazy, Suspense, useEffect, useId, useRef } from "react";
import { useBreakpoints } from "../../../store/breakpoints.ts";
import { useLayout } from "../../../store/layout.ts";
import { useLab } from "../../../store/store.ts";
import { useGlossary } from "../../glossary/glossary-store.ts";
import { type CommandName, command, keyName, perform } from "../commands.ts";
import { useTeach } from "./teach-store.ts";

const BreakpointsPanel = lazy(() =>
  import("./BreakpointsPanel.tsx").then((m) => ({ default: m.BreakpointsPanel })),
);

export const small =
  "rounded-md border border-slate-300 bg-white px-1.5 py-0.5 text-xs hover:bg-slate-100 focus-visible:outline-2 focus-visible:outline-offset-1 focus-visible:outline-blue-500 disabled:cursor-not-allowed disabled:opacity-40 dark:border-slate-600 dark:bg-slate-800 dark:hover:bg-slate-700";

export function CmdButton(props: {
  name: CommandName;
  children: React.ReactNode;
  className?: string;
  pressed?: boolean;
}) {
  const c = command(props.name);
  const label = useLab(c.label);
  const enabled = useLab(c.enabled);
  // Breakpoints change what "Run to breakpoint" can do: follow them too.
  useBreakpoints((s) => s.list);
  return (
    <button
      type="button"
      className={`${small} ${props.className ?? ""}`}
      disabled={!enabled}
      aria-pressed={props.pressed}
      aria-label={label}
      title={`${label} (${c.keys.map(keyName).join(", ")})`}
      onClick={() => perform(props.name)}
    >
      {props.children}
    </button>
  );
}

export function TeachBar() {
  const embed = useLayout((s) => s.embed);
  return embed ? null : <Bar />;
}

function Bar() {
  const open = useTeach((s) => s.breakpointsOpen);
  const count = useBreakpoints((s) => s.list.length);
  const glossaryOpen = useGlossary((s) => s.open);
  const panelId = useId();
  const box = useRef<HTMLDivElement>(null);
  const toggle = useRef<HTMLButtonElement>(null);
  const close = useTeach((s) => s.setBreakpointsOpen);
  /** Closed from inside (Escape, Close): the focus goes back to the Breakpoints button. */
  const closeBack = (): void => {
    close(false);
    toggle.current?.focus();
  };

  // A click elsewhere closes the breakpoints panel, as a menu would.
  useEffect(() => {
    if (!open) return;
    const onDown = (e: PointerEvent): void => {
      if (box.current && !box.current.contains(e.target as Node)) close(false);
    };
    document.addEventListener("pointerdown", onDown);
    return () => document.removeEventListener("pointerdown", onDown);
  }, [open, close]);

  return (
    <div ref={box} className="relative ml-auto flex flex-wrap items-center gap-1" data-testid="teach-bar">
      <CmdButton name="prev-violation">
        <span aria-hidden="true">◀ </span>violation
      </CmdButton>
      <CmdButton name="next-violation">
        violation<span aria-hidden="true"> ▶</span>
      </CmdButton>
      <button
        ref={toggle}
        type="button"
        className={small}
        aria-expanded={open}
        aria-controls={open ? panelId : undefined}
        title={`Breakpoints (${keyName("b")})`}
        onClick={() => perform("breakpoints")}
      >
        Breakpoints{count > 0 ? ` (${count})` : ""}
      </button>
      <button
        type="button"
        className={small}
        aria-pressed={glossaryOpen}
        title={`Glossary (${keyName("g")})`}
        onClick={() => perform("glossary")}
      >
        Glossary
      </button>
      {open ? (
        <Suspense fallback={null}>
          <BreakpointsPanel id={panelId} onClose={closeBack} />
        </Suspense>
      ) : null}
    </div>
  );
}
