/**
 * The editor's threads and their ops (add, remove, reorder; each op's fields by its kind) and
 * the schedule. The op's kind is a text field with suggestions: what is typed is kept, and an
 * unknown kind is named by the validation error rather than refused by the form.
 */

import { GUEST_CMDS, OP_NAMES } from "../../scenario/index.ts";
import { useEditor } from "../../store/editor.ts";
import {
  addOp,
  addressInput,
  addThread,
  fieldText,
  formatPath,
  getIn,
  isOpName,
  moveItem,
  namesOf,
  numberInput,
  OP_FIELDS,
  opWithDefaults,
  removeItem,
  scheduleInput,
  scheduleText,
  setIn,
} from "../../view/index.ts";
import {
  iconButton,
  Labelled,
  Section,
  SelectField,
  smallButton,
  TextField,
  useDraftValue,
} from "./fields.tsx";
import { NameField, useCount, useItemName } from "./ItemsSection.tsx";

const OP_LIST_ID = "sva-editor-op-names";

const edit = useEditor.getState().edit;

/** The names of the draft's devices or processes, for the op selects. */
function useNames(list: "devices" | "processes"): string[] {
  const joined = useEditor((s) => namesOf(s.draft, list).join("\u0000"));
  return joined === "" ? [] : joined.split("\u0000");
}

function OpField(props: {
  readonly path: readonly (string | number)[];
  readonly field: string;
  readonly what: string;
  /** The op may leave it out (`device?` and `va?` of guest-cmd): an empty value removes it. */
  readonly optional?: boolean;
}) {
  const processes = useNames("processes");
  const devices = useNames("devices");
  const path = [...props.path, props.field];
  const label = `${props.what} ${props.field}`;
  if (props.optional && (props.field === "device" || props.field === "va")) {
    return props.field === "device" ? (
      <Labelled text="device (opt.)">
        <SelectField
          path={path}
          label={`${label} (optional)`}
          options={[{ value: "", label: "VM's first" }, ...devices.map((d) => ({ value: d, label: d }))]}
          parse={(t) => (t === "" ? undefined : t)}
        />
      </Labelled>
    ) : (
      <Labelled text="va (opt.)">
        <TextField
          path={path}
          label={`${label} (optional)`}
          parse={(t) => (t.trim() === "" ? undefined : addressInput(t))}
          placeholder="1st VMA"
          className="w-22"
        />
      </Labelled>
    );
  }
  switch (props.field) {
    case "cmd":
      // One command from the list a guest may write (a list of several stays as written).
      return (
        <Labelled text="command">
          <SelectField path={path} label={label} options={GUEST_CMDS} fallback="TLBI_NH_ALL" />
        </Labelled>
      );
    case "process":
    case "device":
      return (
        <Labelled text={props.field}>
          <SelectField path={path} label={label} options={props.field === "process" ? processes : devices} />
        </Labelled>
      );
    case "va":
    case "start":
      return (
        <Labelled text={props.field}>
          <TextField path={path} label={label} parse={addressInput} className="w-22" />
        </Labelled>
      );
    case "pages":
      return (
        <Labelled text="pages">
          <TextField path={path} label={label} parse={numberInput} className="w-11" />
        </Labelled>
      );
    case "task":
      return (
        <Labelled text="task (opt.)">
          <TextField
            path={path}
            label={`${props.what} task (optional)`}
            parse={(t) => (t.trim() === "" ? undefined : t.trim())}
            className="w-16"
          />
        </Labelled>
      );
    case "pasid":
      return (
        <Labelled text="PASID (opt.)">
          <TextField
            path={path}
            label={`${props.what} PASID (optional)`}
            parse={(t) => (t.trim() === "" ? undefined : numberInput(t))}
            className="w-12"
          />
        </Labelled>
      );
    case "prot":
      return (
        <Labelled text="prot">
          <SelectField path={path} label={label} options={["r", "rw", "none"]} fallback="rw" />
        </Labelled>
      );
    case "access":
      return (
        <Labelled text="access">
          <SelectField path={path} label={label} options={["read", "write"]} />
        </Labelled>
      );
    default:
      return (
        <Labelled text={props.field}>
          <TextField path={path} label={label} className="w-20" />
        </Labelled>
      );
  }
}

/** Moves focus to the element at `path` once React has drawn the change. */
function focusPath(path: string): void {
  requestAnimationFrame(() =>
    document.querySelector<HTMLElement>(`[data-path="${CSS.escape(path)}"]`)?.focus(),
  );
}

function Op(props: {
  readonly ti: number;
  readonly index: number;
  readonly count: number;
  readonly thread: string;
}) {
  const { ti, index, count, thread } = props;
  const path = ["threads", ti, "ops", index];
  const op = useDraftValue(path);
  const kind = fieldText(getIn(op, ["op"]));
  const keys = op !== null && typeof op === "object" && !Array.isArray(op) ? Object.keys(op) : [];
  const fields = isOpName(kind) ? OP_FIELDS[kind] : keys.filter((k) => k !== "op");
  const what = `${thread} op ${index + 1}`;
  const opsPath = ["threads", ti, "ops"];
  const move = (by: number): void => {
    edit(`${formatPath(opsPath)}.move`, (d) => moveItem(d, opsPath, index, by));
    focusPath(formatPath([...opsPath, index + by, "op"]));
  };
  return (
    <li className="flex items-end gap-1.5" data-testid="editor-op">
      <span className="w-5 shrink-0 pb-1 text-right font-mono text-[10px] text-slate-500 dark:text-slate-400">
        {index + 1}
      </span>
      <div className="flex min-w-0 flex-1 flex-wrap items-end gap-1.5">
        <Labelled text="op">
          <TextField
            path={[...path, "op"]}
            label={`${what} name`}
            list={OP_LIST_ID}
            className="w-24 font-mono"
            write={(v) =>
              edit(formatPath([...path, "op"]), (d) => {
                const cur = getIn(d, path);
                const base = cur !== null && typeof cur === "object" && !Array.isArray(cur) ? cur : {};
                return setIn(d, path, opWithDefaults(d, base, fieldText(v)));
              })
            }
          />
        </Labelled>
        {fields.map((f) => (
          <OpField key={f} path={path} field={f.replace("?", "")} optional={f.endsWith("?")} what={what} />
        ))}
      </div>
      <div className="flex shrink-0 gap-0.5 pb-px">
        <button
          type="button"
          className={iconButton}
          aria-label={`Move ${what} up`}
          title="Move up"
          disabled={index === 0}
          onClick={() => move(-1)}
        >
          ↑
        </button>
        <button
          type="button"
          className={iconButton}
          aria-label={`Move ${what} down`}
          title="Move down"
          disabled={index === count - 1}
          onClick={() => move(1)}
        >
          ↓
        </button>
        <button
          type="button"
          className={iconButton}
          aria-label={`Remove ${what}`}
          title="Remove"
          onClick={() => edit("ops.remove", (d) => removeItem(d, opsPath, index))}
        >
          ✕
        </button>
      </div>
    </li>
  );
}

function Thread({ index }: { readonly index: number }) {
  const name = useItemName(["threads"], index);
  const ops = useCount(["threads", index, "ops"]);
  return (
    <li className="rounded border border-slate-200 p-2 dark:border-slate-700" data-testid="editor-thread">
      <div className="flex flex-wrap items-end gap-2">
        <Labelled text="thread">
          <NameField list="threads" index={index} label={`Thread ${index + 1} name`} />
        </Labelled>
        <button
          type="button"
          className={`${smallButton} ml-auto`}
          aria-label={`Add op to ${name}`}
          onClick={() => {
            edit("ops.add", (d) => addOp(d, index));
            focusPath(formatPath(["threads", index, "ops", ops, "op"]));
          }}
        >
          Add op
        </button>
        <button
          type="button"
          className={smallButton}
          aria-label={`Remove thread ${name}`}
          onClick={() => edit("threads.remove", (d) => removeItem(d, ["threads"], index))}
        >
          Remove
        </button>
      </div>
      {ops === 0 ? (
        <p className="mt-1 text-xs text-slate-500 dark:text-slate-400">No ops yet.</p>
      ) : (
        <ol className="mt-1.5 space-y-1.5" aria-label={`Ops of ${name}`}>
          {Array.from({ length: ops }, (_, i) => (
            // biome-ignore lint/suspicious/noArrayIndexKey: ops are known by their place
            <Op key={i} ti={index} index={i} count={ops} thread={name} />
          ))}
        </ol>
      )}
    </li>
  );
}

export function ThreadsSection() {
  const count = useCount(["threads"]);
  return (
    <Section
      title={`Threads (${count})`}
      aside={
        <button type="button" className={smallButton} onClick={() => edit("threads.add", addThread)}>
          Add thread
        </button>
      }
    >
      <datalist id={OP_LIST_ID}>
        {OP_NAMES.map((o) => (
          <option key={o} value={o} />
        ))}
      </datalist>
      {count === 0 ? <p className="text-xs text-slate-500 dark:text-slate-400">No threads.</p> : null}
      <ul className="space-y-1.5">
        {Array.from({ length: count }, (_, i) => (
          // biome-ignore lint/suspicious/noArrayIndexKey: threads are known by their place
          <Thread key={i} index={i} />
        ))}
      </ul>
    </Section>
  );
}

export function ScheduleSection() {
  const help = "sva-editor-schedule-help";
  return (
    <Section title="Schedule">
      <TextField
        path={["schedule"]}
        label="Schedule"
        parse={scheduleInput}
        format={scheduleText}
        className="w-full font-mono"
        placeholder="empty: the default policy"
        describedBy={help}
      />
      <p id={help} className="mt-1 text-[11px] text-slate-600 dark:text-slate-300">
        Space-separated: <code>T0</code> (one micro-step of T0), <code>T0:op</code> (T0 to the end of its op),{" "}
        <code>smmu</code> (the SMMU consumes one command), <code>srcu</code>. When it is used up, the default
        policy runs: the SMMU first, then the first thread that can step.
      </p>
    </Section>
  );
}
