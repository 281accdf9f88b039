/**
 * The page header: the application, the scenario (its title as text), the kernel release and
 * the SMMU's features, the scenario's buttons, the Panels menu, keyboard help, the theme
 * toggle, Share link and Copy embed link. In embed mode (`&embed=1`) a one-line title with a
 * link to the full page replaces it.
 */

import { useEffect, useState } from "react";
import { linkEncoder } from "../../store/codecs.ts";
import { useLayout } from "../../store/layout.ts";
import { useLab } from "../../store/store.ts";
import { currentUrl } from "../../store/url-sync.ts";
import { ScenarioActions } from "../editor/ScenarioActions.tsx";
import { useShareStatus } from "../export/share-status.ts";
import { buttonClass as button } from "./button.ts";
import { perform } from "./commands.ts";
import { useHelp } from "./help/help-state.ts";
import { KernelPicker } from "./KernelPicker.tsx";
import { PanelsMenu } from "./layout/PanelsMenu.tsx";

type CopyStatus = "" | "Copied" | "Embed link copied" | "Copy failed: the link is in the address bar";

/** The link of what is shown, as an embed: only the diagrams and the step controls. */
export function embedUrl(): string | null {
  const url = currentUrl();
  if (url === null) return null;
  return /[#&]embed=1(&|$)/.test(url) ? url : `${url}&embed=1`;
}

/** "Copy as text" and "Export Perfetto": the race for a mail, the trace for Perfetto. */
function ShareRace() {
  const status = useShareStatus((s) => s.text);
  useEffect(() => {
    if (status === "") return;
    const t = setTimeout(() => useShareStatus.setState({ text: "" }), 2500);
    return () => clearTimeout(t);
  }, [status]);
  return (
    <div className="flex items-center gap-2">
      <output
        aria-live="polite"
        className="text-xs text-emerald-700 dark:text-emerald-400"
        data-testid="race-status"
      >
        {status}
      </output>
      <button
        type="button"
        className={`${button} text-xs`}
        onClick={() => perform("copy-text")}
        title="Copy the race as text for a mail: a column per thread, cut to the race window, the violation, the link (t)"
      >
        Copy as text
      </button>
      <button
        type="button"
        className={`${button} text-xs`}
        onClick={() => perform("export-perfetto")}
        title="Save the run as a Chrome trace-event file for ui.perfetto.dev or chrome://tracing (Shift+P)"
      >
        Export Perfetto
      </button>
    </div>
  );
}

/** Share link (and Copy embed link, unless `compact`: the phone's header). */
export function ShareLink({ compact = false }: { readonly compact?: boolean }) {
  const [status, setStatus] = useState<CopyStatus>("");
  useEffect(() => {
    if (status === "") return;
    const t = setTimeout(() => setStatus(""), 2500);
    return () => clearTimeout(t);
  }, [status]);
  const copy = async (url: () => string | null, done: CopyStatus): Promise<void> => {
    try {
      await linkEncoder.load();
      const link = url();
      if (link === null || !navigator.clipboard) throw new Error("no clipboard");
      await navigator.clipboard.writeText(link);
      setStatus(done);
    } catch {
      setStatus("Copy failed: the link is in the address bar");
    }
  };
  return (
    <div className="flex items-center gap-2">
      <output
        aria-live="polite"
        className="text-xs text-emerald-700 dark:text-emerald-400"
        data-testid="share-status"
      >
        {status}
      </output>
      <button type="button" className={button} onClick={() => void copy(currentUrl, "Copied")}>
        Share link
      </button>
      <button
        type="button"
        className={`${button} text-xs ${compact ? "hidden" : ""}`}
        onClick={() => void copy(embedUrl, "Embed link copied")}
        title="Copy a link that shows only the diagrams and the step controls, for slides and blog posts"
      >
        Copy embed link
      </button>
    </div>
  );
}

/** Embed mode's header: the scenario's title and a way to the full page. */
function EmbedHeader() {
  const title = useLab((s) => s.scenario.title);
  const full = (): string => (currentUrl() ?? location.href).replace(/&embed=1(?=&|$)/, "");
  return (
    <header className="flex items-center gap-3 border-b border-slate-200 bg-white px-3 py-1 dark:border-slate-700 dark:bg-slate-900">
      <p className="min-w-0 flex-1 truncate text-sm font-medium" data-testid="scenario-title">
        {title}
      </p>
      <a
        className="shrink-0 text-xs text-blue-700 underline dark:text-sky-300"
        href={location.href}
        target="_blank"
        rel="noopener"
        onClick={(e) => {
          e.currentTarget.href = full();
        }}
      >
        Open in SVA Lab
      </a>
    </header>
  );
}

function HelpButton() {
  return (
    <button
      type="button"
      className={button}
      aria-haspopup="dialog"
      onClick={() => useHelp.getState().setOpen(true)}
      title="Keyboard shortcuts (?)"
    >
      <span aria-hidden="true">?</span>
      <span className="sr-only">Keyboard shortcuts</span>
    </button>
  );
}

export function Header() {
  const embed = useLayout((s) => s.embed);
  return embed ? <EmbedHeader /> : <FullHeader />;
}

function FullHeader() {
  const scenario = useLab((s) => s.scenario);
  const theme = useLab((s) => s.theme);
  const toggleTheme = useLab((s) => s.toggleTheme);
  const btm = scenario.smmu.features.includes("btm");
  return (
    // Two groups that wrap as wholes: the scenario (title, kernel, features) keeps at least
    // 36rem beside the name, so where the controls do not fit beside it (1280 px: they are
    // some 1070 px wide) they move to a line of their own instead of squeezing the title to a
    // few letters and pushing the kernel picker under the Lessons button.
    <header className="flex flex-wrap items-center gap-x-4 gap-y-1 border-b border-slate-200 bg-white px-3 py-2 dark:border-slate-700 dark:bg-slate-900">
      <h1 className="shrink-0 text-lg font-bold tracking-tight">SVA Lab</h1>
      <div
        className="flex min-w-0 flex-[1_1_36rem] flex-wrap items-baseline gap-x-3 gap-y-1"
        data-testid="header-scenario"
      >
        <p
          className="min-w-0 max-w-full truncate font-medium"
          data-testid="scenario-title"
          title={scenario.description ?? scenario.title}
        >
          {scenario.title}
        </p>
        <KernelPicker />
        <ul className="flex flex-wrap gap-1 text-xs" aria-label="SMMU features">
          {scenario.smmu.features.length === 0 ? (
            <li className="text-slate-500">no optional SMMU features</li>
          ) : null}
          {scenario.smmu.features.map((f) => (
            <li key={f} className="rounded bg-slate-200 px-1.5 font-mono uppercase dark:bg-slate-700">
              {f}
            </li>
          ))}
          {scenario.faults.map((f) => (
            <li
              key={f}
              className="rounded bg-red-100 px-1.5 font-mono text-red-800 dark:bg-red-950 dark:text-red-200"
            >
              fault: {f}
            </li>
          ))}
        </ul>
        {btm ? (
          <p className="text-xs text-amber-700 dark:text-amber-300">
            BTM is on here; mainline Linux never enables BTM for SVA.
          </p>
        ) : null}
      </div>
      <div
        className="ml-auto flex flex-wrap items-center justify-end gap-x-4 gap-y-1"
        data-testid="header-controls"
      >
        <ScenarioActions />
        <PanelsMenu />
        <HelpButton />
        <button
          type="button"
          className={button}
          onClick={toggleTheme}
          aria-label={theme === "dark" ? "Switch to light theme" : "Switch to dark theme"}
        >
          {theme === "dark" ? "☀ Light" : "☾ Dark"}
        </button>
        <ShareRace />
        <ShareLink />
      </div>
    </header>
  );
}
