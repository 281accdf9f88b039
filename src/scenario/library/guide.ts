/**
 * What the page says around a lesson: the recap at its last step (with "now break it"), and
 * its challenges, in which the learner is the scheduler and must reach a goal (a violation the
 * safeguard switched off allows) by choosing who steps next. Apart from the library so that
 * the page fetches this text only when a lesson reaches its end or a challenge opens.
 *
 * A challenge starts from the lesson's scenario with the fault on and no schedule (the default
 * policy, which runs the threads one after another and never races): guide.test.ts checks that
 * the default run does not reach the goal and that the explorer's witness does.
 */

import type { ViolationKind } from "../../engine/trace.ts";
import type { Lesson } from "./index.ts";

/**
 * A lesson's own title and first sentence for the menu, where the scenario's would say the same
 * as another lesson's (two lessons of one scenario, one per safeguard; one race in three designs).
 */
const MENU_TEXT: Readonly<Record<string, { readonly title?: string; readonly lead?: string }>> = {
  "cmd-sync": {
    title: "What CMD_SYNC is for: waiting for the TLBI",
  },
  "cmd-sync-early-free": {
    title: "Free the page last: munmap's order of operations",
    lead: "munmap frees the page only after the TLBI and its CMD_SYNC have completed, while a second thread keeps the device doing DMA.",
  },
  "unbind-vs-exit": {
    title: "Bonds (5.11–6.9): unbind racing exit, with DMA in flight",
    lead: "In the bond design, unbind and the mm's release both take sva_lock: the exit starts inside unbind and its release waits for the lock, then reads the shared CD that unbind freed.",
  },
  "sva-domain-unbind-vs-exit": {
    title: "SVA domains (6.10+): unbind racing exit, with DMA in flight",
    lead: "In the SVA-domain design, release no longer takes the SVA lock: it runs inside unbind under the domain's devices_lock, and the device's DMA is served from the IOTLB meanwhile.",
  },
  "io-mm-unbind-vs-exit": {
    title: "io_mm (2018): unbind racing exit, with DMA in flight",
    lead: "In the 2018 io_mm design, exit's mm_exit path meets unbind on the io_mm's kref: kref_get_unless_zero refuses an io_mm already on its way out.",
  },
  // The design history reuses other lessons' scenarios: its own titles.
  "history-2018-io-mm": { title: "2018: io_mm, the binding on the mm, and its notifier" },
  "history-2021-share-asid": { title: "2021: shared CDs and arm_smmu_share_asid" },
  "history-2022-sva-domain": { title: "2022: the SVA domain" },
  "history-2023-user-invalidation": { title: "2023: user invalidation of a guest's CD table" },
  // The model's findings open with "Found by the model, not confirmed upstream." (the bar says
  // so too): the menu leads with what each shows.
  "museum-release-vs-clear": {
    lead: "From v6.10 release writes the release CD under devices_lock while unbind clears it under arm_smmu_asid_lock: the release CD can come back after the clear.",
  },
  "museum-release-freed-cd": {
    lead: "A release blocked on sva_lock behind the last unbind reads smmu_mn->cd->asid after arm_smmu_free_shared_cd kfree'd the CD.",
  },
  "museum-release-ssid0": {
    lead: "The same release on v5.17 finds mm->pasid already 0 and writes the quiet CD into SSID 0, the device's DMA-API context.",
  },
  "io-mm-notifier-freed-early": {
    title: "io_mm (2018): why io_mm_free waits for SRCU",
    lead: "The same 2018 race, about the other safeguard: io_mm_free is deferred behind an SRCU grace period because exit's release may still hold the io_mm.",
  },
};

/** The first sentence of a lesson's introduction: what the menu shows under its title. */
export function firstSentence(text: string | undefined): string {
  if (!text) return "";
  const m = /^.*?[.!?](?=\s+[A-Z(]|$)/s.exec(text.trim());
  return (m ? m[0] : text).trim();
}

/** The title the menu shows. */
export function lessonTitle(l: Lesson): string {
  return MENU_TEXT[l.id]?.title ?? l.scenario.title;
}

/** The first sentence the menu shows under the title. */
export function lessonLead(l: Lesson): string {
  return MENU_TEXT[l.id]?.lead ?? firstSentence(l.scenario.description);
}

export interface Recap {
  /** What the lesson showed, in two or three sentences. */
  readonly text: string;
  /** What to try next with the safeguard switched off (for lessons with one). */
  readonly breakIt?: string;
}

export interface Challenge {
  readonly id: string;
  readonly lesson: string;
  /** The safeguard switched off for the challenge; absent: the kernel as written has the flaw. */
  readonly fault?: string;
  /** The goal, as the learner reads it. */
  readonly goal: string;
  /** Reached when the run shows this violation at a step the cursor has passed. */
  readonly kind: ViolationKind;
  /** Revealed one by one, after each failed try (a run to its end without the goal). */
  readonly hints: readonly string[];
}

export const RECAPS: Readonly<Record<string, Recap>> = {
  lifecycle: {
    text: "bind wrote the CD and synced it; the DMA walked the page table and filled the ATC; munmap's notifier sent TLBI and ATC_INV and waited for the CMD_SYNC before the page was freed, so the retried DMA faulted instead of reaching a freed page.",
    breakIt:
      "Tick “Break it: skip the ATC_INV” and step to the DMA after munmap: the device's ATC still holds the old translation.",
  },
  "munmap-no-btm": {
    text: "Without BTM the SMMU does not see the CPU's TLBI: the MMU notifier sends TLBI_NH_VA with the process's ASID and waits for the CMD_SYNC before munmap frees the page.",
    breakIt:
      "Tick “Break it: skip the TLBI”: the IOTLB keeps the entry and the second DMA reaches the freed page.",
  },
  "munmap-btm": {
    text: "With BTM the SMMU snoops the CPU's broadcast TLBI for the shared ASID, so the notifier queues no TLBI at all; mainline Linux never enables this for SVA.",
  },
  "cd-2lvl": {
    text: "A large PASID needed a new leaf of the 2-level CD table: the driver wrote the L1 descriptor and invalidated it (CFGI_CD, leaf=0) before writing the CD itself.",
  },
  "cmd-sync": {
    text: "munmap queued the TLBI and then waited for the CMD_SYNC: only a consumed SYNC proves the commands before it took effect, so only then was the page freed, while T1's DMA ran in between.",
    breakIt: "Tick “Break it: skip the CMD_SYNC”: the page is freed while the TLBI still sits in the queue.",
  },
  "cmd-sync-early-free": {
    text: "munmap's order is clear the PTE, invalidate, wait, then free: T1's DMA in the middle could only reach a page still owned by the process.",
    breakIt:
      "Tick “Break it: free the pages first” and step to T1's DMA: it reaches a freed page through the IOTLB.",
  },
  "walk-cache": {
    text: "The SMMU caches walks as well as leaves; the SVA notifier's non-leaf TLBI (LEAF=0) drops the walk-cache pointer to the level-3 table munmap freed.",
    breakIt: "Tick “Break it: leaf-only TLBI”: the next DMA walks through the freed table page.",
  },
  "range-invalidation": {
    text: "One range TLBI (NUM, SCALE, TG, TTL=0) covered the whole 2 MiB region, table included, instead of 512 page TLBIs.",
    breakIt:
      "Tick “Break it: leaf-only TLBI”: with LEAF=1 and TTL=3 the freed level-3 table stays in the walk cache.",
  },
  "asid-sharing": {
    text: "The process's CPU ASID was taken by a private DMA domain: arm_smmu_share_asid moved the domain to a fresh ASID, synced, and invalidated the old one before the process could use it.",
    breakIt:
      "Tick “Break it: skip the TLBI”: the process is handed ASID 1 while the IOTLB still holds the domain's entry.",
  },
  "exit-while-bound": {
    text: "Release wrote the quiet CD (EPD0) and invalidated before exit tore the page tables down, so T1's DMAs in between faulted and were logged instead of walking freed tables.",
    breakIt:
      "Tick “Break it: leave the CD live on release”: a DMA between release and the unmap refills the IOTLB, and the next one reaches a freed page.",
  },
  "unbind-vs-exit": {
    text: "The exit started inside unbind; release waited for sva_lock, the DMA in flight was served from the ATC until ATC_INV, and the notifier's free waited for the SRCU grace period, so release never touched freed memory.",
    breakIt:
      "Tick “Break it: free the notifier at once”: release then runs on the freed notifier (use-after-free).",
  },
  "sva-domain-unbind-vs-exit": {
    text: "Release ran inside unbind without the SVA lock, under devices_lock; the DMA in flight hit the IOTLB until the invalidation, and the domain's free waited for SRCU.",
    breakIt: "Tick “Break it: free the notifier at once”: release then uses the freed domain's notifier.",
  },
  "io-mm-unbind-vs-exit": {
    text: "In the 2018 design exit and unbind met on the io_mm's kref: kref_get_unless_zero refused an io_mm whose count had reached zero, and io_mm_free waited for SRCU.",
    breakIt:
      "Tick “Break it: kref_get instead of kref_get_unless_zero”: the io_mm is revived while it is being freed.",
  },
  "io-mm-notifier-freed-early": {
    text: "io_mm_free is deferred behind an SRCU grace period because exit's release may still hold the io_mm when unbind drops the last reference.",
    breakIt: "Tick “Break it: free the notifier at once”: release runs on the freed io_mm.",
  },
  "notifier-freed-early": {
    text: "Unbind put the notifier while exit was starting; mmu_notifier_put queued the free behind SRCU, so release still had a live notifier to call.",
    breakIt: "Tick “Break it: free the notifier at once”: release then runs on freed memory.",
  },
  "sva-lock": {
    text: "Exit started inside unbind and waited for sva_lock: release's read-modify-write of the CD could not interleave with unbind's clear, and the next bind got a clean CD.",
    breakIt:
      "Tick “Break it: drop sva_lock”: release writes the quiet CD back over unbind's clear, valid again for a freed PASID.",
  },
  pri: {
    text: "The ATS translation failed, the device sent a Page Request, the fault handler faulted the page in and answered SUCCESS, and the retried DMA translated.",
  },
  stall: {
    text: "The SMMU held the faulting access (STALL=1, a STAG), the kernel faulted the page in and CMD_RESUME retried it.",
  },
  "pri-exit": {
    text: "The page request arrived while the process exited: mmget_not_zero failed, the handler answered FAILURE, and unbind waited for the queue to drain before the PASID could be reused.",
  },
  "nested-invalidation": {
    text: "The guest's TLBI_NH_VA and ATC_INV reached the host through the VMM, which wrote VMID 1 and turned the vSID into StreamID 16; TLBI_NSNH_ALL became TLBI_NH_ALL of the VM, and CFGI_STE was refused.",
    breakIt:
      "Tick “Break it: send the ATC_INV to the wrong device”: nic0 keeps its ATC entry and its next write lands in a reused page.",
  },
  "nested-refused-batch": {
    text: "A refused command stopped the batch: the TLBI_NH_ASID converted before it was never queued, so its IOTLB entry survived the guest's CMD_SYNC.",
  },
  "history-2018-io-mm": {
    text: "The binding hangs off the mm: exit's notifier release and the driver's unbind meet on the io_mm's kref, and io_mm_free waits for an SRCU grace period because release may still hold it.",
    breakIt: "Tick “Break it: free the notifier at once”: release runs on the freed io_mm.",
  },
  "history-2021-share-asid": {
    text: "The shared CD takes the CPU's ASID; a private DMA domain that held it was moved to a fresh ASID by arm_smmu_share_asid, synced and invalidated first.",
    breakIt:
      "Tick “Break it: skip the TLBI”: the process is handed the ASID while the IOTLB still holds the domain's entry.",
  },
  "history-2022-sva-domain": {
    text: "The SVA binding became a domain attached to the PASID: release runs under devices_lock, unbind under arm_smmu_asid_lock, and the release CD can outlive the unbind (found by the model, not confirmed upstream).",
  },
  "museum-release-vs-clear": {
    text: "Release and unbind wrote the same CD under two different locks: the release CD landed after unbind's clear, stayed valid when the PASID was freed, and the next bind of that PASID found it live. No release modelled serialises the two.",
  },
};

/** At least one per lesson of the races group (guide.test.ts checks it). */
export const CHALLENGES: readonly Challenge[] = [
  {
    id: "unbind-vs-exit/use-after-free",
    lesson: "unbind-vs-exit",
    goal: "Make release read the shared CD that unbind freed (no safeguard off: v6.1 as written).",
    kind: "use-after-free",
    hints: [
      "Release runs in T1's exit and reads smmu_mn->cd->asid; the last unbind kfree's the CD in arm_smmu_free_shared_cd. Release must take the notifier off the mm before that free and read the CD after it.",
      "Let T0 finish bind and the DMA, then start T1's exit just after T0 has taken sva_lock in unbind: T1's release then waits for the lock.",
      "Once T1 waits for sva_lock, let T0 run to the end of its unbind: when T1 gets the lock, the CD is gone.",
    ],
  },
  {
    id: "sva-domain-unbind-vs-exit/use-after-free",
    lesson: "sva-domain-unbind-vs-exit",
    fault: "free-notifier-now",
    goal: "Free the domain's notifier while release still uses it.",
    kind: "use-after-free",
    hints: [
      "Release (in T1's exit) and the free at the end of unbind (T0) must overlap.",
      "Start T1's exit (mmput) right after T0 has cleared the CD and queued its sync (arm_smmu_sync_cd), then let T0 finish its unbind.",
    ],
  },
  {
    id: "io-mm-unbind-vs-exit/refcount",
    lesson: "io-mm-unbind-vs-exit",
    fault: "kref-get",
    goal: "Revive an io_mm that is already being freed.",
    kind: "refcount",
    hints: [
      "kref_get (without _unless_zero) takes a reference even when the count has reached zero.",
      "Start T1's exit inside T0's unbind: two steps of T1 right after T0 has cleared the CD and queued its sync (arm_smmu_sync_cd), then let T0 finish.",
    ],
  },
  {
    id: "io-mm-notifier-freed-early/use-after-free",
    lesson: "io-mm-notifier-freed-early",
    fault: "free-notifier-now",
    goal: "Make exit's release run on a freed io_mm.",
    kind: "use-after-free",
    hints: [
      "io_mm_free now runs as soon as the last reference goes, at the end of T0's unbind.",
      "Start T1's exit (two steps) inside T0's unbind, then let T0 finish.",
    ],
  },
  {
    id: "notifier-freed-early/use-after-free",
    lesson: "notifier-freed-early",
    fault: "free-notifier-now",
    goal: "Free the notifier while release still uses it.",
    kind: "use-after-free",
    hints: [
      "The notifier is put by T0's unbind; release is called by T1's exit.",
      "Run T1's mmput just after T0's arm_smmu_mmu_notifier_put, then let T0 finish its unbind.",
    ],
  },
  {
    id: "sva-lock/stale-cd",
    lesson: "sva-lock",
    fault: "no-sva-lock",
    goal: "Leave a CD valid for a PASID that has been freed.",
    kind: "stale-cd",
    hints: [
      "Without sva_lock, release's write of the quiet CD can fall after unbind's clear of the same CD.",
      "Interleave T1's release with T0's unbind of nic0: let unbind clear the CD first, then run release's quiet-CD write.",
    ],
  },
  {
    id: "exit-while-bound/stale-translation",
    lesson: "exit-while-bound",
    fault: "no-quiet-cd",
    goal: "Make gpu0 read a freed page.",
    kind: "stale-translation",
    hints: [
      "Without the quiet CD, the SMMU may still walk the page table after release.",
      "Run one of T1's DMAs after release but before exit unmaps the pages (it refills the IOTLB), and the other after the pages are freed.",
    ],
  },
  {
    id: "cmd-sync/stale-translation",
    lesson: "cmd-sync",
    fault: "skip-sync",
    goal: "Make the device reach the page munmap freed.",
    kind: "stale-translation",
    hints: [
      "Without CMD_SYNC, munmap frees the page while its TLBI may still be in the queue.",
      "Keep choosing T0 rather than smmu while munmap's TLBI is queued, and run T1's DMA before the SMMU consumes it.",
    ],
  },
];

export function challengeById(id: string): Challenge | undefined {
  return CHALLENGES.find((c) => c.id === id);
}

export function challengesOf(lesson: string): readonly Challenge[] {
  return CHALLENGES.filter((c) => c.lesson === lesson);
}
