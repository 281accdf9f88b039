/** Whether the window is phone-sized (the page then lays out as layout/Phone.tsx, fetched then). */

import { useSyncExternalStore } from "react";

const PHONE = "(max-width: 639px)";

function subscribe(on: () => void): () => void {
  const m = globalThis.matchMedia?.(PHONE);
  m?.addEventListener("change", on);
  return () => m?.removeEventListener("change", on);
}

/** True on a phone-sized window (followed as it changes: a phone turned sideways). */
export function usePhone(): boolean {
  return useSyncExternalStore(subscribe, () => globalThis.matchMedia?.(PHONE).matches ?? false);
}
