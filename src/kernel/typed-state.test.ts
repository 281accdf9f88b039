/**
 * The typed kernel state (kernel/program.ts `locals`, kernel/objects.ts `createObject`,
 * `objectAt`, `asKind`): what a module declares is what it reads, the checked reads refuse what
 * a program should never meet, and the World keeps plain records in the order they were made.
 */
import { describe, expect, it } from "vitest";
import { ownThread } from "../engine/clone.ts";
import { Recorder } from "../engine/trace.ts";
import lifecycleJson from "../scenario/library/lifecycle.json";
import { boot } from "./boot.ts";
import { asKind, createObject, objectAt } from "./objects.ts";
import { type Ctx, locals } from "./program.ts";
import { scenario } from "./testing.ts";

const s = scenario(lifecycleJson);

function ctx(): Ctx {
  const w = boot(s);
  const t = ownThread(w, 0);
  return { w, t, op: s.threads[0]!.ops[0]!, rec: new Recorder() };
}

interface TestLocals {
  pasid?: number | null;
  [next: `${string}.i`]: number;
}

const { local, required, setLocal } = locals<TestLocals>();

describe("a module's thread locals", () => {
  it("are the thread's plain locals, read back as they were set", () => {
    const c = ctx();
    expect(local(c, "pasid")).toBeUndefined();
    setLocal(c, "pasid", 3);
    setLocal(c, "walk.i", 0);
    expect(c.t.locals).toEqual({ pasid: 3, "walk.i": 0 });
    expect(required(c, "pasid")).toBe(3);
    expect(required(c, "walk.i")).toBe(0);
  });

  it("refuse a required read of a local that is unset or null, naming the thread and the local", () => {
    const c = ctx();
    expect(() => required(c, "pasid")).toThrow(`${c.t.name}: local pasid is not set`);
    setLocal(c, "pasid", null);
    expect(() => required(c, "pasid")).toThrow(/local pasid is not set/);
  });
});

describe("a design's kernel objects", () => {
  interface Bond {
    mn: number;
    pasid: number | null;
  }

  it("keep their fields as a plain record, in the order given", () => {
    const c = ctx();
    const bond = createObject<Bond>(c.w, "bond", "arm_smmu_bond", "app", "gpu0", { mn: 7, pasid: null });
    expect(Object.keys(c.w.kernel.objects[bond.id]!.fields)).toEqual(["mn", "pasid"]);
    expect(objectAt<Bond>(c.w, bond.id, "bond").fields.mn).toBe(7);
    expect(asKind<Bond>(bond, "bond")).toBe(bond);
  });

  it("refuse a lookup of an id that names nothing, or an object of another kind", () => {
    const c = ctx();
    const bond = createObject<Bond>(c.w, "bond", "arm_smmu_bond", "app", "gpu0", { mn: 7, pasid: null });
    expect(() => objectAt<Bond>(c.w, bond.id, "notifier")).toThrow(
      `kernel object #${bond.id} is not a notifier`,
    );
    expect(() => objectAt<Bond>(c.w, 9999, "bond")).toThrow("kernel object #9999 is not a bond");
    expect(() => asKind<Bond>(bond, "cd")).toThrow(/is not a cd/);
  });
});
