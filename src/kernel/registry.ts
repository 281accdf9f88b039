/**
 * Which driver designs and which optional parts of the kernel model are loaded. The runner,
 * the tests and the explorer load everything (`all.ts`); the page starts with the default
 * design and fetches the others, and the nested-translation kernel, on demand, so that its
 * first download stays small.
 */

import type { DeviceState, VmState, World } from "../engine/world.ts";
import type { DeviceSpec, Scenario, VmSpec } from "../scenario/types.ts";
import type { Driver } from "./driver.ts";
import type { Program } from "./program.ts";

/** The nested-translation kernel: a VM's boot, its devices' assignment and the guest's programs. */
export interface NestedKernel {
  readonly programs: Readonly<Record<string, Program>>;
  bootVm(w: World, spec: VmSpec, index: number): VmState;
  assignDevice(w: World, vm: VmState, spec: DeviceSpec, vmSpec?: VmSpec): DeviceState;
}

const drivers = new Map<string, Driver>();
let nested: NestedKernel | null = null;

export function registerDriver(d: Driver): void {
  drivers.set(d.name, d);
}

export function registerNested(n: NestedKernel): void {
  nested = n;
}

export function driverFor(name: string): Driver {
  const d = drivers.get(name);
  if (!d) throw new Error(`the ${name} driver design is not loaded`);
  return d;
}

/** What a loaded design stands for (its `era`), or null while it is not loaded. */
export function designEra(name: string): string | null {
  return drivers.get(name)?.era ?? null;
}

export function nestedKernel(): NestedKernel {
  if (!nested) throw new Error("the nested-translation kernel is not loaded");
  return nested;
}

/** Everything `s` needs is loaded: its driver design, and the nested kernel if it has VMs. */
export function kernelLoaded(s: Scenario): boolean {
  return drivers.has(s.driver) && (s.vms === undefined || nested !== null);
}
