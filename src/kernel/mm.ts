/**
 * The process side: mmap, touch (a CPU access that faults a page in), munmap, mprotect and
 * exit, in the kernel's order of operations. Where the secondary-TLB calls sit depends on the
 * release ("mmu_notifiers: call invalidate_range() when invalidating TLBs", 6bbd42e2df8f, v6.6):
 *
 *   munmap ≤v6.5: mmap_write_lock → zap_pte_range (PTEs cleared, pages gathered) → tlb_end_vma:
 *            tlb_flush_mmu_tlbonly = flush_tlb_range (CPU TLBI; with BTM the SMMU snoops it)
 *            + each notifier's invalidate_range → mmu_notifier_invalidate_range_end: each
 *            invalidate_range again → free_pgtables → tlb_finish_mmu: if tables were freed,
 *            tlb_flush_mmu_tlbonly again (non-leaf) with invalidate_range; pages and tables freed
 *   munmap v6.6+: the same without the range_end call: arm64's __flush_tlb_range calls
 *            arch_invalidate_secondary_tlbs, so every CPU flush is mirrored, and only those
 *   mprotect ≤v6.5: change_protection → mmu_notifier_invalidate_range_end (invalidate_range)
 *            → flush_tlb_range; v6.6+: change_protection → flush_tlb_range (secondary TLBs)
 *   exit:    mmput → __mmu_notifier_release (each notifier's release, unhook, synchronize_srcu)
 *            → unmap_vmas → flush_tlb_mm → free_pgtables/tlb_finish_mmu → mmdrop
 *
 * What the model leaves out: VMA merging, huge pages, the page cache, rmap, and the
 * per-CPU TLB shootdown details (one broadcast TLBI stands for them).
 */

import { kernelPart, ownMm } from "../engine/clone.ts";
import { PAGE_SIZE, type Pa, va as toVa, vaEnd } from "../engine/ids.ts";
import { allocFrame, freeFrame } from "../engine/memory.ts";
import {
  collectEmptyTables,
  mapPage,
  protectPage,
  protectRange,
  type TableSpace,
  unmapRange,
  walk,
} from "../engine/pgtable.ts";
import { guestAlloc, guestSpace } from "../engine/stage2.ts";
import { smmuBroadcastTlbi } from "../engine/tlb.ts";
import type { Draft, MmState, VmaState, World } from "../engine/world.ts";
import { findMm, findVm } from "../engine/world.ts";
import { designOf, releaseHas } from "../scenario/releases.ts";
import type { Op } from "../scenario/types.ts";
import { checkPasidFreed } from "./checks.ts";
import { hasFault } from "./cmdq.ts";
import {
  findObject,
  free,
  lockWait,
  mmEvent,
  putRef,
  releaseLock,
  srcuReadLock,
  srcuReadUnlock,
  takeLock,
} from "./objects.ts";
import {
  type Ctx,
  call,
  control,
  FP,
  type KernelCtx,
  locals,
  type MicroStep,
  NO_FP,
  type Program,
  RETURN,
  step,
} from "./program.ts";

/**
 * What the mm's paths hand the driver's notifier callbacks (Driver.invalidate, Driver.release):
 * the notifier being called and the range invalidated.
 */
export interface NotifierLocals {
  /** The notifier forEachNotifier is calling; null once the walk is done. */
  mn?: number | null;
  "inv.start"?: number;
  "inv.end"?: number;
}

interface MmLocals extends NotifierLocals {
  /** The mmu_gather: frames and page-table pages to free once the TLBs are flushed. */
  "gather.pages"?: readonly number[];
  "gather.tables"?: readonly number[];
  /** synchronize_srcu: the SRCU readers it waits for; null once the grace period is over. */
  "srcu.wait"?: readonly string[] | null;
  /** The bind took an mm_users reference of its own (mmget_not_zero) to drop at its end. */
  "caller.mmget"?: boolean;
  /** forEachNotifier, under its prefix: the subscription list as read at the start, and the next. */
  [list: `${string}.list`]: readonly number[];
  [next: `${string}.i`]: number;
}

const { local, required, setLocal, dropLocal } = locals<MmLocals>();

type OpOf<N extends Op["op"]> = Extract<Op, { op: N }>;

export const mmOf = (c: Ctx): MmState => findMm(c.w, (c.op as { process: string }).process);
/** The op's mm, to be changed: its world's own copy (clone.ts). */
export const mmFor = (c: Ctx): Draft<MmState> => ownMm(c.w, mmOf(c));

/**
 * mm->pasid where the path knows the mm has one (a bind past its PASID allocation, an unbind of
 * a bound mm): none is a bug in the path, and throws.
 */
export function pasidOfMm(mm: MmState): number {
  if (mm.pasid === null) throw new Error(`${mm.process}'s mm has no PASID here`);
  return mm.pasid;
}

/** The task performing the op (docs/tasks.md): its `task`, else the process's first task. */
export function taskOf(c: Ctx): string {
  const mm = mmOf(c);
  return c.op.task ?? mm.tasks?.[0]?.name ?? mm.process;
}
const mmapLock = (c: Ctx) => `mmap_lock:${mmOf(c).process}`;
const hexa = (v: number) => `0x${v.toString(16)}`;

function vmaAt(mm: MmState, va: number): VmaState | undefined {
  return mm.vmas.find((v) => va >= v.start && va < v.start + v.pages * PAGE_SIZE);
}

/** The address space a process's page table lives in: a guest's, or the host's (undefined). */
export function mmSpace(w: World, mm: MmState): TableSpace | undefined {
  return mm.vm === undefined ? undefined : guestSpace(w, findVm(w, mm.vm));
}

/** Faults one page in: a fresh frame, mapped with the VMA's protection (do_anonymous_page). */
export function faultIn(w: World, mm: MmState, va: number, vma: VmaState): Pa | null {
  const page = Math.floor(va / PAGE_SIZE) * PAGE_SIZE;
  if (mm.vm !== undefined) {
    // A guest process: the guest kernel's page from guest RAM, mapped at its IPA. The page
    // and up to three new tables must fit, or the guest is out of memory.
    const vm = findVm(w, mm.vm);
    if (vm.free.length < 4) return null;
    const space = guestSpace(w, vm);
    const ipa = guestAlloc(w, vm, { kind: "data", process: mm.process, va: page }) as Pa;
    mapPage(w.mem, mm.pgd, toVa(page), ipa, vma.prot === "rw", mm.process, space);
    if (vma.prot === "none") protectPage(w.mem, mm.pgd, toVa(page), "none", space);
    return ipa;
  }
  const frame = allocFrame(
    w.mem,
    { kind: "data", process: mm.process, va: page },
    `${mm.process} ${hexa(page)}`,
  );
  mapPage(w.mem, mm.pgd, toVa(page), frame, vma.prot === "rw", mm.process);
  if (vma.prot === "none") protectPage(w.mem, mm.pgd, toVa(page), "none");
  return frame;
}

/** Removes [start, end) from the VMA list, splitting VMAs as __split_vma would. */
function removeRange(mm: Draft<MmState>, start: number, end: number): void {
  const out: VmaState[] = [];
  for (const v of mm.vmas) {
    const vEnd = v.start + v.pages * PAGE_SIZE;
    if (vEnd <= start || v.start >= end) {
      out.push(v);
      continue;
    }
    if (v.start < start) out.push({ start: v.start, pages: (start - v.start) / PAGE_SIZE, prot: v.prot });
    if (vEnd > end) out.push({ start: end, pages: (vEnd - end) / PAGE_SIZE, prot: v.prot });
  }
  mm.vmas = out;
}

/** arm64 MAX_TLBI_OPS (PTRS_PER_PTE): from this many pages on, __flush_tlb_range flushes the ASID. */
const MAX_TLBI_OPS = 512;

/**
 * The CPU's TLB invalidation for [start, end) of the mm's ASID, broadcast to every agent that
 * takes part in it (smmuBroadcastTlbi: with BTM, the SMMU's ASET=0 IOTLB and walk-cache
 * entries). Which TLBI arm64 sends follows from where it is called:
 *   - inside an mmu_gather (munmap, exit: zap_pte_range gathered pages): tlb_flush's last_level
 *     is !tlb->freed_tables, so VALE1IS until free_pgtables has freed a table, then VAE1IS;
 *   - flush_tlb_range elsewhere (mprotect, a permission upgrade): never last level, VAE1IS;
 *   - MAX_TLBI_OPS pages or more, or flush_tlb_mm: ASIDE1IS.
 * The fault leaf-only-tlbi makes a by-VA flush last level whatever was freed.
 */
function cpuTlbi(c: Ctx, mm: MmState, start: number, end: number, fn: string): void {
  const gathered = local(c, "gather.pages") !== undefined;
  const freedTables = (local(c, "gather.tables") ?? []).length > 0;
  const lastLevel = (gathered && !freedTables) || hasFault(c.w, "leaf-only-tlbi");
  const byAsid = fn === "flush_tlb_mm" || end - start >= MAX_TLBI_OPS * PAGE_SIZE;
  const op = byAsid ? "ASIDE1IS" : lastLevel ? "VALE1IS" : "VAE1IS";
  if (!c.w.smmu.features.btm) {
    c.rec.say(
      `${fn}: the CPU TLBs drop ASID ${mm.cpuAsid}'s entries (TLBI ${op}); without BTM the SMMU does not see this.`,
    );
    return;
  }
  const d = smmuBroadcastTlbi(
    c.w,
    c.rec,
    byAsid
      ? { kind: "asid", asid: mm.cpuAsid }
      : { kind: "va", asid: mm.cpuAsid, va: start, size: end - start, leaf: lastLevel },
  );
  const n = (k: number, what: string) => `${k} ${what}${k === 1 ? "y" : "ies"}`;
  c.rec.say(
    `${fn}: the broadcast TLBI ${op} for ASID ${mm.cpuAsid} also reaches the SMMU (BTM) and drops ${n(d.iotlb, "IOTLB entr")} and ${n(d.walkCache, "walk-cache entr")}${lastLevel && !byAsid ? " (last level only: walk caches are kept)" : ""}. (Mainline Linux never enables BTM for SVA.)`,
  );
}

/** A step that only flushes the CPU's TLB (cpuTlbi) is local where the SMMU has no BTM. */
const cpuOnly = { localIf: (w: World) => !w.smmu.features.btm };

/** Frees gathered pages and page-table pages (tlb_finish_mmu → tlb_batch_pages_flush). */
function freeGathered(c: Ctx): void {
  const pages = local(c, "gather.pages") ?? [];
  const tables = local(c, "gather.tables") ?? [];
  for (const p of [...pages, ...tables]) freeFrame(c.w.mem, p as Pa);
  setLocal(c, "gather.pages", []);
  setLocal(c, "gather.tables", []);
  if (pages.length + tables.length > 0) {
    c.rec.say(
      `${pages.length} page(s) and ${tables.length} page-table page(s) go back to the page allocator.`,
    );
  } else {
    c.rec.say("Nothing was gathered to free: no page or page-table page of this range was mapped.");
  }
}

/**
 * Runs `body` for each MMU notifier registered on the mm, under srcu_read_lock, as
 * `__mmu_notifier_invalidate_range` / `__mmu_notifier_release` walk the subscription list.
 * The list is read when the walk starts: like an RCU reader, the walk can still reach a
 * notifier that another thread unhooks meanwhile.
 */
export function forEachNotifier(prefix: string, callback: string, skip?: (c: Ctx) => boolean): Program {
  return [
    // `skip` reads no more than the locals and the release (its callers').
    control(
      `${prefix}.start`,
      (c) => {
        if (skip?.(c)) return `${prefix}.end`;
        setLocal(c, `${prefix}.list`, [...mmOf(c).notifiers]);
        setLocal(c, `${prefix}.i`, 0);
        srcuReadLock(c.w, c.t.name);
        return undefined;
      },
      { fp: { r: FP.NOTIFIERS, w: FP.SRCU_ENTER }, targets: ["+1", `${prefix}.end`] },
    ),
    control(
      `${prefix}.head`,
      (c) => {
        const list = required(c, `${prefix}.list`);
        const i = required(c, `${prefix}.i`);
        if (i >= list.length) return `${prefix}.done`;
        setLocal(c, "mn", list[i]!);
        return undefined;
      },
      { fp: NO_FP, targets: ["+1", `${prefix}.done`] },
    ),
    control(`${prefix}.call`, () => call(callback), { fp: NO_FP, targets: [call(callback)] }),
    control(
      `${prefix}.next`,
      (c) => {
        setLocal(c, `${prefix}.i`, required(c, `${prefix}.i`) + 1);
        return `${prefix}.head`;
      },
      { fp: NO_FP, targets: [`${prefix}.head`] },
    ),
    control(
      `${prefix}.done`,
      (c) => {
        srcuReadUnlock(c.w, c.t.name);
        setLocal(c, "mn", null);
        // The walk's copy of the list is spent (the next walk copies afresh).
        dropLocal(c, `${prefix}.list`);
        dropLocal(c, `${prefix}.i`);
        return undefined;
      },
      { fp: { r: 0, w: FP.SRCU_LEAVE }, targets: ["+1"] },
    ),
    control(`${prefix}.end`, () => undefined, { fp: NO_FP, targets: ["+1"] }),
  ];
}

/** The release calls the secondary TLBs from the arch's TLB flush (v6.6+). */
const secondaryFromArch = (c: Ctx): boolean => releaseHas(c.w.kernel.release, "secondary-tlb-arch");

/**
 * invalidate_range from both mmu_gather and range_end: mainline ≤v6.5. (The 2018 RFC's base
 * kernels had both calls too; that design keeps one call from tlb_flush_mmu_tlbonly for now.)
 */
const invalidateRangeEra = (c: Ctx): boolean =>
  designOf(c.w.kernel.release) !== "io-mm-2018" && !secondaryFromArch(c);

function lockStep(fn: string) {
  return step(
    fn,
    (c) => {
      takeLock(c.w, mmapLock(c), c.t.name);
      c.rec.say(`${c.t.name} takes ${mmOf(c).process}'s mmap_lock for writing.`);
      return undefined;
    },
    { wait: (c) => lockWait(c.w, mmapLock(c), c.t.name) },
  );
}

function unlockStep(fn: string) {
  return step(
    fn,
    (c) => {
      releaseLock(c.w, mmapLock(c));
      c.rec.say(`${c.t.name} releases ${mmOf(c).process}'s mmap_lock.`);
      return undefined;
    },
    { releases: (c) => [mmapLock(c)] },
  );
}

/** The CPU flush's name as the release's arm64 code calls it. */
function tlbFlushName(c: Ctx): string {
  return secondaryFromArch(c) ? "__flush_tlb_range" : "flush_tlb_range";
}

/**
 * mmput: drops one mm_users reference; the last one tears the address space down by calling
 * exit_mmap, in whichever thread drops it (an exit, or a bind that held mmget_not_zero).
 */
export function mmputStep(): MicroStep {
  return step("mmput", (c) => {
    const mm = mmFor(c);
    mm.users -= 1;
    if (mm.users > 0) {
      c.rec.say(`mm_users of ${mm.process} drops to ${mm.users}: someone else still uses the address space.`);
      return undefined;
    }
    mmEvent(c, mm, "mm.mmput_last");
    c.rec.say(
      `The last mm_users reference to ${mm.process} is gone: exit_mmap tears the address space down.`,
    );
    return call("mm:exit_mmap");
  });
}

/**
 * The generic mm programs. `taskExit`: the design has a per-task exit hook ("drv:task_exit",
 * the 2017 RFC's binding tied to the task), run by exit before the task's mmput.
 */
export function mmPrograms(opts: { readonly taskExit?: boolean } = {}) {
  const mmap: Program<OpOf<"mmap">> = [
    step(
      "do_mmap",
      (c) => {
        const mm = mmFor(c);
        const { start, pages, prot } = c.op;
        if (mm.state !== "live") {
          c.rec.say(`${mm.process} has exited: there is no address space to map into.`);
          return RETURN;
        }
        removeRange(mm, start, start + pages * PAGE_SIZE);
        mm.vmas.push({ start, pages, prot });
        mm.vmas.sort((a, b) => a.start - b.start);
        c.rec.say(
          `A ${prot} VMA of ${pages} page(s) at ${hexa(start)}; pages are faulted in on first touch.`,
        );
        return undefined;
      },
      { wait: (c) => lockWait(c.w, mmapLock(c), c.t.name) },
    ),
  ];

  const touch: Program<OpOf<"touch">> = [
    step(
      "handle_mm_fault",
      (c) => {
        const mm = mmOf(c);
        const { va, access } = c.op;
        const write = access === "write";
        const vma = mm.state === "live" ? vmaAt(mm, va) : undefined;
        if (!vma || vma.prot === "none" || (write && vma.prot === "r")) {
          c.rec.say(
            `The CPU ${access} at ${hexa(va)} has no VMA allowing it: the process would get SIGSEGV.`,
          );
          return undefined;
        }
        if (walk(c.w.mem, mm.pgd, toVa(va), { write, privileged: false }, mmSpace(c.w, mm)).ok) {
          c.rec.say(`${hexa(va)} is already mapped: the CPU ${access} does not fault.`);
          return undefined;
        }
        const frame = faultIn(c.w, mm, va, vma);
        if (frame === null) {
          c.rec.say(
            `${mm.vm} has no free guest RAM left for ${hexa(va)}: -ENOMEM, the guest kernel would OOM-kill ${mm.process}.`,
          );
          return undefined;
        }
        const what = mm.vm === undefined ? `frame ${hexa(frame)}` : `guest page at IPA ${hexa(frame)}`;
        c.rec.say(
          `A page fault at ${hexa(va)}: a new page (${what}) is mapped in ${mm.process}'s page table.`,
        );
        return undefined;
      },
      { wait: (c) => lockWait(c.w, mmapLock(c), c.t.name) },
    ),
  ];

  const munmap: Program<OpOf<"munmap">> = [
    lockStep("mmap_write_lock"),
    step("zap_pte_range", (c) => {
      const mm = mmFor(c);
      const { start, pages } = c.op;
      const freed = unmapRange(c.w.mem, mm.pgd, toVa(start), vaEnd(start + pages * PAGE_SIZE));
      removeRange(mm, start, start + pages * PAGE_SIZE);
      setLocal(c, "gather.pages", freed);
      setLocal(c, "inv.start", start);
      setLocal(c, "inv.end", start + pages * PAGE_SIZE);
      c.rec.say(
        `${freed.length} PTE(s) cleared in ${mm.process}'s page table; the pages are gathered (mmu_gather), not freed yet: the TLBs may still point at them.`,
      );
      if (hasFault(c.w, "early-free-pages")) {
        freeGathered(c);
        c.rec.say("Fault early-free-pages: the pages are freed now, before any TLB or ATC is invalidated.");
      }
      return undefined;
    }),
    // tlb_end_vma → tlb_flush_mmu_tlbonly → tlb_flush: the CPU's flush of the unmapped range.
    step(
      "tlb_flush_mmu_tlbonly",
      (c) => {
        cpuTlbi(c, mmOf(c), c.op.start, c.op.start + c.op.pages * PAGE_SIZE, tlbFlushName(c));
        c.rec.say(
          secondaryFromArch(c)
            ? "__flush_tlb_range also calls mmu_notifier_arch_invalidate_secondary_tlbs: each notifier's arch_invalidate_secondary_tlbs follows."
            : "tlb_flush_mmu_tlbonly then calls mmu_notifier_invalidate_range: each notifier's invalidate_range follows.",
        );
        return undefined;
      },
      cpuOnly,
    ),
    ...forEachNotifier("tlb_flush_mmu_tlbonly", "drv:invalidate"),
    // ≤v6.5: unmap_vmas ends with mmu_notifier_invalidate_range_end, which calls
    // invalidate_range once more (mn_hlist_invalidate_end, not an only_end call).
    step(
      "mmu_notifier_invalidate_range_end",
      (c) => {
        c.rec.say(
          "unmap_vmas ends the notifier range: __mmu_notifier_invalidate_range_end calls each notifier's invalidate_range again, for the same range.",
        );
        return undefined;
      },
      {
        until: "secondary-tlb-arch",
        when: (c) => invalidateRangeEra(c) && mmOf(c).notifiers.length > 0,
        fp: { r: FP.NOTIFIERS, w: 0 },
      },
    ),
    ...forEachNotifier("mmu_notifier_invalidate_range_end", "drv:invalidate", (c) => !invalidateRangeEra(c)),
    step("free_pgtables", (c) => {
      const mm = mmOf(c);
      const lo = Math.floor(c.op.start / 2 ** 21) * 2 ** 21;
      const hi = Math.ceil((c.op.start + c.op.pages * PAGE_SIZE) / 2 ** 21) * 2 ** 21;
      // Only tables that no remaining VMA needs: approximate floor/ceiling by emptiness.
      const tables = collectEmptyTables(c.w.mem, mm.pgd, toVa(lo), vaEnd(hi));
      setLocal(c, "gather.tables", tables);
      // pte_free_tlb: tlb_flush_pmd_range(tlb, addr, PAGE_SIZE) and freed_tables = 1.
      setLocal(c, "inv.start", lo);
      setLocal(c, "inv.end", lo + PAGE_SIZE);
      c.rec.say(
        tables.length > 0
          ? `${tables.length} page-table page(s) emptied by the unmap are unhooked and gathered too (pte_free_tlb: the gather's range becomes [0x${lo.toString(16)}, +4 KiB), freed_tables).`
          : "No page-table page became empty.",
      );
      return undefined;
    }),
    // tlb_finish_mmu → tlb_flush_mmu → tlb_flush_mmu_tlbonly: a non-last-level flush for the freed tables.
    step(
      "tlb_flush_mmu_tlbonly",
      (c) => {
        const start = required(c, "inv.start");
        cpuTlbi(c, mmOf(c), start, start + PAGE_SIZE, tlbFlushName(c));
        c.rec.say(
          `tlb_finish_mmu flushes again for the freed tables (a non-last-level TLBI): the notifiers' ${secondaryFromArch(c) ? "arch_invalidate_secondary_tlbs" : "invalidate_range"} follows.`,
        );
        return undefined;
      },
      { when: (c) => (local(c, "gather.tables") ?? []).length > 0, fp: NO_FP, ...cpuOnly },
    ),
    ...forEachNotifier(
      "tlb_finish_mmu.tables",
      "drv:invalidate",
      (c) => (local(c, "gather.tables") ?? []).length === 0,
    ),
    // The rest of munmap: the gathered pages freed, the lock released.
    step(
      "tlb_finish_mmu",
      (c) => {
        freeGathered(c);
        return undefined;
      },
      { rest: NO_FP },
    ),
    { ...unlockStep("mmap_write_unlock"), rest: NO_FP },
  ];

  const mprotect: Program<OpOf<"mprotect">> = [
    lockStep("mmap_write_lock"),
    step("change_protection", (c) => {
      const mm = mmFor(c);
      const { start, pages, prot } = c.op;
      const changed = protectRange(c.w.mem, mm.pgd, toVa(start), vaEnd(start + pages * PAGE_SIZE), prot);
      for (const v of mm.vmas) if (v.start >= start && v.start < start + pages * PAGE_SIZE) v.prot = prot;
      setLocal(c, "inv.start", start);
      setLocal(c, "inv.end", start + pages * PAGE_SIZE);
      c.rec.say(`${changed} PTE(s) rewritten as ${prot}.`);
      return undefined;
    }),
    // ≤v6.5: change_pmd_range's mmu_notifier_invalidate_range_end calls invalidate_range before
    // change_protection_range's flush_tlb_range.
    ...forEachNotifier("change_protection.range_end", "drv:invalidate", (c) => !invalidateRangeEra(c)),
    step(
      "flush_tlb_range",
      (c) => {
        cpuTlbi(c, mmOf(c), c.op.start, c.op.start + c.op.pages * PAGE_SIZE, tlbFlushName(c));
        if (!invalidateRangeEra(c) && mmOf(c).notifiers.length > 0) {
          c.rec.say("__flush_tlb_range calls each notifier's arch_invalidate_secondary_tlbs.");
        }
        return undefined;
      },
      cpuOnly,
    ),
    ...forEachNotifier("flush_tlb_range", "drv:invalidate", invalidateRangeEra),
    unlockStep("mmap_write_unlock"),
  ];

  const exit: Program<OpOf<"exit">> = [
    control("exit_mm", (c) => {
      if (mmOf(c).state === "live") return undefined;
      return RETURN;
    }),
    // do_exit of one task of a process that declares several (docs/tasks.md): exit_mm drops
    // this task's mm_users reference; the address space goes only with the last one.
    step(
      "do_exit",
      (c) => {
        const mm = mmFor(c);
        const tasks = mm.tasks ?? [];
        const task = tasks.find((t) => t.name === taskOf(c));
        if (task === undefined) throw new Error(`${mm.process} has no task ${taskOf(c)}`);
        if (task.exited) {
          c.rec.say(`${task.name} has already exited: it holds no mm_users reference to drop.`);
          return RETURN;
        }
        task.exited = true;
        const left = tasks.filter((t) => !t.exited).map((t) => t.name);
        c.rec.say(
          `Task ${task.name} of ${mm.process} exits${left.length > 0 ? `; ${left.join(", ")} still run${left.length === 1 ? "s" : ""} on the same mm` : ""}.`,
        );
        return undefined;
      },
      { when: (c) => mmOf(c).tasks !== undefined },
    ),
    ...(opts.taskExit ? [control("exit_task_hook", () => call("drv:task_exit"))] : []),
    mmputStep(),
  ];

  /** exit_mmap: release the notifiers, unmap everything, free the tables, drop the mm. */
  const exitMmap: Program = [
    ...forEachNotifier("mmu_notifier_release", "drv:release"),
    step("__mmu_notifier_release", (c) => {
      const mm = mmFor(c);
      const n = mm.notifiers.length;
      mm.notifiers = [];
      // synchronize_srcu: wait for every method still running on another CPU.
      setLocal(
        c,
        "srcu.wait",
        Object.keys(c.w.kernel.srcu.readers).filter((r) => r !== c.t.name),
      );
      c.rec.say(
        `${n} notifier(s) unhooked from the mm (hlist_del_init_rcu); synchronize_srcu waits for running callbacks.`,
      );
      return undefined;
    }),
    // From here on exit_mmap touches no notifier list, no SRCU reader but in this wait (which a
    // reader's srcu_read_lock can close again) and no `cleared`: the page tables, the VMAs,
    // the mm's state and counts, the CPU's TLB.
    step(
      "synchronize_srcu",
      (c) => {
        setLocal(c, "srcu.wait", null);
        c.rec.say("Every SRCU reader that was running a notifier method has left: the grace period is over.");
        return undefined;
      },
      {
        rest: { r: FP.SRCU_ENTER, w: 0 },
        wait: (c) => {
          const waitFor = local(c, "srcu.wait") ?? [];
          const inside = waitFor.filter((r) => Object.hasOwn(c.w.kernel.srcu.readers, r));
          return inside.length > 0 ? `waiting for the SRCU readers ${inside.join(", ")} to leave` : null;
        },
      },
    ),
    step(
      "unmap_vmas",
      (c) => {
        const mm = mmFor(c);
        const freed: number[] = [];
        for (const v of mm.vmas)
          freed.push(...unmapRange(c.w.mem, mm.pgd, toVa(v.start), vaEnd(v.start + v.pages * PAGE_SIZE)));
        mm.vmas = [];
        setLocal(c, "gather.pages", freed);
        setLocal(c, "gather.tables", collectEmptyTables(c.w.mem, mm.pgd, toVa(0), vaEnd(2 ** 48)));
        c.rec.say(
          `Every PTE of ${mm.process} is cleared (${freed.length} page(s)). The notifiers are already unhooked: nobody tells the SMMU.`,
        );
        return undefined;
      },
      { rest: NO_FP },
    ),
    step(
      "flush_tlb_mm",
      (c) => {
        cpuTlbi(c, mmOf(c), 0, 2 ** 48, "flush_tlb_mm");
        return undefined;
      },
      { rest: NO_FP, ...cpuOnly },
    ),
    step(
      "tlb_finish_mmu",
      (c) => {
        freeGathered(c);
        mmEvent(c, mmFor(c), "mm.exit_mmap_done");
        return undefined;
      },
      { rest: NO_FP },
    ),
    step(
      "mmdrop",
      (c) => {
        mmdrop(c, mmFor(c));
        return undefined;
      },
      { rest: NO_FP },
    ),
  ];

  return { mmap, touch, munmap, mprotect, exit, exitMmap };
}

/** mmdrop: the last mm_count frees the pgd and the mm itself (__mmdrop). */
export function mmdrop(c: KernelCtx, mm: Draft<MmState>): void {
  if (mm.count <= 0) {
    c.rec.violation(
      "refcount",
      `${c.t.name} called mmdrop on ${mm.process}'s mm whose mm_count is already 0.`,
    );
    return;
  }
  mm.count -= 1;
  if (!mmEvent(c, mm, "mm.mmdrop")) return;
  if (mm.count > 0) {
    c.rec.say(`mm_count of ${mm.process} drops to ${mm.count}: the mm_struct and its pgd stay.`);
    return;
  }
  mmEvent(c, mm, "mm.mmdrop_last");
  freeFrame(c.w.mem, mm.pgd);
  c.rec.say(`__mmdrop: ${mm.process}'s mm_struct and pgd (frame ${hexa(mm.pgd)}) are freed.`);
  // mm_pasid_drop (v5.18+, "mm: Fix PASID use-after-free issue"): the PASID belongs to the mm
  // and goes with it. Before, unbind's iommu_sva_free_pasid freed it and __mmdrop had nothing
  // to do; the 2018 RFC and the guest kernels keep their own allocators.
  if (
    mm.pasid !== null &&
    (designOf(c.w.kernel.release) === "io-mm-2018" || releaseHas(c.w.kernel.release, "pasid-mm-lifetime"))
  ) {
    checkPasidFreed(c, mm.pasid, "mm_pasid_drop");
    delete kernelPart(c.w, "pasids")[mm.pasid];
    c.rec.say(`mm_pasid_drop: PASID ${mm.pasid} is free again.`);
    mm.pasid = null;
  }
  // 6.8+: mm_pasid_drop also kfrees mm->iommu_mm (struct iommu_mm_data).
  const iommuMm = findObject(
    c.w,
    (o) => o.kind === "mm_data" && o.process === mm.process && o.state === "live",
  );
  if (iommuMm && putRef(c, iommuMm)) free(c, iommuMm);
}

/**
 * The caller's mm_users reference around a bind (iommu_sva_bind_device): callers bind their
 * own, live mm (current->mm, or one they hold with mmget), and __mmu_notifier_register
 * BUG_ONs on mm_users == 0, so exit_mmap cannot start inside a bind. The reference is the
 * caller's, modelled at the bind's ends; an mm that already exited cannot be bound (-ESRCH).
 */
export function callerMmget(fn: string): MicroStep {
  return step(fn, (c) => {
    const mm = mmFor(c);
    if (mm.state !== "live") {
      setLocal(c, "caller.mmget", false);
      c.rec.say(`${mm.process} has exited: its driver has no mm to bind (-ESRCH).`);
      return RETURN;
    }
    mm.users += 1;
    setLocal(c, "caller.mmget", true);
    c.rec.say(
      `${mm.process}'s mm_users is held by the caller for the whole bind (${mm.users}): exit_mmap cannot start before the bind returns.`,
    );
    return undefined;
  });
}

/** The caller's mmput after bind returned: the last one runs exit_mmap in this thread. */
export function callerMmput(): MicroStep {
  return { ...mmputStep(), when: (c: Ctx) => local(c, "caller.mmget") === true, fp: NO_FP };
}
