import { describe, expect, it } from "vitest";
import { parseScenario, scenarioToJson } from "../../scenario/index.ts";
import { LIBRARY } from "../../scenario/library/index.ts";
import { addOp, type Draft, opWithDefaults, setIn } from "./draft.ts";
import { addVm, addVmDevice, removeVm } from "./vm-draft.ts";

const lifecycle = (): Draft => scenarioToJson(LIBRARY.find((l) => l.id === "lifecycle")!.scenario);
const error = (d: Draft): string | null => {
  const r = parseScenario(d);
  return r.ok ? null : r.error;
};

describe("VMs in the editor's draft", () => {
  it("adds a VM with a device and the nested feature; a guest process and guest-cmd validate", () => {
    let d = addVm(setIn(lifecycle(), ["threads"], []));
    expect(d.vms).toEqual([{ name: "vm0", devices: [{ device: "gpu0", vsid: 1 }] }]);
    expect((d.smmu as { features: string[] }).features).toContain("nested");
    d = setIn(d, ["processes", 0, "vm"], "vm0");
    d = setIn(d, ["threads"], [{ name: "T0", ops: [] }]);
    d = addOp(d, 0);
    d = setIn(d, ["threads", 0, "ops", 0], opWithDefaults(d, {}, "guest-cmd"));
    expect(d.threads).toEqual([
      { name: "T0", ops: [{ op: "guest-cmd", process: "app", cmd: "TLBI_NH_ALL" }] },
    ]);
    expect(error(d)).toBeNull();
  });

  it("gives a second device the next vSID, adding a device when all are taken", () => {
    const d = addVmDevice(addVm(lifecycle()), 0);
    expect((d.vms as { devices: unknown[] }[])[0]!.devices).toEqual([
      { device: "gpu0", vsid: 1 },
      { device: "dev0", vsid: 2 },
    ]);
  });

  it("removing the last VM leaves no vms and sends its processes back to the host", () => {
    const d = removeVm(setIn(addVm(lifecycle()), ["processes", 0, "vm"], "vm0"), 0);
    expect(d.vms).toBeUndefined();
    expect((d.processes as { vm?: string }[])[0]!.vm).toBeUndefined();
  });
});
