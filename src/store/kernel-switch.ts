/**
 * Running the scenario shown on another kernel release (the header's picker, a museum lesson's
 * "Open on the fixed release"): the scenario is validated again as if its file had named that
 * release, so a release that cannot run it (a VM before iommufd had a vSMMU, say) is refused
 * with the validator's one line, and the page keeps what it shows.
 */

import { loadReader } from "./codecs.ts";
import { useLab } from "./store.ts";

/** Loads the scenario shown on `release`, at the same step; the error line, or null. */
export async function switchKernel(release: string): Promise<string | null> {
  const reader = await loadReader();
  const { scenario, cursor, selection } = useLab.getState();
  if (scenario.kernel === release) return null;
  const json = { ...reader.scenarioToJson(scenario), kernel: release };
  const r = reader.parseScenario(json);
  let error = r.ok ? useLab.getState().load(r.value, { step: cursor, selection }) : `kernel: ${r.error}`;
  if (r.ok && error !== null && r.value.schedule !== undefined) {
    // The schedule was made for the other release's steps: run this one's own way instead.
    const { schedule: _made, ...rest } = r.value;
    error = useLab.getState().load(rest, { step: cursor, selection });
  }
  useLab.getState().setError(error);
  return error;
}
