/**
 * The view each switchable panel shows, kept in the link with the rest of the view (the
 * `tab=` part of `view=`, docs/links.md): the stream table's Tables / Path, the queues' CMDQ /
 * EVTQ / PRIQ, the kernel panel's State / Topology, the detail panel's Entry / Statecharts.
 * Only views other than the default are written: `tab=stream:path,queue:evtq`. A link naming a
 * panel or a view this page does not know opens with the default there, and says so.
 */
import { create } from "zustand";
import { useLab } from "./store.ts";
import { noteView, requestUrlWrite, viewParts, viewReaders } from "./url-sync.ts";

export const TAB_VIEWS = {
  stream: ["tables", "path"],
  queue: ["cmdq", "evtq", "priq"],
  kernel: ["state", "topology"],
  /** The detail panel follows the selection unless one was picked: no default to write. */
  detail: ["entry", "statecharts"],
} as const;

export type TabPanel = keyof typeof TAB_VIEWS;
export type TabView<P extends TabPanel> = (typeof TAB_VIEWS)[P][number];

export type Tabs = { readonly [P in TabPanel]: TabView<P> | null };

/** null: the panel's default (for the detail panel: what the selection calls for). */
const DEFAULTS: Tabs = { stream: null, queue: null, kernel: null, detail: null };

interface TabsState {
  readonly tabs: Tabs;
  set<P extends TabPanel>(panel: P, view: TabView<P> | null): void;
}

export const useTabs = create<TabsState>((set, get) => ({
  tabs: DEFAULTS,
  set(panel, view) {
    const first = TAB_VIEWS[panel][0];
    // The first view of a panel is its default (the detail panel's null follows the selection).
    const value = panel !== "detail" && view === first ? null : view;
    if (get().tabs[panel] === value) return;
    set({ tabs: { ...get().tabs, [panel]: value } });
  },
}));

/** The `tab=` part of the view, or nothing when every panel shows its default. */
export function encodeTabs(tabs: Tabs): string[] {
  const parts = (Object.keys(TAB_VIEWS) as TabPanel[])
    .filter((p) => tabs[p] !== null)
    .map((p) => `${p}:${tabs[p]}`);
  return parts.length ? [`tab=${parts.join(",")}`] : [];
}

/** A link's `tab=` value read back: the views it names, and what it named that is unknown. */
export function decodeTabs(value: string | undefined): { tabs: Tabs; unknown: string[] } {
  const tabs: { [P in TabPanel]: string | null } = { ...DEFAULTS };
  const unknown: string[] = [];
  for (const part of (value ?? "").split(",").filter(Boolean)) {
    const [panel = "", view = ""] = part.split(":");
    const views = Object.hasOwn(TAB_VIEWS, panel)
      ? (TAB_VIEWS[panel as TabPanel] as readonly string[])
      : null;
    if (views?.includes(view)) tabs[panel as TabPanel] = view;
    else unknown.push(part.slice(0, 30));
  }
  return { tabs: tabs as Tabs, unknown };
}

/** Connects the tabs to the link. Call before `startUrlSync`, so the first link is read. */
export function startTabSync(store = useTabs, lab = useLab): () => void {
  viewParts.push(() => encodeTabs(store.getState().tabs));
  viewReaders.push((params) => {
    const { tabs, unknown } = decodeTabs(params.get("tab"));
    store.setState({ tabs });
    if (unknown.length) {
      noteView(
        `The link's view names a panel view this page does not have (${unknown.join(", ")}): the default is shown there.`,
      );
    }
  });
  // Selecting in the page shows the entry (or, deselecting, the statecharts) again; a link's
  // selection comes with its scenario, and its tab= holds.
  const offLab = lab.subscribe((s, prev) => {
    if (s.selection !== prev.selection && s.scenario === prev.scenario) store.getState().set("detail", null);
  });
  const offTabs = store.subscribe((s, prev) => {
    if (s.tabs !== prev.tabs) requestUrlWrite();
  });
  return () => {
    offLab();
    offTabs();
  };
}
