/**
 * The built-in scenarios: one guided lesson each, opened from the page's menu or by URL. A
 * lesson that demonstrates a safeguard names the fault that switches it off and the invariant
 * that then breaks (the tests check both directions).
 */

import type { ViolationKind } from "../../engine/trace.ts";
import type { KernelRelease } from "../releases.ts";
import { trustedScenario } from "../trusted.ts";
import type { Scenario } from "../types.ts";
import asidSharing from "./asid-sharing.json";
import cdTwoLevel from "./cd-2lvl.json";
import cmdSync from "./cmd-sync.json";
import exitWhileBound from "./exit-while-bound.json";
import ioMmUnbindVsExit from "./io-mm-unbind-vs-exit.json";
import lifecycle from "./lifecycle.json";
import munmapBtm from "./munmap-btm.json";
import munmapNoBtm from "./munmap-no-btm.json";
import museumMmExitDeadlock from "./museum-mm-exit-deadlock.json";
import museumMmUseAfterFree from "./museum-mm-use-after-free.json";
import museumReleaseFreedCd from "./museum-release-freed-cd.json";
import museumReleaseSsid0 from "./museum-release-ssid0.json";
import museumReleaseVsClear from "./museum-release-vs-clear.json";
import museumSizeDeadLoop from "./museum-size-dead-loop.json";
import museumSoftLockup from "./museum-soft-lockup.json";
import nestedCdTwoLevel from "./nested-cd-2lvl.json";
import nestedInvalidation from "./nested-invalidation.json";
import nestedRefusedBatch from "./nested-refused-batch.json";
import notifierFreedEarly from "./notifier-freed-early.json";
import pri from "./pri.json";
import priExit from "./pri-exit.json";
import rangeInvalidation from "./range-invalidation.json";
import stall from "./stall.json";
import svaDomainUnbindVsExit from "./sva-domain-unbind-vs-exit.json";
import svaLock from "./sva-lock.json";
import taskVsMm from "./task-vs-mm.json";
import unbindVsExit from "./unbind-vs-exit.json";
import walkCache from "./walk-cache.json";

/**
 * A real bug (or a finding of the model): the lesson's scenario runs on a release before the
 * fix, where `breaks` appears in some interleaving, and none appears on `fixedIn`.
 */
export interface LessonBug {
  readonly breaks: ViolationKind;
  /** The release to switch to: the first one with the fix (or where the code no longer has the flaw). */
  readonly fixedIn: KernelRelease;
  /** The upstream fix, as `git log --oneline` prints it; absent for a finding of the model. */
  readonly fix?: { readonly subject: string; readonly hash: string };
  /** False: found by the model, not confirmed upstream (the page says so). */
  readonly upstream: boolean;
}

/**
 * A finding of the model that no release modelled fixes (not confirmed upstream, the lesson's
 * text says so): every release from `since` to the newest has the flaw, the ones before do not.
 */
export interface LessonFinding {
  /** The invariant it breaks in some interleaving; absent when no invariant catches it. */
  readonly breaks?: ViolationKind;
  /** The first release with the flaw. */
  readonly since: KernelRelease;
  readonly upstream: false;
}

/**
 * The menu's sections, in order (a section with no lesson yet is not shown). "history": the
 * design history, one lesson per review thread the SVA code went through, each opening with the
 * review's question.
 */
export const LESSON_GROUPS = [
  "basics",
  "invalidation",
  "races",
  "faults",
  "nested",
  "real bugs",
  "history",
] as const;
export type LessonGroup = (typeof LESSON_GROUPS)[number];

export interface Lesson {
  readonly id: string;
  readonly scenario: Scenario;
  /** The safeguard the lesson is about, and what breaks without it. */
  readonly fault?: { readonly name: string; readonly breaks: ViolationKind };
  /** A flaw of the code that no release modelled fixes. */
  readonly finding?: LessonFinding;
  /** The museum of real bugs: the bug the lesson shows, and the release that fixed it. */
  readonly bug?: LessonBug;
  /** The menu's section (the menu's titles and first sentences are in guide.ts). */
  readonly group: LessonGroup;
}

/** The JSON is trusted (library.test.ts validates every lesson): no validator at startup. */
function lesson(id: string, group: LessonGroup, json: unknown, fault?: Lesson["fault"]): Lesson {
  return { id, group, scenario: trustedScenario(json), ...(fault ? { fault } : {}) };
}

/** A finding of the model that is still in the newest release modelled. */
function finding(id: string, group: LessonGroup, json: unknown, f: LessonFinding): Lesson {
  return { id, group, scenario: trustedScenario(json), finding: f };
}

/**
 * A lesson of the design history: `json`'s scenario on `kernel` (default: its own release), its
 * introduction opened by `question`, the one the review asked (none: the JSON opens with it).
 */
function history(
  id: string,
  json: unknown,
  opts: {
    readonly question?: string;
    readonly kernel?: KernelRelease;
    readonly fault?: Lesson["fault"];
    readonly bug?: LessonBug;
    readonly finding?: LessonFinding;
  },
): Lesson {
  const j = json as Record<string, unknown>;
  const scenario = trustedScenario({
    ...j,
    ...(opts.kernel ? { kernel: opts.kernel } : {}),
    ...(opts.question ? { description: `${opts.question} ${j.description ?? ""}`.trim() } : {}),
  });
  return {
    id,
    group: "history",
    scenario,
    ...(opts.fault ? { fault: opts.fault } : {}),
    ...(opts.bug ? { bug: opts.bug } : {}),
    ...(opts.finding ? { finding: opts.finding } : {}),
  };
}

/** A lesson of the museum (the real bugs section): `json` names the buggy release in its `kernel`. */
function museum(id: string, json: unknown, bug: LessonBug): Lesson {
  return { id, group: "real bugs", scenario: trustedScenario(json), bug };
}

/**
 * Robin Murphy's review of the v1 user invalidation (March 2023): the v1 host turned the guest's
 * CFGI_CD into a LEAF=1 sync and dropped S1DSS; the merged code passes both through.
 */
const NESTED_V1_BUG: LessonBug = {
  breaks: "stale-config",
  fixedIn: "v6.14",
  fix: {
    subject: "iommu/arm-smmu-v3: Support IOMMU_HWPT_INVALIDATE using a VIOMMU object",
    hash: "d68beb276ba2",
  },
  upstream: true,
};

export const LIBRARY: readonly Lesson[] = [
  lesson("lifecycle", "basics", lifecycle, { name: "skip-atc-inv", breaks: "stale-translation" }),
  lesson("munmap-no-btm", "basics", munmapNoBtm, { name: "skip-tlbi", breaks: "stale-translation" }),
  lesson("munmap-btm", "basics", munmapBtm),
  lesson("cd-2lvl", "basics", cdTwoLevel),
  lesson("cmd-sync", "invalidation", cmdSync, { name: "skip-sync", breaks: "stale-translation" }),
  lesson("cmd-sync-early-free", "invalidation", cmdSync, {
    name: "early-free-pages",
    breaks: "stale-translation",
  }),
  lesson("exit-while-bound", "invalidation", exitWhileBound, {
    name: "no-quiet-cd",
    breaks: "stale-translation",
  }),
  lesson("walk-cache", "invalidation", walkCache, { name: "leaf-only-tlbi", breaks: "walk-freed-table" }),
  lesson("range-invalidation", "invalidation", rangeInvalidation, {
    name: "leaf-only-tlbi",
    breaks: "walk-freed-table",
  }),
  lesson("asid-sharing", "invalidation", asidSharing, { name: "skip-tlbi", breaks: "asid-conflict" }),
  lesson("unbind-vs-exit", "races", unbindVsExit),
  lesson("notifier-freed-early", "races", notifierFreedEarly, {
    name: "free-notifier-now",
    breaks: "use-after-free",
  }),
  lesson("sva-lock", "races", svaLock, { name: "no-sva-lock", breaks: "stale-cd" }),
  // The SRCU deferral still protects release here (free-notifier-now breaks it: the oracle test
  // shows it), but as the kernel wrote it the release CD can outlive the unbind.
  finding("sva-domain-unbind-vs-exit", "races", svaDomainUnbindVsExit, {
    breaks: "stale-cd",
    since: "v6.10",
    upstream: false,
  }),
  lesson("io-mm-unbind-vs-exit", "races", ioMmUnbindVsExit, { name: "kref-get", breaks: "refcount" }),
  lesson("io-mm-notifier-freed-early", "races", ioMmUnbindVsExit, {
    name: "free-notifier-now",
    breaks: "use-after-free",
  }),
  lesson("pri", "faults", pri),
  lesson("stall", "faults", stall),
  lesson("pri-exit", "faults", priExit),
  lesson("nested-invalidation", "nested", nestedInvalidation, {
    name: "atc-inv-wrong-sid",
    breaks: "stale-translation",
  }),
  finding("nested-refused-batch", "nested", nestedRefusedBatch, { since: "v6.13", upstream: false }),
  museum("nested-cd-2lvl", nestedCdTwoLevel, NESTED_V1_BUG),
  // "iommu: Remove iommu_sva_ops::mm_exit()" landed in v5.8. The switch goes to v5.14, the first
  // release modelled where mainline SMMUv3 binds the device at all (v5.11–v5.13 demanded IOPF
  // for SVA and never granted it): no mm_exit, and PRI requests answered DENY.
  museum("museum-mm-exit-deadlock", museumMmExitDeadlock, {
    breaks: "deadlock",
    fixedIn: "v5.14",
    fix: { subject: "iommu: Remove iommu_sva_ops::mm_exit()", hash: "edcc40d2ab5f" },
    upstream: true,
  }),
  finding("museum-release-vs-clear", "real bugs", museumReleaseVsClear, {
    breaks: "stale-cd",
    since: "v6.10",
    upstream: false,
  }),
  museum("museum-mm-use-after-free", museumMmUseAfterFree, {
    breaks: "use-after-free",
    fixedIn: "v5.19",
    fix: { subject: "iommu/arm-smmu-v3-sva: Fix mm use-after-free", hash: "cbd23144f766" },
    upstream: true,
  }),
  museum("museum-size-dead-loop", museumSizeDeadLoop, {
    breaks: "livelock",
    fixedIn: "v5.18",
    fix: {
      subject: "iommu/arm-smmu-v3: Fix size calculation in arm_smmu_mm_invalidate_range()",
      hash: "95d4782c34a6",
    },
    upstream: true,
  }),
  museum("museum-soft-lockup", museumSoftLockup, {
    breaks: "livelock",
    fixedIn: "v6.6",
    fix: {
      subject: "iommu/arm-smmu-v3: Fix soft lockup triggered by arm_smmu_mm_invalidate_range",
      hash: "d5afb4b47e13",
    },
    upstream: true,
  }),
  // Findings of the model (reference §4.1, §4.2): not confirmed upstream.
  museum("museum-release-freed-cd", museumReleaseFreedCd, {
    breaks: "use-after-free",
    fixedIn: "v6.10",
    upstream: false,
  }),
  museum("museum-release-ssid0", museumReleaseSsid0, {
    breaks: "foreign-cd-write",
    fixedIn: "v5.18",
    upstream: false,
  }),
  // Design history: the seed threads in order. Joerg Roedel's review of the RFCv2 (2017).
  history("task-vs-mm", taskVsMm, {
    bug: { breaks: "lost-binding", fixedIn: "rfc-2018", upstream: true },
  }),
  history("history-2018-io-mm", ioMmUnbindVsExit, {
    question:
      "With the binding now on the mm, its MMU notifier's release can race the driver's unbind: who may free the io_mm and its notifier, and when?",
    fault: { name: "free-notifier-now", breaks: "use-after-free" },
  }),
  history("history-2021-share-asid", asidSharing, {
    question:
      "If the SMMU's CD for a process reuses the CPU's ASID, what happens when a private DMA domain of the SMMU already holds that ASID?",
    // The first release modelled where mainline SMMUv3 binds at all (v5.11–v5.13 demanded IOPF).
    kernel: "v5.14",
    fault: { name: "skip-tlbi", breaks: "asid-conflict" },
  }),
  history("history-2022-sva-domain", svaDomainUnbindVsExit, {
    question:
      "Should an SVA binding be an IOMMU domain of its own, attached to a PASID through set_dev_pasid, rather than a bond the SMMU driver keeps beside the DMA domain?",
    finding: { breaks: "stale-cd", since: "v6.10", upstream: false },
  }),
  history("history-2023-user-invalidation", nestedCdTwoLevel, {
    question:
      "The guest picks its own CD table format: can the host turn its CFGI_CD into arm_smmu_sync_cd with leaf = true?",
    bug: NESTED_V1_BUG,
  }),
];

/** The lessons of a menu group, in order (absent: the main list). */
export function lessonsOf(group: LessonGroup): readonly Lesson[] {
  return LIBRARY.filter((l) => l.group === group);
}

export function findLesson(id: string): Lesson | undefined {
  return LIBRARY.find((l) => l.id === id);
}
