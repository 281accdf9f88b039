/**
 * The kernel side at the cursor: each thread (its op, or what blocks it), the locks held, the
 * driver's objects with their lifecycle state and refcount, and pending SRCU callbacks.
 */

import { lazy, memo, Suspense } from "react";
import { useLab } from "../../../store/store.ts";
import { useTabs } from "../../../store/tabs.ts";
import { type KernelText, kernelTextOf } from "../../../view/index.ts";
import { useWorld } from "../../app/useSnapshot.ts";
import { FixedRows, rowStyle } from "../FixedRows.tsx";
import { ViewSwitch } from "../shared.tsx";
import { useLongList } from "../useLongList.ts";

type KernelView = "state" | "topology";
const KERNEL_VIEWS = [
  { id: "state", label: "State" },
  { id: "topology", label: "Topology" },
] as const;

/** A thread's line (one line high): re-rendered only when its text changes. */
const ThreadLine = memo(function ThreadLine({
  index,
  name,
  status,
  text,
}: {
  index: number;
  name: string;
  status: string;
  text: string;
}) {
  return (
    <li
      className="flex gap-1.5 whitespace-nowrap"
      data-ch={`thread:${name}`}
      style={rowStyle(index, THREAD_H)}
      title={`${name}: ${text}`}
    >
      <span className="font-mono font-semibold">{name}</span>
      <span
        className={`truncate ${
          status === "blocked"
            ? "text-amber-700 dark:text-amber-300"
            : status === "done"
              ? "text-slate-500 dark:text-slate-400"
              : ""
        }`}
      >
        {text}
      </span>
    </li>
  );
});

/** A thread's line: 16 px of text and 2 px apart. */
const THREAD_H = 18;

const ObjectLine = memo(function ObjectLine(props: {
  id: number | string;
  kind: string;
  freed: boolean;
  text: string;
  fields: string;
  long: boolean;
}) {
  return (
    <li
      className={`${props.freed ? "text-slate-400 dark:text-slate-500" : ""} ${props.long ? SKIP_OFFSCREEN : ""}`}
      data-ch={`obj:${props.id}`}
    >
      <span className="font-mono">
        {props.kind} #{props.id}
      </span>{" "}
      {props.text}
      <span className="block pl-3 font-mono text-[10px] text-slate-500 dark:text-slate-400">
        {props.fields}
      </span>
    </li>
  );
});

/** The diagram is fetched when first shown. */
const TopologyView = lazy(() =>
  import("../detail/topology-views.tsx").then((m) => ({ default: m.TopologyView })),
);

/** The kernel panel's body: the state as text, or the topology diagram (who is bound to whom). */
export function KernelState() {
  const view: KernelView = useTabs((s) => s.tabs.kernel) ?? "state";
  const setView = (v: KernelView): void => useTabs.getState().set("kernel", v);
  return (
    <div>
      {/* Above the text (its thread lines are placed absolutely, they cannot flow round it) or the diagram. */}
      <div className="mb-1 flex justify-end text-xs">
        <ViewSwitch label="Kernel view" options={KERNEL_VIEWS} value={view} onChange={setView} />
      </div>
      {view === "state" ? (
        <KernelStateText />
      ) : (
        <Suspense fallback={null}>
          <TopologyView />
        </Suspense>
      )}
    </div>
  );
}

function KernelStateText() {
  const w = useWorld();
  const scenario = useLab((s) => s.scenario);
  const vm = kernelTextOf(w, scenario);
  return <KernelTextView vm={vm} />;
}

/**
 * Each section is rendered again only when its part of the view model changes (a line is made
 * once per thread or object, view/kernel-state.ts): most steps change one thread's line.
 */
const KernelTextView = memo(function KernelTextView({ vm }: { vm: KernelText }) {
  return (
    <div className="space-y-1.5 text-xs">
      <Threads threads={vm.threads} />
      <p data-ch="locks">
        <span className="text-slate-500 dark:text-slate-400">locks held: </span>
        <span className="font-mono">{vm.locks}</span>
      </p>
      <Objects objects={vm.objects} />
      {vm.srcu !== null ? (
        <p data-ch="srcu">
          <span className="text-slate-500 dark:text-slate-400">SRCU callbacks: </span>
          {vm.srcu}
        </p>
      ) : null}
    </div>
  );
});

/** The 64 threads of a large run all change their line when a lock is taken: only the lines in view are drawn. */
const Threads = memo(function Threads({ threads }: { threads: KernelText["threads"] }) {
  return (
    <FixedRows
      label="Threads"
      count={threads.length}
      rowHeight={THREAD_H}
      row={(i) => {
        const t = threads[i]!;
        return <ThreadLine key={t.name} index={i} name={t.name} status={t.status} text={t.text} />;
      }}
    />
  );
});

/**
 * More objects than this (the large scenario ends with ~1,150): the lines out of view are left
 * out of style and layout (`content-visibility: auto`, ~31 px each until first drawn). Drawing
 * them all when End brought them in was most of that jump's layout; they stay in the document,
 * for the browser's find and for tests.
 */
const LONG_OBJECTS = 64;
const SKIP_OFFSCREEN = "[content-visibility:auto] [contain-intrinsic-block-size:auto_31px]";

const Objects = memo(function Objects({ objects: now }: { objects: KernelText["objects"] }) {
  const [objects, long] = useLongList(now, LONG_OBJECTS);
  return (
    <ul aria-label="Kernel objects" className="space-y-0.5">
      {objects.length === 0 ? (
        <li className="text-slate-500 dark:text-slate-400">no driver objects</li>
      ) : null}
      {objects.map((o) => (
        <ObjectLine
          key={o.id}
          id={o.id}
          kind={o.kind}
          freed={o.freed}
          text={o.text}
          fields={o.fields}
          long={long}
        />
      ))}
    </ul>
  );
});
