/**
 * The lessons' guide (recaps, challenges, the menu's words: scenario/library/guide.ts), fetched
 * once just after the first paint, when a lesson bar or the menu first asks for it.
 */

import { useEffect, useState } from "react";

export type Guide = typeof import("../../../scenario/library/guide.ts");

let loaded: Guide | null = null;
let loading: Promise<Guide> | null = null;

export function loadGuide(): Promise<Guide> {
  loading ??= import("../../../scenario/library/guide.ts").then((m) => {
    loaded = m;
    return m;
  });
  return loading;
}

/** The guide, or null until it has arrived. */
export function useGuide(): Guide | null {
  const [guide, setGuide] = useState<Guide | null>(loaded);
  useEffect(() => {
    if (guide) return;
    let live = true;
    void loadGuide().then((g) => {
      if (live) setGuide(g);
    });
    return () => {
      live = false;
    };
  }, [guide]);
  return guide;
}
