/** The editor's devices and processes (with their VMAs): add, remove, rename, edit. */

import { VMA_DEFAULTS } from "../../scenario/index.ts";
import { useEditor } from "../../store/editor.ts";
import {
  addDevice,
  addProcess,
  addressInput,
  addVma,
  fieldText,
  listAt,
  numberInput,
  removeItem,
  rename,
  tasksInput,
  tasksText,
} from "../../view/index.ts";
import {
  CheckField,
  iconButton,
  Labelled,
  Section,
  SelectField,
  smallButton,
  TextField,
  useDraftValue,
} from "./fields.tsx";
import { ProcessVmField } from "./ProcessVmField.tsx";

const edit = (field: string, change: Parameters<ReturnType<typeof useEditor.getState>["edit"]>[1]): void =>
  useEditor.getState().edit(field, change);

/** The number of items of the list at `path`. */
export function useCount(path: readonly (string | number)[]): number {
  return useEditor((s) => listAt(s.draft, path).length);
}

/** An item's name as shown in labels: its name, or its number when it has none. */
export function useItemName(path: readonly (string | number)[], index: number): string {
  const name = useDraftValue([...path, index, "name"]);
  return typeof name === "string" && name !== "" ? name : `${index + 1}`;
}

/** A name field that renames the item's references too (see `rename`). */
export function NameField(props: {
  readonly list: "devices" | "processes" | "threads";
  readonly index: number;
  readonly label: string;
}) {
  const { list, index } = props;
  return (
    <TextField
      path={[list, index, "name"]}
      label={props.label}
      className="w-24"
      write={(v) => edit(`${list}[${index}].name`, (d) => rename(d, list, index, fieldText(v)))}
    />
  );
}

function Device({ index }: { readonly index: number }) {
  const name = useItemName(["devices"], index);
  return (
    <li className="flex flex-wrap items-end gap-2" data-testid="editor-device">
      <Labelled text="name">
        <NameField list="devices" index={index} label={`Device ${index + 1} name`} />
      </Labelled>
      <Labelled text="StreamID">
        <TextField
          path={["devices", index, "sid"]}
          label={`Device ${name} StreamID`}
          parse={numberInput}
          className="w-16"
        />
      </Labelled>
      <CheckField path={["devices", index, "ats"]} label={`Device ${name} ATS`} className="pb-1">
        ATS
      </CheckField>
      <CheckField path={["devices", index, "pri"]} label={`Device ${name} PRI`} className="pb-1">
        PRI
      </CheckField>
      <button
        type="button"
        className={`${smallButton} ml-auto`}
        aria-label={`Remove device ${name}`}
        onClick={() => edit(`devices.remove`, (d) => removeItem(d, ["devices"], index))}
      >
        Remove
      </button>
    </li>
  );
}

export function DevicesSection() {
  const count = useCount(["devices"]);
  return (
    <Section
      title={`Devices (${count})`}
      aside={
        <button type="button" className={smallButton} onClick={() => edit("devices.add", addDevice)}>
          Add device
        </button>
      }
    >
      {count === 0 ? <p className="text-xs text-slate-500 dark:text-slate-400">No devices.</p> : null}
      <ul className="space-y-1.5">
        {Array.from({ length: count }, (_, i) => (
          // Items have no identity apart from their place; the fields are controlled.
          // biome-ignore lint/suspicious/noArrayIndexKey: see above
          <Device key={i} index={i} />
        ))}
      </ul>
    </Section>
  );
}

function Vma({
  pi,
  index,
  process,
}: {
  readonly pi: number;
  readonly index: number;
  readonly process: string;
}) {
  const path = ["processes", pi, "vmas", index];
  const what = `${process} VMA ${index + 1}`;
  return (
    <li className="flex flex-wrap items-end gap-2">
      <Labelled text="start">
        <TextField path={[...path, "start"]} label={`${what} start`} parse={addressInput} className="w-24" />
      </Labelled>
      <Labelled text="pages">
        <TextField path={[...path, "pages"]} label={`${what} pages`} parse={numberInput} className="w-12" />
      </Labelled>
      <Labelled text="prot">
        <SelectField
          path={[...path, "prot"]}
          label={`${what} prot`}
          options={["r", "rw", "none"]}
          fallback="rw"
        />
      </Labelled>
      <CheckField
        path={[...path, "populate"]}
        label={`${what} populate`}
        fallback={VMA_DEFAULTS.populate}
        className="pb-1"
      >
        <span title="Map every page at boot. Off (the default, as in a file without the field): the pages are mapped only by a touch, and a DMA before it faults.">
          populate
        </span>
      </CheckField>
      <button
        type="button"
        className={`${iconButton} ml-auto mb-0.5`}
        aria-label={`Remove ${what}`}
        title={`Remove ${what}`}
        onClick={() => edit("vmas.remove", (d) => removeItem(d, ["processes", pi, "vmas"], index))}
      >
        ✕
      </button>
    </li>
  );
}

function Process({ index }: { readonly index: number }) {
  const name = useItemName(["processes"], index);
  const vmas = useCount(["processes", index, "vmas"]);
  return (
    <li className="rounded border border-slate-200 p-2 dark:border-slate-700" data-testid="editor-process">
      <div className="flex flex-wrap items-end gap-2">
        <Labelled text="name">
          <NameField list="processes" index={index} label={`Process ${index + 1} name`} />
        </Labelled>
        <ProcessVmField index={index} process={name} />
        <Labelled text="tasks">
          <TextField
            path={["processes", index, "tasks"]}
            label={`${name} tasks (optional)`}
            parse={tasksInput}
            format={tasksText}
            placeholder="one task"
            className="w-28"
          />
        </Labelled>
        <button
          type="button"
          className={`${smallButton} ml-auto`}
          onClick={() => edit("vmas.add", (d) => addVma(d, index))}
          aria-label={`Add VMA to ${name}`}
        >
          Add VMA
        </button>
        <button
          type="button"
          className={smallButton}
          aria-label={`Remove process ${name}`}
          onClick={() => edit("processes.remove", (d) => removeItem(d, ["processes"], index))}
        >
          Remove
        </button>
      </div>
      {vmas === 0 ? (
        <p className="mt-1 text-xs text-slate-500 dark:text-slate-400">No VMAs: nothing mapped at start.</p>
      ) : (
        <ul
          className="mt-1.5 space-y-1 border-l-2 border-slate-200 pl-2 dark:border-slate-700"
          aria-label={`VMAs of ${name}`}
        >
          {Array.from({ length: vmas }, (_, i) => (
            // biome-ignore lint/suspicious/noArrayIndexKey: items are known by their place
            <Vma key={i} pi={index} index={i} process={name} />
          ))}
        </ul>
      )}
    </li>
  );
}

export function ProcessesSection() {
  const count = useCount(["processes"]);
  return (
    <Section
      title={`Processes (${count})`}
      aside={
        <button type="button" className={smallButton} onClick={() => edit("processes.add", addProcess)}>
          Add process
        </button>
      }
    >
      {count === 0 ? <p className="text-xs text-slate-500 dark:text-slate-400">No processes.</p> : null}
      <ul className="space-y-1.5">
        {Array.from({ length: count }, (_, i) => (
          // biome-ignore lint/suspicious/noArrayIndexKey: items are known by their place
          <Process key={i} index={i} />
        ))}
      </ul>
    </Section>
  );
}
