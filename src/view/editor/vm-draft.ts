/**
 * The editor's draft changes for VMs (nested translation): add one (with the "nested" SMMU
 * feature it needs and a device to own), remove one (its processes go back to the host),
 * give it another device with the next free virtual StreamID. Pure, as draft.ts is.
 */

import type { JsonObject, JsonValue } from "../../scenario/index.ts";
import { DEFAULT_RELEASE, hasNesting, isRelease, NEWEST_MAINLINE } from "../../scenario/releases.ts";
import type { DriverDesign } from "../../scenario/types.ts";
import {
  addDevice,
  type Draft,
  freshName,
  getIn,
  listAt,
  namesOf,
  removeItem,
  setIn,
  updateList,
} from "./draft.ts";

const isObject = (v: JsonValue | undefined): v is JsonObject =>
  typeof v === "object" && v !== null && !Array.isArray(v);

export function vmNames(root: Draft): string[] {
  return listAt(root, ["vms"]).map((v) => (isObject(v) && typeof v.name === "string" ? v.name : ""));
}

/** Devices some VM already owns. */
function assigned(root: Draft): Set<string> {
  const out = new Set<string>();
  for (const v of listAt(root, ["vms"])) {
    if (!isObject(v)) continue;
    for (const d of Array.isArray(v.devices) ? v.devices : [])
      if (isObject(d) && typeof d.device === "string") out.add(d.device);
  }
  return out;
}

/** The first device no VM owns, adding one when there is none. */
function freeDevice(root: Draft): { draft: Draft; device: string } {
  const taken = assigned(root);
  const free = namesOf(root, "devices").find((n) => n !== "" && !taken.has(n));
  if (free !== undefined) return { draft: root, device: free };
  const draft = addDevice(root);
  const names = namesOf(draft, "devices");
  return { draft, device: names[names.length - 1]! };
}

/**
 * The draft on a release that nests a VM (iommufd's vSMMU from v6.13, or the v1 nesting series):
 * an older `kernel`, or a `driver` standing for one, becomes the newest release.
 */
function withVsmmu(root: Draft): Draft {
  const driver = root.driver as DriverDesign | undefined;
  const kernel = typeof root.kernel === "string" ? root.kernel : driver ? DEFAULT_RELEASE[driver] : undefined;
  if (kernel === undefined || !isRelease(kernel) || hasNesting(kernel)) return root;
  const { driver: _design, ...rest } = root;
  return { ...rest, kernel: NEWEST_MAINLINE };
}

/**
 * A new VM owning the first free device as vSID 1; the SMMU gets the "nested" feature, and the
 * kernel a release with the vSMMU.
 */
export function addVm(root: Draft): Draft {
  const { draft, device } = freeDevice(withVsmmu(root));
  let out = draft;
  const features = listAt(out, ["smmu", "features"]);
  if (!features.includes("nested")) out = setIn(out, ["smmu", "features"], [...features, "nested"]);
  const name = freshName(vmNames(out), "vm");
  return updateList(out, ["vms"], (l) => [...l, { name, devices: [{ device, vsid: 1 }] }]);
}

/** Removes VM `index`; its processes run on the host again, and no VMs leaves no `vms`. */
export function removeVm(root: Draft, index: number): Draft {
  const name = vmNames(root)[index];
  let out = removeItem(root, ["vms"], index);
  if (listAt(out, ["vms"]).length === 0) out = setIn(out, ["vms"], undefined);
  listAt(out, ["processes"]).forEach((p, pi) => {
    if (isObject(p) && p.vm === name) out = setIn(out, ["processes", pi, "vm"], undefined);
  });
  return out;
}

/** Gives VM `vi` the next free device, with the next virtual StreamID. */
export function addVmDevice(root: Draft, vi: number): Draft {
  const { draft, device } = freeDevice(root);
  const vsids = listAt(draft, ["vms", vi, "devices"]).map((d) =>
    isObject(d) && typeof d.vsid === "number" ? d.vsid : 0,
  );
  const vsid = vsids.length === 0 ? 1 : Math.max(...vsids) + 1;
  return updateList(draft, ["vms", vi, "devices"], (l) => [...l, { device, vsid }]);
}

/** The VM a process runs in ("" for the host). */
export function processVm(root: Draft, pi: number): string {
  const v = getIn(root, ["processes", pi, "vm"]);
  return typeof v === "string" ? v : "";
}
