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
import { PAGE_SIZE, type Pa, type Va } from "./ids.ts";
import { describeOwner, frameAt } from "./memory.ts";
import { lookup } from "./pgtable.ts";
import { translate } from "./smmu.ts";
import { STE_LAYOUT as STE } from "./ste.ts";
import type { DmaOutcome, DmaVia, Recorder } from "./trace.ts";
import type { DeviceState, World } from "./world.ts";

export interface DmaRequest {
  readonly dev: DeviceState;
  /**
   * The address space the access means to use, the checker's ground truth: the process's
   * page table for PASID traffic, the device's DMA domain (io-pgtable) without PASID.
   * A null page table: that address space is gone.
   */
  readonly truth: { readonly pgd: Pa | null; readonly owner: string };
  readonly pasid: number | null;
  readonly va: Va;
  readonly write: boolean;
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
  const ats = atsEnabled(w, dev);
  const cached = ats ? dev.atc.find((e) => e.pasid === pasid && e.va === page) : undefined;
  if (cached && (!write || cached.writable)) {
    pa = (cached.pa + (va % PAGE_SIZE)) as Pa;
    via = "atc";
  } else {
    const t = translate(w, { sid: dev.sid, ssid: pasid, va, write, ats }, rec);
    switch (t.status) {
      case "success":
        pa = t.pa;
        via = t.via;
        if (ats) {
          dev.atc = dev.atc.filter((e) => !(e.pasid === pasid && e.va === page));
          dev.atc.push({ pasid, va: page, pa: pa - (va % PAGE_SIZE), writable: t.writable });
        }
        break;
      case "bypass":
        pa = t.pa;
        break;
      case "abort":
      case "fault": {
        const fault = t.status === "fault" ? t.event : "abort";
        const outcome: DmaOutcome = { ...base, result: "fault", stale: false, fault };
        rec.record({ type: "dev.dma", dma: outcome });
        rec.say(
          `The SMMU refused the access: ${t.why}${t.status === "fault" && !t.recorded ? " (not recorded: CD.R=0)" : ""}.`,
        );
        return outcome;
      }
      default: {
        const exhaustive: never = t;
        return exhaustive;
      }
    }
  }
  return access(w, req, pa, via, rec, base);
}

function access(
  w: World,
  req: DmaRequest,
  pa: Pa,
  via: DmaVia,
  rec: Recorder,
  base: Pick<DmaOutcome, "device" | "sid" | "pasid" | "va" | "access">,
): DmaOutcome {
  const frame = frameAt(w.mem, pa);
  const owner = frame ? describeOwner(frame.owner) : "no memory";
  const cpu = req.truth.pgd === null ? null : lookup(w.mem, req.truth.pgd, req.va);
  const framePa = pa - (pa % PAGE_SIZE);
  const stale = cpu !== framePa;
  const outcome: DmaOutcome = { ...base, result: "ok", via, pa, stale, owner };
  rec.record({ type: "dev.dma", dma: outcome });
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
  if (frame && base.access === "write") frame.content = `${frame.content} · ${req.dev.name} wrote`;
  return outcome;
}
