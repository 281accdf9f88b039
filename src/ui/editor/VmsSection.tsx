/**
 * The editor's VMs (nested translation): add or remove a VM, its guest RAM in pages, its guest's
 * CD table format, S1DSS and first PASID (docs/nested.md; the defaults leave the key out), and
 * the devices it owns, each with the virtual StreamID its guest calls it by. A process joins a VM
 * by the VM select on the process (ProcessVmField.tsx).
 */

import { GUEST_S1DSS } from "../../scenario/types.ts";
import { useEditor } from "../../store/editor.ts";
import { addVm, addVmDevice, listAt, numberInput, removeItem, removeVm } from "../../view/index.ts";
import { iconButton, Labelled, Section, SelectField, smallButton, TextField } from "./fields.tsx";
import { useCount, useItemName } from "./ItemsSection.tsx";

const edit = (field: string, change: Parameters<ReturnType<typeof useEditor.getState>["edit"]>[1]): void =>
  useEditor.getState().edit(field, change);

function useList(read: (d: ReturnType<typeof useEditor.getState>["draft"]) => string[]): string[] {
  const joined = useEditor((s) => read(s.draft).join("\u0000"));
  return joined === "" ? [] : joined.split("\u0000");
}

function VmDevice({ vi, index, vm }: { readonly vi: number; readonly index: number; readonly vm: string }) {
  const devices = useList((d) =>
    listAt(d, ["devices"]).map((x) =>
      typeof x === "object" && x !== null && !Array.isArray(x) && typeof x.name === "string" ? x.name : "",
    ),
  );
  const path = ["vms", vi, "devices", index];
  const what = `${vm} device ${index + 1}`;
  return (
    <li className="flex flex-wrap items-end gap-2" data-testid="editor-vm-device">
      <Labelled text="device">
        <SelectField path={[...path, "device"]} label={`${what} name`} options={devices} />
      </Labelled>
      <Labelled text="vSID">
        <TextField path={[...path, "vsid"]} label={`${what} vSID`} parse={numberInput} className="w-12" />
      </Labelled>
      <button
        type="button"
        className={`${iconButton} ml-auto mb-0.5`}
        aria-label={`Remove ${what}`}
        title={`Remove ${what}`}
        onClick={() => edit("vms.devices.remove", (d) => removeItem(d, ["vms", vi, "devices"], index))}
      >
        ✕
      </button>
    </li>
  );
}

function Vm({ index }: { readonly index: number }) {
  const name = useItemName(["vms"], index);
  const devices = useCount(["vms", index, "devices"]);
  return (
    <li className="rounded border border-slate-200 p-2 dark:border-slate-700" data-testid="editor-vm">
      <div className="flex flex-wrap items-end gap-2">
        <Labelled text="name">
          <TextField path={["vms", index, "name"]} label={`VM ${index + 1} name`} className="w-20" />
        </Labelled>
        <Labelled text="RAM pages">
          <TextField
            path={["vms", index, "pages"]}
            label={`VM ${name} RAM pages`}
            parse={(t) => (t.trim() === "" ? undefined : numberInput(t))}
            placeholder="256"
            className="w-14"
          />
        </Labelled>
        <Labelled text="guest CD table">
          <SelectField
            path={["vms", index, "cdTable"]}
            label={`VM ${name} guest CD table`}
            options={["linear", "2lvl"]}
            parse={(t) => (t === "linear" ? undefined : t)}
            fallback="linear"
          />
        </Labelled>
        <Labelled text="S1DSS">
          <SelectField
            path={["vms", index, "s1dss"]}
            label={`VM ${name} S1DSS`}
            options={GUEST_S1DSS}
            parse={(t) => (t === "ssid0" ? undefined : t)}
            fallback="ssid0"
          />
        </Labelled>
        <Labelled text="first PASID">
          <TextField
            path={["vms", index, "pasidBase"]}
            label={`VM ${name} first PASID`}
            parse={(t) => (t.trim() === "" ? undefined : numberInput(t))}
            placeholder="1"
            className="w-14"
          />
        </Labelled>
        <button
          type="button"
          className={`${smallButton} ml-auto`}
          aria-label={`Add device to ${name}`}
          onClick={() => edit("vms.devices.add", (d) => addVmDevice(d, index))}
        >
          Add device
        </button>
        <button
          type="button"
          className={smallButton}
          aria-label={`Remove VM ${name}`}
          onClick={() => edit("vms.remove", (d) => removeVm(d, index))}
        >
          Remove
        </button>
      </div>
      <ul
        className="mt-1.5 space-y-1 border-l-2 border-slate-200 pl-2 dark:border-slate-700"
        aria-label={`Devices of ${name}`}
      >
        {Array.from({ length: devices }, (_, i) => (
          // biome-ignore lint/suspicious/noArrayIndexKey: items are known by their place
          <VmDevice key={i} vi={index} index={i} vm={name} />
        ))}
      </ul>
    </li>
  );
}

export function VmsSection() {
  const count = useCount(["vms"]);
  return (
    <Section
      title={`VMs (${count})`}
      aside={
        <button type="button" className={smallButton} onClick={() => edit("vms.add", addVm)}>
          Add VM
        </button>
      }
    >
      {count === 0 ? (
        <p className="text-xs text-slate-500 dark:text-slate-400">
          No VMs: every process and device is the host's. A VM owns devices through iommufd (nested
          translation); its processes bind them with the guest's own SMMU driver.
        </p>
      ) : null}
      <ul className="space-y-1.5">
        {Array.from({ length: count }, (_, i) => (
          // biome-ignore lint/suspicious/noArrayIndexKey: items are known by their place
          <Vm key={i} index={i} />
        ))}
      </ul>
    </Section>
  );
}
