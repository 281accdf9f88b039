/**
 * The SMMU translating one transaction, through its configuration cache, IOTLB and walk
 * cache (consume.ts has the other half: the command queue).
 *
 * Translation is one straight pipeline with one exit (QEMU `smmuv3_translate` is the model):
 *   1. STE: locate, fetch through the config cache; V=0 → C_BAD_STE; Config abort / bypass.
 *   2. SubstreamID: none → S1DSS (terminate, bypass, or CD 0); out of range → C_BAD_SUBSTREAMID.
 *   3. CD: locate, fetch through the config cache; V=0 → C_BAD_CD.
 *   4. IOTLB lookup by {ASID, VMID, page}; a hit ends the pipeline.
 *   5. Walk TTB0 (the process's own page table) unless EPD0 (→ F_TRANSLATION); fill the IOTLB.
 *   Epilogue: a fault is written to the event queue when CD.R says to record it.
 *
 * Nested (Config=7, a guest's stage 1 over the host's stage 2): S1ContextPtr, the CD table's
 * descriptors, TTB0 and every table address of the stage-1 walk are IPAs, each translated by
 * the stage-2 walk from S2TTB; so is the stage-1 output. A stage-2 fault is recorded when
 * STE.S2R says so, with S2=1, the CLASS of the access that faulted and the IPA. The IOTLB holds
 * the combined VA → PA translation tagged {ASID, S2VMID}. Stage 2 alone (Config=6) translates
 * the input address as an IPA.
 */

import { getField, getPa } from "./bits.ts";
import { CD_LAYOUT as CD } from "./cd.ts";
import { smmuPart, smmuShell } from "./clone.ts";
import { buildEvent, EVT_ID, type EventType, type EvtClass } from "./events.ts";
import { inFrame, PAGE_SIZE, type Pa, type Va } from "./ids.ts";
import { describeOwner, frameAt, readWord, readWords, writeWords } from "./memory.ts";
import { L3_SPAN, type TableSpace, walk, walkFrom } from "./pgtable.ts";
import { queueFull, slotAddr } from "./queue.ts";
import { s2Lookup, walkS2 } from "./stage2.ts";
import { STE_LAYOUT as STE, STRTAB_STE_0_CFG, STRTAB_STE_1_S1DSS } from "./ste.ts";
import { cdKey, cdTableOf, l1CdKey, locateCdVia, locateSte } from "./tables.ts";
import type { Recorder } from "./trace.ts";
import { findDeviceBySid, type World } from "./world.ts";
import type { PathLog, TranslationPath } from "./xlate-path.ts";

/** The translation-related faults: a context may stall on them, a device may ask PRI about them. */
export const STALLABLE: readonly EventType[] = ["F_TRANSLATION", "F_ACCESS", "F_PERMISSION"];

export interface TranslateRequest {
  readonly sid: number;
  /** The PASID on the transaction, or null for a request without PASID. */
  readonly ssid: number | null;
  readonly va: Va;
  readonly write: boolean;
  /** An ATS Translation Request from the device, rather than an untranslated access. */
  readonly ats: boolean;
  /** A transaction the SMMU retries after CMD_RESUME: it may not stall again. */
  readonly noStall?: boolean;
}

export type Translation =
  | {
      readonly status: "success";
      readonly pa: Pa;
      readonly writable: boolean;
      readonly via: "iotlb" | "walk";
      readonly asid: number;
    }
  | { readonly status: "bypass"; readonly pa: Pa }
  | { readonly status: "abort"; readonly why: string }
  | {
      readonly status: "fault";
      readonly event: EventType;
      readonly recorded: boolean;
      readonly why: string;
      /** The transaction is held stalled (CD.S=1) under this STAG until a CMD_RESUME. */
      readonly stag?: number;
    };

/** Fetches the STE of `sid` through the configuration cache. */
function fetchSte(
  w: World,
  sid: number,
  rec: Recorder,
  log: PathLog | null,
): readonly bigint[] | { fault: EventType; why: string } {
  const cached = w.smmu.cfg.ste[sid];
  if (cached) {
    log?.steCached(w, sid, cached);
    return cached;
  }
  const where = locateSte(w, w.smmu.strtab, sid);
  if (!where.ok) {
    log?.steRead(sid, where, null);
    return { fault: "C_BAD_STREAMID", why: where.why };
  }
  const ste = readWords(w.mem, where.addr, 8);
  log?.steRead(sid, where, ste);
  smmuPart(w, "cfg").ste[sid] = ste;
  rec.record({ type: "smmu.cfg.fetch", what: "STE", sid });
  return ste;
}

/**
 * The L1 CD descriptor at `desc` (an IPA through `space` for a guest's table), through the
 * configuration cache: the SMMU may keep it, valid or not, until CFGI_CD with LEAF=0,
 * CFGI_CD_ALL, CFGI_STE or CFGI_ALL drops it; CFGI_CD with LEAF=1 need not (reference §1.2,
 * §3.3, §11). Null when stage 2 maps no page there.
 */
function fetchL1Cd(
  w: World,
  sid: number,
  ssid: number,
  desc: number,
  rec: Recorder,
  space: TableSpace | undefined,
  log: PathLog | null,
): bigint | null {
  const key = l1CdKey(sid, ssid);
  const cached = w.smmu.cfg.l1cd?.[key];
  if (cached !== undefined) {
    log?.l1cd(w, desc, cached, null);
    return cached;
  }
  const at = space ? space.toPa(desc) : desc;
  if (at === null) return null;
  const word = readWord(w.mem, at);
  log?.l1cd(w, desc, word, at);
  const cfg = smmuPart(w, "cfg");
  cfg.l1cd ??= {};
  cfg.l1cd[key] = word;
  rec.record({ type: "smmu.cfg.fetch", what: "L1CD", sid, ssid });
  return word;
}

type CdFetch = readonly bigint[] | { fault: EventType; why: string; s2?: { ipa: number } };

function fetchCd(
  w: World,
  sid: number,
  ste: readonly bigint[],
  ssid: number,
  rec: Recorder,
  space: TableSpace | undefined,
  log: PathLog | null,
): CdFetch {
  const cached = w.smmu.cfg.cd[cdKey(sid, ssid)];
  if (cached) {
    log?.cdCached(w, sid, ste, ssid, cached);
    return cached;
  }
  const dev = findDeviceBySid(w, sid);
  if (!dev) return { fault: "C_BAD_CD" as EventType, why: `no CD table for StreamID ${sid}` };
  // The SMMU follows the STE it holds, not the driver's bookkeeping.
  const table = cdTableOf(dev.cdTable, ste);
  const where = locateCdVia(table, ssid, (desc) => fetchL1Cd(w, sid, ssid, desc, rec, space, log));
  const at = where.ok ? (space ? space.toPa(where.addr) : where.addr) : null;
  const cd = at === null ? null : readWords(w.mem, at, 8);
  log?.cdRead(sid, ssid, where, at, cd);
  if (!where.ok) {
    return "s2" in where
      ? { fault: "F_TRANSLATION", why: where.why, s2: { ipa: table.base } }
      : { fault: "C_BAD_SUBSTREAMID", why: where.why };
  }
  if (at === null || !cd) {
    return {
      fault: "F_TRANSLATION",
      why: `stage 2 maps no page at the CD's IPA 0x${where.addr.toString(16)}`,
      s2: { ipa: where.addr },
    };
  }
  smmuPart(w, "cfg").cd[cdKey(sid, ssid)] = cd;
  rec.record({ type: "smmu.cfg.fetch", what: "CD", sid, ssid });
  return cd;
}

/** Writes an event record to the EVTQ (dropped when the queue is full, as on overflow). */
export function recordEvent(
  w: World,
  rec: Recorder,
  ev: {
    type: EventType;
    sid: number;
    ssid: number | null;
    addr: number;
    write: boolean;
    stag?: number;
    /** A stage-2 fault: the class of access and the IPA that faulted. */
    s2?: { class: EvtClass; ipa: number };
  },
): void {
  const q = w.smmu.evtq;
  const words = buildEvent({
    type: ev.type,
    sid: ev.sid,
    ...(ev.ssid === null ? {} : { ssid: ev.ssid }),
    addr: ev.addr,
    rnw: !ev.write,
    ...(ev.stag === undefined ? {} : { stall: true, stag: ev.stag }),
    ...(ev.s2 ? { s2: true, class: ev.s2.class, ipa: ev.s2.ipa } : {}),
  });
  if (!queueFull(q)) {
    writeWords(w.mem, slotAddr(q, q.produced), words);
    smmuPart(w, "evtq").produced += 1;
  }
  rec.record({
    type: "smmu.evtq.record",
    name: ev.type,
    code: EVT_ID[ev.type],
    sid: ev.sid,
    ssid: ev.ssid,
    addr: ev.addr,
    words,
  });
}

/** Translates one transaction; records the event of a fault when the CD (or STE) says to. */
export function translate(w: World, req: TranslateRequest, rec: Recorder): Translation {
  return translateTraced(w, req, rec).t;
}

/**
 * `translate`, and its path when the recorder asks for paths (`rec.paths`, xlate-path.ts): the
 * tables the SMMU read, with their addresses, or the caches that answered.
 */
export function translateTraced(
  w: World,
  req: TranslateRequest,
  rec: Recorder,
): { t: Translation; path: TranslationPath | null } {
  const log = rec.paths?.(req) ?? null;
  const t = translateVia(w, req, rec, log);
  return { t, path: log ? log.finish(t) : null };
}

function translateVia(w: World, req: TranslateRequest, rec: Recorder, log: PathLog | null): Translation {
  const fault = (event: EventType, why: string, record: boolean): Translation => {
    if (record)
      recordEvent(w, rec, { type: event, sid: req.sid, ssid: req.ssid, addr: req.va, write: req.write });
    return { status: "fault", event, recorded: record, why };
  };

  // 1. STE
  const ste = fetchSte(w, req.sid, rec, log);
  if ("fault" in ste) return fault(ste.fault, ste.why, true);
  const f = (name: keyof typeof STE.fields) => Number(getField(ste, STE.fields[name]));
  if (f("V") === 0) return fault("C_BAD_STE", `STE ${req.sid} is not valid (V=0)`, true);
  const config = f("CONFIG");
  if ((config & 4) === 0) return { status: "abort", why: `STE ${req.sid} Config=abort` };
  if (config === STRTAB_STE_0_CFG.BYPASS) return { status: "bypass", pa: req.va as number as Pa };
  if (req.ats && f("EATS") === 0) return fault("F_BAD_ATS_TREQ", `STE ${req.sid} has EATS=0`, true);

  // Stage 2 (Config bit 1): every IPA goes through the walk from S2TTB.
  const vmid = config & 2 ? f("S2VMID") : 0;
  const s2ttb = getPa(ste, STE.fields.S2TTB);
  const s2: TableSpace | undefined =
    config & 2
      ? {
          toPa: (ipa) => s2Lookup(w.mem, s2ttb, ipa),
          alloc: () => {
            // The SMMU allocates nothing.
            throw new Error("unreachable");
          },
        }
      : undefined;
  // With a path log, each stage-2 walk the SMMU does for a guest's structure goes into the path.
  const space = s2 && log ? log.stage2(w, s2ttb, s2) : s2;
  const s2Fault = (event: EventType, why: string, cls: EvtClass, ipa: number): Translation => {
    const recorded = f("S2R") === 1 && !req.ats;
    if (recorded) {
      recordEvent(w, rec, {
        type: event,
        sid: req.sid,
        ssid: req.ssid,
        addr: req.va,
        write: req.write,
        s2: { class: cls, ipa },
      });
    }
    return { status: "fault", event, recorded, why: `stage 2: ${why}` };
  };
  if (config === STRTAB_STE_0_CFG.S2_TRANS) return stage2Only(w, req, vmid, s2ttb, s2Fault, log);

  // 2. SubstreamID
  let ssid = req.ssid;
  const cdmax = f("S1CDMAX");
  if (ssid === null) {
    const dss = f("S1DSS");
    if (cdmax > 0 && dss === STRTAB_STE_1_S1DSS.TERMINATE)
      return fault("F_STREAM_DISABLED", "S1DSS=terminate", true);
    if (cdmax > 0 && dss === STRTAB_STE_1_S1DSS.BYPASS) {
      // Stage 1 is bypassed, not stage 2: a nested stream's address is then an IPA.
      return space
        ? stage2Only(w, req, vmid, s2ttb, s2Fault, log)
        : { status: "bypass", pa: req.va as number as Pa };
    }
    ssid = 0;
  } else if (ssid >= 2 ** cdmax || (cdmax === 0 && ssid !== 0)) {
    return fault("C_BAD_SUBSTREAMID", `SSID ${ssid} ≥ 2^S1CDMax (${cdmax})`, true);
  }

  // 3. CD
  const cd = fetchCd(w, req.sid, ste, ssid, rec, space, log);
  if ("fault" in cd) {
    return cd.s2 ? s2Fault(cd.fault, cd.why, "CD", cd.s2.ipa) : fault(cd.fault, cd.why, true);
  }
  const c = (name: keyof typeof CD.fields) => Number(getField(cd, CD.fields[name]));
  if (c("V") === 0) return fault("C_BAD_CD", `CD ${req.sid}:${ssid} is not valid (V=0)`, true);
  const recordFaults = c("R") === 1;
  // A stall-enabled context (CD.S=1, STE.S1STALLD=0) holds a faulting untranslated access.
  const canStall = c("S") === 1 && f("S1STALLD") === 0 && !req.ats && !req.noStall;
  const translationFault = (event: EventType, why: string): Translation => {
    // A failed ATS Translation Request is answered in its completion, not recorded.
    if (req.ats) return { status: "fault", event, recorded: false, why };
    if (!canStall || !STALLABLE.includes(event)) return fault(event, why, recordFaults);
    const stag = smmuShell(w).nextStag++;
    smmuPart(w, "stalls").push({
      stag,
      sid: req.sid,
      ssid: req.ssid,
      va: req.va,
      write: req.write,
      state: "stalled",
    });
    recordEvent(w, rec, { type: event, sid: req.sid, ssid: req.ssid, addr: req.va, write: req.write, stag });
    return {
      status: "fault",
      event,
      recorded: true,
      why: `${why}; the transaction stalls (STAG ${stag})`,
      stag,
    };
  };
  const asid = c("ASID");
  const page = Math.floor(req.va / PAGE_SIZE) * PAGE_SIZE;

  // 4. IOTLB
  const hit = w.smmu.iotlb.find((e) => e.asid === asid && e.vmid === vmid && e.va === page);
  if (hit) {
    log?.hit({ cache: "IOTLB", ...hit });
    if (req.write && !hit.writable) {
      return translationFault("F_PERMISSION", `IOTLB entry for 0x${page.toString(16)} is read-only`);
    }
    return {
      status: "success",
      pa: inFrame(hit.pa as Pa, req.va),
      writable: hit.writable,
      via: "iotlb",
      asid,
    };
  }

  // 5. Walk. EPD0 disables walks only: a TLB entry tagged with the CD's ASID still hits,
  // which is why the quiet CD must be followed by a TLBI.
  if (c("EPD0") === 1) {
    return translationFault("F_TRANSLATION", `CD ${req.sid}:${ssid} has EPD0=1: TTB0 walks are disabled`);
  }
  const ttb0 = getPa(cd, CD.fields.TTB0);
  const region = Math.floor(req.va / L3_SPAN) * L3_SPAN;
  // The model's walk cache holds stage-1 tables of host contexts only.
  const cachedTable = space
    ? undefined
    : w.smmu.walkCache.find((e) => e.asid === asid && e.vmid === 0 && e.va === region);
  if (cachedTable) log?.walkCache(cachedTable);
  const walkReq = { write: req.write, privileged: false, seen: log?.pte(req.va) };
  const r = cachedTable
    ? walkFrom(w.mem, cachedTable.table as Pa, 3, req.va, walkReq)
    : walk(w.mem, ttb0, req.va, walkReq, space);
  if (!cachedTable && !space && r.tables.length === 4) {
    const table = r.tables[3]!;
    const generation = frameAt(w.mem, table)?.generation ?? 0;
    smmuPart(w, "walkCache").push({ asid, vmid: 0, va: region, table, generation, shared: c("ASET") === 0 });
  }
  rec.record({
    type: "smmu.walk",
    sid: req.sid,
    ssid,
    tables: r.tables,
    ...(space ? { stage2: { vmid, s2ttb, ipas: r.inputs ?? [], output: r.ok ? r.pa : null } } : {}),
  });
  for (const table of r.tables) {
    const frame = frameAt(w.mem, table);
    const reused =
      cachedTable !== undefined &&
      table === cachedTable.table &&
      frame?.generation !== cachedTable.generation;
    if (frame?.owner.kind !== "pgtable" || reused) {
      rec.violation(
        "walk-freed-table",
        `The SMMU walked the page-table page at 0x${table.toString(16)}${cachedTable ? " that its walk cache remembered" : ""}, but that frame is ${frame ? describeOwner(frame.owner) : "not memory"}${reused ? " now, reallocated since" : ""}.`,
      );
    }
  }
  if (!r.ok) {
    if (r.stage2) {
      return s2Fault("F_TRANSLATION", `a stage-1 table at level ${r.level} has no IPA mapping`, "TT", ttb0);
    }
    return translationFault(r.fault, `walk of 0x${req.va.toString(16)} stopped at level ${r.level}`);
  }
  let out = { pa: r.pa, writable: r.writable };
  if (space) {
    // The stage-1 output is an IPA: stage 2 gives the physical address and may forbid writes.
    const s2 = walkS2(w.mem, s2ttb, r.pa, req.write, log?.output(r.pa));
    if (!s2.ok) return s2Fault(s2.fault, `IPA 0x${r.pa.toString(16)} (level ${s2.level})`, "IN", r.pa);
    out = { pa: s2.pa, writable: r.writable && s2.writable };
  }
  smmuPart(w, "iotlb").push({
    asid,
    vmid,
    va: page,
    pa: out.pa - (req.va % PAGE_SIZE),
    writable: out.writable,
    shared: c("ASET") === 0,
    sid: req.sid,
    ssid,
  });
  return { status: "success", pa: out.pa as Pa, writable: out.writable, via: "walk", asid };
}

/** Config=6: the input address is an IPA, translated by stage 2 alone (tagged ASID 0). */
function stage2Only(
  w: World,
  req: TranslateRequest,
  vmid: number,
  s2ttb: Pa,
  s2Fault: (event: EventType, why: string, cls: EvtClass, ipa: number) => Translation,
  log: PathLog | null,
): Translation {
  const page = Math.floor(req.va / PAGE_SIZE) * PAGE_SIZE;
  const hit = w.smmu.iotlb.find((e) => e.asid === 0 && e.vmid === vmid && e.va === page);
  if (hit && (!req.write || hit.writable)) {
    log?.hit({ cache: "IOTLB", ...hit });
    return {
      status: "success",
      pa: inFrame(hit.pa as Pa, req.va),
      writable: hit.writable,
      via: "iotlb",
      asid: 0,
    };
  }
  const s2 = walkS2(w.mem, s2ttb, req.va, req.write, log?.output(req.va));
  if (!s2.ok) return s2Fault(s2.fault, `IPA 0x${req.va.toString(16)} (level ${s2.level})`, "IN", req.va);
  smmuPart(w, "iotlb").push({
    asid: 0,
    vmid,
    va: page,
    pa: s2.pa - (req.va % PAGE_SIZE),
    writable: s2.writable,
    shared: false,
    sid: req.sid,
    ssid: 0,
  });
  return { status: "success", pa: s2.pa, writable: s2.writable, via: "walk", asid: 0 };
}
