/** Entry point: the store's outside connections (URL, player clock, keys, theme), then React. */

// First: the store validates the built-in scenario as soon as it is imported.
import { StrictMode } from "react";
import { createRoot } from "react-dom/client";
import { installBreakpointStop } from "../store/breakpoints.ts";
import { startEditorSync } from "../store/editor.ts";
import { installLargeLink } from "../store/large.ts";
import { startLayoutSync } from "../store/layout.ts";
import { installLessonLinks, startLessonSync } from "../store/lessons.ts";
import { startPlayback } from "../store/playback.ts";
import { startPrefetch } from "../store/prefetch.ts";
import { useLab } from "../store/store.ts";
import { startUrlSync } from "../store/url-sync.ts";
import { App } from "./App.tsx";
import { installShortcuts } from "./commands.ts";
import "./index.css";

function followTheme(): void {
  const apply = (theme: string): void => {
    document.documentElement.classList.toggle("dark", theme === "dark");
  };
  apply(useLab.getState().theme);
  useLab.subscribe((s, prev) => {
    if (s.theme !== prev.theme) apply(s.theme);
  });
}

// `?bench` (npm run bench): read before the URL sync rewrites the address without it.
const bench = /[?&]bench\b/.test(location.search);
followTheme();
// Before the URL sync: a #lesson=<id> link becomes the lesson's scenario link.
const lessonLinkError = installLessonLinks();
installLargeLink();
// Before the URL sync: the link's layout is read when it opens.
startLayoutSync();
startUrlSync();
startLessonSync(lessonLinkError);
startEditorSync();
startPlayback();
installBreakpointStop();
startPrefetch();
installShortcuts();
if (bench) void import("./bench.ts").then((m) => m.installBench());

const root = document.getElementById("root");
if (!root) throw new Error("index.html has no #root");
createRoot(root).render(
  <StrictMode>
    <App />
  </StrictMode>,
);
