/**
 * The detail view: the selected STE, CD, command or page-table descriptor with every field
 * decoded (name, bits hi:lo, value), its bits drawn, and its raw 64-bit words in hex.
 */

import { useMemo } from "react";
import { useLab } from "../../../store/store.ts";
import { detailVm } from "../../../view/index.ts";
import { StepSource } from "../../app/SourceLink.tsx";
import { useCursor, useWorld } from "../../app/useSnapshot.ts";
import { FieldTerm, TermText } from "../../glossary/Term.tsx";
import { BitGrid } from "./BitGrid.tsx";

export function DetailView() {
  const selection = useLab((s) => s.selection);
  const select = useLab((s) => s.select);
  const trace = useLab((s) => s.trace);
  const w = useWorld();
  const steps = useLab((s) => s.result.steps);
  const cursor = useCursor();
  const vm = useMemo(
    () => (selection ? detailVm(w, trace, selection, { steps, cursor }) : null),
    [w, trace, selection, steps, cursor],
  );
  if (vm === null) {
    return (
      <>
        <StepSource />
        <p className="text-sm text-slate-600 dark:text-slate-300">
          Select an STE, a CD, a command slot or queued command, or a page-table entry to see every field
          decoded.
        </p>
      </>
    );
  }
  if (typeof vm === "string") return <p className="text-sm text-red-700 dark:text-red-400">{vm}</p>;
  return (
    <div className="space-y-2 text-xs" data-testid="detail">
      <StepSource />
      <div className="flex items-start justify-between gap-2">
        <h3 className="text-sm font-semibold">
          <TermText text={vm.title} />
        </h3>
        <button
          type="button"
          onClick={() => select(null)}
          className="rounded border border-slate-300 px-1.5 hover:bg-slate-100 dark:border-slate-600 dark:hover:bg-slate-800"
        >
          Close detail
        </button>
      </div>
      {vm.notes.map((n) => (
        <p key={n} className="text-slate-600 dark:text-slate-300">
          <TermText text={n} />
        </p>
      ))}
      <ol aria-label="Raw words" className="font-mono" data-testid="detail-words">
        {vm.hexWords.map((h, i) => (
          // biome-ignore lint/suspicious/noArrayIndexKey: word i of a fixed-size entry
          <li key={i}>
            <span className="text-slate-500 dark:text-slate-400">w{i} </span>
            {h}
          </li>
        ))}
      </ol>
      <BitGrid words={vm.words} fields={vm.fields} />
      <table className="w-full border-collapse font-mono">
        <thead>
          <tr className="text-left text-slate-500 dark:text-slate-400">
            <th className="pr-2 font-normal">field</th>
            <th className="pr-2 font-normal">bits</th>
            <th className="font-normal">value</th>
          </tr>
        </thead>
        <tbody>
          {vm.fields.map((f) => (
            <tr
              key={`${f.word}:${f.name}`}
              title={f.doc}
              className={`border-t border-slate-100 dark:border-slate-800 ${f.nonzero ? "" : "text-slate-400 dark:text-slate-500"}`}
            >
              {/* Named by the field alone: the glossary link inside has its own name. */}
              <td className="pr-2" aria-label={f.name}>
                <FieldTerm name={f.name} />
              </td>
              <td className="pr-2 whitespace-nowrap">
                w{f.word}[{f.bits}]
              </td>
              <td className="break-all">{f.text}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
