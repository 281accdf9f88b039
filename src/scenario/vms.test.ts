/**
 * VMs in the scenario format: what the checks refuse, and the round trip through the link's
 * compact layout and the JSON form.
 */

import { describe, expect, it } from "vitest";
import { compactV1ToJson, scenarioToCompactV1 } from "./compact.ts";
import { scenarioToJson } from "./json-form.ts";
import nested from "./library/nested-invalidation.json";
import { parseScenario } from "./schema.ts";

type Json = Record<string, unknown>;
const base = (): Json => JSON.parse(JSON.stringify(nested)) as Json;
const errorOf = (json: Json): string => {
  const r = parseScenario(json);
  return r.ok ? "" : r.error;
};

describe("VMs in a scenario", () => {
  it("parses the lesson, vsids and guest ops included", () => {
    const r = parseScenario(base());
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.value.vms?.[0]).toEqual({
      name: "vm0",
      pages: 256,
      devices: [
        { device: "nic0", vsid: 1 },
        { device: "nic1", vsid: 2 },
      ],
    });
  });

  it.each([
    [
      "needs the nested feature",
      (j: Json) => ((j.smmu as Json).features = ["ats"]),
      'vms: a VM needs the "nested" SMMU feature',
    ],
    [
      "an unknown device",
      (j: Json) => (((j.vms as Json[])[0]!.devices as Json[])[0]!.device = "gpu9"),
      'vms[0].devices[0].device: unknown device "gpu9"',
    ],
    [
      "a vSID twice",
      (j: Json) => (((j.vms as Json[])[0]!.devices as Json[])[1]!.vsid = 1),
      "vms[0].devices[1].vsid: virtual StreamID 1 is already devices[0]'s",
    ],
    [
      "too little guest RAM",
      (j: Json) => ((j.vms as Json[])[0]!.pages = 16),
      "vms[0].pages: 16 pages of guest RAM cannot hold",
    ],
    [
      "an unknown VM",
      (j: Json) => ((j.processes as Json[])[0]!.vm = "vm9"),
      'processes[0].vm: unknown VM "vm9"',
    ],
    [
      "a host process binding a VM's device",
      (j: Json) => {
        (j.processes as Json[])[0]!.vm = undefined;
        delete (j.processes as Json[])[0]!.vm;
      },
      'threads[0].ops[0].device: "nic0" belongs to VM "vm0", but "gapp" runs in the host',
    ],
    [
      "mmap in a guest",
      (j: Json) =>
        ((j.threads as Json[])[0]!.ops as Json[]).push({
          op: "mmap",
          process: "gapp",
          start: "0x40000",
          pages: 1,
        }),
      "threads[0].ops[9].op: mmap is not modelled for a guest process",
    ],
    [
      "an unknown guest command",
      (j: Json) =>
        ((j.threads as Json[])[0]!.ops as Json[]).push({
          op: "guest-cmd",
          process: "gapp",
          cmd: "TLBI_EL2_ALL",
        }),
      "threads[0].ops[9].cmd:",
    ],
    [
      "an unknown CD table format for the guest",
      (j: Json) => ((j.vms as Json[])[0]!.cdTable = "3lvl"),
      "vms[0].cdTable:",
    ],
    ["an unknown S1DSS", (j: Json) => ((j.vms as Json[])[0]!.s1dss = "SSID0"), "vms[0].s1dss:"],
    [
      "a guest PASID base a linear CD table cannot hold",
      (j: Json) => ((j.vms as Json[])[0]!.pasidBase = 1024),
      'vms[0].pasidBase: 1024 is beyond the guest\'s PASIDs (below 2^10 with a linear CD table: set "cdTable": "2lvl")',
    ],
    [
      "a guest PASID base beyond SSIDSIZE",
      (j: Json) => {
        (j.vms as Json[])[0]!.cdTable = "2lvl";
        (j.vms as Json[])[0]!.pasidBase = 4096;
        (j.smmu as Json).ssidBits = 12;
      },
      "vms[0].pasidBase: 4096 is beyond the guest's PASIDs (below 2^12, smmu.ssidBits)",
    ],
  ])("refuses %s", (_name, change, expected) => {
    const j = base();
    change(j);
    expect(errorOf(j)).toContain(expected);
  });

  it("survives the link's compact layout and the JSON form unchanged", () => {
    const j = base();
    ((j.threads as Json[])[0]!.ops as Json[]).push({
      op: "guest-cmd",
      process: "gapp",
      cmd: ["TLBI_NH_VA", "CFGI_STE"],
      va: "0x20000",
    });
    const r = parseScenario(j);
    if (!r.ok) throw new Error(r.error);
    const back = compactV1ToJson(JSON.parse(JSON.stringify(scenarioToCompactV1(r.value))));
    expect(back.ok && parseScenario(back.value)).toEqual({ ok: true, value: r.value });
    expect(parseScenario(scenarioToJson(r.value))).toEqual({ ok: true, value: r.value });
  });

  it("carries the guest's CD table format, S1DSS and PASID base through the link and the JSON form", () => {
    for (const guest of [
      { cdTable: "2lvl", s1dss: "bypass", pasidBase: 1024 },
      { s1dss: "terminate" },
      { cdTable: "linear" },
      { pasidBase: 7 },
    ]) {
      const j = base();
      Object.assign((j.vms as Json[])[0]!, guest);
      const r = parseScenario(j);
      if (!r.ok) throw new Error(r.error);
      expect(r.value.vms?.[0]).toMatchObject(guest);
      const back = compactV1ToJson(JSON.parse(JSON.stringify(scenarioToCompactV1(r.value))));
      expect(back.ok && parseScenario(back.value)).toEqual({ ok: true, value: r.value });
      expect(parseScenario(scenarioToJson(r.value))).toEqual({ ok: true, value: r.value });
    }
  });

  it("keeps a VM without them as it was: no new fields, the same compact form", () => {
    const r = parseScenario(base());
    if (!r.ok) throw new Error(r.error);
    expect(Object.keys(r.value.vms![0]!)).toEqual(["name", "devices", "pages"]);
    const compact = scenarioToCompactV1(r.value) as unknown[];
    expect(compact.at(-1)).toEqual([["vm0", [0, 1, 1, 2]]]);
  });

  it("refuses a link whose guest options are malformed, saying where", () => {
    const r = parseScenario(base());
    if (!r.ok) throw new Error(r.error);
    const compact = scenarioToCompactV1(r.value) as unknown[];
    compact[compact.length - 1] = [["vm0", [0, 1, 1, 2], 256, [9, 0, 0]]];
    const back = compactV1ToJson(compact);
    expect(back.ok ? "" : back.error).toMatch(/^vms\[0\]\.cdTable: unknown code 8/);
    compact[compact.length - 1] = [["vm0", [0, 1, 1, 2], 256, [1, 0]]];
    const short = compactV1ToJson(compact);
    expect(short.ok ? "" : short.error).toMatch(/^vms\[0\]\.guest/);
  });
});
