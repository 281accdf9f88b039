/**
 * The glossary: every term a step text, a panel or the detail view uses, in a few plain
 * sentences each; `ref` names the sections of docs/sources.md it comes from ("trace":
 * docs/trace-format.md), shown as links. The index (names, and the spellings that link to
 * each entry) is glossary-terms.ts; this, the text, is fetched with the glossary panel the
 * first time it opens.
 */

import { type GlossaryTerm, TERMS } from "./glossary-terms.ts";

export interface GlossaryEntry extends GlossaryTerm {
  /** Plain sentences; known terms in them link to their own entries. */
  readonly body: readonly string[];
  /** Related entries, by id. */
  readonly see?: readonly string[];
  /** Where in the reference it comes from. */
  readonly ref?: string;
}

/** Each entry's text, by id (glossary.test.ts checks every term has one, and only those). */
export const TEXT: Readonly<Record<string, Omit<GlossaryEntry, keyof GlossaryTerm>>> = {
  sva: {
    body: [
      "A device does DMA with a process's own virtual addresses: the SMMU translates them through the process's CPU page table, so a pointer means the same thing to the CPU and to the device.",
      "The price: every time the kernel changes that page table (munmap, exit), it must also invalidate what the SMMU and the device have cached, and wait for that to finish before reusing the memory.",
    ],
    see: ["smmu", "pasid", "cd", "mmu-notifier"],
    ref: "§5",
  },
  smmu: {
    body: [
      "The IOMMU between devices and memory. For each transaction it finds the device's STE (by StreamID), then the CD (by PASID), then translates the address through the page table the CD names, keeping results in its IOTLB.",
      "Software drives it through the command queue; it reports faults in the event queue and page requests in the PRI queue.",
    ],
    see: ["ste", "cd", "iotlb", "cmdq"],
    ref: "§1–§4",
  },
  streamid: {
    body: [
      "Names the device that sent a transaction; for PCIe it comes from the Requester ID (bus, device, function).",
      "The SMMU uses it to index the stream table and find the device's STE.",
    ],
    see: ["ste", "stream-table"],
    ref: "§2",
  },
  ste: {
    body: [
      "64 bytes per StreamID. V says it is valid; Config says what to do with the device's traffic (abort, bypass, stage-1 translation, stage 2, nested).",
      "For SVA it is a stage-1 STE: S1ContextPtr holds the address of the device's CD table, S1CDMax the log2 of how many CDs (PASIDs) it has, S1DSS what DMA without a PASID uses, EATS whether ATS is allowed.",
      "The SMMU caches STEs: after changing one the driver sends CFGI_STE and CMD_SYNC.",
    ],
    see: ["stream-table", "cd-table", "config-cache"],
    ref: "§2.1",
  },
  "stream-table": {
    body: [
      "The array of STEs, one per StreamID. Linear: one contiguous table of 2^SIDSIZE STEs at STRTAB_BASE, STE n at base + 64·n.",
      "2-level (Linux SPLIT = 8): an L1 table of 8-byte descriptors (SPAN, L2Ptr), indexed by SID >> 8, each pointing at an L2 table of 256 STEs (one PCI bus), allocated when a device on that bus appears. An L1 descriptor with SPAN 0 raises C_BAD_STREAMID.",
    ],
    see: ["ste", "streamid"],
    ref: "§2.2",
  },
  pasid: {
    body: [
      "A number (up to 20 bits) a PCIe device adds to a transaction to say which address space it means.",
      "With SVA the kernel gives each bound process one PASID (from 1; PASID 0 is the device's ordinary DMA without PASID), and the device driver programs it into the device. The SMMU receives it as the SubstreamID and uses it to pick the CD.",
      "A PASID must not be given to another process while a CD or a cache still holds the old owner's translations (pasid-reuse).",
    ],
    see: ["ssid", "cd", "bond"],
    ref: "§3.3, §6",
  },
  ssid: {
    body: [
      "The SMMU's name for the PASID on a transaction (SSV = 1 says one is present). It indexes the device's CD table: the SMMU uses CD[SSID].",
      "SSID 0 holds the device's normal DMA domain. A transaction without PASID follows STE.S1DSS: terminate, bypass, or use CD 0. An SSID ≥ 2^S1CDMax raises C_BAD_SUBSTREAMID.",
    ],
    see: ["pasid", "cd-table"],
    ref: "§3.3",
  },
  cd: {
    body: [
      "64 bytes describing one address space: TTB0 (the page table to walk), T0SZ and TG0 (VA size and granule), MAIR, the ASID that tags its TLB entries, V (valid), EPD0 (walks disabled), ASET, and what to do on a fault (R record it, S stall, A abort).",
      "For SVA, CD[PASID] points at the process's own page table. The driver writes word 0 (with V) last, so the SMMU never sees half a CD as valid, and follows each write with CFGI_CD and CMD_SYNC because the SMMU caches CDs.",
    ],
    see: ["cd-table", "ttb0", "epd0", "asid", "quiet-cd"],
    ref: "§3.1",
  },
  "cd-table": {
    body: [
      "Each device's table of CDs, indexed by SSID; STE.S1ContextPtr holds its address and STE.S1CDMax the log2 of its size.",
      "Linear (S1Fmt 0): 2^S1CDMax CDs in one contiguous table, CD n at base + 64·n (Linux uses it up to 1024 CDs).",
      "2-level (S1Fmt 2): an L1 table of 8-byte descriptors (V, L2Ptr), one per 1024 SSIDs, each pointing at a leaf of 1024 CDs (64 KiB) allocated on first use: L1 index SSID / 1024, leaf index SSID % 1024. After writing a new L1 descriptor the driver sends CFGI_CD with leaf=0, since an invalid L1 descriptor may be cached.",
    ],
    see: ["cd", "ssid", "ste"],
    ref: "§3.3",
  },
  ttb0: {
    body: [
      "The CD field holding the physical address of the page table the SMMU walks.",
      "For SVA it is the process's pgd, the very table the CPU uses: a DMA sees exactly the process's mappings, and sees them change when the CPU's do.",
    ],
    see: ["cd", "page-table"],
    ref: "§3.1, §10",
  },
  epd0: {
    body: [
      "CD bit 14: “disable walks through TTB0”. With EPD0 = 1 every access that misses the IOTLB faults with F_TRANSLATION instead of walking.",
      "The driver sets it in the quiet (release) CD when a process exits while bound, so the SMMU stops walking page tables that exit is tearing down. Entries already in the IOTLB still hit, which is why a TLBI follows.",
    ],
    see: ["quiet-cd", "cd"],
    ref: "§3.1–§3.2",
  },
  aset: {
    body: [
      "CD bit 47. ASET = 0: the ASID is shared with the CPU, so broadcast TLB invalidations from the CPUs (BTM) also hit the SMMU's entries. ASET = 1: a private ASID that only explicit TLBI commands touch.",
      "Linux up to about 6.8 used ASET = 0 for SVA CDs (they carry the CPU's ASID); later kernels set ASET = 1 on every CD.",
    ],
    see: ["asid", "btm"],
    ref: "§3.1, §10",
  },
  asid: {
    body: [
      "A tag on TLB entries naming the address space they belong to, so switching address spaces needs no flush. TLBI_NH_ASID drops every IOTLB entry with one ASID.",
      "In the 5.11–6.9 design the CD carries the process's CPU ASID, pinned with arm64_mm_context_get so it survives ASID rollover; from 6.10 the SVA domain gets its own SMMU ASID. The SMMU's ASIDs in use are kept in arm_smmu_asid_xa.",
      "An ASID must be invalidated before it is reused; otherwise the new owner hits the old owner's entries (asid-conflict).",
    ],
    see: ["iotlb", "tlbi", "aset"],
    ref: "§5.2, §5.3",
  },
  vmid: {
    body: [
      "Tags TLB entries with the virtual machine (stage 2) they belong to. SVA on the host uses VMID 0.",
      "With nested translation a guest's stage-1 entries carry its VM's VMID, and the guest's invalidations are forwarded with that VMID filled in.",
    ],
    see: ["asid", "iotlb", "nested", "stage-2"],
    ref: "§7",
  },
  ipa: {
    body: [
      "What a virtual machine believes is a physical address. The guest's page tables, CD tables, stream table and command queue are all placed at IPAs in guest RAM.",
      "Stage 2, owned by the host, translates each IPA to the real physical address (PA): the SMMU does that for every guest table it reads and for the output of the guest's stage 1.",
    ],
    see: ["stage-2", "nested"],
    ref: "§7",
  },
  "stage-2": {
    body: [
      "The host's translation of a VM's IPAs to PAs, in io-pgtable's ARM_64_LPAE_S2 format. The STE names it with S2TTB (the table's PA), S2VMID (its VMID) and VTCR (its geometry).",
      "The host maps all of the guest's RAM there once (the nesting-parent domain); the guest never sees or changes it.",
    ],
    see: ["ipa", "nested", "vmid"],
    ref: "§7, §10",
  },
  nested: {
    body: [
      "Both stages at once: the guest's stage 1 (its CD table and page tables, VA → IPA) and the host's stage 2 (IPA → PA). The STE's S1ContextPtr is an IPA; every table the SMMU reads on the way is found through stage 2.",
      "The IOTLB keeps the combined VA → PA, tagged with the guest's ASID and the VM's VMID, so the guest's TLBIs must carry that VMID: the host fills it in.",
    ],
    see: ["stage-2", "ipa", "vsmmu", "vmid"],
    ref: "§7",
  },
  vsmmu: {
    body: [
      "The SMMU the guest's driver sees: an emulated SMMUv3 whose command queue sits in guest RAM. The VMM traps writes to its PROD register and reads the commands through stage 2.",
      "On the host, iommufd's vIOMMU object (arm_vsmmu) holds the VM's VMID and its vDEVICEs, and takes the guest's invalidations through IOMMU_HWPT_INVALIDATE.",
    ],
    see: ["user-invalidation", "vsid", "cerror-ill"],
    ref: "§7",
  },
  vsid: {
    body: [
      "The StreamID the guest knows a device by; the VMM chose it when it created the vDEVICE. It indexes the guest's own stream table.",
      "The host turns it into the real StreamID when it forwards an ATC_INV or a CFGI_CD: an ATC_INV for the wrong vSID would invalidate another device's ATC.",
    ],
    see: ["streamid", "vsmmu"],
    ref: "§7",
  },
  "user-invalidation": {
    body: [
      "How a guest's invalidations reach the hardware: the VMM passes the commands it read from the vSMMU queue to the host kernel in one ioctl, IOMMU_HWPT_INVALIDATE on the vIOMMU.",
      "arm_vsmmu_convert_user_cmd checks each command: TLBI_NH_* get the VM's VMID, TLBI_NSNH_ALL becomes TLBI_NH_ALL for that VMID, ATC_INV and CFGI_CD get the real StreamID; anything else is refused with -EIO and entry_num says how far it got.",
    ],
    see: ["vsmmu", "cerror-ill", "tlbi"],
    ref: "§7",
  },
  "cerror-ill": {
    body: [
      "The command-queue error an SMMU reports in CMDQ_CONS.ERR (with GERROR.CMDQ_ERR) when the command at CONS is not one it accepts — a Reserved opcode, a command for a feature it lacks, a range TLBI with TG ≠ 0 and NUM = SCALE = TTL = 0; the queue stops there.",
      "The host's GERROR interrupt (arm_smmu_gerror_handler → arm_smmu_cmdq_skip_err) logs \"skipping command in error state\", replaces the bad command with a CMD_SYNC and acknowledges the error in GERRORN: the queue goes on, and that command's effect is lost.",
      "For a guest, the VMM reports it when the host refused a command with -EIO; the guest's driver skips it the same way.",
    ],
    see: ["user-invalidation", "cmdq"],
    ref: "§1.1, §7",
  },
  "page-table": {
    body: [
      "4 KiB pages, 48-bit VA, four levels: level 0 (the pgd) is indexed by VA bits 47:39, level 1 by 38:30, level 2 by 29:21, level 3 by 20:12; the low 12 bits are the offset in the page.",
      "A table descriptor points at the next level; a level-3 descriptor (PTE) points at the page and holds its permissions (AP[2] read-only, AF, nG = tagged with the ASID). A walk stops with F_TRANSLATION at the first invalid descriptor.",
      "With SVA the SMMU walks the process's own table, starting at CD.TTB0 = its pgd.",
    ],
    see: ["ttb0", "walk-cache"],
    ref: "§10",
  },
  iotlb: {
    body: [
      "The SMMU's TLB: translations (page VA → PA, writable or not) from table walks, tagged by ASID and VMID.",
      "It is not kept coherent with the page table: after the CPU changes a PTE, the SMMU keeps using its old entry until a TLBI command (or, with BTM, the CPU's broadcast invalidation) removes it.",
    ],
    see: ["tlbi", "walk-cache", "atc"],
    ref: "§11",
  },
  "walk-cache": {
    body: [
      "Besides leaf translations the SMMU caches pointers to intermediate tables: here, the level-3 table covering a 2 MiB region, so the next walk there starts at level 3.",
      "A TLBI by VA with LEAF = 1 leaves these in place. When munmap frees a page-table page, the invalidation must be non-leaf (or by ASID); otherwise the SMMU later walks a freed page that may now hold someone else's data (walk-freed-table).",
    ],
    see: ["iotlb", "tlbi", "page-table"],
    ref: "§1.2 (LEAF, TTL)",
  },
  "config-cache": {
    body: [
      "The SMMU's cache of STEs and CDs (and of L1 descriptors, even invalid ones). It keeps using a cached copy after the memory changes, until a CFGI_STE, CFGI_CD or CFGI_ALL drops it.",
      "That is why every STE or CD write is followed by a CFGI and a CMD_SYNC, and why the driver writes an entry in stages, syncing in between.",
    ],
    see: ["cfgi", "ste", "cd"],
    ref: "§11, §8",
  },
  atc: {
    body: [
      "A TLB inside the PCIe device, filled through ATS. The device uses its entries without asking the SMMU: it sends already-translated transactions, which the SMMU lets through when STE.EATS = 1.",
      "Only an ATC_INV (an ATS Invalidate Request sent to the device) removes entries, so every unmap must reach the ATC, and be waited for with CMD_SYNC, before the pages are freed.",
    ],
    see: ["ats", "atc-inv", "cmd-sync"],
    ref: "§5.5 (2), §6",
  },
  ats: {
    body: [
      "The PCIe protocol by which a device asks the SMMU to translate an address ahead of time (a Translation Request), keeps the answer in its ATC, and then sends translated transactions.",
      "Allowed per device by STE.EATS. It saves SMMU lookups, at the cost of a cache the kernel must invalidate explicitly with ATC_INV.",
    ],
    see: ["atc", "atc-inv", "pri"],
    ref: "§6",
  },
  pri: {
    body: [
      "The PCIe protocol by which an ATS device whose translation failed asks the host to make the page present (a Page Request) instead of failing the access.",
      "The SMMU writes the request to the PRI queue; the kernel's IOPF handler faults the page in and answers the whole group with PRI_RESP (SUCCESS, FAIL or DENY); the device then retries its translation.",
      "Mainline Linux does not enable PRI on SMMUv3: it answers every request DENY. Demand paging there goes through stalls.",
    ],
    see: ["prg", "priq", "iopf", "stall"],
    ref: "§4.3",
  },
  prg: {
    body: [
      "One or more page requests a device sends together, under a 9-bit PRG index. The last one carries PRG_LAST.",
      "Software answers the whole group once, with PRI_RESP naming that index; until then the device waits.",
    ],
    see: ["pri", "priq"],
    ref: "§4.3",
  },
  stall: {
    body: [
      "The other way to service a device's page fault, and the one mainline SMMUv3 supports: with CD.S = 1 a faulting transaction is held in the SMMU, and its event record carries STALL = 1 and a stall tag (STAG).",
      "The kernel's IOPF handler fixes the fault and answers with CMD_RESUME naming the STAG: RETRY (translate again) or ABORT. The device waits meanwhile.",
      "A stall must be answered even when the process exits, or the device hangs.",
    ],
    see: ["iopf", "evtq", "pri"],
    ref: "§4.2",
  },
  btm: {
    body: [
      "An SMMU feature: it snoops the TLB invalidations the CPUs broadcast and drops its matching IOTLB entries (those filled through a CD with ASET = 0), and, for a non-leaf TLBI (VAE1IS, ASIDE1IS), its walk-cache entries too: arm64 sends one after free_pgtables frees tables.",
      "With BTM the MMU notifier needs no TLBI commands, only ATC_INV. Mainline Linux never enables BTM for SVA, so the notifier always sends TLBI_NH_VA or TLBI_NH_ASID.",
    ],
    see: ["aset", "tlbi", "mmu-notifier"],
    ref: "§5.2",
  },
  cmdq: {
    body: [
      "A ring of 16-byte commands in memory. The driver writes commands at PROD and then moves the PROD register; the SMMU consumes them in order and moves CONS.",
      "Both registers hold an index and, one bit above it, a wrap bit that flips each time the pointer goes round: the queue is empty when index and wrap are equal, full when the indexes are equal and the wrap bits differ.",
      "The event queue and the PRI queue work the same way, with the SMMU as the producer.",
    ],
    see: ["cmd-sync", "evtq", "priq"],
    ref: "§1.1",
  },
  evtq: {
    body: [
      "A ring where the SMMU writes 32-byte event records: the event ID (F_TRANSLATION, C_BAD_CD, …), StreamID, SSID, the input address, read or write, STALL and STAG, and for fetch faults the address it failed to read.",
      "Translation faults are recorded only when the CD has R = 1; configuration errors (C_BAD_STE, C_BAD_CD) always are.",
    ],
    see: ["fault-events", "stall", "cmdq"],
    ref: "§4.1",
  },
  priq: {
    body: [
      "A ring where the SMMU writes the page requests devices send: 16 bytes each with the StreamID, the SSID (when SSID_V), the permissions asked for (PERM_READ, PERM_WRITE, PERM_EXEC, PERM_PRIV), PRG_LAST, the PRG index and the page address.",
    ],
    see: ["pri", "prg", "cmdq"],
    ref: "§4.3",
  },
  "fault-events": {
    body: [
      "The architecture's event IDs. F_TRANSLATION (0x10): no valid descriptor for the address, or the CD has EPD0 = 1. F_PERMISSION (0x13): e.g. a write to a read-only page. F_ACCESS (0x12): access flag clear.",
      "C_BAD_STE (0x04) and C_BAD_CD (0x0a): the STE or CD is not valid. C_BAD_SUBSTREAMID (0x08): the SSID is beyond the CD table. C_BAD_STREAMID (0x02): the StreamID has no STE.",
    ],
    see: ["evtq", "stall"],
    ref: "§4.1",
  },
  "cmd-sync": {
    body: [
      "A command that completes only when every command queued before it has completed, ATS invalidations included. The CPU waits for it (polling CONS, or an MSI the SMMU writes into the SYNC's own slot).",
      "Without it the CPU would go on, and free the unmapped pages, while a TLBI or ATC_INV is still in the queue: a device could still reach those pages.",
    ],
    see: ["cmdq", "tlbi", "atc-inv", "munmap"],
    ref: "§1.2, §1.3",
  },
  cfgi: {
    body: [
      "Configuration invalidations: the SMMU drops its cached copy of one STE (CFGI_STE, by StreamID, with the CDs cached through it) or one CD (CFGI_CD, by StreamID and SSID; with leaf = 0 also the cached L1 CD descriptor that locates it, which leaf = 1 may leave). CFGI_CD_ALL drops every CD and L1 CD descriptor of a StreamID, CFGI_ALL the configuration of every StreamID.",
      "Sent after every STE or CD write, followed by a CMD_SYNC.",
    ],
    see: ["config-cache", "cmd-sync"],
    ref: "§1.2",
  },
  tlbi: {
    body: [
      "IOTLB invalidations. TLBI_NH_VA drops one ASID's entries for a VA range (LEAF = 1 leaves the walk cache alone); TLBI_NH_ASID drops everything of one ASID; TLBI_NH_ALL and TLBI_NSNH_ALL drop everything; TLBI_S12_VMALL everything of one VMID.",
      "The MMU notifier sends them after the CPU's page table changed, then a CMD_SYNC to wait for them.",
    ],
    see: ["iotlb", "walk-cache", "cmd-sync", "btm"],
    ref: "§1.2",
  },
  "atc-inv": {
    body: [
      "A command asking the SMMU to send an ATS Invalidate Request to a device: StreamID, SSID (with SSV = 1) and an address range (SIZE = log2 of the pages; 52 means everything). The device drops its matching ATC entries and answers; the next CMD_SYNC waits for that answer.",
      "Without it an ATS device keeps using a translation the CPU dropped: once munmap frees the page, the device writes into memory that belongs to someone else.",
    ],
    see: ["atc", "ats", "cmd-sync"],
    ref: "§1.2",
  },
  "quiet-cd": {
    body: [
      "What the driver writes into a CD when the process exits while still bound (arm_smmu_mm_release): V stays 1, so a device that has not been told yet gets no C_BAD_CD, but EPD0 = 1, so no access walks the page tables exit is tearing down.",
      "It is followed by CFGI_CD, TLBI_NH_ASID and ATC_INV, each with a CMD_SYNC. The PASID, the bond and the CD slot stay until the device driver unbinds. From about Linux 6.8 it also clears R and S: those faults are neither recorded nor stalled.",
    ],
    see: ["epd0", "exit", "cleared"],
    ref: "§3.2",
  },
  "mmu-notifier": {
    body: [
      "Callbacks the kernel runs when a process's page table changes (invalidate_range, arch_invalidate_secondary_tlbs from 6.6) and when the address space is torn down (release).",
      "The SMMU driver registers one per bound mm (and domain). Its invalidate sends TLBI and ATC_INV with CMD_SYNC; its release writes the quiet CD. It is freed only after an SRCU grace period, because a release may still be running on it.",
    ],
    see: ["srcu", "munmap", "exit"],
    ref: "§5.2",
  },
  srcu: {
    body: [
      "Sleepable RCU. Code that calls a notifier method does so inside an SRCU read section. A callback queued with call_srcu runs only after every reader that was inside when it was queued has left: the grace period.",
      "The notifier (and io_mm) is freed that way, so a release still running on it never touches freed memory. Freeing it at once (the fault free-notifier-now) gives a use-after-free.",
    ],
    see: ["mmu-notifier", "use-after-free"],
    ref: "§5.1, §5.2",
  },
  mm: {
    body: [
      "A process's address space: its VMAs, its page table (pgd) and its CPU ASID. Threads of one process share it.",
      "Binding it to a device gives it a PASID and puts its pgd into a CD.",
    ],
    see: ["mm-users", "page-table", "bond"],
  },
  "mm-users": {
    body: [
      "Two reference counts of an mm. mm_users counts users of the address space (mmget / mmput): when it reaches 0, exit_mmap tears the mappings and the page tables down, after calling the notifiers' release.",
      "mm_count counts references to the mm_struct itself (mmgrab / mmdrop): the struct and its pgd are freed when it reaches 0.",
      "A binding holds mm_count, not mm_users: the process can still exit while bound, and the driver must cope.",
    ],
    see: ["mm", "exit"],
    ref: "§5.1, §5.2",
  },
  bond: {
    body: [
      "The driver's record that one device is bound to one mm: iommu_bond in the 2018 design, arm_smmu_bond in 5.11–6.9, the iommu_sva handle with SVA domains. It counts references: binding the same pair again takes another, unbind drops one.",
      "When the last reference goes, the CD is cleared and the IOTLB and ATC are invalidated for that PASID.",
    ],
    see: ["pasid", "io-mm", "sva-domain", "mmu-notifier"],
    ref: "§5",
  },
  "io-mm": {
    body: [
      "The 2017–2018 RFC's object for one bound mm: its PASID, the mm, the MMU notifier and a kref, kept in an IDR by PASID. Bonds reference it.",
      "Lookups use kref_get_unless_zero: an io_mm whose count already reached 0 is being freed and must be treated as absent (the fault kref-get revives it). It is freed after an SRCU grace period.",
    ],
    see: ["bond", "srcu"],
    ref: "§5.1",
  },
  "sva-domain": {
    body: [
      "Linux 6.2+ (driver 6.10+): an IOMMU domain of type IOMMU_DOMAIN_SVA for one mm, with its own SMMU ASID (no longer the CPU's) and an embedded MMU notifier. It is attached to a device at the PASID with set_dev_pasid and detached with remove_dev_pasid.",
      "It counts its users; the last detach frees it (TLBI its ASID first). The PASID belongs to the mm and is freed only with the mm.",
    ],
    see: ["bond", "asid", "mmu-notifier"],
    ref: "§5.3",
  },
  iopf: {
    body: [
      "The kernel's handler for a device's page fault, from a PRI page request or a stalled transaction: it finds the mm bound at that PASID, runs handle_mm_fault, and answers with PRI_RESP or CMD_RESUME.",
      "Before unbind, iopf_queue_flush_dev waits for the faults still queued, so none is serviced for an mm that is gone.",
    ],
    see: ["pri", "stall"],
    ref: "§4.2, §5.3",
  },
  munmap: {
    body: [
      "When a process unmaps memory the kernel (1) clears the PTEs, (2) invalidates the CPUs' TLBs, (3) runs the MMU notifiers: TLBI for the SMMU's IOTLB and ATC_INV for the device's ATC, each waited for with CMD_SYNC, and (4) only then frees the pages (tlb_finish_mmu).",
      "Leave out the TLBI, the ATC_INV or the CMD_SYNC, or free the pages first, and a device can still reach a page that now belongs to someone else: a stale translation.",
    ],
    see: ["tlbi", "atc-inv", "cmd-sync", "stale-translation"],
    ref: "§5.4, §5.5",
  },
  exit: {
    body: [
      "When the last mm_users reference goes, exit_mmap calls the notifiers' release before freeing the page tables. The driver writes the quiet CD, sends TLBI_NH_ASID and ATC_INV with CMD_SYNC, and (5.11–6.9) marks the notifier cleared.",
      "The bond, the PASID and the CD slot stay until the device driver unbinds; meanwhile the device's DMA faults. Without the quiet CD the SMMU keeps walking tables exit frees; release racing unbind needs the SVA lock, and the notifier's free needs SRCU.",
    ],
    see: ["quiet-cd", "mm-users", "sva-lock", "srcu"],
    ref: "§5.2, §5.5 (4, 9)",
  },
  cleared: {
    body: [
      "A flag of arm_smmu_mmu_notifier (5.11–6.9): release sets it after it invalidated everything, so that the later unbind skips a second TLBI and ATC_INV.",
    ],
    see: ["quiet-cd", "mmu-notifier"],
    ref: "§5.2",
  },
  "sva-lock": {
    body: [
      "The mutex that serialises bind, unbind and mm release in the SMMU driver (iommu_sva_lock in the core). Without it (the fault no-sva-lock) release and unbind interleave, and a PASID can be freed and handed out again while the old CD still uses it.",
    ],
    see: ["exit", "pasid-reuse"],
    ref: "§5.2",
  },
  "stale-translation": {
    body: [
      "A DMA used a translation the CPU's page table no longer holds (from the ATC, the IOTLB or a walk of a freed table) and reached a frame that was freed or now belongs to someone else.",
      "The short window before an invalidation completes is normal; the harm is when the page is reused before the invalidation reached every cache.",
    ],
    see: ["munmap", "atc-inv", "tlbi"],
    ref: "trace",
  },
  "use-after-free": {
    body: [
      "Kernel code used an object (a notifier, a bond, an io_mm, a domain) after it was freed: typically a release still running on a notifier that unbind freed without waiting for an SRCU grace period.",
    ],
    see: ["srcu"],
  },
  "pasid-reuse": {
    body: [
      "A PASID was handed to another process while a CD or a cache still held the old owner's translations for it, so the new owner's device could reach the old owner's memory.",
    ],
    see: ["pasid", "sva-lock"],
  },
  "asid-conflict": {
    body: [
      "Two address spaces used one ASID while the IOTLB still held entries of the first: a lookup for one could hit the other's translation. The driver must TLBI an ASID before it is reused.",
    ],
    see: ["asid", "tlbi"],
  },
  "walk-freed-table": {
    body: [
      "The SMMU walked a page-table page that had been freed (or reallocated), usually through a walk-cache entry a leaf-only TLBI left behind.",
    ],
    see: ["walk-cache", "tlbi"],
  },
  refcount: {
    body: [
      "A reference count went below zero, or an object whose count had reached zero was taken again (as kref_get does on an io_mm that is being freed).",
    ],
    see: ["io-mm", "bond"],
  },
  deadlock: { body: ["Every thread is blocked (on a lock or a CMD_SYNC) and nothing can make progress."] },
  leak: {
    body: [
      "Something is still allocated (a PASID, an ASID, a kernel object, a frame) after every process exited and every binding ended.",
    ],
  },
  "stale-config": {
    body: [
      "An invalidation has completed (its CMD_SYNC), yet the SMMU still caches configuration it was meant to drop and that memory no longer holds: an L1 CD descriptor kept after a guest's CFGI_CD with LEAF = 0, because the 2023 v1 host sent it on with LEAF = 1. The device then faults on a CD the guest wrote correctly.",
    ],
    see: ["config-cache", "cfgi"],
  },
  "lost-binding": {
    body: [
      "A process still bound to a device, its mm alive, has its DMA fault because its binding was torn down: in the 2017 RFCv2 the binding belonged to the task that made it (its pid), so when that thread exited, another thread of the same process lost the device. Joerg Roedel's review: bind the address space, not the task. See docs/tasks.md.",
    ],
  },
};

/** The whole entries, in the index's order. */
export const GLOSSARY: readonly GlossaryEntry[] = TERMS.map((t) => ({ ...t, ...TEXT[t.id]! }));
