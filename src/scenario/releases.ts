/**
 * The kernel releases SVA Lab models, and the dated changes that make one release differ from
 * another. A release is not a copy of code: it is the composition of every change that landed
 * up to it, so "v5.15" and "v6.12" are data. The kernel model asks `releaseHas(release, id)` at
 * the one place a change alters a path; the runner's `sva-lab kernels` and the page's kernel
 * picker print this table.
 *
 * Release tags are the mainline tags (vX.Y, not a stable branch); `rfc-2018` is Jean-Philippe
 * Brucker's io_mm series, which never landed as such. Each change names the commit that made it
 * (subject and short hash, as `git log --oneline` prints them) and the first release holding it.
 */

import type { DriverDesign } from "./types.ts";

/** The oldest and newest mainline releases modelled. */
export const OLDEST_MAINLINE = "v5.11";
export const NEWEST_MAINLINE = "v6.18";

/** Releases that are not mainline tags: the RFC series the seed threads discuss. */
export const RFC_RELEASES = ["rfc-2018"] as const;

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
  if (release === "rfc-2018") return "io-mm-2018";
  return releaseHas(release, "smmu-sva-domain") ? "sva-domain" : "arm-smmu-v3-sva";
}

/**
 * The release a scenario that names only a `driver` design (files and links made before
 * releases were modelled) runs on: the release whose code that design's model followed.
 */
export const DEFAULT_RELEASE: Readonly<Record<DriverDesign, KernelRelease>> = {
  "io-mm-2018": "rfc-2018",
  "arm-smmu-v3-sva": "v6.1",
  "sva-domain": NEWEST_MAINLINE,
};

export interface KernelChange {
  /** Stable id the kernel model tests with `releaseHas`. */
  readonly id: string;
  /** The first release that holds the change. */
  readonly release: KernelRelease;
  /** The file or area it touches. */
  readonly area: string;
  /** What the code does from that release on. */
  readonly after: string;
  /** What it did before. */
  readonly before: string;
  /** The commit, as `git log --oneline` prints it (absent where the change was a series). */
  readonly commit?: { readonly subject: string; readonly hash: string };
  /** The kernel functions whose behaviour it changes. */
  readonly functions: readonly string[];
}

/**
 * The changes, oldest first. Each line was read in the code of the releases on either side of
 * it (docs/kernels.md says which trees).
 */
const CHANGES = [
  {
    id: "btm-optional",
    release: "v5.14",
    area: "arm-smmu-v3-sva.c",
    before:
      "arm_smmu_sva_supported requires BTM: the notifier sends no TLBI (the CPU's broadcast TLBIs reach the SMMU), only ATC_INV.",
    after:
      "BTM is optional: without it arm_smmu_mm_invalidate_range sends TLBI_NH_VA (or TLBI_NH_ASID) and CMD_SYNC itself.",
    commit: { subject: "iommu/arm-smmu-v3: Make BTM optional for SVA", hash: "51d113c3be09" },
    functions: ["arm_smmu_sva_supported", "arm_smmu_mm_invalidate_range"],
  },
  {
    id: "pasid-mm-lifetime",
    release: "v5.18",
    area: "iommu-sva-lib.c, kernel/fork.c",
    before:
      "iommu_sva_alloc_pasid refcounts the mm's PASID (ioasid_get); unbind's iommu_sva_free_pasid puts it and the last put sets mm->pasid = 0.",
    after:
      "The PASID stays with the mm until its last reference: mm_pasid_drop from __mmdrop frees it; unbind frees nothing.",
    commit: { subject: "mm: Fix PASID use-after-free issue", hash: "2667ed10d9f0" },
    functions: ["iommu_sva_alloc_pasid", "iommu_sva_free_pasid", "mm_pasid_drop", "__mmdrop"],
  },
  {
    id: "invalidate-size-exclusive",
    release: "v5.18",
    area: "arm-smmu-v3-sva.c",
    before:
      "arm_smmu_mm_invalidate_range takes `end` as inclusive: size = end - start + 1 (one byte too many).",
    after: "size = end - start: the notifier's `end` is exclusive, as mmu_notifier ranges are.",
    commit: {
      subject: "iommu/arm-smmu-v3: Fix size calculation in arm_smmu_mm_invalidate_range()",
      hash: "95d4782c34a6",
    },
    functions: ["arm_smmu_mm_invalidate_range"],
  },
  {
    id: "shared-cd-mmgrab",
    release: "v5.19",
    area: "arm-smmu-v3-sva.c",
    before:
      "arm_smmu_alloc_shared_cd pins the arm64 ASID but takes no mm_count reference; arm_smmu_free_shared_cd unpins it through cd->mm, which may already be freed.",
    after:
      "arm_smmu_alloc_shared_cd takes mmgrab(mm); arm_smmu_free_shared_cd drops it with mmdrop after the unpin.",
    commit: { subject: "iommu/arm-smmu-v3-sva: Fix mm use-after-free", hash: "cbd23144f766" },
    functions: ["arm_smmu_alloc_shared_cd", "arm_smmu_free_shared_cd"],
  },
  {
    id: "sva-domain-core",
    release: "v6.2",
    area: "iommu-sva.c, iommu.c",
    before: "iommu_sva_bind_device calls the driver's sva_bind op, which returns a bond (struct iommu_sva).",
    after:
      "The core allocates an IOMMU_DOMAIN_SVA domain per {device, mm} and attaches it with iommu_attach_device_pasid (set_dev_pasid).",
    functions: ["iommu_sva_bind_device", "iommu_sva_unbind_device", "iommu_attach_device_pasid"],
  },
  {
    id: "ttl-leaf-only",
    release: "v6.5",
    area: "arm-smmu-v3.c",
    before: "A range TLBI's TTL is derived from the granule for leaf and non-leaf invalidations alike.",
    after: "TTL is set only for leaf invalidations; a non-leaf range TLBI carries TTL = 0 (any level).",
    commit: { subject: "iommu/arm-smmu-v3: Set TTL invalidation hint better", hash: "6833b8f2e199" },
    functions: ["__arm_smmu_tlb_inv_range"],
  },
  {
    id: "range-no-zero-num",
    release: "v6.6",
    area: "arm-smmu-v3.c",
    before:
      "A non-leaf range chunk whose NUM and SCALE are both 0 is sent as it is (an illegal command with TG≠0, TTL=0).",
    after: "Such a chunk is rounded up by one page, so NUM or SCALE is non-zero.",
    commit: { subject: "iommu/arm-smmu-v3: Avoid constructing invalid range commands", hash: "eb6c97647be2" },
    functions: ["__arm_smmu_tlb_inv_range"],
  },
  {
    id: "tlbi-threshold",
    release: "v6.6",
    area: "arm-smmu-v3-sva.c",
    before: "One TLBI_NH_VA per page (or range commands with RIL), however large the unmap.",
    after:
      "At or above CMDQ_MAX_TLBI_OPS pages without RIL the size becomes 0: arm_smmu_tlb_inv_asid and an ATC_INV of the whole PASID.",
    commit: {
      subject: "iommu/arm-smmu-v3: Fix soft lockup triggered by arm_smmu_mm_invalidate_range",
      hash: "d5afb4b47e13",
    },
    functions: ["arm_smmu_mm_invalidate_range", "arm_smmu_atc_inv_domain"],
  },
  {
    id: "secondary-tlb-arch",
    release: "v6.6",
    area: "mm/, arch/arm64/include/asm/tlbflush.h",
    before:
      "invalidate_range runs from tlb_flush_mmu_tlbonly, invalidate_range_end and tlb_finish_mmu; the permission-upgrade path (ptep_set_access_flags + CPU flush) calls none.",
    after:
      "arch_invalidate_secondary_tlbs runs from arm64's __flush_tlb_range / flush_tlb_mm: every CPU TLB flush is mirrored, the permission upgrade included.",
    commit: {
      subject: "mmu_notifiers: call invalidate_range() when invalidating TLBs",
      hash: "6bbd42e2df8f",
    },
    functions: ["arch_invalidate_secondary_tlbs", "__flush_tlb_range", "ptep_set_access_flags"],
  },
  {
    id: "quiet-cd-no-stall",
    release: "v6.8",
    area: "arm-smmu-v3-sva.c",
    before: "Release ORs EPD0 into the live CD: R and S are kept.",
    after: "The quiet CD also clears S and R unless the SMMU forces stalls (STALL_FORCE).",
    functions: ["arm_smmu_mm_release"],
  },
  {
    id: "sva-domain-shared",
    release: "v6.8",
    area: "iommu-sva.c",
    before: "The core allocates a new SVA domain for every {device, mm}.",
    after:
      "iommu_sva_bind_device first tries every SVA domain the mm already has (mm->iommu_mm->sva_domains); one domain is shared by every device it can attach to.",
    commit: { subject: "iommu: Support mm PASID 1:n with sva domains", hash: "092edaddb660" },
    functions: ["iommu_sva_bind_device"],
  },
  {
    id: "per-master-cd",
    release: "v6.8",
    area: "arm-smmu-v3.c",
    before: "CDs belong to the domain: arm_smmu_write_ctx_desc(smmu_domain, ssid, cd).",
    after: "CD tables are per master: arm_smmu_get_cd_ptr and arm_smmu_write_cd_entry on the master.",
    functions: ["arm_smmu_write_ctx_desc", "arm_smmu_write_cd_entry", "arm_smmu_get_cd_ptr"],
  },
  {
    id: "make-sva-cd",
    release: "v6.9",
    area: "arm-smmu-v3-sva.c",
    before: "The release CD is the live CD with EPD0 ORed in, written in place.",
    after:
      "arm_smmu_make_sva_cd(NULL) builds the release CD (EPD0, no walk fields or TTB0, S/R cleared unless STALL_FORCE), written by the hitless writer.",
    functions: ["arm_smmu_make_sva_cd", "arm_smmu_write_cd_entry"],
  },
  {
    id: "smmu-sva-domain",
    release: "v6.10",
    area: "arm-smmu-v3-sva.c",
    before:
      "The SVA domain wraps the arm_smmu_mmu_notifier design: bonds, shared CDs holding the CPU's ASID.",
    after:
      "The SVA domain is a normal arm_smmu_domain with its own ASID (ASET=1), accepted by any master of the same SMMU; set_dev_pasid through arm_smmu_attach_prepare / arm_smmu_attach_commit.",
    functions: ["arm_smmu_sva_domain_alloc", "arm_smmu_sva_set_dev_pasid", "arm_smmu_attach_prepare"],
  },
] as const satisfies readonly KernelChange[];

export type ChangeId = (typeof CHANGES)[number]["id"];
export const KERNEL_CHANGES: readonly KernelChange[] = CHANGES;

const CHANGES_BY_ID = new Map(KERNEL_CHANGES.map((c) => [c.id, c]));

/** The change with id `id`; throws for an unknown id (a bug in the kernel model). */
export function changeById(id: ChangeId): KernelChange {
  const change = CHANGES_BY_ID.get(id);
  if (!change) throw new Error(`no kernel change ${id}`);
  return change;
}

/**
 * Whether `release` holds change `id`. An RFC holds none of the mainline changes.
 *
 * @example
 * releaseHas("v5.15", "pasid-mm-lifetime"); // false: unbind frees the PASID
 * releaseHas("v6.1", "pasid-mm-lifetime");  // true: __mmdrop does
 */
export function releaseHas(release: KernelRelease, id: ChangeId): boolean {
  const change = changeById(id);
  const at = mainlineIndex(release);
  return at >= 0 && at >= mainlineIndex(change.release);
}

/** The changes that land in exactly `release`. */
export function changesIn(release: KernelRelease): KernelChange[] {
  return KERNEL_CHANGES.filter((c) => c.release === release);
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
