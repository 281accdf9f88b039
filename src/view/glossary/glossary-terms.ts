/**
 * The glossary's index: each entry's id, its name, and the exact spellings that link to it in
 * running text (an all-lower-case alias also matches with a capital first letter; a plural "s"
 * is allowed after any alias). Entries are in reading order: the first ones are what a
 * newcomer needs first. This is all a step's text needs to link its terms; the entries' own
 * sentences (glossary-data.ts) come with the glossary panel, the first time it opens.
 */

export interface GlossaryTerm {
  readonly id: string;
  readonly term: string;
  /** The name on a panel's title link, when the first alias will not do. */
  readonly short?: string;
  readonly aliases: readonly string[];
}

export const TERMS: readonly GlossaryTerm[] = [
  { id: "sva", term: "SVA (Shared Virtual Addressing)", aliases: ["SVA", "Shared Virtual Addressing"] },
  { id: "smmu", term: "SMMU (Arm SMMUv3)", aliases: ["SMMU", "SMMUv3", "IOMMU"] },
  { id: "streamid", term: "StreamID (SID)", aliases: ["StreamID", "StreamIDs", "SID"] },
  { id: "ste", term: "STE (Stream Table Entry)", aliases: ["STE", "Stream Table Entry"] },
  {
    id: "stream-table",
    term: "Stream table (linear / 2-level)",
    short: "stream table",
    aliases: ["stream table"],
  },
  { id: "pasid", term: "PASID (Process Address Space ID)", aliases: ["PASID", "Process Address Space ID"] },
  { id: "ssid", term: "SSID (SubstreamID)", aliases: ["SSID", "SubstreamID", "SSV", "S1DSS"] },
  { id: "cd", term: "CD (Context Descriptor)", aliases: ["CD", "Context Descriptor", "context descriptor"] },
  {
    id: "cd-table",
    term: "CD table (linear / 2-level)",
    short: "CD table",
    aliases: ["CD table", "S1ContextPtr", "S1CDMax", "S1Fmt", "L1 CD descriptor"],
  },
  { id: "ttb0", term: "TTB0", aliases: ["TTB0"] },
  { id: "epd0", term: "EPD0", aliases: ["EPD0"] },
  { id: "aset", term: "ASET", aliases: ["ASET"] },
  { id: "asid", term: "ASID (Address Space ID)", aliases: ["ASID", "Address Space ID", "arm_smmu_asid_xa"] },
  { id: "vmid", term: "VMID", aliases: ["VMID"] },
  {
    id: "ipa",
    term: "IPA (intermediate physical address)",
    aliases: ["IPA", "IPAs", "intermediate physical address", "guest physical"],
  },
  {
    id: "stage-2",
    term: "stage 2 (S2)",
    short: "stage 2",
    aliases: ["stage 2", "stage-2", "S2TTB", "S2 domain", "nesting-parent"],
  },
  {
    id: "nested",
    term: "nested translation (STE Config = NESTED)",
    short: "nested translation",
    aliases: ["nested translation", "NESTED", "nested STE", "Config=7"],
  },
  {
    id: "vsmmu",
    term: "vSMMU / vIOMMU (the guest's virtual SMMU)",
    short: "vSMMU",
    aliases: ["vSMMU", "vIOMMU", "virtual SMMU", "arm_vsmmu"],
  },
  { id: "vsid", term: "vSID (virtual StreamID)", aliases: ["vSID", "vSIDs", "virtual StreamID", "vDEVICE"] },
  {
    id: "user-invalidation",
    term: "user invalidation (IOMMU_HWPT_INVALIDATE)",
    short: "user invalidation",
    aliases: [
      "IOMMU_HWPT_INVALIDATE",
      "user invalidation",
      "arm_vsmmu_cache_invalidate",
      "arm_vsmmu_convert_user_cmd",
    ],
  },
  {
    id: "cerror-ill",
    term: "CERROR_ILL (illegal command)",
    aliases: ["CERROR_ILL", "-EIO", "CMDQ_CONS.ERR", "GERROR", "arm_smmu_gerror_handler"],
  },
  {
    id: "page-table",
    term: "Page table (arm64, 4 levels)",
    short: "page table",
    aliases: ["page table", "page-table", "pgd", "PTE"],
  },
  { id: "iotlb", term: "IOTLB", aliases: ["IOTLB"] },
  { id: "walk-cache", term: "Walk cache", short: "walk cache", aliases: ["walk cache", "walk-cache"] },
  {
    id: "config-cache",
    term: "Configuration cache",
    short: "config cache",
    aliases: ["configuration cache", "config cache"],
  },
  { id: "atc", term: "ATC (Address Translation Cache)", aliases: ["ATC", "Address Translation Cache"] },
  { id: "ats", term: "ATS (Address Translation Services)", aliases: ["ATS", "EATS"] },
  {
    id: "pri",
    term: "PRI (Page Request Interface)",
    aliases: ["PRI", "page request", "Page Request", "PRI_RESP"],
  },
  { id: "prg", term: "PRG (Page Request Group)", aliases: ["PRG", "PRG index", "PRG_LAST", "PRG_IDX"] },
  {
    id: "stall",
    term: "Stall and STAG",
    aliases: ["stall", "stalled", "STAG", "CMD_RESUME", "RESUME", "STALL"],
  },
  { id: "btm", term: "BTM (Broadcast TLB Maintenance)", aliases: ["BTM"] },
  {
    id: "cmdq",
    term: "Command queue (CMDQ)",
    aliases: ["CMDQ", "command queue", "PROD", "CONS", "wrap bit"],
  },
  { id: "evtq", term: "Event queue (EVTQ)", aliases: ["EVTQ", "event queue", "event record"] },
  { id: "priq", term: "PRI queue (PRIQ)", aliases: ["PRIQ", "PRI queue"] },
  {
    id: "fault-events",
    term: "Fault events (F_TRANSLATION, C_BAD_CD, …)",
    short: "events",
    aliases: [
      "F_TRANSLATION",
      "F_PERMISSION",
      "F_ACCESS",
      "C_BAD_CD",
      "C_BAD_STE",
      "C_BAD_SUBSTREAMID",
      "C_BAD_STREAMID",
      "F_BAD_ATS_TREQ",
      "F_STREAM_DISABLED",
      "F_WALK_EABT",
    ],
  },
  { id: "cmd-sync", term: "CMD_SYNC", aliases: ["CMD_SYNC", "SYNC"] },
  {
    id: "cfgi",
    term: "CFGI_STE / CFGI_CD",
    aliases: ["CFGI", "CFGI_STE", "CFGI_CD", "CFGI_CD_ALL", "CFGI_ALL"],
  },
  {
    id: "tlbi",
    term: "TLBI commands",
    aliases: [
      "TLBI",
      "TLBI_NH_VA",
      "TLBI_NH_ASID",
      "TLBI_NH_VAA",
      "TLBI_NH_ALL",
      "TLBI_NSNH_ALL",
      "TLBI_S12_VMALL",
      "TLBI_S2_IPA",
      "TLBI_EL2_ASID",
      "TLBI_EL2_VA",
    ],
  },
  { id: "atc-inv", term: "ATC_INV", aliases: ["ATC_INV"] },
  { id: "quiet-cd", term: "Quiet CD / release CD", aliases: ["quiet CD", "release CD", "quiet_cd"] },
  {
    id: "mmu-notifier",
    term: "MMU notifier",
    short: "MMU notifier",
    aliases: [
      "MMU notifier",
      "notifier",
      "mmu_notifier",
      "arm_smmu_mmu_notifier",
      "invalidate_range",
      "arch_invalidate_secondary_tlbs",
    ],
  },
  {
    id: "srcu",
    term: "SRCU grace period",
    aliases: ["SRCU", "grace period", "call_srcu", "synchronize_srcu"],
  },
  { id: "mm", term: "mm (mm_struct)", aliases: ["mm", "mm_struct"] },
  {
    id: "mm-users",
    term: "mm_users / mm_count",
    aliases: ["mm_users", "mm_count", "mmgrab", "mmdrop", "mmget", "mmput"],
  },
  {
    id: "bond",
    term: "Bond (binding)",
    aliases: ["bond", "binding", "iommu_bond", "arm_smmu_bond", "iommu_sva", "iommu_sva_bind_device"],
  },
  { id: "io-mm", term: "io_mm (2018 design)", aliases: ["io_mm", "kref_get_unless_zero"] },
  {
    id: "sva-domain",
    term: "SVA domain",
    aliases: ["SVA domain", "IOMMU_DOMAIN_SVA", "arm_smmu_domain", "set_dev_pasid", "remove_dev_pasid"],
  },
  {
    id: "iopf",
    term: "IOPF (I/O page fault)",
    aliases: ["IOPF", "iopf", "I/O page fault", "iopf_queue_flush_dev"],
  },
  {
    id: "munmap",
    term: "munmap: why TLBI, ATC_INV and CMD_SYNC",
    aliases: ["munmap", "tlb_finish_mmu", "mmu_gather"],
  },
  {
    id: "exit",
    term: "Process exit while bound",
    aliases: ["exit_mmap", "arm_smmu_mm_release", "mm release"],
  },
  { id: "cleared", term: "cleared (notifier flag)", aliases: ["cleared"] },
  { id: "sva-lock", term: "sva_lock", aliases: ["sva_lock", "iommu_sva_lock"] },
  {
    id: "stale-translation",
    term: "stale-translation (violation)",
    aliases: ["stale-translation", "stale translation", "stale"],
  },
  { id: "use-after-free", term: "use-after-free (violation)", aliases: ["use-after-free"] },
  { id: "pasid-reuse", term: "pasid-reuse (violation)", aliases: ["pasid-reuse"] },
  { id: "asid-conflict", term: "asid-conflict (violation)", aliases: ["asid-conflict"] },
  { id: "walk-freed-table", term: "walk-freed-table (violation)", aliases: ["walk-freed-table"] },
  { id: "refcount", term: "refcount (violation)", aliases: ["refcount"] },
  { id: "deadlock", term: "deadlock (violation)", aliases: ["deadlock"] },
  { id: "leak", term: "leak (violation)", aliases: ["leak"] },
  { id: "stale-config", term: "stale-config (violation)", aliases: ["stale-config"] },
  { id: "lost-binding", term: "lost-binding (violation)", aliases: ["lost-binding"] },
];

/**
 * Decoded field names (detail view) and other exact words that link to an entry without
 * being aliases in running text (too short or too common there).
 */
export const FIELD_TERMS: Readonly<Record<string, string>> = {
  SID: "streamid",
  SSID: "ssid",
  SSV: "ssid",
  SSID_V: "ssid",
  S1DSS: "ssid",
  CONFIG: "ste",
  S1CTXPTR: "cd-table",
  S1CDMAX: "cd-table",
  S1FMT: "cd-table",
  L2PTR: "cd-table",
  SPAN: "stream-table",
  EATS: "ats",
  ASID: "asid",
  ASET: "aset",
  EPD0: "epd0",
  TTB0: "ttb0",
  VMID: "vmid",
  S2VMID: "vmid",
  S2TTB: "stage-2",
  VTCR: "stage-2",
  S2T0SZ: "stage-2",
  STAG: "stall",
  STALL: "stall",
  S: "stall",
  PRG_IDX: "prg",
  PRG_LAST: "prg",
  GRPID: "prg",
  ID: "fault-events",
  OA: "page-table",
  NG: "asid",
  LEAF: "walk-cache",
  R: "evtq",
};
