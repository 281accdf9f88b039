/**
 * A PCIe device doing DMA with a process's virtual addresses.
 *
 * Without ATS every access is untranslated and the SMMU translates it. With ATS (device
 * capable, SMMU capable, STE.EATS=1) the device first looks in its ATC; on a miss it sends an
 * ATS Translation Request, caches the answer, and then issues a *translated* access that the
 * SMMU lets through without looking at the tables (reference §5.5 window 2). That is why an
 * ATC entry outlives everything but an ATC_INV.
 *
 * The access then reaches a frame; the checker compares the frame with what the CPU's page
 * table maps now.
 */

import { getField } from "./bits.ts";
import { ownDevice, smmuPart } from "./clone.ts";
import { buildPriEntry } from "./events.ts";
import { inFrame, PAGE_SIZE, type Pa, type Va } from "./ids.ts";
import { describeOwner, frameAt, frameForWrite, frameIndex, writeWords } from "./memory.ts";
import { lookup, type TableSpace } from "./pgtable.ts";
import { queueFull, slotAddr } from "./queue.ts";
import { STALLABLE, translateTraced } from "./smmu.ts";
import { STE_LAYOUT as STE } from "./ste.ts";
import type { DmaOutcome, DmaVia, Recorder } from "./trace.ts";
import type { DeviceState, World } from "./world.ts";
import type { TranslationPath } from "./xlate-path.ts";

export interface DmaRequest {
  readonly dev: DeviceState;
  /**
   * The address space the access means to use, the checker's ground truth: the process's
   * page table for PASID traffic, the device's DMA domain (io-pgtable) without PASID.
   * A null page table: that address space is gone.
   */
  readonly truth: {
    readonly pgd: Pa | null;
    readonly owner: string;
    /** A guest's address space: its page table holds IPAs, resolved through stage 2. */
    readonly space?: TableSpace;
    /** An identity domain (a guest's S1DSS = bypass): the address is the IPA itself. */
    readonly identity?: boolean;
  };
  readonly pasid: number | null;
  readonly va: Va;
  readonly write: boolean;
  /** A retry after a page response or a RESUME: do not ask again, do not stall again. */
  readonly retry?: boolean;
}

function atsEnabled(w: World, dev: DeviceState): boolean {
  if (!dev.ats || !w.smmu.features.ats) return false;
  const ste = w.smmu.cfg.ste[dev.sid];
  // The device uses ATS once the driver enabled it, which it does with EATS=1 in the STE.
  return ste === undefined || getField(ste, STE.fields.EATS) === 1n;
}

/** One DMA access, start to end; records it and returns its outcome. */
export function deviceDma(w: World, req: DmaRequest, rec: Recorder): DmaOutcome {
  const { dev, pasid, va, write } = req;
  const page = Math.floor(va / PAGE_SIZE) * PAGE_SIZE;
  const base = { device: dev.name, sid: dev.sid, pasid, va, access: write ? "write" : "read" } as const;

  let pa: Pa | null = null;
  let via: DmaVia = "walk";
  let path: TranslationPath | null = null;
  const ats = atsEnabled(w, dev);
  const cached = ats ? dev.atc.find((e) => e.pasid === pasid && e.va === page) : undefined;
  if (cached && (!write || cached.writable)) {
    pa = inFrame(cached.pa as Pa, va);
    via = "atc";
    // A translated transaction: the SMMU looks nothing up (STE.EATS=1 lets it through).
    path = rec.paths?.({ sid: dev.sid, ssid: pasid, va }).atc(cached, pa) ?? null;
  } else {
    const traced = translateTraced(
      w,
      { sid: dev.sid, ssid: pasid, va, write, ats, noStall: req.retry === true },
      rec,
    );
    const t = traced.t;
    path = traced.path;
    const withPath = path ? { path } : {};
    switch (t.status) {
      case "success":
        pa = t.pa;
        via = t.via;
        if (ats) {
          const d = ownDevice(w, dev);
          d.atc = d.atc.filter((e) => !(e.pasid === pasid && e.va === page));
          d.atc.push({ pasid, va: page, pa: pa - (va % PAGE_SIZE), writable: t.writable });
        }
        break;
      case "bypass":
        pa = t.pa;
        break;
      case "abort":
      case "fault": {
        const fault = t.status === "fault" ? t.event : "abort";
        if (t.status === "fault" && t.stag !== undefined) {
          const outcome: DmaOutcome = { ...base, result: "stall", stale: false, fault, stag: t.stag };
          rec.record({ type: "dev.dma", dma: outcome, ...withPath });
          rec.say(
            `The SMMU holds the access stalled (${t.why}) and reports it with STALL=1, STAG ${t.stag}.`,
          );
          return outcome;
        }
        if (t.status === "fault" && ats && canAskPri(w, dev, req, t.event))
          return pageRequest(w, req, t.event, rec, base, path);
        const outcome: DmaOutcome = { ...base, result: "fault", stale: false, fault };
        rec.record({ type: "dev.dma", dma: outcome, ...withPath });
        rec.say(
          `The SMMU refused the access: ${t.why}${t.status === "fault" && !t.recorded ? (ats ? " (an ATS Translation Completion tells the device; no event is recorded)" : " (not recorded: CD.R=0)") : ""}.`,
        );
        return outcome;
      }
      default: {
        const exhaustive: never = t;
        return exhaustive;
      }
    }
  }
  return access(w, req, pa, via, rec, base, path);
}

function canAskPri(w: World, dev: DeviceState, req: DmaRequest, event: string): boolean {
  return dev.pri && w.smmu.features.pri && req.retry !== true && STALLABLE.includes(event as never);
}

/**
 * PCIe PRI: the ATS translation failed, so the device sends a Page Request (one page, a
 * group of one: PRG_LAST) and waits for the PRG Response before retrying. The SMMU writes
 * it to the PRI queue for the kernel.
 */
function pageRequest(
  w: World,
  req: DmaRequest,
  event: string,
  rec: Recorder,
  base: Pick<DmaOutcome, "device" | "sid" | "pasid" | "va" | "access">,
  path: TranslationPath | null,
): DmaOutcome {
  const dev = ownDevice(w, req.dev);
  const prg = dev.nextPrg;
  dev.nextPrg = (dev.nextPrg + 1) % 512;
  const page = Math.floor(req.va / PAGE_SIZE) * PAGE_SIZE;
  dev.prgs.push({ prg, pasid: req.pasid, va: page, write: req.write, response: null });
  const q = w.smmu.priq;
  const words = buildPriEntry({
    sid: dev.sid,
    ...(req.pasid === null ? {} : { ssid: req.pasid }),
    read: !req.write,
    write: req.write,
    exec: false,
    priv: false,
    last: true,
    grpid: prg,
    addr: page,
  });
  if (!queueFull(q)) {
    writeWords(w.mem, slotAddr(q, q.produced), words);
    smmuPart(w, "priq").produced += 1;
  }
  const outcome: DmaOutcome = { ...base, result: "pri", stale: false, fault: event, prg };
  rec.record({ type: "dev.dma", dma: outcome, ...(path ? { path } : {}) });
  rec.say(
    `The ATS translation failed (${event}); ${dev.name} has PRI, so it sends a Page Request for 0x${page.toString(16)} (PRG ${prg}) to the PRI queue and waits for the response.`,
  );
  return outcome;
}

function access(
  w: World,
  req: DmaRequest,
  pa: Pa,
  via: DmaVia,
  rec: Recorder,
  base: Pick<DmaOutcome, "device" | "sid" | "pasid" | "va" | "access">,
  path: TranslationPath | null,
): DmaOutcome {
  const frame = frameAt(w.mem, pa);
  const owner = frame ? describeOwner(frame.owner) : "no memory";
  const { pgd, space } = req.truth;
  const out = req.truth.identity ? req.va : pgd === null ? null : lookup(w.mem, pgd, req.va, space);
  const cpu = out !== null && space ? space.toPa(out) : out;
  const framePa = pa - (pa % PAGE_SIZE);
  const stale = cpu !== framePa;
  const outcome: DmaOutcome = { ...base, result: "ok", via, pa, stale, owner };
  rec.record({ type: "dev.dma", dma: outcome, ...(path ? { path } : {}) });
  const expected =
    frame?.owner.kind === "data" &&
    frame.owner.process === req.truth.owner &&
    frame.owner.va === Math.floor(req.va / PAGE_SIZE) * PAGE_SIZE;
  if (stale && !expected) {
    const where = { atc: "the device's ATC", iotlb: "the SMMU's IOTLB", walk: "a table walk" }[via];
    rec.violation(
      "stale-translation",
      `${req.dev.name} ${base.access === "write" ? "wrote" : "read"} 0x${req.va.toString(16)} through a stale translation from ${where}: it reached the frame at 0x${pa.toString(16)}, which is now ${owner}.`,
    );
  }
  if (frame && base.access === "write") {
    frameForWrite(w.mem, frameIndex(w.mem, pa))!.content = `${frame.content} · ${req.dev.name} wrote`;
  }
  return outcome;
}
