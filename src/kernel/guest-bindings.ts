import type { DeviceState, VmState, World } from "../engine/world.ts";
import { findDevice } from "../engine/world.ts";

/** The guest's SVA bindings of a process: device and the ASID of its SVA domain. */
export function guestBindings(
  w: World,
  vm: VmState,
  process: string,
): { device: DeviceState; asid: number }[] {
  return Object.entries(vm.asids).flatMap(([asid, a]) => {
    const [kind, p, device] = a.owner.split(":");
    return kind === "sva" && p === process ? [{ device: findDevice(w, device!), asid: Number(asid) }] : [];
  });
}
