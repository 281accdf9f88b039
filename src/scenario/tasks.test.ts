import { describe, expect, it } from "vitest";
import { crc32, deflateRaw, toBase64Url } from "./bytes.ts";
import { scenarioToCompactV1 } from "./compact.ts";
import { errorOf, okValue } from "./fuzz.testkit.ts";
import { scenarioToJson } from "./json-form.ts";
import lifecycleJson from "./library/lifecycle.json";
import taskVsMmJson from "./library/task-vs-mm.json";
import { parseScenario } from "./schema.ts";
import { decodeScenarioUrl, encodeScenarioUrl } from "./url.ts";

const taskVsMm = okValue(parseScenario(taskVsMmJson));

function fragmentOf(layout: unknown): string {
  const utf8 = new TextEncoder().encode(JSON.stringify(layout));
  const packed = deflateRaw(utf8);
  const out = new Uint8Array(packed.length + 4);
  out.set(packed);
  new DataView(out.buffer).setUint32(packed.length, crc32(utf8));
  return `#v1.${toBase64Url(out)}`;
}

describe("tasks in the scenario and its link", () => {
  it("parses tasks and the op's task, and writes them back", () => {
    expect(taskVsMm.processes[0]!.tasks).toEqual(["main", "worker"]);
    expect(taskVsMm.threads[1]!.ops[0]!.task).toBe("worker");
    expect(okValue(parseScenario(scenarioToJson(taskVsMm)))).toEqual(taskVsMm);
  });

  it("carries the tasks through a link (appended after the vms slot)", () => {
    const layout = scenarioToCompactV1(taskVsMm);
    expect(layout).toHaveLength(12);
    expect(layout[10]).toBe(0);
    expect(layout[11]).toEqual([
      [[0, "main", "worker"]],
      [
        [0, 0, "main"],
        [0, 1, "main"],
        [1, 0, "worker"],
        [1, 1, "worker"],
        [1, 2, "worker"],
        [1, 3, "worker"],
      ],
    ]);
    expect(okValue(decodeScenarioUrl(encodeScenarioUrl(taskVsMm))).scenario).toEqual(taskVsMm);
  });

  it("leaves the layout of a scenario without tasks as it was", () => {
    const lifecycle = okValue(parseScenario(lifecycleJson));
    expect(scenarioToCompactV1(lifecycle).length).toBeLessThanOrEqual(9);
  });

  it("says where a tampered tasks slot is wrong", () => {
    const layout = scenarioToCompactV1(taskVsMm);
    const badProcess = structuredClone(layout);
    (badProcess[11] as unknown[][][])[0]![0]![0] = 5;
    expect(errorOf(decodeScenarioUrl(fragmentOf(badProcess)))).toBe(
      "the link's data is corrupt: tasks.processes[0]: no entry #5",
    );
    const badOp = structuredClone(layout);
    (badOp[11] as unknown[][][])[1]![0]![1] = 9;
    expect(errorOf(decodeScenarioUrl(fragmentOf(badOp)))).toBe(
      "the link's data is corrupt: tasks.ops[0]: no entry #9",
    );
    const unknownTask = structuredClone(layout);
    (unknownTask[11] as unknown[][][])[1]![0]![2] = "ghost";
    expect(errorOf(decodeScenarioUrl(fragmentOf(unknownTask)))).toContain(
      'threads[0].ops[0].task: "app" has no task "ghost" (its tasks: main, worker)',
    );
    const notList = structuredClone(layout);
    notList[11] = "x";
    expect(errorOf(decodeScenarioUrl(fragmentOf(notList)))).toMatch(/^the link's data is corrupt: tasks: /);
  });
});
