/**
 * The world's parts a view model reads, for "unchanged" as an identity test. The World is copy
 * on write by part (engine/clone.ts): a step copies only the parts it writes, so a part that is
 * the same object in two worlds holds the same data, and a view model whose parts are all the
 * same objects as the last world's is the same view model (per-world.ts, `parts`).
 */

import type { World } from "../engine/index.ts";

const machine = new WeakMap<World, readonly unknown[]>();

/**
 * Everything of a world but its threads, its locks and its SRCU state: the memory (its words
 * map, replaced on the first word a copy writes, and each frame), each field of the SMMU (a
 * part, or a number), the kernel's other fields and its object table, each device, mm and VM.
 * What the machine's panels read (stream table, queues, caches, memory, page tables,
 * topology): a step that only moves a thread or takes a lock leaves all of it as it was.
 */
export function machineParts(w: World): readonly unknown[] {
  const hit = machine.get(w);
  if (hit) return hit;
  const k = w.kernel;
  const out: unknown[] = [
    w.mem.words,
    w.mem.base,
    w.mem.free.length,
    ...w.mem.frames,
    ...Object.values(w.smmu),
  ];
  for (const key in k) if (key !== "locks" && key !== "srcu") out.push(k[key as keyof typeof k]);
  out.push(...w.devices, ...w.mms, w.vms === undefined ? 0 : w.vms.length, ...(w.vms ?? []));
  machine.set(w, out);
  return out;
}

/** Whether two worlds' parts are the same objects (and the same numbers), item by item. */
export function sameParts(a: readonly unknown[], b: readonly unknown[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
