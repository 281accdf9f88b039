/**
 * "Copy as text" and "Export Perfetto" (the command registry's `copy-text` and
 * `export-perfetto`): the run shown, as the runner's `--format text-diagram` and `--format
 * perfetto` print it (src/export/, fetched on first use). The text's link replays the run: the
 * scenario with the run's schedule, shortened, at its first violation.
 */
import { perfettoTrace } from "../../export/perfetto.ts";
import { expandSchedule, shortSchedule } from "../../export/schedule.ts";
import { textDiagram } from "../../export/text-diagram.ts";
import { linkEncoder } from "../../store/codecs.ts";
import type { LabState } from "../../store/store.ts";
import { useShareStatus } from "./share-status.ts";

function say(text: string): void {
  useShareStatus.setState({ text });
}

const base = (): string => location.origin + location.pathname;

/** The text diagram of the run shown, with its link last. */
export async function raceAsText(s: Pick<LabState, "scenario" | "result">): Promise<string> {
  const encoder = await linkEncoder.load();
  const short = shortSchedule(
    s.scenario,
    s.result.steps.map((x) => x.actor),
  );
  const expanded = expandSchedule(short.join(" "));
  const scenario = { ...s.scenario, schedule: expanded.ok ? expanded.value : [] };
  const step = s.result.violations[0]?.step;
  let link: string | undefined;
  try {
    link = encoder.encodeScenarioUrl(scenario, {
      base: base(),
      ...(step !== undefined && step >= 0 ? { step } : {}),
    });
  } catch {
    link = undefined; // too large for a link: the text says the rest
  }
  return textDiagram(scenario, s.result, { schedule: short, ...(link ? { link } : {}) });
}

export function copyAsText(s: LabState): void {
  void raceAsText(s)
    .then(
      async (text) => {
        if (!navigator.clipboard) throw new Error("no clipboard");
        await navigator.clipboard.writeText(text);
        say("Copied as text");
      },
      () => say("Copy failed: the text could not be made"),
    )
    .catch(() => say("Copy failed: the page may not write to the clipboard"));
}

/** A file name from the scenario's title: letters, digits and dashes. */
export function fileStem(title: string): string {
  const stem = title
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-|-$/g, "")
    .slice(0, 60);
  return stem || "scenario";
}

export function exportPerfetto(s: LabState): void {
  void import("./export.ts").then(
    ({ download }) => {
      const trace = perfettoTrace(s.scenario, s.result);
      download(
        new Blob([JSON.stringify(trace)], { type: "application/json" }),
        `${fileStem(s.scenario.title)}.perfetto.json`,
      );
      say("Perfetto trace saved (open it at ui.perfetto.dev)");
    },
    () => say("Export failed: the page could not fetch its exporter"),
  );
}
