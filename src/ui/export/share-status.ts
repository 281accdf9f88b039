/** What the last "Copy as text" or "Export Perfetto" did, for the header's live region. */
import { create } from "zustand";

export const useShareStatus = create<{ text: string }>(() => ({ text: "" }));

/** Runs an action of share-text.ts, fetched on first use (it is not in the initial bundle). */
export function shareAction(name: "copyAsText" | "exportPerfetto", s: unknown): void {
  void import("./share-text.ts").then(
    (m) => m[name](s as Parameters<(typeof m)[typeof name]>[0]),
    () => useShareStatus.setState({ text: "The page could not fetch its exporter (offline?)" }),
  );
}
