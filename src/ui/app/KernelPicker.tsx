/**
 * The kernel release the scenario runs on, as a select (header and editor): the RFC series
 * first, then every mainline release, each with its design; choosing one runs the same
 * scenario on that release (store/kernel-switch.ts).
 */

import { useId } from "react";
import {
  changesIn,
  DEFAULT_RELEASE,
  designOf,
  MAINLINE_RELEASES,
  RFC_RELEASES,
} from "../../scenario/releases.ts";
import type { DriverDesign } from "../../scenario/types.ts";
import { switchKernel } from "../../store/kernel-switch.ts";
import { useLab } from "../../store/store.ts";
import { designEra } from "../../view/index.ts";

const DESIGN_WORDS: Record<DriverDesign, string> = {
  "iommu-process-2017": "iommu_process RFCv2 (bind a task)",
  "io-mm-2018": "io_mm RFC",
  "arm-smmu-v3-sva": "shared CD + mmu_notifier",
  "sva-domain": "SVA domain with its own ASID",
};

/** A release in a few characters: its tag and the number of changes landing in it. */
export function releaseLabel(release: string): string {
  const n = changesIn(release).length;
  return `${release}${n > 0 ? ` · ${n} change${n > 1 ? "s" : ""}` : ""}`;
}

/** Every release, newest first, grouped by the design it runs. */
function releasesByDesign(): [DriverDesign, string[]][] {
  const groups = new Map<DriverDesign, string[]>();
  for (const r of [...MAINLINE_RELEASES].reverse().concat(RFC_RELEASES)) {
    const d = designOf(r);
    groups.set(d, [...(groups.get(d) ?? []), r]);
  }
  return [...groups];
}

/** A sentence on the release shown, for the tooltip: the design, and the default it stands for. */
function releaseTitle(release: string): string {
  const design = designOf(release);
  const isDefault = DEFAULT_RELEASE[design] === release;
  return `Kernel ${release} runs the ${design} design${
    isDefault ? `; a scenario that names only "driver": "${design}" runs on it` : ""
  }. Pick another release to run the same scenario on its code.`;
}

export function KernelOptions() {
  return releasesByDesign().map(([design, releases]) => (
    <optgroup key={design} label={`${DESIGN_WORDS[design]} (${design})`}>
      {releases.map((r) => (
        <option key={r} value={r}>
          {releaseLabel(r)}
        </option>
      ))}
    </optgroup>
  ));
}

/** The header's picker: the release shown; a change runs the scenario on the release chosen. */
export function KernelPicker() {
  const kernel = useLab((s) => s.scenario.kernel);
  // What the run modelled (w.kernel.release and its design, as the trace says), not the file's words.
  const release = useLab((s) => s.trace.kernel);
  const design = useLab((s) => s.trace.driver);
  const id = useId();
  return (
    <p className="flex items-baseline gap-1.5 text-xs text-slate-600 dark:text-slate-300">
      <label htmlFor={id}>kernel</label>
      <select
        id={id}
        data-testid="kernel-picker"
        className="rounded border border-slate-300 bg-white px-1 py-0.5 font-mono text-xs focus-visible:outline-2 focus-visible:outline-blue-500 dark:border-slate-600 dark:bg-slate-800"
        value={kernel}
        title={releaseTitle(kernel)}
        onChange={(e) => void switchKernel(e.target.value)}
      >
        <KernelOptions />
      </select>
      <span
        className="text-slate-500 max-2xl:hidden dark:text-slate-400"
        data-testid="kernel-modelled"
        title={designEra(design) ?? undefined}
      >
        {" "}
        — {release === kernel ? "" : `runs ${release}, `}
        <code className="font-mono">{design}</code>
      </span>
    </p>
  );
}
