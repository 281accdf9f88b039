/**
 * The page's layout: which panels are shown and how big they are. Remembered in localStorage
 * when the person changes it, and carried in the link's `view` string whenever it differs from
 * the default, so a shared link opens the same panels (a link without it opens the default
 * layout; the page opened without a link, the remembered one).
 *
 * In the view string (see url-sync.ts) the layout is two parts:
 *   `hide=memory.tlb`                   panels hidden, by id
 *   `size=left:320,rows:0.55,w.strtab:1.4`  sizes: the left column's width in px, the top
 *                                        row's share of the height, each panel's weight in
 *                                        its row, the steps list's share of the left column,
 *                                        the timeline's height in px
 */

import { create } from "zustand";
import { linkParams, requestUrlWrite, viewParts, viewReaders } from "./url-sync.ts";

/** Every panel the layout knows, in the Panels menu's order. */
export const PANEL_IDS = [
  "timeline",
  "steps",
  "kernel",
  "strtab",
  "pgtable",
  "detail",
  "cmdq",
  "tlb",
  "memory",
] as const;
export type PanelId = string;

export type Sizes = Readonly<Record<string, number>>;

export interface LayoutState {
  /**
   * Embed mode (`&embed=1` in the link): only the diagrams and the step controls, for slides
   * and blog posts. Read from the link the page opened with.
   */
  readonly embed: boolean;
  readonly hidden: readonly PanelId[];
  readonly sizes: Sizes;
  /** Panels other modules add (id → menu label), after the built-in ones. */
  readonly extra: readonly { readonly id: PanelId; readonly label: string }[];

  setShown(id: PanelId, shown: boolean): void;
  setSize(key: string, value: number): void;
  setSizes(sizes: Sizes): void;
  reset(): void;
  /** Applies a layout read from a link (not remembered unless changed afterwards). */
  apply(layout: { hidden: readonly PanelId[]; sizes: Sizes }): void;
  register(id: PanelId, label: string): void;
}

const KEY = "sva-lab-layout";
const ID = /^[a-z][a-z0-9-]{0,31}$/;
const SIZE_KEY = /^(left|rows|steps|strip|w\.[a-z][a-z0-9-]{0,31})$/;

/** Bounds of each size, so a link cannot make a panel vanish or the page huge. */
export function clampSize(key: string, v: number): number {
  if (!Number.isFinite(v)) return Number.NaN;
  if (key === "left") return Math.min(900, Math.max(200, Math.round(v)));
  if (key === "strip") return Math.min(1200, Math.max(90, Math.round(v)));
  if (key === "rows" || key === "steps") return Math.min(0.9, Math.max(0.1, Math.round(v * 100) / 100));
  return Math.min(10, Math.max(0.15, Math.round(v * 100) / 100));
}

export function encodeLayout(l: { hidden: readonly PanelId[]; sizes: Sizes }): string[] {
  const parts: string[] = [];
  if (l.hidden.length > 0) parts.push(`hide=${[...l.hidden].sort().join(".")}`);
  const sizes = Object.entries(l.sizes)
    .filter(([k, v]) => SIZE_KEY.test(k) && Number.isFinite(v))
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([k, v]) => `${k}:${v}`);
  if (sizes.length > 0) parts.push(`size=${sizes.join(",")}`);
  return parts;
}

/** The layout a view string's parts give; anything malformed (it comes from a URL) is left out. */
export function decodeLayout(
  params: ReadonlyMap<string, string>,
): { hidden: PanelId[]; sizes: Sizes } | null {
  const hide = params.get("hide");
  const size = params.get("size");
  if (hide === undefined && size === undefined) return null;
  const hidden = (hide ?? "")
    .split(".")
    .filter((id) => ID.test(id))
    .slice(0, 32);
  const sizes: Record<string, number> = {};
  for (const kv of (size ?? "").split(",").slice(0, 64)) {
    const [k = "", v = ""] = kv.split(":");
    if (!SIZE_KEY.test(k) || !/^\d{1,4}(\.\d{1,4})?$/.test(v)) continue;
    const n = clampSize(k, Number(v));
    if (Number.isFinite(n)) sizes[k] = n;
  }
  return { hidden: [...new Set(hidden)], sizes };
}

function remembered(): { hidden: PanelId[]; sizes: Sizes } {
  try {
    const text = globalThis.localStorage?.getItem(KEY);
    if (text) {
      const params = new Map<string, string>();
      for (const part of text.split(";")) {
        const i = part.indexOf("=");
        if (i > 0) params.set(part.slice(0, i), part.slice(i + 1));
      }
      return decodeLayout(params) ?? { hidden: [], sizes: {} };
    }
  } catch {
    // Storage can be disabled: the default layout then.
  }
  return { hidden: [], sizes: {} };
}

function remember(l: { hidden: readonly PanelId[]; sizes: Sizes }): void {
  try {
    const parts = encodeLayout(l);
    if (parts.length === 0) globalThis.localStorage?.removeItem(KEY);
    else globalThis.localStorage?.setItem(KEY, parts.join(";"));
  } catch {
    // Not remembered: the link still carries it.
  }
}

/** `embed=1` among a fragment's parameters. */
export function embedRequested(hash: string): boolean {
  return /[#&]embed=(1|true)(&|$)/.test(hash);
}

export const useLayout = create<LayoutState>()((set, get) => ({
  ...remembered(),
  embed: embedRequested(globalThis.location?.hash ?? ""),
  extra: [],

  setShown(id, shown) {
    const hidden = get().hidden.filter((h) => h !== id);
    if (!shown) hidden.push(id);
    set({ hidden });
    remember(get());
  },
  setSize(key, value) {
    const v = clampSize(key, value);
    if (!SIZE_KEY.test(key) || !Number.isFinite(v) || get().sizes[key] === v) return;
    set({ sizes: { ...get().sizes, [key]: v } });
    remember(get());
  },
  setSizes(sizes) {
    const next: Record<string, number> = { ...get().sizes };
    for (const [k, value] of Object.entries(sizes)) {
      const v = clampSize(k, value);
      if (SIZE_KEY.test(k) && Number.isFinite(v)) next[k] = v;
    }
    set({ sizes: next });
    remember(get());
  },
  reset() {
    set({ hidden: [], sizes: {} });
    remember(get());
  },
  apply(layout) {
    set({ hidden: [...layout.hidden], sizes: { ...layout.sizes } });
  },
  register(id, label) {
    if (get().extra.some((e) => e.id === id) || (PANEL_IDS as readonly string[]).includes(id)) return;
    set({ extra: [...get().extra, { id, label }] });
  },
}));

/** Whether a panel is shown (a hook for the panels themselves). */
export function usePanelShown(id: PanelId): boolean {
  return useLayout((s) => !s.hidden.includes(id));
}

/**
 * Connects the layout to the link: its parts go into the view string (when not the default),
 * a link's parts are applied when it opens (a link without them: the default layout), and a
 * change rewrites the address bar. Call before `startUrlSync`, so the first link is read.
 */
export function startLayoutSync(layout = useLayout): () => void {
  viewParts.push(() => encodeLayout(layout.getState()));
  linkParams.push(() => (layout.getState().embed ? "embed=1" : null));
  // A link says its layout (none: the default); the page opened without one keeps the remembered.
  viewReaders.push((params) => layout.getState().apply(decodeLayout(params) ?? { hidden: [], sizes: {} }));
  return layout.subscribe((s, prev) => {
    if (s.hidden !== prev.hidden || s.sizes !== prev.sizes) requestUrlWrite();
  });
}
