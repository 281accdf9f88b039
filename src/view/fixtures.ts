/**
 * The named fixtures the diagrams are drawn on for development: each a lesson of the library
 * (src/scenario/library) at one step, or such a lesson with one option changed where no lesson
 * shows a case (a small command queue that wraps, an older release that sends an illegal
 * command). Declared once here; the gallery page (gallery.html, src/ui/gallery) draws every
 * diagram on each of them, and the SVG snapshot test (e2e/gallery.e2e.mjs) compares what it
 * draws with e2e/snapshots/. `fixtures.test.ts` checks that each fixture still shows what it
 * is there for (`shows`), so a lesson that changes cannot quietly empty a fixture.
 *
 * A fixture's name is `<lesson>[~<variant>]@<step>`: `lifecycle@26` is the lesson `lifecycle`
 * after 26 steps, as the page shows it at `#lesson=lifecycle&step=26`.
 */

import type { World } from "../engine/index.ts";
import { type RunResult, runScenario, worldAt } from "../kernel/index.ts";
import { LIBRARY } from "../scenario/library/index.ts";
import type { KernelRelease } from "../scenario/releases.ts";
import type { Scenario } from "../scenario/types.ts";
import { lastDma, type PathVm, pathVm } from "./path.ts";

/** What a fixture is there to show: fixtures.test.ts holds each one's check. */
export type FixtureFeature =
  | "boot"
  | "walk-path"
  | "cached-path"
  | "strtab-2lvl"
  | "cd-2lvl"
  | "cmdq-wrapped"
  | "cmdq-error"
  | "evtq"
  | "priq"
  | "stall"
  | "iotlb"
  | "walk-cache"
  | "atc"
  | "two-processes"
  | "vm-queues"
  | "vm-queue-error"
  | "dying";

/** One option of the lesson's scenario changed, for a case no lesson shows as it is. */
export interface FixtureVariant {
  /** The release modelled (`kernel` in the scenario file). */
  readonly kernel?: KernelRelease;
  /** `smmu.cmdqEntries`: a queue small enough to wrap within the lesson. */
  readonly cmdqEntries?: number;
}

export interface Fixture {
  readonly name: string;
  /** The lesson's id (LIBRARY). */
  readonly lesson: string;
  /** The cursor: the world after this many steps. */
  readonly step: number;
  readonly variant?: FixtureVariant;
  readonly shows: readonly FixtureFeature[];
  /** One line for the gallery: why this fixture. */
  readonly why: string;
}

type FixtureSpec = Omit<Fixture, "name">;

/** `<lesson>[~<variant>]@<step>`. */
export function fixtureName(f: FixtureSpec): string {
  const v = f.variant;
  const parts = [
    f.lesson,
    ...(v?.kernel ? [v.kernel] : []),
    ...(v?.cmdqEntries !== undefined ? [`cmdq${v.cmdqEntries}`] : []),
  ];
  return `${parts.join("~")}@${f.step}`;
}

const SPECS: readonly FixtureSpec[] = [
  {
    lesson: "lifecycle",
    step: 0,
    shows: ["boot"],
    why: "Before anything runs: the booted SMMU, empty queues and caches, one process.",
  },
  {
    lesson: "lifecycle",
    step: 26,
    shows: ["walk-path", "iotlb", "walk-cache", "atc"],
    why: "The first DMA: the SMMU walks STE → CD → the page tables and fills the IOTLB, walk cache and ATC.",
  },
  {
    lesson: "unbind-vs-exit",
    step: 30,
    shows: ["cached-path", "atc", "dying"],
    why: "A DMA the device's ATC serves while the process is exiting: the path is a cache hit, the mm is dying.",
  },
  {
    lesson: "cd-2lvl",
    step: 37,
    shows: ["strtab-2lvl", "cd-2lvl", "walk-path"],
    why: "A 2-level stream table and a 2-level CD table, walked by a DMA.",
  },
  {
    lesson: "range-invalidation",
    step: 45,
    variant: { kernel: "v6.5", cmdqEntries: 8 },
    shows: ["cmdq-wrapped", "cmdq-error"],
    why: "An 8-entry command queue that has wrapped, stopped at an illegal range TLBI (CERROR_ILL, before v6.6).",
  },
  {
    lesson: "stall",
    step: 30,
    shows: ["evtq", "stall", "iotlb"],
    why: "Stalled transactions and their fault events in the event queue.",
  },
  {
    lesson: "pri",
    step: 27,
    shows: ["priq"],
    why: "A page request in the PRI queue after a translation fault.",
  },
  {
    lesson: "asid-sharing",
    step: 37,
    shows: ["two-processes", "iotlb", "walk-cache"],
    why: "Two processes on one device: two page-table trees, two ASIDs in the caches.",
  },
  {
    lesson: "nested-refused-batch",
    step: 26,
    shows: ["vm-queues", "vm-queue-error"],
    why: "A VM's vSMMU queue beside the host CMDQ, the guest's batch refused with CERROR_ILL.",
  },
  {
    lesson: "museum-release-vs-clear",
    step: 83,
    shows: ["two-processes", "dying"],
    why: "Many objects dying and freed at once: the statecharts and topology of a museum race.",
  },
];

export const FIXTURES: readonly Fixture[] = SPECS.map((s) => ({ ...s, name: fixtureName(s) }));

/** A fixture run: the scenario, its run, and the world at the fixture's step. */
export interface FixtureRun {
  readonly fixture: Fixture;
  readonly scenario: Scenario;
  readonly result: RunResult;
  readonly cursor: number;
  readonly world: World;
  /** The path of the last DMA before the cursor (the stream-table panel's Path view), or null. */
  readonly path: PathVm | null;
}

/** The fixture's scenario: the lesson's, with the variant's options. */
export function fixtureScenario(f: Fixture): Scenario {
  const lesson = LIBRARY.find((l) => l.id === f.lesson);
  if (!lesson) throw new Error(`fixture ${f.name}: no lesson "${f.lesson}" in the library`);
  const s = lesson.scenario;
  const v = f.variant;
  if (!v) return s;
  // The fields as trustedScenario fills them from a file that names them (the same release's
  // driver design: a variant never switches design).
  return {
    ...s,
    ...(v.kernel ? { kernel: v.kernel } : {}),
    ...(v.cmdqEntries !== undefined ? { smmu: { ...s.smmu, cmdqEntries: v.cmdqEntries } } : {}),
  };
}

/**
 * Runs the fixture (every driver design must be registered: `kernel/all.ts`, which the page
 * fetches as `kernelParts`). Throws when the step is past the run's end.
 */
export function runFixture(f: Fixture): FixtureRun {
  const scenario = fixtureScenario(f);
  const result = runScenario(scenario);
  if (f.step > result.steps.length)
    throw new Error(`fixture ${f.name}: the run has ${result.steps.length} steps, not ${f.step}`);
  const world = worldAt(result, f.step);
  // As the panel reads it (ui/panels/shared.tsx, usePathVm): from the world just after the DMA.
  const dma = lastDma(result.steps, f.step);
  const after = dma ? dma.step.index + 1 : 0;
  const path = dma
    ? pathVm(result.steps, after, after === f.step ? world : worldAt(result, after), result)
    : null;
  return { fixture: f, scenario, result, cursor: f.step, world, path };
}

/** The fixture named `name`, or undefined. */
export const fixtureNamed = (name: string): Fixture | undefined => FIXTURES.find((f) => f.name === name);
