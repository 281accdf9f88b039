/**
 * Lifecycle statecharts of the kernel objects SVA Lab follows: the mm, the SVA binding (bond),
 * the MMU notifier, the refcounted objects of each design (io_mm, SVA domain) and each thread.
 *
 * They are the source of truth for what may happen to an object: the kernel model sends an
 * event (`mm.mmgrab`, `mn.invalidate`, `obj.get`) at the point the kernel does it, and an event
 * the current state does not accept is a broken invariant — a use after free, a refcount taken
 * on an object already being freed. The world stores only each object's state value (plain
 * data); `sendEvent` resolves it against the machine and takes the pure transition.
 */

import { type AnyStateMachine, setup, transition } from "xstate";
import type { KObject } from "../engine/world.ts";

/**
 * The mm: `live` while mm_users > 0; `exiting` during exit_mmap (notifiers released, VMAs
 * unmapped); `exited` once the address space is gone but mm_count still holds the struct
 * (mmgrab by the SMMU driver keeps the pgd); `freed` after the last mmdrop (__mmdrop).
 */
export const mmMachine = setup({
  types: {
    events: {} as
      | { type: "mm.mmget" }
      | { type: "mm.mmgrab" }
      | { type: "mm.mmdrop" }
      | { type: "mm.use" }
      | { type: "mm.mmput_last" }
      | { type: "mm.exit_mmap_done" }
      | { type: "mm.mmdrop_last" },
  },
}).createMachine({
  id: "mm",
  initial: "live",
  states: {
    live: {
      on: {
        "mm.mmget": "live",
        "mm.mmgrab": "live",
        "mm.mmdrop": "live",
        "mm.use": "live",
        "mm.mmput_last": "exiting",
      },
    },
    exiting: {
      tags: ["dying"],
      on: {
        "mm.mmgrab": "exiting",
        "mm.mmdrop": "exiting",
        "mm.use": "exiting",
        "mm.exit_mmap_done": "exited",
      },
    },
    exited: {
      tags: ["dying"],
      on: { "mm.mmgrab": "exited", "mm.mmdrop": "exited", "mm.use": "exited", "mm.mmdrop_last": "freed" },
    },
    freed: { type: "final", tags: ["freed"] },
  },
});

/**
 * A refcounted kernel object (bond, io_mm, SVA domain): `live` while its count is positive;
 * `dying` once the count reached zero and the release path runs (a kref_get here revives a
 * corpse; kref_get_unless_zero refuses); `freed` after kfree.
 */
export const objectMachine = setup({
  types: {
    events: {} as
      | { type: "obj.get" }
      | { type: "obj.put" }
      | { type: "obj.use" }
      | { type: "obj.put_last" }
      | { type: "obj.free" },
  },
}).createMachine({
  id: "object",
  initial: "live",
  states: {
    live: { on: { "obj.get": "live", "obj.put": "live", "obj.use": "live", "obj.put_last": "dying" } },
    dying: { tags: ["dying"], on: { "obj.use": "dying", "obj.free": "freed" } },
    freed: { type: "final", tags: ["freed"] },
  },
});

/**
 * The arm_smmu_mmu_notifier: `registered` on the mm; `released` after arm_smmu_mm_release
 * quietened the CD (`cleared`); `put` after mmu_notifier_put unhooked it, waiting for an SRCU
 * grace period; `freed` once the SRCU callback (free_notifier) ran.
 */
export const notifierMachine = setup({
  types: {
    events: {} as
      | { type: "mn.get" }
      | { type: "mn.invalidate" }
      | { type: "mn.release" }
      | { type: "mn.use" }
      | { type: "mn.put" }
      | { type: "mn.free" },
  },
}).createMachine({
  id: "notifier",
  initial: "registered",
  states: {
    registered: {
      on: {
        "mn.get": "registered",
        "mn.invalidate": "registered",
        "mn.use": "registered",
        "mn.release": "released",
        "mn.put": "put",
      },
    },
    released: {
      tags: ["dying"],
      on: {
        "mn.get": "released",
        "mn.use": "released",
        "mn.invalidate": "released",
        "mn.release": "released",
        "mn.put": "put",
      },
    },
    // Unhooked, but an SRCU reader that found it before may still call it: that is legal
    // until the grace period ends and free_notifier runs.
    put: {
      tags: ["dying"],
      on: { "mn.use": "put", "mn.invalidate": "put", "mn.release": "put", "mn.free": "freed" },
    },
    freed: { type: "final", tags: ["freed"] },
  },
});

/** A kernel thread of the scenario: it steps while `ready`, waits while `blocked`. */
export const threadMachine = setup({
  types: {
    events: {} as { type: "thread.block" } | { type: "thread.wake" } | { type: "thread.finish" },
  },
}).createMachine({
  id: "thread",
  initial: "ready",
  states: {
    ready: { on: { "thread.block": "blocked", "thread.finish": "done" } },
    blocked: { on: { "thread.wake": "ready" } },
    done: { type: "final" },
  },
});

export const MACHINES = {
  mm: mmMachine,
  object: objectMachine,
  notifier: notifierMachine,
  thread: threadMachine,
} as const;

export type MachineName = keyof typeof MACHINES;

const resolved = new Map<string, ReturnType<AnyStateMachine["resolveState"]>>();

function snapshotOf(name: MachineName, value: string) {
  const key = `${name}/${value}`;
  let snap = resolved.get(key);
  if (!snap) {
    snap = (MACHINES[name] as AnyStateMachine).resolveState({ value, context: {} });
    resolved.set(key, snap);
  }
  return snap;
}

/**
 * The state `value` moves to on `event`, or null when the statechart does not allow the event
 * there. Pure: the world keeps the value, the machine decides.
 */
export function sendEvent(name: MachineName, value: string, event: string): string | null {
  // The machines have no context: a transition depends on the state and the event only.
  const key = `${name}/${value}/${event}`;
  const known = transitions.get(key);
  if (known !== undefined) return known;
  const machine = MACHINES[name] as AnyStateMachine;
  const snap = snapshotOf(name, value);
  const next = snap.can({ type: event }) ? String(transition(machine, snap, { type: event })[0].value) : null;
  transitions.set(key, next);
  return next;
}

const transitions = new Map<string, string | null>();

/** The machine a kernel object's lifecycle follows. */
export function machineOf(kind: KObject["kind"]): "notifier" | "object" {
  return kind === "notifier" ? "notifier" : "object";
}

/** The initial state value of a machine. */
export function initialState(name: MachineName): string {
  return String((MACHINES[name] as AnyStateMachine).config.initial);
}

/** The states of a machine with their outgoing events, for the statechart diagram. */
export function machineGraph(
  name: MachineName,
): { state: string; on: { event: string; target: string }[] }[] {
  const states = (MACHINES[name] as AnyStateMachine).config.states ?? {};
  return Object.entries(states).map(([state, node]) => ({
    state,
    on: Object.entries((node as { on?: Record<string, string> }).on ?? {}).map(([event, target]) => ({
      event,
      target,
    })),
  }));
}
