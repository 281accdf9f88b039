/**
 * The gallery: every diagram (diagrams.tsx) on every named fixture (src/view/fixtures.ts), one
 * section per diagram with a cell per fixture. `?diagram=<id>` and `?fixture=<name>` show
 * only those (the header's two lists set them); each cell can show the text its snapshot file
 * holds (e2e/snapshots/<diagram>/<fixture>.svg).
 */

import { useState } from "react";
import type { Fixture, FixtureRun } from "../../view/fixtures.ts";
import { type Selection, selectionKey } from "../../view/index.ts";
import { DIAGRAMS, type GalleryDiagram } from "./diagrams.tsx";
import { cellSnapshot } from "./snapshots.ts";

export type FixtureResult = { readonly fixture: Fixture } & (
  | { readonly run: FixtureRun; readonly error?: undefined }
  | { readonly run?: undefined; readonly error: string }
);

export interface GalleryFilter {
  readonly diagram: string | null;
  readonly fixture: string | null;
}

/** The main page at the fixture's step (a lesson as it is; a variant has no link of its own). */
function pageLink(f: Fixture): string | null {
  return f.variant ? null : `./#lesson=${encodeURIComponent(f.lesson)}&step=${f.step}`;
}

function SnapshotText({ cell }: { cell: () => HTMLElement | null }) {
  const [text, setText] = useState<string | null>(null);
  return (
    <details
      className="mt-1 text-[11px]"
      onToggle={(e) => {
        const el = cell();
        setText(e.currentTarget.open && el ? cellSnapshot(el) : null);
      }}
    >
      <summary className="cursor-pointer text-slate-600 dark:text-slate-300">Snapshot text</summary>
      {text === null ? null : (
        <pre className="mt-1 max-h-64 overflow-auto rounded bg-slate-100 p-1 font-mono text-[10px] dark:bg-slate-900">
          {text}
        </pre>
      )}
    </details>
  );
}

function Cell({ diagram, result }: { diagram: GalleryDiagram; result: FixtureResult }) {
  const [selected, setSelected] = useState<Selection | null>(null);
  const [box, setBox] = useState<HTMLElement | null>(null);
  const { fixture, run } = result;
  const link = pageLink(fixture);
  const absent = run ? diagram.absent(run) : null;
  return (
    <figure
      ref={setBox}
      style={{ width: diagram.width + 18 }}
      className="min-w-0 rounded-md border border-slate-200 bg-white p-2 dark:border-slate-700 dark:bg-slate-950"
      data-cell=""
      data-diagram={diagram.id}
      data-fixture={fixture.name}
      data-snapshot={run && absent === null ? diagram.snapshot : "none"}
    >
      <figcaption className="mb-1 flex flex-wrap items-baseline gap-x-2" title={fixture.why}>
        <span className="font-mono text-xs font-semibold" data-testid="fixture-name">
          {fixture.name}
        </span>
        {link ? (
          <a className="text-[11px] text-blue-700 underline dark:text-blue-300" href={link}>
            open in the page
          </a>
        ) : null}
        <span className="w-full truncate text-[11px] text-slate-600 dark:text-slate-300">{fixture.why}</span>
      </figcaption>
      {run === undefined ? (
        <p className="text-xs text-red-700 dark:text-red-400" role="alert">
          {result.error}
        </p>
      ) : absent !== null ? (
        <p className="text-xs text-slate-500 dark:text-slate-400" data-testid="absent">
          {absent}
        </p>
      ) : (
        <>
          <div
            data-snapshot-root=""
            style={{ width: diagram.width, height: diagram.height }}
            className="overflow-hidden"
          >
            <diagram.Draw
              run={run}
              selectedId={selected ? selectionKey(selected) : null}
              onSelect={(s) =>
                setSelected((prev) => (prev && selectionKey(prev) === selectionKey(s) ? null : s))
              }
            />
          </div>
          {selected ? (
            <p className="mt-1 font-mono text-[11px]" data-testid="cell-selection">
              selected: {selectionKey(selected)}
            </p>
          ) : null}
          <SnapshotText cell={() => box} />
        </>
      )}
    </figure>
  );
}

function Picker(props: {
  label: string;
  value: string | null;
  options: readonly string[];
  onChange: (v: string | null) => void;
}) {
  return (
    <label className="flex items-center gap-1 text-xs">
      {props.label}
      <select
        className="rounded border border-slate-300 bg-white px-1 py-0.5 dark:border-slate-600 dark:bg-slate-800"
        value={props.value ?? ""}
        onChange={(e) => props.onChange(e.target.value === "" ? null : e.target.value)}
      >
        <option value="">all</option>
        {props.options.map((o) => (
          <option key={o} value={o}>
            {o}
          </option>
        ))}
      </select>
    </label>
  );
}

export function Gallery(props: {
  results: readonly FixtureResult[];
  filter: GalleryFilter;
  onFilter: (f: GalleryFilter) => void;
  dark: boolean;
  onTheme: () => void;
}) {
  const { results, filter, onFilter } = props;
  const diagrams = DIAGRAMS.filter((d) => filter.diagram === null || d.id === filter.diagram);
  const shown = results.filter((r) => filter.fixture === null || r.fixture.name === filter.fixture);
  const unknown = [
    ...(filter.diagram !== null && diagrams.length === 0 ? [`no diagram “${filter.diagram}”`] : []),
    ...(filter.fixture !== null && shown.length === 0 ? [`no fixture “${filter.fixture}”`] : []),
  ];
  return (
    <div className="p-3">
      <header className="mb-3 flex flex-wrap items-center gap-3">
        <h1 className="text-base font-semibold">SVA Lab: diagram gallery</h1>
        <p className="text-xs text-slate-600 dark:text-slate-300">
          {diagrams.length} diagrams × {shown.length} fixtures, drawn by the page's own components. The SVG
          snapshot test (e2e/gallery.e2e.mjs) compares each cell with e2e/snapshots/.
        </p>
        <Picker
          label="Diagram"
          value={filter.diagram}
          options={DIAGRAMS.map((d) => d.id)}
          onChange={(diagram) => onFilter({ ...filter, diagram })}
        />
        <Picker
          label="Fixture"
          value={filter.fixture}
          options={results.map((r) => r.fixture.name)}
          onChange={(fixture) => onFilter({ ...filter, fixture })}
        />
        <button
          type="button"
          className="rounded border border-slate-300 px-1.5 text-xs leading-5 hover:bg-slate-100 dark:border-slate-600 dark:hover:bg-slate-800"
          onClick={props.onTheme}
        >
          {props.dark ? "Light theme" : "Dark theme"}
        </button>
        <a className="text-xs text-blue-700 underline dark:text-blue-300" href="./">
          The page
        </a>
      </header>
      {unknown.length > 0 ? (
        <p className="mb-2 text-sm text-red-700 dark:text-red-400" role="alert">
          The address names {unknown.join(" and ")}: showing none.
        </p>
      ) : null}
      {diagrams.map((d) => (
        <section
          key={d.id}
          className="mb-5"
          aria-labelledby={`gallery-${d.id}`}
          data-testid="gallery-section"
        >
          <h2 id={`gallery-${d.id}`} className="mb-1 text-sm font-semibold">
            {d.title} <span className="font-mono text-xs font-normal text-slate-500">{d.id}</span>{" "}
            <span className="text-xs font-normal text-slate-500">(src/ui/panels/{d.panel})</span>
          </h2>
          <div className="flex flex-wrap items-start gap-2">
            {shown.map((r) => (
              <Cell key={r.fixture.name} diagram={d} result={r} />
            ))}
          </div>
        </section>
      ))}
    </div>
  );
}
