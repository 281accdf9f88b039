/**
 * The editor's inputs. Each reads one path of the draft, writes it through `edit` (so it is
 * validated and can be undone), carries the path in `data-path`, and marks itself invalid
 * when the validation error names that path.
 */

import { type ReactNode, useState } from "react";
import type { JsonValue } from "../../scenario/index.ts";
import { useEditor } from "../../store/editor.ts";
import { errorPath, fieldText, formatPath, getIn, type Path, setIn } from "../../view/index.ts";

export const inputClass =
  "min-w-0 rounded border border-slate-300 bg-white px-1.5 py-0.5 text-xs text-slate-900 focus-visible:outline-2 focus-visible:outline-offset-0 focus-visible:outline-blue-500 aria-[invalid=true]:border-red-500 aria-[invalid=true]:bg-red-50 dark:border-slate-600 dark:bg-slate-800 dark:text-slate-100 dark:aria-[invalid=true]:border-red-400 dark:aria-[invalid=true]:bg-red-950";

export const smallButton =
  "rounded border border-slate-300 bg-white px-1.5 py-0.5 text-xs hover:bg-slate-100 focus-visible:outline-2 focus-visible:outline-offset-1 focus-visible:outline-blue-500 disabled:cursor-not-allowed disabled:opacity-40 dark:border-slate-600 dark:bg-slate-800 dark:hover:bg-slate-700";

export const iconButton = `${smallButton} w-6 px-0 text-center font-mono leading-4`;

/** The draft's value at `path` (re-renders only when that value changes). */
export function useDraftValue(path: Path): JsonValue | undefined {
  return useEditor((s) => getIn(s.draft, path));
}

/** True when the current validation error is about `path`. */
export function useInvalid(path: Path): boolean {
  const key = formatPath(path);
  return useEditor((s) => s.error !== null && errorPath(s.error) === key);
}

export function setField(path: Path, value: JsonValue | undefined): void {
  useEditor.getState().edit(formatPath(path), (d) => setIn(d, path, value));
}

interface TextFieldProps {
  readonly path: Path;
  readonly label: string;
  /** Text → the JSON value to store (default: the text itself). */
  readonly parse?: (text: string) => JsonValue | undefined;
  /** The stored JSON value → text (default: `fieldText`). */
  readonly format?: (v: JsonValue | undefined) => string;
  readonly className?: string;
  readonly placeholder?: string;
  readonly list?: string;
  readonly describedBy?: string;
  /** Writes the value instead of a plain set (a rename also renames references). */
  readonly write?: (value: JsonValue | undefined) => void;
}

/**
 * A text input bound to `path`. It keeps the text as typed while it means the same value (so
 * "T0 " keeps its space), and takes the draft's text when the draft changes underneath (Undo).
 */
export function TextField({ path, label, parse, format = fieldText, ...rest }: TextFieldProps) {
  const value = useDraftValue(path);
  const invalid = useInvalid(path);
  const toValue = parse ?? ((t: string) => t);
  // The text as typed, and the draft value it was last reconciled with (derived state: no effect).
  const [typed, setTyped] = useState(() => ({ text: format(value), value }));
  let text = typed.text;
  if (typed.value !== value) {
    text =
      format(toValue(typed.text) as JsonValue | undefined) === format(value) ? typed.text : format(value);
    setTyped({ text, value });
  }
  return (
    <input
      type="text"
      aria-label={label}
      title={label}
      data-path={formatPath(path)}
      aria-invalid={invalid || undefined}
      aria-describedby={rest.describedBy}
      spellCheck={false}
      autoComplete="off"
      list={rest.list}
      placeholder={rest.placeholder}
      className={`${inputClass} ${rest.className ?? ""}`}
      value={text}
      onChange={(e) => {
        const v = toValue(e.target.value);
        setTyped({ text: e.target.value, value: v });
        if (rest.write) rest.write(v);
        else setField(path, v);
      }}
    />
  );
}

export function SelectField(props: {
  readonly path: Path;
  readonly label: string;
  readonly options: readonly (string | { readonly value: string; readonly label: string })[];
  /** Stores the selected text as this instead (e.g. a number; undefined leaves the key out). */
  readonly parse?: (text: string) => JsonValue | undefined;
  readonly fallback?: string;
  readonly className?: string;
}) {
  const value = useDraftValue(props.path);
  const invalid = useInvalid(props.path);
  const current = value === undefined ? (props.fallback ?? "") : fieldText(value);
  const options = props.options.map((o) => (typeof o === "string" ? { value: o, label: o } : o));
  const known = options.some((o) => o.value === current);
  return (
    <select
      aria-label={props.label}
      title={props.label}
      data-path={formatPath(props.path)}
      aria-invalid={invalid || undefined}
      className={`${inputClass} ${props.className ?? ""}`}
      value={current}
      onChange={(e) => setField(props.path, props.parse ? props.parse(e.target.value) : e.target.value)}
    >
      {known ? null : <option value={current}>{current === "" ? "(none)" : `${current} (unknown)`}</option>}
      {options.map((o) => (
        <option key={o.value} value={o.value}>
          {o.label}
        </option>
      ))}
    </select>
  );
}

export function CheckField(props: {
  readonly path: Path;
  readonly label: string;
  readonly fallback?: boolean;
  readonly children?: ReactNode;
  readonly className?: string;
}) {
  const value = useDraftValue(props.path);
  const invalid = useInvalid(props.path);
  const checked = typeof value === "boolean" ? value : (props.fallback ?? false);
  return (
    <label className={`inline-flex items-center gap-1 text-xs ${props.className ?? ""}`}>
      <input
        type="checkbox"
        aria-label={props.children ? undefined : props.label}
        data-path={formatPath(props.path)}
        aria-invalid={invalid || undefined}
        className="accent-blue-600"
        checked={checked}
        onChange={(e) => setField(props.path, e.target.checked)}
      />
      {props.children}
    </label>
  );
}

/** A labelled field: the label text above, small. */
export function Labelled(props: {
  readonly text: string;
  readonly children: ReactNode;
  readonly className?: string;
}) {
  return (
    <div className={`flex min-w-0 flex-col gap-0.5 ${props.className ?? ""}`}>
      <span aria-hidden="true" className="text-[10px] text-slate-500 dark:text-slate-400">
        {props.text}
      </span>
      {props.children}
    </div>
  );
}

export function Section(props: {
  readonly title: string;
  readonly children: ReactNode;
  readonly aside?: ReactNode;
}) {
  return (
    <section className="border-t border-slate-200 px-3 py-2 dark:border-slate-700" aria-label={props.title}>
      <div className="mb-1.5 flex items-center justify-between gap-2">
        <h3 className="text-xs font-semibold uppercase tracking-wide text-slate-600 dark:text-slate-300">
          {props.title}
        </h3>
        {props.aside}
      </div>
      {props.children}
    </section>
  );
}
