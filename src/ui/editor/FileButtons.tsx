/**
 * "Import JSON" and "Export JSON": the scenario as a file, both ways (file-io.ts, fetched at the
 * first click: it is not needed to draw the page).
 */

import { useRef } from "react";
import { useLab } from "../../store/store.ts";
import { buttonClass } from "../app/button.ts";

const io = () =>
  import("./file-io.ts").catch((e: unknown) => {
    useLab.getState().setError("The scenario file code could not be loaded (is the page offline?).");
    throw e;
  });

export function FileButtons() {
  const input = useRef<HTMLInputElement>(null);
  const onFile = async (file: File | undefined): Promise<void> => {
    if (!file) return;
    const m = await io().catch(() => null);
    if (m) useLab.getState().setError(await m.importScenarioFile(file));
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
        onClick={() =>
          void io().then(
            (m) => m.exportScenario(),
            () => {},
          )
        }
        title="Download the scenario shown as a .json file (sva-lab run reads it)"
      >
        Export JSON
      </button>
    </div>
  );
}
