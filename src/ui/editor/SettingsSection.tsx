/** The editor's first sections: title and description, kernel release, SMMU, faults. */

import { SMMU_FEATURES } from "../../scenario/index.ts";
import { designOf, MAINLINE_RELEASES, RFC_RELEASES } from "../../scenario/releases.ts";
import { useEditor } from "../../store/editor.ts";
import { FAULT_NAMES, FAULTS, formatPath, listAt, numberInput, setIn, updateList } from "../../view/index.ts";
import { releaseLabel } from "../app/KernelPicker.tsx";
import {
  inputClass,
  Labelled,
  Section,
  SelectField,
  TextField,
  useDraftValue,
  useInvalid,
} from "./fields.tsx";

function Description() {
  const value = useDraftValue(["description"]);
  const invalid = useInvalid(["description"]);
  return (
    <textarea
      aria-label="Description"
      data-path="description"
      aria-invalid={invalid || undefined}
      rows={3}
      className={`${inputClass} w-full resize-y`}
      value={typeof value === "string" ? value : ""}
      onChange={(e) => {
        const text = e.target.value;
        useEditor
          .getState()
          .edit("description", (d) => setIn(d, ["description"], text === "" ? undefined : text));
      }}
    />
  );
}

/** A checkbox per name, bound to membership in the string list at `path`. */
function ListToggle(props: {
  readonly path: readonly string[];
  readonly name: string;
  readonly label: string;
  readonly id: string;
  readonly describedBy?: string;
}) {
  const list = useDraftValue(props.path);
  const names = Array.isArray(list) ? list : [];
  const checked = names.includes(props.name);
  const toggle = (on: boolean): void => {
    useEditor.getState().edit(`${formatPath(props.path)}:${props.name}`, (d) => {
      const next = updateList(d, props.path, (l) =>
        on ? [...l, props.name] : l.filter((x) => x !== props.name),
      );
      // An empty list is the default: leave it out, as scenarioToJson does.
      return listAt(next, props.path).length === 0 ? setIn(next, props.path, undefined) : next;
    });
  };
  return (
    <input
      type="checkbox"
      id={props.id}
      aria-label={props.label}
      aria-describedby={props.describedBy}
      className="mt-0.5 accent-blue-600"
      checked={checked}
      onChange={(e) => toggle(e.target.checked)}
    />
  );
}

function Smmu() {
  const invalid = useInvalid(["smmu", "features"]);
  return (
    <div className="space-y-1.5">
      <fieldset
        className={`flex flex-wrap gap-x-3 gap-y-1 ${invalid ? "rounded outline outline-red-500" : ""}`}
        data-path="smmu.features"
      >
        <legend className="sr-only">SMMU features</legend>
        {SMMU_FEATURES.map((f) => (
          <label key={f} htmlFor={`editor-feature-${f}`} className="inline-flex items-center gap-1 text-xs">
            <ListToggle
              id={`editor-feature-${f}`}
              path={["smmu", "features"]}
              name={f}
              label={`SMMU feature ${f.toUpperCase()}`}
            />
            <span aria-hidden="true" className="font-mono uppercase">
              {f}
            </span>
          </label>
        ))}
      </fieldset>
      <div className="flex flex-wrap gap-2">
        <Labelled text="ASID bits">
          <SelectField
            path={["smmu", "asidBits"]}
            label="ASID bits"
            options={["8", "16"]}
            fallback="16"
            parse={Number}
          />
        </Labelled>
        <Labelled text="SSID bits">
          <TextField
            path={["smmu", "ssidBits"]}
            label="SSID bits"
            parse={numberInput}
            className="w-12"
            placeholder="20"
          />
        </Labelled>
        <Labelled text="cmdq entries">
          <TextField
            path={["smmu", "cmdqEntries"]}
            label="Command queue entries"
            parse={numberInput}
            className="w-16"
            placeholder="256"
          />
        </Labelled>
        <Labelled text="stream table">
          <SelectField
            path={["smmu", "streamTable"]}
            label="Stream table"
            options={["linear", "2lvl"]}
            fallback="linear"
          />
        </Labelled>
        <Labelled text="CD table">
          <SelectField
            path={["smmu", "cdTable"]}
            label="CD table"
            options={["linear", "2lvl"]}
            fallback="linear"
          />
        </Labelled>
      </div>
    </div>
  );
}

function Faults() {
  const list = useDraftValue(["faults"]);
  const chosen = Array.isArray(list) ? list.filter((x): x is string => typeof x === "string") : [];
  const unknown = chosen.filter((f) => !(FAULT_NAMES as readonly string[]).includes(f));
  const invalid = useEditor((s) => s.error?.startsWith("faults") ?? false);
  return (
    <ul className={`space-y-1 ${invalid ? "rounded outline outline-red-500" : ""}`} data-path="faults">
      {[...FAULT_NAMES, ...unknown].map((f) => {
        const help = `fault-help-${f}`;
        return (
          <li key={f}>
            <label htmlFor={`editor-fault-${f}`} className="flex items-start gap-1.5 text-xs">
              <ListToggle
                id={`editor-fault-${f}`}
                path={["faults"]}
                name={f}
                label={`Fault ${f}`}
                describedBy={help}
              />
              <span>
                <code className="font-mono font-semibold">{f}</code>{" "}
                <span id={help} className="text-slate-600 dark:text-slate-300">
                  {(FAULTS as Record<string, string>)[f] ?? "not a fault this version knows"}
                </span>
              </span>
            </label>
          </li>
        );
      })}
    </ul>
  );
}

export function SettingsSection() {
  return (
    <>
      <Section title="Scenario">
        <div className="space-y-1.5">
          <Labelled text="Title">
            <TextField path={["title"]} label="Title" className="w-full" />
          </Labelled>
          <Labelled text="Description (optional)">
            <Description />
          </Labelled>
          <Labelled text="Kernel release">
            <SelectField
              path={["kernel"]}
              label="Kernel release"
              options={[...RFC_RELEASES, ...[...MAINLINE_RELEASES].reverse()].map((r) => ({
                value: r,
                label: `${releaseLabel(r)} (${designOf(r)})`,
              }))}
              className="w-full"
            />
          </Labelled>
        </div>
      </Section>
      <Section title="SMMU">
        <Smmu />
      </Section>
      <Section title="Faults (safeguards switched off)">
        <Faults />
      </Section>
    </>
  );
}
