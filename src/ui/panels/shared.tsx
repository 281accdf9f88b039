/**
 * What several panels share: the selected entry's key, the last DMA's translation path (read
 * by the stream-table panel's overlay and Path view and by the page-table tree), the overlay
 * that marks that path on the stream-table diagram, and the tab switch in a panel's header.
 * Each panel's own views are in its folder (panels/<id>/).
 */

import { type ReactNode, useEffect, useMemo, useRef, useSyncExternalStore } from "react";
import { onWorldArrived, worldIfNear, worldsArrived } from "../../store/remote-of.ts";
import { useLab } from "../../store/store.ts";
import type { PathVm } from "../../view/index.ts";
import { type RunResult, selectionKey } from "../../view/index.ts";
import { useCursor, useWorld } from "../app/useSnapshot.ts";
import "./shared.css";

export function useSelectedKey(): string | null {
  const sel = useLab((s) => s.selection);
  return sel ? selectionKey(sel) : null;
}

/**
 * The path of each DMA, once computed (per run, by the DMA's step): it depends only on the
 * world just after that step, which is the world at the cursor when stepping onto it; a jump
 * past it reads that world once (`worldIfNear`: a replay from a checkpoint, or on a large run
 * the world from its worker).
 */
const paths = new WeakMap<RunResult, Map<number, PathVm>>();

/**
 * The path's view model (view/path.ts) is fetched just after the first paint, not with it: before
 * the first DMA there is no path to draw.
 */
type PathModule = typeof import("../../view/path.ts");
let pathModule: PathModule | null = null;
const pathListeners = new Set<() => void>();
let pathRequested = false;
function loadPathModule(): void {
  if (pathRequested) return;
  pathRequested = true;
  void import("../../view/path.ts").then((m) => {
    pathModule = m;
    for (const l of pathListeners) l();
  });
}
function onPathModule(l: () => void): () => void {
  pathListeners.add(l);
  return () => pathListeners.delete(l);
}

/** The path of the last DMA before the cursor, read from the world just after its step. */
export function usePathVm(): PathVm | null {
  const result = useLab((s) => s.result);
  const cursor = useCursor();
  const here = useWorld();
  const m = useSyncExternalStore(onPathModule, () => pathModule);
  const arrived = useSyncExternalStore(onWorldArrived, worldsArrived);
  if (m === null) loadPathModule();
  // biome-ignore lint/correctness/useExhaustiveDependencies: `arrived` says a world came from the run worker
  return useMemo(() => {
    if (m === null) return null;
    const { lastDma, pathVm } = m;
    const found = lastDma(result.steps, cursor);
    if (!found) return null;
    let byStep = paths.get(result);
    if (!byStep) {
      byStep = new Map();
      paths.set(result, byStep);
    }
    const cached = byStep.get(found.step.index);
    if (cached) return cached;
    const after = found.step.index + 1;
    // A large run's far world comes from its worker: none until it is here (`arrived` changes).
    const world = after === cursor ? here : worldIfNear(result, after);
    const vm = world && pathVm(result.steps, after, world, result);
    if (vm) byStep.set(found.step.index, vm);
    return vm;
  }, [m, result, cursor, here, arrived]);
}

/** Buttons that switch a panel between its views (not tabs: ← and → belong to the stepper). */
export function ViewSwitch<T extends string>(props: {
  options: readonly { readonly id: T; readonly label: string }[];
  value: T;
  onChange: (v: T) => void;
  label: string;
}) {
  const on = (b: boolean): string =>
    `rounded px-1 leading-5 focus-visible:outline-2 focus-visible:outline-blue-500 ${
      b
        ? "bg-slate-700 text-white dark:bg-slate-200 dark:text-slate-900"
        : "text-slate-600 hover:bg-slate-100 dark:text-slate-300 dark:hover:bg-slate-800"
    }`;
  return (
    // biome-ignore lint/a11y/useSemanticElements: a group of toggle buttons, not a fieldset of inputs
    <span role="group" aria-label={props.label} className="flex gap-0.5">
      {props.options.map((o) => (
        <button
          key={o.id}
          type="button"
          aria-pressed={props.value === o.id}
          className={on(props.value === o.id)}
          onClick={() => props.onChange(o.id)}
        >
          {o.label}
        </button>
      ))}
    </span>
  );
}

/** Marks the entries on the last DMA's path (`g[data-id]` in the diagrams inside). */
export function PathOverlay({ children }: { children: ReactNode }) {
  const box = useRef<HTMLDivElement>(null);
  const vm = usePathVm();
  const w = useWorld();
  const ids = vm?.ids.join(" ") ?? "";
  // biome-ignore lint/correctness/useExhaustiveDependencies: w: the diagram inside redraws per world; mark again after it
  useEffect(() => {
    const on = new Set(ids.split(" ").filter(Boolean));
    box.current?.querySelectorAll<SVGGElement>("g[data-id]").forEach((g) => {
      g.classList.toggle("on-path", on.has(g.getAttribute("data-id") ?? ""));
    });
  }, [ids, w]);
  return <div ref={box}>{children}</div>;
}
