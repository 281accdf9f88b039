/**
 * The values a scenario's JSON form may leave out (CONTRACT §1). Apart from the schema so that
 * what only needs the defaults (the JSON form, the link encoder, the built-in lessons) does
 * not pull in the validator and zod: the page loads those only when it reads a scenario from
 * outside (a link, a file, the editor).
 */
import type { DeviceSpec, SmmuSpec, VmaSpec } from "./types.ts";

export const SMMU_DEFAULTS: SmmuSpec = {
  features: [],
  asidBits: 16,
  ssidBits: 20,
  cmdqEntries: 256,
  streamTable: "linear",
  cdTable: "linear",
};
export const DEVICE_DEFAULTS: Omit<DeviceSpec, "name" | "sid"> = { ats: false, pri: false, pasidBits: 20 };
export const VMA_DEFAULTS: Omit<VmaSpec, "start" | "pages"> = { prot: "rw", populate: false };
/** Guest RAM of a VM, in pages. */
export const VM_DEFAULT_PAGES = 256;
