/**
 * Safeguards that a scenario can switch off by name, to show what each protects against
 * (CONTRACT §4). The names are part of the scenario format, so they live here, below the kernel
 * model: the validator checks them, and the kernel model asks `hasFault(world, name)`
 * (kernel/cmdq.ts) at the one place each safeguard lives.
 */

export const FAULTS = {
  "skip-tlbi":
    "The MMU notifier sends no TLBI to the SMMU: the IOTLB keeps translations the CPU has dropped.",
  "skip-atc-inv": "The driver sends no ATC_INV: an ATS device keeps using translations from its ATC.",
  "skip-sync":
    "Invalidations are queued without a CMD_SYNC: the kernel frees pages before the SMMU has consumed the TLBI/ATC_INV.",
  "early-free-pages":
    "munmap frees the frames before the notifier invalidates the SMMU and the ATC (tlb_finish_mmu before the flush).",
  "free-notifier-now":
    "mmu_notifier_put frees the notifier at once instead of after an SRCU grace period, while release may still use it.",
  "no-sva-lock":
    "Release and unbind do not take the SVA lock (sva_lock, iommu_sva_lock, devices_lock), so they interleave freely.",
  "no-quiet-cd":
    "On mm release the CD is left as it was (no EPD0): the SMMU keeps walking page tables the exiting mm tears down.",
  "leaf-only-tlbi":
    "The notifier's TLBI_NH_VA says LEAF=1 (and with BTM the CPU's broadcast is VALE1IS): the SMMU keeps walk-cache pointers to page-table pages munmap frees.",
  "kref-get":
    "io_mm lookup uses kref_get instead of kref_get_unless_zero: it revives an io_mm that is being freed.",
  "atc-inv-wrong-sid":
    "The host turns a guest's ATC_INV into one for another device of the VM (a wrong vSID → StreamID lookup): the guest's device keeps its ATC entries.",
} as const;

export type FaultName = keyof typeof FAULTS;
export const FAULT_NAMES = Object.keys(FAULTS) as FaultName[];

export function isFaultName(name: string): name is FaultName {
  return Object.hasOwn(FAULTS, name);
}
