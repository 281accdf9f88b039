/**
 * The kernel side at the cursor: each thread (its op, or what blocks it), the locks held, the
 * driver's objects with their lifecycle state and refcount, and pending SRCU callbacks.
 */

import { lazy, memo, Suspense } from "react";
import type { World } from "../../../engine/index.ts";
import type { Scenario } from "../../../scenario/index.ts";
import { warmers } from "../../../store/prefetch.ts";
import { useLab } from "../../../store/store.ts";
import { useTabs } from "../../../store/tabs.ts";
import { shareEqual } from "../../../view/same.ts";
import { perWorld, useStable, useWorld } from "../../app/useSnapshot.ts";
import { FixedRows, rowStyle } from "../FixedRows.tsx";
import { ViewSwitch } from "../views.tsx";

const fieldText = (fields: Record<string, unknown>): string =>
  Object.entries(fields)
    .map(([k, v]) => `${k}=${Array.isArray(v) ? `[${v.join(",")}]` : String(v)}`)
    .join(" ");

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
}) {
  return (
    <li className={props.freed ? "text-slate-400 dark:text-slate-500" : ""} data-ch={`obj:${props.id}`}>
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

interface KernelText {
  readonly threads: readonly { name: string; status: string; text: string }[];
  readonly locks: string;
  readonly objects: readonly {
    id: number | string;
    kind: string;
    freed: boolean;
    text: string;
    fields: string;
  }[];
  readonly srcu: string | null;
}

/** What the text view shows, as plain data (so a step that leaves it as it was is seen to). */
function kernelText(w: World, scenario: Scenario): KernelText {
  const locks = Object.entries(w.kernel.locks).filter(([, holder]) => holder !== null);
  return {
    threads: w.threads.map((t) => {
      const ops = scenario.threads.find((x) => x.name === t.name)?.ops ?? [];
      const op = ops[t.opIndex];
      const text =
        t.status === "done"
          ? "done"
          : `${t.status}${t.blockedOn ? ` on ${t.blockedOn}` : ""} · op ${t.opIndex + 1}/${ops.length}${op ? ` ${op.op}` : ""}`;
      return { name: t.name, status: t.status, text };
    }),
    locks: locks.length === 0 ? "none" : locks.map(([l, h]) => `${l} (${h})`).join(", "),
    objects: Object.values(w.kernel.objects).map((o) => ({
      id: o.id,
      kind: o.kind,
      freed: o.state === "freed",
      text: `${o.process}${o.device ? ` ↔ ${o.device}` : ""} · ${o.state} · refs ${o.refs}`,
      fields: fieldText(o.fields),
    })),
    srcu:
      w.kernel.srcu.callbacks.length > 0
        ? w.kernel.srcu.callbacks
            .map((c) => `${c.fn}(#${c.object}) waits for ${c.waitFor.join(", ") || "nothing"}`)
            .join("; ")
        : null,
  };
}

/** Computed ahead by the prefetcher, like the diagrams' view models. */
const kernelTextOf = perWorld(kernelText, shareEqual);
warmers.push((w, s) => kernelTextOf(w, s.scenario));

function KernelStateText() {
  const w = useWorld();
  const scenario = useLab((s) => s.scenario);
  const vm = useStable(kernelTextOf(w, scenario));
  return <KernelTextView vm={vm} />;
}

/**
 * Each section is rendered again only when its part of the view model changes (the view
 * models share their unchanged parts, `shareEqual`): most steps change one thread's line.
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

const Objects = memo(function Objects({ objects }: { objects: KernelText["objects"] }) {
  return (
    <ul aria-label="Kernel objects" className="space-y-0.5">
      {objects.length === 0 ? (
        <li className="text-slate-500 dark:text-slate-400">no driver objects</li>
      ) : null}
      {objects.map((o) => (
        <ObjectLine key={o.id} id={o.id} kind={o.kind} freed={o.freed} text={o.text} fields={o.fields} />
      ))}
    </ul>
  );
});
