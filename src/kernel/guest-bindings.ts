/**
 * A guest's SVA bindings live in its ASID allocator (`vm.asids`): each SVA domain's ASID is
 * owned by the key of its binding, `bindingKey(process, device)`. The key is only ever built
 * and compared, never taken apart again: names may hold any character, `:` included.
 */
import type { DeviceState, VmState, World } from "../engine/world.ts";

/**
 * The owner string of a binding's ASID: `sva:app:nic0` as it always was when neither name could
 * be mistaken for a separator, else `sva:["g:app","nic0"]` (JSON), so that two different pairs
 * never give the same key (a plain key's names hold no ':' and the first does not start with '[').
 */
export function bindingKey(process: string, device: string): string {
  const plain = !process.includes(":") && !device.includes(":") && !process.startsWith("[");
  return plain ? `sva:${process}:${device}` : `sva:${JSON.stringify([process, device])}`;
}

/** The guest's SVA bindings of a process: device and the ASID of its SVA domain. */
export function guestBindings(
  w: World,
  vm: VmState,
  process: string,
): { device: DeviceState; asid: number }[] {
  const devices = w.devices.filter((d) => d.vm === vm.name);
  return Object.entries(vm.asids).flatMap(([asid, a]) => {
    const device = devices.find((d) => a.owner === bindingKey(process, d.name));
    return device ? [{ device, asid: Number(asid) }] : [];
  });
}

/** The process whose binding owns guest ASID `asid` of `vm`, if any. */
export function guestAsidProcess(w: World, vm: VmState, asid: number): string | undefined {
  const owner = Object.hasOwn(vm.asids, asid) ? vm.asids[asid]!.owner : undefined;
  if (owner === undefined) return undefined;
  const devices = w.devices.filter((d) => d.vm === vm.name);
  return w.mms.find((m) => m.vm === vm.name && devices.some((d) => owner === bindingKey(m.process, d.name)))
    ?.process;
}
