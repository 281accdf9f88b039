/** "Import JSON" and "Export JSON": the scenario as a file, both ways. */

import { useRef } from "react";
import { useLab } from "../../store/store.ts";
import { buttonClass } from "../app/button.ts";
import { exportScenario, importScenarioFile } from "./file-io.ts";

export function FileButtons() {
  const input = useRef<HTMLInputElement>(null);
  const onFile = async (file: File | undefined): Promise<void> => {
    if (!file) return;
    const error = await importScenarioFile(file);
    useLab.getState().setError(error);
  };
  return (
    <div className="flex gap-1.5">
      <button
        type="button"
        className={`${buttonClass} max-xl:hidden`}
        onClick={() => input.current?.click()}
        title="Open a scenario from a .json file"
      >
        Import JSON
      </button>
      <input
        ref={input}
        type="file"
        accept=".json,application/json"
        className="hidden"
        tabIndex={-1}
        aria-hidden="true"
        data-testid="import-file"
        onChange={(e) => {
          const file = e.target.files?.[0];
          // Choosing the same file again must fire a change too.
          e.target.value = "";
          void onFile(file);
        }}
      />
      <button
        type="button"
        className={buttonClass}
        onClick={() => exportScenario()}
        title="Download the scenario shown as a .json file (sva-lab run reads it)"
      >
        Export JSON
      </button>
    </div>
  );
}
