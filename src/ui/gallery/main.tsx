/**
 * The gallery page (gallery.html, for development): runs every named fixture and draws every
 * diagram on each (Gallery.tsx). Its own entry of the build: the main page loads none of it.
 * When all is drawn, `<html data-gallery="ready">`; `window.svaGallery.snapshots()` gives each
 * cell's snapshot text to the SVG snapshot test (e2e/gallery.e2e.mjs).
 */

import { StrictMode, useEffect, useState } from "react";
import { createRoot } from "react-dom/client";
import { kernelParts } from "../../store/codecs.ts";
import { FIXTURES, runFixture } from "../../view/fixtures.ts";
import "../app/index.css";
import { type FixtureResult, Gallery, type GalleryFilter } from "./Gallery.tsx";
import { allSnapshots } from "./snapshots.ts";

declare global {
  interface Window {
    svaGallery?: { snapshots: typeof allSnapshots };
  }
}

function filterFromUrl(): GalleryFilter {
  const q = new URLSearchParams(location.search);
  return { diagram: q.get("diagram"), fixture: q.get("fixture") };
}

function runAll(): FixtureResult[] {
  return FIXTURES.map((fixture) => {
    try {
      return { fixture, run: runFixture(fixture) };
    } catch (e) {
      return { fixture, error: `${fixture.name}: ${e instanceof Error ? e.message : String(e)}` };
    }
  });
}

function App({ results }: { results: readonly FixtureResult[] }) {
  const [filter, setFilter] = useState(filterFromUrl);
  const [dark, setDark] = useState(() => new URLSearchParams(location.search).get("theme") === "dark");
  useEffect(() => {
    document.documentElement.classList.toggle("dark", dark);
  }, [dark]);
  useEffect(() => {
    const q = new URLSearchParams(location.search);
    for (const [k, v] of Object.entries(filter)) {
      if (v === null) q.delete(k);
      else q.set(k, v);
    }
    const search = q.toString();
    history.replaceState(null, "", `${location.pathname}${search ? `?${search}` : ""}`);
  }, [filter]);
  // Ready once React has committed and the diagrams' draw effects (and the widths they
  // measured) have run: two frames after the first commit.
  useEffect(() => {
    let frame = requestAnimationFrame(() => {
      frame = requestAnimationFrame(() => {
        document.documentElement.dataset.gallery = "ready";
      });
    });
    return () => cancelAnimationFrame(frame);
  }, []);
  return (
    <Gallery
      results={results}
      filter={filter}
      onFilter={setFilter}
      dark={dark}
      onTheme={() => setDark((d) => !d)}
    />
  );
}

window.svaGallery = { snapshots: allSnapshots };
const root = document.getElementById("root");
if (!root) throw new Error("gallery.html has no #root");
// The driver designs other than the default one, and the nested kernel: the fixtures need them.
void kernelParts.load().then(
  () =>
    createRoot(root).render(
      <StrictMode>
        <App results={runAll()} />
      </StrictMode>,
    ),
  (e: unknown) => {
    root.textContent = `The kernel model could not be loaded: ${e instanceof Error ? e.message : String(e)}`;
  },
);
