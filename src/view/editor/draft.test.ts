import { describe, expect, it } from "vitest";
import { parseScenario, scenarioToJson } from "../../scenario/index.ts";
import { LIBRARY } from "../../scenario/library/index.ts";
import {
  addDevice,
  addOp,
  addProcess,
  addThread,
  addVma,
  type Draft,
  errorPath,
  formatPath,
  moveItem,
  numberInput,
  opWithDefaults,
  rename,
  scheduleInput,
  setIn,
  tasksInput,
  tasksText,
} from "./draft.ts";

const lifecycle = (): Draft => scenarioToJson(LIBRARY.find((l) => l.id === "lifecycle")!.scenario);

const parses = (d: Draft): string | null => {
  const r = parseScenario(d);
  return r.ok ? null : r.error;
};

describe("paths", () => {
  it("are written as the validation errors write them", () => {
    expect(formatPath(["threads", 1, "ops", 0, "op"])).toBe("threads[1].ops[0].op");
    const d = setIn(lifecycle(), ["threads", 0, "ops", 2, "op"], "munmapp");
    const error = parses(d)!;
    expect(errorPath(error)).toBe("threads[0].ops[2].op");
  });

  it("setIn copies what it changes and removes a key for undefined", () => {
    const d = lifecycle();
    const e = setIn(d, ["devices", 0, "sid"], 17);
    expect((d.devices as Draft[])[0]!.sid).toBe(16);
    expect((e.devices as Draft[])[0]!.sid).toBe(17);
    expect(e.processes).toBe(d.processes);
    expect("description" in setIn(d, ["description"], undefined)).toBe(false);
  });
});

describe("fields as typed", () => {
  it("keeps text that is not a plain number, for the validation to name", () => {
    expect(numberInput("16")).toBe(16);
    expect(numberInput("0x10")).toBe("0x10");
    expect(numberInput("")).toBe("");
    const error = parses(setIn(lifecycle(), ["devices", 0, "sid"], numberInput("1x")))!;
    expect(errorPath(error)).toBe("devices[0].sid");
  });

  it("reads a schedule as space-separated entries; empty leaves it out", () => {
    expect(scheduleInput(" T0  T0:op smmu ")).toEqual(["T0", "T0:op", "smmu"]);
    expect(scheduleInput("  ")).toBeUndefined();
  });
});

describe("ops by kind", () => {
  it("changing a dma into a touch keeps process, va and access and drops device", () => {
    const d = lifecycle();
    const dma = (d.threads as Draft[])[0]!.ops as Draft[];
    expect(opWithDefaults(d, dma[1]!, "touch")).toEqual({
      op: "touch",
      process: "app",
      va: "0x10000",
      access: "write",
    });
  });

  it("an unknown kind keeps the fields, for the error to name the op", () => {
    const d = lifecycle();
    const op = ((d.threads as Draft[])[0]!.ops as Draft[])[2]!;
    expect(opWithDefaults(d, op, "munmapp")).toEqual({ ...op, op: "munmapp" });
  });

  it("every kind made from any op validates", () => {
    const d = lifecycle();
    for (const kind of ["bind", "unbind", "dma", "mmap", "touch", "munmap", "mprotect", "exit"]) {
      const op = opWithDefaults(d, { op: "exit", process: "app" }, kind);
      expect(parses(setIn(d, ["threads", 0, "ops", 5], op)), kind).toBeNull();
    }
  });
});

describe("adding, moving, renaming", () => {
  it("new devices, processes, VMAs, threads and ops validate", () => {
    let d = lifecycle();
    d = addDevice(d);
    d = addProcess(d);
    d = addVma(d, 0);
    d = addThread(d);
    d = addOp(d, 1);
    expect(parses(d)).toBeNull();
    expect((d.devices as Draft[])[1]).toMatchObject({ name: "dev0", sid: 17 });
    expect(((d.processes as Draft[])[0]!.vmas as Draft[])[1]).toMatchObject({ start: "0x14000" });
    expect((d.threads as Draft[])[1]).toMatchObject({ name: "T1", ops: [{ op: "bind", process: "app" }] });
  });

  it("moves an op up and down, not past the ends", () => {
    const d = lifecycle();
    const moved = moveItem(d, ["threads", 0, "ops"], 1, -1);
    const ops = (moved.threads as Draft[])[0]!.ops as Draft[];
    expect(ops.map((o) => o.op).slice(0, 2)).toEqual(["dma", "bind"]);
    expect(moveItem(d, ["threads", 0, "ops"], 0, -1)).toEqual(d);
  });

  it("renaming a device renames the ops that use it", () => {
    const d = rename(lifecycle(), "devices", 0, "gpu7");
    expect(parses(d)).toBeNull();
    const ops = (d.threads as Draft[])[0]!.ops as Draft[];
    expect(ops.filter((o) => "device" in o).every((o) => o.device === "gpu7")).toBe(true);
  });

  it("renaming onto another item's name does not merge their references", () => {
    let d = addDevice(lifecycle()); // gpu0, dev0
    d = rename(d, "devices", 1, "gpu0"); // a duplicate for now
    d = rename(d, "devices", 1, "gpu00");
    const ops = (d.threads as Draft[])[0]!.ops as Draft[];
    expect(ops.filter((o) => "device" in o).every((o) => o.device === "gpu0")).toBe(true);
  });

  it("renaming a thread renames its schedule entries", () => {
    const cmdSync = scenarioToJson(LIBRARY.find((l) => l.id === "cmd-sync")!.scenario);
    const d = rename(cmdSync, "threads", 0, "A");
    expect(d.schedule).toEqual(["A:op", "A:op"]);
    expect(parses(d)).toBeNull();
  });
});

describe("tasks fields", () => {
  it("reads a process's tasks as names separated by commas or spaces, none as absent", () => {
    expect(tasksInput("main, worker")).toEqual(["main", "worker"]);
    expect(tasksInput(" main  worker,")).toEqual(["main", "worker"]);
    expect(tasksInput("  ")).toBeUndefined();
    expect(tasksText(["main", "worker"])).toBe("main, worker");
    expect(tasksText(undefined)).toBe("");
  });

  it("keeps an op's task when its kind changes", () => {
    const op = opWithDefaults(
      { processes: [{ name: "app" }] },
      { op: "exit", process: "app", task: "w" },
      "touch",
    );
    expect(op.task).toBe("w");
  });
});
