/** The VM select of a process in the editor (shown once the draft has a VM). */

import { useEditor } from "../../store/editor.ts";
import { vmNames } from "../../view/index.ts";
import { Labelled, SelectField, useDraftValue } from "./fields.tsx";

/** The VM a process runs in: the host, or one of the draft's VMs. */
export function ProcessVmField({ index, process }: { readonly index: number; readonly process: string }) {
  const joined = useEditor((s) => vmNames(s.draft).join("\u0000"));
  const vms = joined === "" ? [] : joined.split("\u0000");
  const value = useDraftValue(["processes", index, "vm"]);
  if (vms.length === 0 && value === undefined) return null;
  return (
    <Labelled text="runs in">
      <SelectField
        path={["processes", index, "vm"]}
        label={`Process ${process} VM`}
        options={[{ value: "", label: "host" }, ...vms.map((v) => ({ value: v, label: v }))]}
        parse={(t) => (t === "" ? undefined : t)}
      />
    </Labelled>
  );
}
