/**
 * The kernel releases SVA Lab models, and the dated changes that make one release differ from
 * another. A release is not a copy of code: it is the composition of every change that landed
 * up to it, so "v5.15" and "v6.12" are data. The kernel model asks `releaseHas(release, id)` at
 * the one place a change alters a path; the runner's `sva-lab kernels` and the page's kernel
 * picker print this table.
 *
 * Release tags are the mainline tags (vX.Y, not a stable branch); `rfc-2017` is Jean-Philippe
 * Brucker's RFCv2 "Process management for IOMMU" (October 2017: iommu_process_bind_device binds a
 * task, kernel/designs/iommu-process-2017.ts); `rfc-2018` is Jean-Philippe
 * Brucker's io_mm series, which never landed as such; `nested-v1-2023` is the host kernel of
 * Nicolin Chen's v1 nesting series (March 2023, on v6.3-rc1), whose
 * `arm_smmu_cache_invalidate_user` turned a guest's CFGI_CD into `arm_smmu_sync_cd(…, leaf =
 * true)` and whose nested STE did not take the guest's S1DSS (kernel/vsmmu.ts). Each change names the commit that made it
 * (subject and short hash, as `git log --oneline` prints them) and the first release holding it.
 */

import type { DriverDesign } from "./types.ts";

/** The oldest and newest mainline releases modelled. */
export const OLDEST_MAINLINE = "v5.11";
export const NEWEST_MAINLINE = "v6.18";

/** Releases that are not mainline tags: the RFC series the seed threads discuss. */
export const RFC_RELEASES = ["rfc-2017", "rfc-2018", "nested-v1-2023"] as const;

/**
 * The mainline release an RFC series was posted against: it holds that release's changes
 * (an RFC not listed holds none).
 */
const RFC_BASE: Readonly<Record<string, KernelRelease>> = { "nested-v1-2023": "v6.3" };

function mainlineTags(): string[] {
  const tags: string[] = [];
  for (let minor = 11; minor <= 19; minor++) tags.push(`v5.${minor}`);
  const newest = Number(NEWEST_MAINLINE.slice(3));
  for (let minor = 0; minor <= newest; minor++) tags.push(`v6.${minor}`);
  return tags;
}

/** Every mainline release modelled, oldest first. */
export const MAINLINE_RELEASES: readonly string[] = mainlineTags();

/** Every release a scenario may name, RFCs first, then mainline oldest first. */
export const RELEASES: readonly string[] = [...RFC_RELEASES, ...MAINLINE_RELEASES];

export type KernelRelease = string;

/** The position of a mainline release (v5.11 = 0); -1 for an RFC or an unknown tag. */
export function mainlineIndex(release: KernelRelease): number {
  return MAINLINE_RELEASES.indexOf(release);
}

export function isRelease(value: string): value is KernelRelease {
  return RELEASES.includes(value);
}

/** A one-line description of what `kernel` accepts, for error messages and `--help`. */
export const RELEASE_RANGE = `"${OLDEST_MAINLINE}" … "${NEWEST_MAINLINE}" or ${RFC_RELEASES.map((r) => `"${r}"`).join(", ")}`;

/** The driver design a release runs (drivers/iommu/arm/arm-smmu-v3/ as it stood at that tag). */
export function designOf(release: KernelRelease): DriverDesign {
  if (release === "rfc-2017") return "iommu-process-2017";
  if (release === "rfc-2018") return "io-mm-2018";
  return releaseHas(release, "smmu-sva-domain") ? "sva-domain" : "arm-smmu-v3-sva";
}

/**
 * The release a scenario that names only a `driver` design (files and links made before
 * releases were modelled) runs on: the release whose code that design's model followed.
 */
export const DEFAULT_RELEASE: Readonly<Record<DriverDesign, KernelRelease>> = {
  "io-mm-2018": "rfc-2018",
  "iommu-process-2017": "rfc-2017",
  "arm-smmu-v3-sva": "v6.1",
  "sva-domain": NEWEST_MAINLINE,
};

/** A dated change: the first release holding it and the commit that made it. */
export interface KernelChangeRef {
  /** Stable id the kernel model tests with `releaseHas`. */
  readonly id: string;
  /** The first release that holds the change. */
  readonly release: KernelRelease;
  /** The commit, as `git log --oneline` prints it (absent where the change was a series). */
  readonly commit?: { readonly subject: string; readonly hash: string };
}

/**
 * The changes, oldest first. What each one does is in `kernel-changes.ts` (kept out of the
 * page's first download); docs/kernels.md says which trees each was read in.
 */
const CHANGES = [
  {
    id: "btm-optional",
    // Pushed to for-joerg/arm-smmu/updates on 22 Jan 2021, merged for v5.12 (the hinlin tree,
    // ≈v5.12, already has it); not v5.14 as first entered here.
    release: "v5.12",
    commit: { subject: "iommu/arm-smmu-v3: Make BTM optional for SVA", hash: "51d113c3be09" },
  },
  {
    id: "sva-without-iopf",
    // Applied to for-joerg/arm-smmu/updates on 8 Jun 2021 ("[PATCH v15 0/3] iommu/arm-smmu-v3:
    // Add stall support", Will Deacon's reply), merged for v5.14.
    release: "v5.14",
    commit: { subject: "iommu/arm-smmu-v3: Add stall support for platform devices", hash: "395ad89d11fd" },
  },
  {
    id: "pasid-mm-lifetime",
    release: "v5.18",
    commit: { subject: "mm: Fix PASID use-after-free issue", hash: "2667ed10d9f0" },
  },
  {
    id: "invalidate-size-exclusive",
    release: "v5.18",
    commit: {
      subject: "iommu/arm-smmu-v3: Fix size calculation in arm_smmu_mm_invalidate_range()",
      hash: "95d4782c34a6",
    },
  },
  {
    id: "shared-cd-mmgrab",
    release: "v5.19",
    commit: { subject: "iommu/arm-smmu-v3-sva: Fix mm use-after-free", hash: "cbd23144f766" },
  },
  { id: "sva-domain-core", release: "v6.2" },
  {
    id: "ttl-leaf-only",
    release: "v6.5",
    commit: { subject: "iommu/arm-smmu-v3: Set TTL invalidation hint better", hash: "6833b8f2e199" },
  },
  {
    id: "range-no-zero-num",
    release: "v6.6",
    commit: { subject: "iommu/arm-smmu-v3: Avoid constructing invalid range commands", hash: "eb6c97647be2" },
  },
  {
    id: "tlbi-threshold",
    release: "v6.6",
    commit: {
      subject: "iommu/arm-smmu-v3: Fix soft lockup triggered by arm_smmu_mm_invalidate_range",
      hash: "d5afb4b47e13",
    },
  },
  {
    id: "secondary-tlb-arch",
    release: "v6.6",
    commit: {
      subject: "mmu_notifiers: call invalidate_range() when invalidating TLBs",
      hash: "6bbd42e2df8f",
    },
  },
  { id: "quiet-cd-no-stall", release: "v6.8" },
  {
    id: "sva-domain-shared",
    release: "v6.8",
    commit: { subject: "iommu: Support mm PASID 1:n with sva domains", hash: "092edaddb660" },
  },
  { id: "per-master-cd", release: "v6.8" },
  { id: "make-sva-cd", release: "v6.9" },
  { id: "smmu-sva-domain", release: "v6.10" },
  {
    id: "sva-handle-list-removed",
    release: "v6.11",
    commit: { subject: "iommu: Remove sva handle list", hash: "3e7f57d1ef3f" },
  },
  {
    id: "vsmmu-invalidate",
    release: "v6.13",
    commit: {
      subject: "iommu/arm-smmu-v3: Support IOMMU_HWPT_INVALIDATE using a VIOMMU object",
      hash: "d68beb276ba2",
    },
  },
  { id: "blocked-domain-pasid", release: "v6.14" },
  {
    id: "sva-pgsize-bitmap",
    release: "v6.15",
    commit: { subject: "iommu/arm-smmu-v3: Fix pgsize_bit for sva domains", hash: "12f78021973a" },
  },
] as const satisfies readonly KernelChangeRef[];

export type ChangeId = (typeof CHANGES)[number]["id"];
export const CHANGE_REFS: readonly KernelChangeRef[] = CHANGES;

const CHANGES_BY_ID = new Map(CHANGE_REFS.map((c) => [c.id, c]));

/** The change with id `id`; throws for an unknown id (a bug in the kernel model). */
export function changeById(id: ChangeId): KernelChangeRef {
  const change = CHANGES_BY_ID.get(id);
  if (!change) throw new Error(`no kernel change ${id}`);
  return change;
}

/**
 * Whether `release` holds change `id`. An RFC holds the changes of the release it was posted
 * against (RFC_BASE), and `rfc-2017` and `rfc-2018`, older than every release modelled, none.
 *
 * @example
 * releaseHas("v5.15", "pasid-mm-lifetime"); // false: unbind frees the PASID
 * releaseHas("v6.1", "pasid-mm-lifetime");  // true: __mmdrop does
 */
export function releaseHas(release: KernelRelease, id: ChangeId): boolean {
  const change = changeById(id);
  const at = mainlineIndex(RFC_BASE[release] ?? release);
  return at >= 0 && at >= mainlineIndex(change.release);
}

/**
 * Whether `release` can nest a guest over stage 2 (a scenario's `vms`): mainline from iommufd's
 * vSMMU (v6.13, "vsmmu-invalidate") on, and the v1 nesting series.
 */
export function hasNesting(release: KernelRelease): boolean {
  return release === "nested-v1-2023" || releaseHas(release, "vsmmu-invalidate");
}

/** The changes that land in exactly `release`. */
export function changesIn(release: KernelRelease): KernelChangeRef[] {
  return CHANGE_REFS.filter((c) => c.release === release);
}

/**
 * The release and design a scenario names: `kernel`, or (files and links made before releases
 * were modelled) only `driver`, which stands for its default release. Both may be given when
 * they agree. Returns the field and the problem when they do not resolve.
 */
export function resolveKernel(
  kernel: string | undefined,
  driver: DriverDesign | undefined,
): { kernel: KernelRelease; driver: DriverDesign } | { path: "kernel" | "driver"; error: string } {
  if (kernel === undefined) {
    if (driver === undefined) {
      return { path: "kernel", error: `missing (expected a release: ${RELEASE_RANGE})` };
    }
    return { kernel: DEFAULT_RELEASE[driver], driver };
  }
  if (!isRelease(kernel)) {
    return { path: "kernel", error: `unknown release ${JSON.stringify(kernel)} (expected ${RELEASE_RANGE})` };
  }
  const design = designOf(kernel);
  if (driver !== undefined && driver !== design) {
    return {
      path: "driver",
      error: `"${driver}" is not the design of kernel ${kernel}, which runs "${design}" (leave driver out)`,
    };
  }
  return { kernel, driver: design };
}
