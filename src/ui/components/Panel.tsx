/** A titled panel whose body scrolls inside it rather than pushing the page. */

import { type ReactNode, useId } from "react";

export function Panel(props: {
  title: string;
  className?: string;
  aside?: ReactNode;
  testId?: string;
  children: ReactNode;
}) {
  const id = useId();
  return (
    <section
      aria-labelledby={id}
      data-testid={props.testId}
      className={`flex min-h-0 min-w-0 flex-col overflow-hidden rounded-lg border border-slate-200 bg-white shadow-sm dark:border-slate-700 dark:bg-slate-900 ${props.className ?? ""}`}
    >
      <header className="flex items-baseline justify-between gap-2 border-b border-slate-200 px-3 py-1.5 dark:border-slate-700">
        <h2 id={id} className="truncate text-sm font-semibold">
          {props.title}
        </h2>
        {props.aside ? (
          <div className="truncate text-xs text-slate-500 dark:text-slate-400">{props.aside}</div>
        ) : null}
      </header>
      <div className="min-h-0 flex-1 overflow-auto p-2">{props.children}</div>
    </section>
  );
}
