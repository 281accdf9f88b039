/**
 * Export and import of a scenario as a `.json` file (the `scenarioToJson` form, pretty-printed).
 * An import goes through `parseScenarioText` (fetched then: store/codecs.ts) like any file the runner reads; a bad file leaves
 * what is shown as it was and explains itself in one line of text.
 */

import { scenarioToJson } from "../../scenario/json-form.ts";
import { SCENARIO_LIMITS } from "../../scenario/limits.ts";
import type { Parsed, Scenario } from "../../scenario/types.ts";
import { loadReader } from "../../store/codecs.ts";
import { useLab } from "../../store/store.ts";

/** The scenario's file text: what `sva-lab run` reads back. */
export function scenarioFileText(s: Scenario): string {
  return `${JSON.stringify(scenarioToJson(s), null, 2)}\n`;
}

/** A file name from the title: `"bind, DMA, munmap"` → `"bind-dma-munmap.json"`. */
export function scenarioFileName(s: Scenario): string {
  const slug = s.title
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-+|-+$/g, "")
    .slice(0, 60)
    .replace(/-+$/, "");
  return `${slug || "scenario"}.json`;
}

/** Downloads the scenario shown as a JSON file. */
export function exportScenario(s: Scenario = useLab.getState().scenario): void {
  const blob = new Blob([scenarioFileText(s)], { type: "application/json" });
  const url = URL.createObjectURL(blob);
  const a = document.createElement("a");
  a.href = url;
  a.download = scenarioFileName(s);
  a.rel = "noopener";
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}

/** A file's name as shown in a message: one line, short. */
function shownName(name: string): string {
  const one = name.replace(/\p{Cc}/gu, " ");
  return one.length > 80 ? `${one.slice(0, 79)}…` : one;
}

/**
 * Opens a scenario file on the page at step 0. Returns null when it opened, or the message
 * saying why not (the page then shows what it showed before).
 */
export async function importScenarioFile(file: File): Promise<string | null> {
  const name = shownName(file.name);
  // parseScenarioText caps the text too; this spares reading a huge file at all.
  if (file.size > SCENARIO_LIMITS.text * 4) {
    return `Could not import ${name}: the file is too large (${file.size} bytes).`;
  }
  let text: string;
  try {
    text = await file.text();
  } catch {
    return `Could not import ${name}: the file could not be read.`;
  }
  let parsed: Parsed<Scenario>;
  try {
    parsed = (await loadReader()).parseScenarioText(text);
  } catch {
    return `Could not import ${name}: the validator could not be loaded (is the page offline?).`;
  }
  if (!parsed.ok) return `Could not import ${name}: ${parsed.error}`;
  const error = useLab.getState().load(parsed.value, { step: 0 });
  return error === null ? null : `Could not import ${name}: ${error}`;
}
