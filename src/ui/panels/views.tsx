/**
 * The teaching views as panel bodies: the caches; and the
 * overlay that marks the last DMA's path on the stream-table diagram. The views a panel shows
 * only when switched to (the translation path, the event and PRI queues, the topology) are in
 * path-view.tsx, queue-views.tsx and topology-views.tsx, fetched when first shown; the page-table
 * tree is in pagetables-view.tsx, fetched at start-up after the first paint. Each takes its view model from the world at the cursor
 * (cached per world: worlds are never mutated once shown).
 */

import { lazy, type ReactNode, Suspense, useEffect, useMemo, useRef, useSyncExternalStore } from "react";
import { useLab } from "../../store/store.ts";
import { cachesOf, type PathVm, type RunResult, selectionKey, worldAt } from "../../view/index.ts";
import { useWorld } from "../app/useSnapshot.ts";
import "./teach.css";

export function useSelectedKey(): string | null {
  const sel = useLab((s) => s.selection);
  return sel ? selectionKey(sel) : null;
}

/**
 * The path of each DMA, once computed (per run, by the DMA's step): it depends only on the
 * world just after that step, which is the world at the cursor when stepping onto it; a jump
 * past it reads that world once (`worldAt`, a replay from a checkpoint on a large run).
 */
const paths = new WeakMap<RunResult, Map<number, PathVm>>();

/**
 * The path's view model (path-vm.ts) is fetched just after the first paint, not with it: before
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
  const cursor = useLab((s) => s.cursor);
  const here = useWorld();
  const m = useSyncExternalStore(onPathModule, () => pathModule);
  if (m === null) loadPathModule();
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
    const vm = pathVm(result.steps, after, after === cursor ? here : worldAt(result, after));
    if (vm) byStep.set(found.step.index, vm);
    return vm;
  }, [m, result, cursor, here]);
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

/** How many records each queue holds for the kernel: the switch's labels show them. */
export function useQueueCounts(): { evtq: number; priq: number } {
  const w = useWorld();
  return {
    evtq: w.smmu.evtq.produced - w.smmu.evtq.consumed,
    priq: w.smmu.priq.produced - w.smmu.priq.consumed,
  };
}

/** The caches' diagram is fetched just after the first paint (its view model is not: the count). */
const CachesDiagram = lazy(() =>
  import("./tlb/CachesDiagram.tsx").then((m) => ({ default: m.CachesDiagram })),
);

export function CachesView() {
  const w = useWorld();
  const vm = cachesOf(w);
  const select = useLab((s) => s.select);
  const selected = useSelectedKey();
  return (
    <Suspense fallback={<p className="p-2 text-xs text-slate-500">Loading the caches…</p>}>
      <CachesDiagram vm={vm} selectedId={selected} onSelect={select} />
    </Suspense>
  );
}

/** Stale entries in the walk cache and the configuration cache (the panel's count adds them). */
export function useStaleCacheCount(): number {
  const w = useWorld();
  return cachesOf(w).reduce((n, s) => n + (s.stale ?? s.rows.filter((r) => r.stale).length), 0);
}
