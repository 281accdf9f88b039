/** Entry point: the store's outside connections (URL, player clock, keys, theme), then React. */

// First: the store runs the built-in scenario as soon as it is imported.
import { StrictMode } from "react";
import { createRoot } from "react-dom/client";
import { startBranchSync } from "../../store/branches.ts";
import { installBreakpointStop } from "../../store/breakpoints.ts";
import { kernelParts, linkEncoder } from "../../store/codecs.ts";
import { startEditorSync } from "../../store/editor.ts";
import { installLargeLink } from "../../store/large.ts";
import { startLayoutSync } from "../../store/layout.ts";
import { installLessonLinks, isLessonLink, startLessonSync } from "../../store/lessons.ts";
import { startPlayback } from "../../store/playback.ts";
import { startPrefetch } from "../../store/prefetch.ts";
import { useLab } from "../../store/store.ts";
import { startTabSync } from "../../store/tabs.ts";
import { linkOpened, OPENING_LINK, startUrlSync } from "../../store/url-sync.ts";
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

/** The address bar and what follows the scenario shown (the lesson, the editor's draft). */
function startLinks(): void {
  // Before the URL sync: a #lesson=<id> link becomes the lesson's scenario link.
  const lessonLinkError = installLessonLinks();
  installLargeLink();
  // Before the URL sync: the link's layout is read when it opens.
  startLayoutSync();
  startTabSync();
  startUrlSync();
  startLessonSync(lessonLinkError);
  startBranchSync();
  // Once the link is shown (its decoder may be fetched first): its scenario is no Undo step.
  void linkOpened.then(() => startEditorSync());
}
// Rewriting a lesson link takes the link encoder, fetched first (a failure is reported then).
if (isLessonLink(location.hash)) {
  useLab.setState({ busy: OPENING_LINK });
  void Promise.all([linkEncoder.load(), kernelParts.load()]).then(startLinks, startLinks);
} else startLinks();
startPlayback();
installBreakpointStop();
startPrefetch();
installShortcuts();
if (bench) void import("./bench.ts").then((m) => m.installBench());
// In a task of their own (their preload links took 5-10 ms of the page's first task): the
// other driver designs and the nested kernel, here before anyone picks a lesson that needs
// them; and what changed at each step, marked after the first paint (step 0 changes nothing).
setTimeout(() => {
  void kernelParts.load().catch(() => {});
  void import("./mark-changes.ts").then((m) => m.startChangeMarks());
});

const root = document.getElementById("root");
if (!root) throw new Error("index.html has no #root");
createRoot(root).render(
  <StrictMode>
    <App />
  </StrictMode>,
);
