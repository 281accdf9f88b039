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

/** The menu's sections, in order (a section with no lesson yet is not shown). */
export const LESSON_GROUPS = ["basics", "invalidation", "races", "faults", "nested", "real bugs"] as const;
export type LessonGroup = (typeof LESSON_GROUPS)[number];

export interface Lesson {
  readonly id: string;
  readonly scenario: Scenario;
  /** The safeguard the lesson is about, and what breaks without it. */
  readonly fault?: { readonly name: string; readonly breaks: ViolationKind };
  /** The museum of real bugs: the bug the lesson shows, and the release that fixed it. */
  readonly bug?: LessonBug;
  /** The menu's section (the menu's titles and first sentences are in guide.ts). */
  readonly group: LessonGroup;
}

interface LessonOptions {
  readonly fault?: Lesson["fault"];
}

/** The JSON is trusted (library.test.ts validates every lesson): no validator at startup. */
function lesson(id: string, group: LessonGroup, json: unknown, opts: LessonOptions = {}): Lesson {
  return { id, group, scenario: trustedScenario(json), ...opts };
}

/** A lesson of the museum (the real bugs section): `json` names the buggy release in its `kernel`. */
function museum(id: string, json: unknown, bug: LessonBug): Lesson {
  return { id, group: "real bugs", scenario: trustedScenario(json), bug };
}

export const LIBRARY: readonly Lesson[] = [
  lesson("lifecycle", "basics", lifecycle, { fault: { name: "skip-atc-inv", breaks: "stale-translation" } }),
  lesson("munmap-no-btm", "basics", munmapNoBtm, {
    fault: { name: "skip-tlbi", breaks: "stale-translation" },
  }),
  lesson("munmap-btm", "basics", munmapBtm),
  lesson("cd-2lvl", "basics", cdTwoLevel),
  lesson("cmd-sync", "invalidation", cmdSync, {
    fault: { name: "skip-sync", breaks: "stale-translation" },
  }),
  lesson("cmd-sync-early-free", "invalidation", cmdSync, {
    fault: { name: "early-free-pages", breaks: "stale-translation" },
  }),
  lesson("walk-cache", "invalidation", walkCache, {
    fault: { name: "leaf-only-tlbi", breaks: "walk-freed-table" },
  }),
  lesson("range-invalidation", "invalidation", rangeInvalidation, {
    fault: { name: "leaf-only-tlbi", breaks: "walk-freed-table" },
  }),
  lesson("asid-sharing", "invalidation", asidSharing, {
    fault: { name: "skip-tlbi", breaks: "asid-conflict" },
  }),
  lesson("exit-while-bound", "invalidation", exitWhileBound, {
    fault: { name: "no-quiet-cd", breaks: "stale-translation" },
  }),
  lesson("unbind-vs-exit", "races", unbindVsExit, {
    fault: { name: "free-notifier-now", breaks: "use-after-free" },
  }),
  lesson("sva-domain-unbind-vs-exit", "races", svaDomainUnbindVsExit, {
    fault: { name: "free-notifier-now", breaks: "use-after-free" },
  }),
  lesson("io-mm-unbind-vs-exit", "races", ioMmUnbindVsExit, {
    fault: { name: "kref-get", breaks: "refcount" },
  }),
  lesson("io-mm-notifier-freed-early", "races", ioMmUnbindVsExit, {
    fault: { name: "free-notifier-now", breaks: "use-after-free" },
  }),
  lesson("notifier-freed-early", "races", notifierFreedEarly, {
    fault: { name: "free-notifier-now", breaks: "use-after-free" },
  }),
  lesson("sva-lock", "races", svaLock, { fault: { name: "no-sva-lock", breaks: "pasid-reuse" } }),
  lesson("pri", "faults", pri),
  lesson("stall", "faults", stall),
  lesson("pri-exit", "faults", priExit),
  lesson("nested-invalidation", "nested", nestedInvalidation, {
    fault: { name: "atc-inv-wrong-sid", breaks: "stale-translation" },
  }),
  lesson("nested-refused-batch", "nested", nestedRefusedBatch),
  // Robin Murphy's review of the v1 series (March 2023); the merged code passes the guest's
  // CFGI_CD through with its LEAF bit and copies its S1DSS.
  museum("nested-cd-2lvl", nestedCdTwoLevel, {
    breaks: "stale-config",
    fixedIn: "v6.14",
    fix: {
      subject: "iommu/arm-smmu-v3: Support IOMMU_HWPT_INVALIDATE using a VIOMMU object",
      hash: "d68beb276ba2",
    },
    upstream: true,
  }),
];

export function findLesson(id: string): Lesson | undefined {
  return LIBRARY.find((l) => l.id === id);
}
