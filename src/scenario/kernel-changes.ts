/**
 * What each dated kernel change (releases.ts) does: the area it touches, the behaviour before
 * and after it, the functions it changes. `sva-lab kernels` and docs/kernels.md print this;
 * the page fetches it only where it shows it.
 */

import { CHANGE_REFS, type ChangeId, type KernelChangeRef } from "./releases.ts";

export interface KernelChangeNote {
  /** The file or area it touches. */
  readonly area: string;
  /** What the code did before. */
  readonly before: string;
  /** What it does from that release on. */
  readonly after: string;
  /** The kernel functions whose behaviour it changes. */
  readonly functions: readonly string[];
}

export const CHANGE_NOTES: Readonly<Record<ChangeId, KernelChangeNote>> = {
  "btm-optional": {
    area: "arm-smmu-v3-sva.c",
    before:
      "arm_smmu_sva_supported requires BTM: the notifier sends no TLBI (the CPU's broadcast TLBIs reach the SMMU), only ATC_INV.",
    after:
      "BTM is optional: without it arm_smmu_mm_invalidate_range sends TLBI_NH_VA (or TLBI_NH_ASID) and CMD_SYNC itself.",
    functions: ["arm_smmu_sva_supported", "arm_smmu_mm_invalidate_range"],
  },
  "sva-without-iopf": {
    area: "arm-smmu-v3-sva.c, arm-smmu-v3.c",
    before:
      'arm_smmu_master_sva_supported requires IOPF ("SSID and IOPF support are mandatory for the moment") and arm_smmu_iopf_supported returns false: no master can enable IOMMU_DEV_FEAT_SVA, so every bind fails with -ENODEV (master->sva_enabled is false); no master stalls (the STE sets S1STALLD).',
    after:
      "SSID support alone is required; a stall-capable master (dma-can-stall) enables IOPF first and its page faults stall until arm_smmu_page_response's CMD_RESUME.",
    functions: ["arm_smmu_master_sva_supported", "arm_smmu_master_iopf_supported", "arm_smmu_page_response"],
  },
  "pasid-mm-lifetime": {
    area: "iommu-sva-lib.c, kernel/fork.c",
    before:
      "iommu_sva_alloc_pasid refcounts the mm's PASID (ioasid_get); unbind's iommu_sva_free_pasid puts it and the last put sets mm->pasid = 0.",
    after:
      "The PASID stays with the mm until its last reference: mm_pasid_drop from __mmdrop frees it; unbind frees nothing.",
    functions: ["iommu_sva_alloc_pasid", "iommu_sva_free_pasid", "mm_pasid_drop", "__mmdrop"],
  },
  "invalidate-size-exclusive": {
    area: "arm-smmu-v3-sva.c",
    before:
      "arm_smmu_mm_invalidate_range takes `end` as inclusive: size = end - start + 1 (one byte too many).",
    after: "size = end - start: the notifier's `end` is exclusive, as mmu_notifier ranges are.",
    functions: ["arm_smmu_mm_invalidate_range"],
  },
  "shared-cd-mmgrab": {
    area: "arm-smmu-v3-sva.c",
    before:
      "arm_smmu_alloc_shared_cd pins the arm64 ASID but takes no mm_count reference; arm_smmu_free_shared_cd unpins it through cd->mm, which may already be freed.",
    after:
      "arm_smmu_alloc_shared_cd takes mmgrab(mm); arm_smmu_free_shared_cd drops it with mmdrop after the unpin.",
    functions: ["arm_smmu_alloc_shared_cd", "arm_smmu_free_shared_cd"],
  },
  "sva-domain-core": {
    area: "iommu-sva.c, iommu.c",
    before: "iommu_sva_bind_device calls the driver's sva_bind op, which returns a bond (struct iommu_sva).",
    after:
      "The core allocates an IOMMU_DOMAIN_SVA domain per {device, mm} and attaches it with iommu_attach_device_pasid (set_dev_pasid).",
    functions: ["iommu_sva_bind_device", "iommu_sva_unbind_device", "iommu_attach_device_pasid"],
  },
  "ttl-leaf-only": {
    area: "arm-smmu-v3.c",
    before: "A range TLBI's TTL is derived from the granule for leaf and non-leaf invalidations alike.",
    after: "TTL is set only for leaf invalidations; a non-leaf range TLBI carries TTL = 0 (any level).",
    functions: ["__arm_smmu_tlb_inv_range"],
  },
  "range-no-zero-num": {
    area: "arm-smmu-v3.c",
    before:
      "A non-leaf range chunk whose NUM and SCALE are both 0 is sent as it is (an illegal command with TG≠0, TTL=0).",
    after: "Such a chunk is rounded up by one page, so NUM or SCALE is non-zero.",
    functions: ["__arm_smmu_tlb_inv_range"],
  },
  "tlbi-threshold": {
    area: "arm-smmu-v3-sva.c",
    before: "One TLBI_NH_VA per page (or range commands with RIL), however large the unmap.",
    after:
      "At or above CMDQ_MAX_TLBI_OPS pages without RIL the size becomes 0: arm_smmu_tlb_inv_asid and an ATC_INV of the whole PASID.",
    functions: ["arm_smmu_mm_invalidate_range", "arm_smmu_atc_inv_domain"],
  },
  "secondary-tlb-arch": {
    area: "mm/, arch/arm64/include/asm/tlbflush.h",
    before:
      "invalidate_range runs from tlb_flush_mmu_tlbonly, invalidate_range_end and tlb_finish_mmu; the permission-upgrade path (ptep_set_access_flags + CPU flush) calls none.",
    after:
      "arch_invalidate_secondary_tlbs runs from arm64's __flush_tlb_range / flush_tlb_mm: every CPU TLB flush is mirrored, the permission upgrade included.",
    functions: ["arch_invalidate_secondary_tlbs", "__flush_tlb_range", "ptep_set_access_flags"],
  },
  "quiet-cd-no-stall": {
    area: "arm-smmu-v3-sva.c",
    before: "Release ORs EPD0 into the live CD: R and S are kept.",
    after: "The quiet CD also clears S and R unless the SMMU forces stalls (STALL_FORCE).",
    functions: ["arm_smmu_mm_release"],
  },
  "sva-domain-shared": {
    area: "iommu-sva.c",
    before: "The core allocates a new SVA domain for every {device, mm}.",
    after:
      "iommu_sva_bind_device first tries every SVA domain the mm already has (mm->iommu_mm->sva_domains); one domain is shared by every device it can attach to.",
    functions: ["iommu_sva_bind_device"],
  },
  "per-master-cd": {
    area: "arm-smmu-v3.c",
    before: "CDs belong to the domain: arm_smmu_write_ctx_desc(smmu_domain, ssid, cd).",
    after: "CD tables are per master: arm_smmu_get_cd_ptr and arm_smmu_write_cd_entry on the master.",
    functions: ["arm_smmu_write_ctx_desc", "arm_smmu_write_cd_entry", "arm_smmu_get_cd_ptr"],
  },
  "make-sva-cd": {
    area: "arm-smmu-v3-sva.c",
    before: "The release CD is the live CD with EPD0 ORed in, written in place.",
    after:
      "arm_smmu_make_sva_cd(NULL) builds the release CD (EPD0, no walk fields or TTB0, S/R cleared unless STALL_FORCE), written by the hitless writer.",
    functions: ["arm_smmu_make_sva_cd", "arm_smmu_write_cd_entry"],
  },
  "smmu-sva-domain": {
    area: "arm-smmu-v3-sva.c",
    before:
      "The SVA domain wraps the arm_smmu_mmu_notifier design: bonds, shared CDs holding the CPU's ASID.",
    after:
      "The SVA domain is a normal arm_smmu_domain with its own ASID (ASET=1), accepted by any master of the same SMMU; set_dev_pasid through arm_smmu_attach_prepare / arm_smmu_attach_commit.",
    functions: ["arm_smmu_sva_domain_alloc", "arm_smmu_sva_set_dev_pasid", "arm_smmu_attach_prepare"],
  },
  "sva-handle-list-removed": {
    area: "iommu-sva.c, include/linux/iommu.h",
    before:
      "iommu_mm_data holds a list of the mm's iommu_sva handles (sva_handles); iommu_sva_bind_device walks it for the device's handle.",
    after:
      "The handle is the device PASID's attach handle: iommu_sva_bind_device finds it with iommu_attach_handle_get; iommu_mm_data keeps only the PASID and sva_domains.",
    functions: ["iommu_sva_bind_device", "iommu_attach_handle_get"],
  },
  "vsmmu-invalidate": {
    area: "arm-smmu-v3-iommufd.c",
    before: "No vIOMMU for SMMUv3: a guest's stage 1 cannot be nested over a host stage 2 through iommufd.",
    after:
      "iommufd's vIOMMU (arm_vsmmu) nests a guest's CD table over the host's stage 2 and forwards the guest's invalidations: arm_vsmmu_cache_invalidate converts each command (arm_vsmmu_convert_user_cmd) and issues them in blocks of 63. The release is inferred from the commit's date (applied in November 2024, the v6.13 merge window), not read in a v6.13 tree.",
    functions: ["arm_vsmmu_cache_invalidate", "arm_vsmmu_convert_user_cmd"],
  },
  "blocked-domain-pasid": {
    area: "arm-smmu-v3.c, iommu.c",
    before: "iommu_detach_device_pasid calls the driver's remove_dev_pasid op: arm_smmu_remove_dev_pasid.",
    after:
      "The blocked domain supports PASIDs and detaching sets it: arm_smmu_blocking_set_dev_pasid, with the same body (clear the CD, ATC_INV, remove the master_domain, under arm_smmu_asid_lock). The release is inferred from the series' posting, not read in a v6.14 tree.",
    functions: ["arm_smmu_remove_dev_pasid", "arm_smmu_blocking_set_dev_pasid"],
  },
  "sva-pgsize-bitmap": {
    area: "arm-smmu-v3-sva.c",
    before:
      "arm_smmu_sva_domain_alloc leaves the SVA domain's pgsize_bitmap 0: with RIL, __arm_smmu_tlb_inv_range takes __ffs(0) as its granule shift (undefined behaviour UBSan reports).",
    after: "The SVA domain's pgsize_bitmap is PAGE_SIZE: range invalidations use the CPU's page size.",
    functions: ["arm_smmu_sva_domain_alloc", "__arm_smmu_tlb_inv_range"],
  },
};

export type KernelChange = KernelChangeRef & KernelChangeNote;

/** Every change with its note, oldest first. */
export const KERNEL_CHANGES: readonly KernelChange[] = CHANGE_REFS.map((c) => ({
  ...c,
  ...CHANGE_NOTES[c.id as ChangeId],
}));
