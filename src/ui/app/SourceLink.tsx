/**
 * A step's kernel function in the source of the release the scenario models, on Elixir
 * (export/source-links.ts): in the step list (each step's row) and the detail view (the step
 * just taken). Nothing for the SMMU's own steps, a device's DMA or the VMM: they are not
 * kernel code.
 */
import { sourceLink } from "../../export/source-links.ts";
import { useLab } from "../../store/store.ts";
import { useCursor } from "./useSnapshot.ts";

export function SourceLink(props: {
  readonly release: string;
  readonly actor: string;
  readonly fn: string;
  /** In the tab order (the step list puts only its current row there). */
  readonly focusable?: boolean;
}) {
  const link = sourceLink(props.release, props.actor, props.fn);
  if (link === null) return null;
  return (
    <a
      href={link.url}
      target="_blank"
      rel="noopener noreferrer"
      tabIndex={props.focusable === false ? -1 : undefined}
      data-testid="source-link"
      className="ml-1 whitespace-nowrap text-[10px] text-blue-700 underline dark:text-sky-300"
      title={`${link.ident} in Linux ${link.label}, on Elixir`}
      onClick={(e) => e.stopPropagation()}
    >
      source {link.label.split(" ")[0]}
      <span className="sr-only"> of {link.ident} (opens Elixir)</span>
    </a>
  );
}

/** The detail view's line on the step just taken: its function, with its source link. */
export function StepSource() {
  const release = useLab((s) => s.scenario.kernel);
  const cursor = useCursor();
  const step = useLab((s) => (cursor > 0 ? s.result.steps[cursor - 1] : undefined));
  if (!step) return null;
  return (
    <p className="mb-1 text-xs text-slate-600 dark:text-slate-300" data-testid="step-source">
      Step {step.index}: <code className="font-mono">{step.fn}</code> ({step.actor})
      <SourceLink release={release} actor={step.actor} fn={step.fn} />
    </p>
  );
}
