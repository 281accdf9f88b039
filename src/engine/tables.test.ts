/**
 * The sizes and keys of the stream table and CD tables (reference §2.2, §3.3): what boot
 * allocates, what the trace's table-write ids are computed from and how the configuration cache
 * names what it holds. Sizes from the architecture and Linux's constants: an STE is 64 bytes, an
 * L1 descriptor 8; a stream-table leaf holds 2^STRTAB_SPLIT = 256 STEs (16 KiB), a CD leaf
 * CTXDESC_L2_ENTRIES = 1024 CDs (64 KiB). The per-entry addresses are tested in ste.test.ts and
 * cd.test.ts.
 */

import { describe, expect, it } from "vitest";
import { pa } from "./ids.ts";
import {
  CD_LEAF_BYTES,
  cdKey,
  cdL1FirstSsid,
  cdTableBytes,
  cfgKeyOfSid,
  l1CdKey,
  needsCdLeaf,
  parseCfgKey,
  strtabBytes,
  strtabL1Entries,
  strtabLeafEntries,
  strtabSid,
} from "./tables.ts";

describe("stream table sizes (§2.2)", () => {
  it("a linear table of 2^8 StreamIDs is 16 KiB; a 2-level one of 2^16 has 256 L1 descriptors (2 KiB)", () => {
    expect(strtabBytes({ fmt: "linear", log2size: 8, split: 0 })).toBe(16 * 1024);
    const st = { fmt: "2lvl", log2size: 16, split: 8 } as const;
    expect(strtabL1Entries(st)).toBe(256);
    expect(strtabBytes(st)).toBe(2048);
    expect(strtabLeafEntries(st) * 64).toBe(16 * 1024);
  });

  it("StreamID of a leaf slot: L1 index << SPLIT | slot", () => {
    expect(strtabSid({ split: 8 }, 0x12, 0x34)).toBe(0x1234);
  });
});

describe("CD table sizes (§3.3)", () => {
  it("a linear table of 2^10 CDs is 64 KiB; a 2-level one of 2^20 has 1024 L1 descriptors (8 KiB)", () => {
    expect(cdTableBytes("linear", 10)).toBe(64 * 1024);
    expect(cdTableBytes("2lvl", 20)).toBe(8 * 1024);
    // Fewer CDs than a leaf holds still need one L1 descriptor.
    expect(cdTableBytes("2lvl", 8)).toBe(8);
    expect(CD_LEAF_BYTES).toBe(64 * 1024);
    expect(cdL1FirstSsid(3)).toBe(3072);
  });

  it("a 2-level table needs a leaf for an SSID whose L1 descriptor has none", () => {
    const table = { fmt: "2lvl", base: pa(0x10000), s1cdmax: 20, leaves: { 0: pa(0x20000) } } as const;
    expect(needsCdLeaf(table, 1023)).toBe(false);
    expect(needsCdLeaf(table, 1024)).toBe(true);
    expect(needsCdLeaf({ ...table, fmt: "linear" }, 1024)).toBe(false);
  });
});

describe("configuration cache keys", () => {
  it("name a CD by StreamID and SSID, an L1 CD descriptor by StreamID and L1 index", () => {
    expect(cdKey(16, 1025)).toBe("16:1025");
    expect(l1CdKey(16, 1025)).toBe("16:1");
    expect(parseCfgKey(cdKey(16, 1025))).toEqual([16, 1025]);
    expect(parseCfgKey(l1CdKey(16, 1025))).toEqual([16, 1]);
  });

  it("tell a StreamID's keys from another's that starts with the same digits", () => {
    expect(cfgKeyOfSid(cdKey(16, 1), 16)).toBe(true);
    expect(cfgKeyOfSid(cdKey(160, 1), 16)).toBe(false);
    expect(cfgKeyOfSid(cdKey(1, 16), 16)).toBe(false);
  });
});
