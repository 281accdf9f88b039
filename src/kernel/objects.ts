/**
 * Kernel objects, locks, refcounts and SRCU, with their lifetimes checked.
 *
 * Every lifecycle change goes through `lifecycle()`, which asks the object's statechart
 * (machines.ts) whether the event is allowed in its current state. An event the statechart
 * refuses is recorded as the violation the kernel would suffer: a use after free, or a
 * reference taken on an object whose count already reached zero.
 */

import { kernelObjects, kernelPart, kernelShell, ownKObject } from "../engine/clone.ts";
import { own } from "../engine/dict.ts";
import type { ViolationKind } from "../engine/trace.ts";
import type { Draft, KObject, LocalValue, MmState, World } from "../engine/world.ts";
import { initialState, type MachineName, machineOf as machineOfKind, sendEvent } from "./machines.ts";
import type { Ctx, KernelCtx } from "./program.ts";

/** Any kernel object, whatever its fields; to be changed, for the lifecycle helpers. */
type AnyObject = KObject<unknown>;
type AnyDraft = Draft<AnyObject>;

function machineOf(obj: AnyObject): "notifier" | "object" {
  return machineOfKind(obj.kind);
}

/** A lifecycle state change, into the trace (its meaning: machine-tags.ts). */
export function recordLifecycle(
  rec: Ctx["rec"],
  machine: Exclude<MachineName, "thread">,
  object: number | string,
  from: string,
  to: string,
): void {
  if (from !== to && !rec.silent) rec.record({ type: "kernel.lifecycle", machine, object, from, to });
}

/** The object as the kernel names its struct (`label`: arm_smmu_bond, iommu_sva, iommu_mm_data…). */
export function objectName(obj: AnyObject): string {
  const name = obj.kind === "domain" ? "SVA domain" : obj.label;
  return `${name} #${obj.id} (${obj.process}${obj.device ? ` ↔ ${obj.device}` : ""})`;
}

/**
 * A new object of `kind` with the fields its design declares for it (`F`, in the order given:
 * they are hashed with the world).
 */
export function createObject<F extends { [K in keyof F]: LocalValue | undefined }>(
  w: World,
  kind: KObject["kind"],
  label: string,
  process: string,
  device: string | null,
  fields: F,
): Draft<KObject<F>> {
  const id = kernelShell(w).nextObjectId++;
  const obj: Draft<KObject<F>> = {
    id,
    kind,
    label,
    state: "",
    refs: 1,
    process,
    device,
    fields: fields as Draft<F>,
  };
  obj.state = initialState(machineOf(obj));
  kernelObjects(w)[id] = obj as AnyObject as KObject;
  return obj;
}

/**
 * The object `id` names, as the design that made it types its kind (`F`), to read: a checked
 * lookup, for an id the design keeps (a local, another object's field). No object, or one of
 * another kind, is a bug in the design, and throws.
 */
export function objectAt<F>(w: World, id: number, kind: KObject["kind"]): KObject<F> {
  return checkKind(w.kernel.objects[id], id, kind) as AnyObject as KObject<F>;
}

/** `obj` (found by a search over the objects) as its design types its kind, to read. */
export function asKind<F>(obj: AnyObject, kind: KObject["kind"]): KObject<F> {
  return checkKind(obj, obj.id, kind) as KObject<F>;
}

function checkKind<O extends AnyObject>(obj: O | undefined, id: number, kind: KObject["kind"]): O {
  if (obj === undefined || obj.kind !== kind) throw new Error(`kernel object #${id} is not a ${kind}`);
  return obj;
}

/**
 * Kernel object `id`, to be changed: its world's own copy (clone.ts), so take it through here,
 * not from `w.kernel`, before a lifecycle event or a refcount change. With `kind`, checked as
 * objectAt is and typed by its design's fields `F`.
 */
export function kobject<F = Readonly<Record<string, LocalValue>>>(
  w: World,
  id: number,
  kind?: KObject["kind"],
): Draft<KObject<F>> {
  if (kind !== undefined) checkKind(w.kernel.objects[id], id, kind);
  return ownKObject(w, id) as unknown as Draft<KObject<F>>;
}

/** The first kernel object `match` accepts, to be changed, or undefined. */
export function findObject(w: World, match: (o: KObject) => boolean): Draft<KObject> | undefined {
  const o = Object.values(w.kernel.objects).find(match);
  return o && ownKObject(w, o.id);
}

/** Every kernel object `match` accepts, to be changed. */
export function filterObjects(w: World, match: (o: KObject) => boolean): Draft<KObject>[] {
  return Object.values(w.kernel.objects)
    .filter(match)
    .map((o) => ownKObject(w, o.id));
}

/** Sends a lifecycle event; a refused event becomes a violation and leaves the state as it was. */
export function lifecycle(c: KernelCtx, obj: AnyDraft, event: string): boolean {
  const next = sendEvent(machineOf(obj), obj.state, event);
  if (next === null) {
    const kind: ViolationKind = obj.state === "freed" ? "use-after-free" : "refcount";
    c.rec.violation(kind, `${c.t.name} did ${event} on ${objectName(obj)}, which is ${obj.state}.`);
    return false;
  }
  recordLifecycle(c.rec, machineOf(obj), obj.id, obj.state, next);
  if (next !== obj.state) obj.state = next;
  return true;
}

/** refcount_inc / kref_get. */
export function get(c: KernelCtx, obj: AnyDraft): void {
  if (lifecycle(c, obj, "obj.get")) obj.refs += 1;
}

/** refcount_dec_and_test / kref_put: true when this was the last reference. */
export function putRef(c: KernelCtx, obj: AnyDraft): boolean {
  if (obj.refs <= 0) {
    c.rec.violation(
      "refcount",
      `${c.t.name} dropped a reference of ${objectName(obj)}, whose count is already 0.`,
    );
    return false;
  }
  obj.refs -= 1;
  if (obj.refs > 0) return false;
  if (obj.kind !== "notifier") lifecycle(c, obj, "obj.put_last");
  return true;
}

/** kfree. */
export function free(c: KernelCtx, obj: AnyDraft): void {
  lifecycle(c, obj, obj.kind === "notifier" ? "mn.free" : "obj.free");
}

export function mmEvent(c: KernelCtx, mm: Draft<MmState>, event: string): boolean {
  const next = sendEvent("mm", mm.state, event);
  if (next === null) {
    c.rec.violation(
      "use-after-free",
      `${c.t.name} did ${event} on ${mm.process}'s mm, which is ${mm.state}.`,
    );
    return false;
  }
  recordLifecycle(c.rec, "mm", mm.process, mm.state, next);
  mm.state = next;
  return true;
}

/** mmgrab: one more mm_count. */
export function mmgrab(c: KernelCtx, mm: Draft<MmState>): void {
  if (mmEvent(c, mm, "mm.mmgrab")) mm.count += 1;
}

// --- mutexes ---------------------------------------------------------------------------------

export function lockHolder(w: World, lock: string): string | null {
  return own(w.kernel.locks, lock) ?? null;
}

/** Why `thread` cannot take `lock` now, or null. */
export function lockWait(w: World, lock: string, thread: string): string | null {
  const holder = lockHolder(w, lock);
  if (holder === null) return null;
  return holder === thread
    ? `${thread} already holds ${lock} (self-deadlock)`
    : `waiting for ${lock} (held by ${holder})`;
}

export function takeLock(w: World, lock: string, thread: string): void {
  kernelPart(w, "locks")[lock] = thread;
}

export function releaseLock(w: World, lock: string): void {
  kernelPart(w, "locks")[lock] = null;
}

// --- SRCU ------------------------------------------------------------------------------------

export function srcuReadLock(w: World, thread: string): void {
  const srcu = kernelPart(w, "srcu");
  srcu.readers[thread] = (own(srcu.readers, thread) ?? 0) + 1;
}

export function srcuReadUnlock(w: World, thread: string): void {
  const srcu = kernelPart(w, "srcu");
  const n = (own(srcu.readers, thread) ?? 0) - 1;
  if (n > 0) srcu.readers[thread] = n;
  else delete srcu.readers[thread];
}

/** call_srcu: the callback runs after every reader now inside a read section has left it. */
export function callSrcu(w: World, object: number, fn: string): void {
  const srcu = kernelPart(w, "srcu");
  srcu.callbacks.push({ object, fn, waitFor: Object.keys(srcu.readers).sort() });
}

/**
 * The first callback whose grace period has ended, or -1. Callbacks pile up while threads keep
 * binding and unbinding (the default policy runs SRCU last), so this stops at the first ready
 * one rather than checking them all at every step.
 */
export function firstReadySrcuCallback(w: World): number {
  const { callbacks, readers } = w.kernel.srcu;
  return callbacks.findIndex((cb) => cb.waitFor.every((r) => !Object.hasOwn(readers, r)));
}
