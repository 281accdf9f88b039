/**
 * Event records (§4.1) and PRI queue entries (§4.3). Golden words were worked out by hand
 * from the field tables; the comment above each shows the sum.
 */

import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { hex64 } from "./bits.ts";
import {
  buildEvent,
  buildPriEntry,
  decodeEvent,
  decodePriEntry,
  EVENTS,
  EVT_ID,
  type EventRecord,
  type EventType,
  eventFields,
  eventTypeOf,
  type PriEntry,
} from "./events.ts";

const hexes = (w: readonly bigint[]) => w.map(hex64);
const Z = "0x0000000000000000";

describe("event IDs (§4.1)", () => {
  it("match the reference table", () => {
    expect(EVT_ID).toEqual({
      F_UUT: 0x01,
      C_BAD_STREAMID: 0x02,
      F_STE_FETCH: 0x03,
      C_BAD_STE: 0x04,
      F_BAD_ATS_TREQ: 0x05,
      F_STREAM_DISABLED: 0x06,
      F_TRANSL_FORBIDDEN: 0x07,
      C_BAD_SUBSTREAMID: 0x08,
      F_CD_FETCH: 0x09,
      C_BAD_CD: 0x0a,
      F_WALK_EABT: 0x0b,
      F_TRANSLATION: 0x10,
      F_ADDR_SIZE: 0x11,
      F_ACCESS: 0x12,
      F_PERMISSION: 0x13,
      F_TLB_CONFLICT: 0x20,
      F_CFG_CONFLICT: 0x21,
      E_PAGE_REQUEST: 0x24,
      F_VMS_FETCH: 0x25,
    });
    expect(eventTypeOf(0x10)).toBe("F_TRANSLATION");
    expect(eventTypeOf(0x0a)).toBe("C_BAD_CD");
    expect(eventTypeOf(0x99)).toBeUndefined();
    for (const e of Object.values(EVENTS)) expect(e.doc.length).toBeGreaterThan(5);
  });
});

describe("buildEvent golden vectors", () => {
  it("F_TRANSLATION write with PASID", () => {
    // dw0: ID 0x10 | SSV 1<<11 | SSID 1<<12 | SID 16<<32 ; dw1: CLASS IN 2<<40 ; dw2: 0x10000
    expect(hexes(buildEvent({ type: "F_TRANSLATION", sid: 16, ssid: 1, addr: 0x10000, rnw: false }))).toEqual(
      ["0x0000001000001810", "0x0000020000000000", "0x0000000000010000", Z],
    );
  });

  it("stalled read: RnW 1<<35, STALL 1<<31, STAG 0x42", () => {
    const w = buildEvent({
      type: "F_PERMISSION",
      sid: 16,
      ssid: 1,
      addr: 0x10000,
      rnw: true,
      stall: true,
      stag: 0x42,
    });
    // dw1: 0x20000000000 | 0x800000000 | 0x80000000 | 0x42
    expect(hex64(w[1]!)).toBe("0x0000020880000042");
  });

  it("C_BAD_CD without PASID", () => {
    // dw0: 0x0a | SID 3<<32
    expect(hex64(buildEvent({ type: "C_BAD_CD", sid: 3, addr: 0, rnw: true })[0]!)).toBe(
      "0x000000030000000a",
    );
  });

  it("F_WALK_EABT: CLASS TT (1<<40), TTRnW 1<<44, fetch address 51:3 in dw3", () => {
    const w = buildEvent({
      type: "F_WALK_EABT",
      sid: 1,
      addr: 0x7000,
      rnw: true,
      class: "TT",
      ttrnw: true,
      fetchAddr: 0x81ff8,
    });
    // dw1: 1<<40 | RnW 1<<35 | 1<<44
    expect(hexes(w)).toEqual([
      "0x000000010000000b",
      "0x0000110800000000",
      "0x0000000000007000",
      "0x0000000000081ff8",
    ]);
  });

  it("stage-2 fault: S2 1<<39, PnU 1<<33, InD 1<<34, IPA 51:12 in dw3", () => {
    const w = buildEvent({
      type: "F_TRANSLATION",
      sid: 1,
      addr: 0x7000,
      rnw: false,
      s2: true,
      pnu: true,
      ind: true,
      ipa: 0x5000,
    });
    // dw1: 2<<40 | 1<<39 | 1<<34 | 1<<33
    expect(hexes(w).slice(1)).toEqual(["0x0000028600000000", "0x0000000000007000", "0x0000000000005000"]);
  });

  it("refuses the wrong dw3 for the event", () => {
    expect(() => buildEvent({ type: "F_TRANSLATION", sid: 1, addr: 0, rnw: true, fetchAddr: 8 })).toThrow(
      RangeError,
    );
    expect(() => buildEvent({ type: "F_CD_FETCH", sid: 1, addr: 0, rnw: true, ipa: 0x1000 })).toThrow(
      RangeError,
    );
    expect(() => buildEvent({ type: "F_CD_FETCH", sid: 1, addr: 0, rnw: true, fetchAddr: 4 })).toThrow(
      /FETCH_ADDR/,
    );
  });
});

const u = (bits: number) => fc.integer({ min: 0, max: 2 ** bits - 1 });
const FETCH: readonly EventType[] = ["F_STE_FETCH", "F_CD_FETCH", "F_WALK_EABT", "F_VMS_FETCH"];

describe("decodeEvent", () => {
  it("inverts buildEvent", () => {
    const arb = fc
      .record({
        type: fc.constantFrom(...(Object.keys(EVENTS) as EventType[])),
        sid: u(32),
        ssid: fc.option(u(20), { nil: undefined }),
        addr: u(52),
        rnw: fc.boolean(),
        stall: fc.boolean(),
        stag: u(16),
        pnu: fc.boolean(),
        ind: fc.boolean(),
        s2: fc.boolean(),
        class: fc.constantFrom("CD" as const, "TT" as const, "IN" as const),
        ttrnw: fc.boolean(),
        dw3: u(40),
      })
      .map(({ dw3, ssid, ...e }): EventRecord => {
        const withSsid = ssid === undefined ? e : { ...e, ssid };
        return FETCH.includes(e.type)
          ? { ...withSsid, fetchAddr: dw3 * 8 }
          : { ...withSsid, ipa: dw3 * 4096 };
      });
    fc.assert(
      fc.property(arb, (e) => {
        expect(decodeEvent(buildEvent(e))).toEqual(e);
      }),
      { numRuns: 1000 },
    );
  });

  it("gives UNKNOWN for an unnamed ID", () => {
    expect(decodeEvent([0x3fn, 0n, 0n, 0n])).toEqual({ type: "UNKNOWN", code: 0x3f });
  });

  it("eventFields shows IPA or FETCH_ADDR as the event has it", () => {
    const t = eventFields(buildEvent({ type: "F_TRANSLATION", sid: 1, addr: 0, rnw: true }));
    expect(t.map((r) => r.name)).toContain("IPA");
    expect(t.find((r) => r.name === "ID")?.text).toBe("F_TRANSLATION");
    const f = eventFields(buildEvent({ type: "F_STE_FETCH", sid: 1, addr: 0, rnw: true }));
    expect(f.map((r) => r.name)).toContain("FETCH_ADDR");
  });
});

describe("PRI queue entries (§4.3)", () => {
  it("golden vectors", () => {
    const withPasid: PriEntry = {
      sid: 16,
      ssid: 1,
      read: true,
      write: true,
      exec: false,
      priv: false,
      last: true,
      grpid: 5,
      addr: 0x10000,
    };
    // dw0: SID 16 | SSID 1<<32 | READ 1<<60 | WRITE 1<<61 | LAST 1<<62 | SSID_V 1<<63 ; dw1: 5 | 0x10000
    expect(hexes(buildPriEntry(withPasid))).toEqual(["0xf000000100000010", "0x0000000000010005"]);
    const plain: PriEntry = {
      sid: 7,
      read: true,
      write: false,
      exec: true,
      priv: true,
      last: false,
      grpid: 0x1ff,
      addr: 0x7000,
    };
    // dw0: 7 | PRIV 1<<58 | EXEC 1<<59 | READ 1<<60 ; dw1: 0x1ff | 0x7000
    expect(hexes(buildPriEntry(plain))).toEqual(["0x1c00000000000007", "0x00000000000071ff"]);
    expect(decodePriEntry(buildPriEntry(withPasid))).toEqual(withPasid);
    expect(decodePriEntry(buildPriEntry(plain))).toEqual(plain);
  });

  it("round trip", () => {
    const arb = fc
      .record({
        sid: u(32),
        ssid: fc.option(u(20), { nil: undefined }),
        read: fc.boolean(),
        write: fc.boolean(),
        exec: fc.boolean(),
        priv: fc.boolean(),
        last: fc.boolean(),
        grpid: u(9),
        addr: u(40).map((x) => x * 4096),
      })
      .map(({ ssid, ...p }): PriEntry => (ssid === undefined ? p : { ...p, ssid }));
    fc.assert(
      fc.property(arb, (p) => {
        expect(decodePriEntry(buildPriEntry(p))).toEqual(p);
      }),
    );
  });

  it("rejects an unaligned page address", () => {
    expect(() =>
      buildPriEntry({
        sid: 1,
        read: true,
        write: false,
        exec: false,
        priv: false,
        last: true,
        grpid: 0,
        addr: 0x10,
      }),
    ).toThrow(/ADDR/);
  });
});
