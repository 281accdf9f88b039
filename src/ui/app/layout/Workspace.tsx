/**
 * The page's working area under the timeline: the steps column (Steps, Kernel) beside the two
 * rows of snapshot panels, each shown or hidden and sized as the layout says, with a drag
 * handle (Splitter) between neighbours.
 *
 * At 1280 px and wider (xl) everything fits the window and the panels scroll inside; sizes
 * apply there only. Narrower (tablets), the columns stack, panels two abreast from 1024 px
 * and one above the other below, each a fixed height, and the page scrolls.
 */

import { type CSSProperties, type ReactNode, useEffect, useState } from "react";
import { useLayout } from "../../../store/layout.ts";
import { useProgress } from "../../../store/progress.ts";
import { useLab } from "../../../store/store.ts";
import { TermText } from "../../glossary/Term.tsx";
import { KernelState } from "../../panels/kernel-state/KernelState.tsx";
import { Panel } from "../../panels/Panel.tsx";
import { PANEL_ROWS, type PanelDef } from "../../panels/Panels.tsx";
import { Timeline } from "../../panels/timeline/Timeline.tsx";
import { PanelBoundary } from "../PanelBoundary.tsx";
import { Splitter } from "./Splitter.tsx";
import { Staged } from "./Staged.tsx";

/** Default shares: the steps list over the kernel state, the top row over the bottom one. */
const STEPS = 0.68;
const ROWS = 0.5;

/**
 * The scenario's introduction. On the first visit (progress.ts remembers it) it opens by itself
 * with how to begin, and closes when the first step is taken.
 */
function About() {
  const scenario = useLab((s) => s.scenario);
  const welcomed = useProgress((s) => s.welcomed);
  const started = useLab((s) => s.cursor > 0);
  const [open, setOpen] = useState(!welcomed);
  const first = !welcomed;
  useEffect(() => {
    if (started && first) {
      setOpen(false);
      useProgress.getState().markWelcomed();
    }
  }, [started, first]);
  if (!scenario.description) return null;
  return (
    <details
      open={open}
      onToggle={(e) => {
        const now = (e.currentTarget as HTMLDetailsElement).open;
        if (now !== open) setOpen(now);
        if (!now) useProgress.getState().markWelcomed();
      }}
      data-testid="about"
      className="shrink-0 rounded-lg border border-slate-200 bg-white px-3 py-1.5 text-xs dark:border-slate-700 dark:bg-slate-900"
    >
      <summary className="cursor-pointer font-semibold">About this scenario</summary>
      {first ? (
        <p className="mt-1 font-semibold text-blue-800 dark:text-sky-300" data-testid="welcome">
          Welcome: press → (or Step forward) to take the first step; ← goes back. Each step is one kernel
          function, and the panels mark what it changed.
        </p>
      ) : null}
      <p className="mt-1 max-h-40 overflow-y-auto text-slate-700 dark:text-slate-300">
        <TermText text={scenario.description} />
      </p>
    </details>
  );
}

function LeftColumn({ steps, kernel, alone }: { steps: boolean; kernel: boolean; alone: boolean }) {
  const share = useLayout((s) => s.sizes.steps ?? STEPS);
  const left = useLayout((s) => s.sizes.left);
  const style = {
    "--steps": share,
    ...(left === undefined ? {} : { "--left": `${left}px` }),
  } as CSSProperties;
  return (
    <div
      style={style}
      data-testid="steps-column"
      className={`flex min-h-0 min-w-0 flex-col gap-2 max-xl:h-[36rem] ${
        alone ? "flex-1" : "shrink-0 xl:w-[var(--left,19rem)] 2xl:w-[var(--left,23rem)]"
      }`}
    >
      <About />
      {steps ? (
        <Panel
          title="Steps"
          className="flex-[3] [contain:strict] xl:[flex:var(--steps)_1_0%]"
          testId="panel-steps"
        >
          <PanelBoundary id="steps">
            <Staged order={0}>
              <Timeline />
            </Staged>
          </PanelBoundary>
        </Panel>
      ) : null}
      {steps && kernel ? (
        <Splitter
          orientation="horizontal"
          label="Resize the steps list and the kernel state"
          share={share}
          className="-my-2"
          onShare={(v) => useLayout.getState().setSize("steps", v)}
        />
      ) : null}
      {kernel ? (
        <Panel
          title="Kernel"
          className="flex-[1.4] [contain:strict] xl:[flex:calc(1-var(--steps))_1_0%]"
          testId="panel-kernel"
        >
          <PanelBoundary id="kernel">
            <Staged order={1}>
              <KernelState />
            </Staged>
          </PanelBoundary>
        </Panel>
      ) : null}
    </div>
  );
}

/** Where each panel comes when a large run is drawn a panel at a time (Staged.tsx). */
const ORDER = new Map(PANEL_ROWS.flat().map((p, i) => [p.id, 2 + i]));

function Row({ panels, style }: { panels: readonly PanelDef[]; style: string }) {
  const sizes = useLayout((s) => s.sizes);
  const weight = (p: PanelDef): number => sizes[`w.${p.id}`] ?? p.weight;
  const out: ReactNode[] = [];
  panels.forEach((p, i) => {
    if (i > 0) {
      const a = panels[i - 1]!;
      const sum = weight(a) + weight(p);
      out.push(
        <Splitter
          key={`split-${a.id}-${p.id}`}
          orientation="vertical"
          label={`Resize the ${a.id} and ${p.id} panels`}
          share={weight(a) / sum}
          onShare={(share) =>
            useLayout.getState().setSizes({ [`w.${a.id}`]: share * sum, [`w.${p.id}`]: (1 - share) * sum })
          }
        />,
      );
    }
    out.push(
      <div
        key={p.id}
        data-panel={p.id}
        className="grid min-h-0 min-w-0 [contain:strict] max-xl:h-[26rem] xl:[flex:var(--w)_1_0%]"
        style={{ "--w": weight(p) } as CSSProperties}
      >
        <PanelBoundary id={p.id}>
          <Staged order={ORDER.get(p.id) ?? 0}>{p.render()}</Staged>
        </PanelBoundary>
      </div>,
    );
  });
  return <div className={`min-h-0 min-w-0 max-xl:contents xl:flex ${style}`}>{out}</div>;
}

export function Workspace() {
  const hidden = useLayout((s) => s.hidden);
  const embed = useLayout((s) => s.embed);
  const rowShare = useLayout((s) => s.sizes.rows ?? ROWS);
  const shown = (id: string): boolean => !hidden.includes(id);
  const steps = shown("steps") && !embed;
  const kernel = shown("kernel") && !embed;
  const rows = PANEL_ROWS.map((r) => r.filter((p) => shown(p.id))).filter((r) => r.length > 0);
  const left = steps || kernel;
  return (
    <main
      className="flex min-h-0 flex-1 p-2 max-xl:flex-col max-xl:gap-2"
      style={{ "--rows": rowShare } as CSSProperties}
      data-testid="workspace"
    >
      {left ? <LeftColumn steps={steps} kernel={kernel} alone={rows.length === 0} /> : null}
      {left && rows.length > 0 ? (
        <Splitter
          orientation="vertical"
          label="Resize the steps column and the panels"
          share={0.25}
          min={0.12}
          max={0.6}
          onShare={(share, total) => useLayout.getState().setSize("left", share * total)}
        />
      ) : null}
      {rows.length > 0 ? (
        <div className="grid min-h-0 min-w-0 flex-1 gap-2 lg:max-xl:grid-cols-2 xl:flex xl:flex-col xl:gap-0">
          {rows.map((r, i) => (
            <RowWithSplitter
              // biome-ignore lint/suspicious/noArrayIndexKey: the rows are fixed: top and bottom
              key={i}
              panels={r}
              index={i}
              count={rows.length}
              share={rowShare}
            />
          ))}
        </div>
      ) : null}
    </main>
  );
}

function RowWithSplitter(props: {
  panels: readonly PanelDef[];
  index: number;
  count: number;
  share: number;
}) {
  const { panels, index, count, share } = props;
  const style =
    count === 1
      ? "xl:flex-1"
      : index === 0
        ? "xl:[flex:var(--rows)_1_0%]"
        : "xl:[flex:calc(1-var(--rows))_1_0%]";
  return (
    <>
      {index > 0 ? (
        <Splitter
          orientation="horizontal"
          label="Resize the two rows of panels"
          share={share}
          onShare={(v) => useLayout.getState().setSize("rows", v)}
        />
      ) : null}
      <Row panels={panels} style={style} />
    </>
  );
}
