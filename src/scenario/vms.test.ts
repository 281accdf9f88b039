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
});
