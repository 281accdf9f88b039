import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { generateScenarioJson, SAMPLE_SCENARIO_JSON } from "./fixtures.ts";
import {
  errorOf,
  expectCleanError,
  fuzzRuns,
  fuzzTimeout,
  mutateJson,
  mutateText,
  mutationArb,
  okValue,
  textMutationArb,
  validScenarioJsonArb,
} from "./fuzz.testkit.ts";
import { type JsonObject, scenarioToJson } from "./json-form.ts";
import { parseScenario, parseScenarioText } from "./schema.ts";
import type { Scenario } from "./types.ts";

type Edit = (root: Record<string, unknown>) => void;

/** The object holding the last key of a dotted path (`threads.0.ops.1.va`), and that key. */
function slot(root: Record<string, unknown>, path: string): [Record<string, unknown>, string] {
  const keys = path.split(".");
  let node = root;
  for (const k of keys.slice(0, -1)) node = node[k] as Record<string, unknown>;
  return [node, keys.at(-1)!];
}

const set =
  (path: string, value: unknown): Edit =>
  (root) => {
    const [parent, key] = slot(root, path);
    parent[key] = value;
  };
const del =
  (path: string): Edit =>
  (root) => {
    const [parent, key] = slot(root, path);
    delete parent[key];
  };
const push =
  (path: string, value: unknown): Edit =>
  (root) => {
    const [parent, key] = slot(root, path);
    (parent[key] as unknown[]).push(value);
  };

/** The sample with one edit applied to a copy. */
function sampleWith(edit: Edit): unknown {
  const copy = structuredClone(SAMPLE_SCENARIO_JSON);
  edit(copy);
  return copy;
}

describe("parseScenario on the sample", () => {
  const sample = okValue(parseScenario(SAMPLE_SCENARIO_JSON));

  it("fills the defaults in and turns addresses into numbers", () => {
    expect(sample.smmu).toEqual({
      features: ["ats"],
      asidBits: 16,
      ssidBits: 20,
      cmdqEntries: 256,
      streamTable: "linear",
      cdTable: "linear",
    });
    expect(sample.faults).toEqual([]);
    expect(sample.devices).toEqual([{ name: "gpu0", sid: 16, ats: true, pri: false, pasidBits: 20 }]);
    expect(sample.processes[0]!.vmas).toEqual([{ start: 0x10000, pages: 4, prot: "rw", populate: true }]);
    expect(sample.threads[0]!.ops[1]).toEqual({
      op: "dma",
      device: "gpu0",
      process: "app",
      va: 0x10000,
      access: "write",
    });
    expect(sample).not.toHaveProperty("schedule");
    expect(sample).not.toHaveProperty("description");
  });

  it("writes back to the JSON it came from, defaults left out", () => {
    const written = structuredClone(SAMPLE_SCENARIO_JSON);
    del("processes.0.vmas.0.prot")(written); // "rw" is the default
    // The release the sample's "driver" stands for, said outright; the design follows from it.
    del("driver")(written);
    set("kernel", "v6.1")(written);
    expect(scenarioToJson(sample)).toEqual(written);
    expect(okValue(parseScenario(scenarioToJson(sample)))).toEqual(sample);
  });

  it("accepts integer addresses and upper-case hex", () => {
    const s = sampleWith((j) => {
      set("processes.0.vmas.0.start", 65536)(j);
      set("threads.0.ops.1.va", "0X1FFFF")(j);
    });
    const parsed = okValue(parseScenario(s));
    expect(parsed.processes[0]!.vmas[0]!.start).toBe(0x10000);
    expect(parsed.threads[0]!.ops[1]).toMatchObject({ va: 0x1ffff });
  });
});

describe("parseScenario errors: one line, what and where", () => {
  const cases: [string, Edit, string][] = [
    [
      "unknown op",
      set("threads.0.ops.0.op", "munmapp"),
      'threads[0].ops[0].op: unknown op "munmapp" (known ops: bind, unbind, dma, mmap, touch, munmap, mprotect, exit, guest-cmd)',
    ],
    ["missing op", del("threads.0.ops.0.op"), "threads[0].ops[0].op: missing (known ops:"],
    ["op not an object", set("threads.0.ops.0", 3), "threads[0].ops[0]: expected an object, got 3"],
    [
      "missing field",
      del("threads.0.ops.1.access"),
      'threads[0].ops[1].access: expected "read" or "write", got nothing',
    ],
    ["unknown field", set("smmu.asidbits", 8), "smmu.asidbits: unknown field"],
    [
      "bad address type",
      set("threads.0.ops.1.va", true),
      'threads[0].ops[1].va: expected an address ("0x…" hex string or non-negative integer), got true',
    ],
    [
      "decimal string address",
      set("threads.0.ops.1.va", "65536"),
      'threads[0].ops[1].va: expected an address ("0x…" hex string or non-negative integer), got "65536"',
    ],
    [
      "address beyond 48 bits",
      set("threads.0.ops.1.va", "0x1000000000000"),
      'threads[0].ops[1].va: "0x1000000000000" is beyond the 48-bit address space',
    ],
    [
      "negative address",
      set("threads.0.ops.1.va", -4096),
      "threads[0].ops[1].va: an address must not be negative, got -4096",
    ],
    ["fractional sid", set("devices.0.sid", 1.5), "devices[0].sid: expected an integer, got 1.5"],
    [
      "negative pages",
      set("threads.0.ops.2.pages", -1),
      "threads[0].ops[2].pages: must be at least 1, got -1",
    ],
    ["asidBits", set("smmu.asidBits", 12), "smmu.asidBits: expected 8 or 16, got 12"],
    ["ssidBits", set("smmu.ssidBits", 21), "smmu.ssidBits: must be at most 20, got 21"],
    ["cmdq not a power of two", set("smmu.cmdqEntries", 100), "smmu.cmdqEntries: must be a power of two"],
    [
      "cmdq too big",
      set("smmu.cmdqEntries", 2 ** 20),
      "smmu.cmdqEntries: must be at most 524288, got 1048576",
    ],
    [
      "unknown feature",
      set("smmu.features", ["ats", "sva"]),
      'smmu.features[1]: expected one of "ats", "pri", "btm", "ril", "stall", "nested", got "sva"',
    ],
    [
      "driver",
      set("driver", "intel"),
      'driver: expected one of "arm-smmu-v3-sva", "io-mm-2018", "sva-domain", "iommu-process-2017", got "intel"',
    ],
    [
      "duplicate task",
      set("processes.0.tasks", ["main", "worker", "main"]),
      'processes[0].tasks[2]: duplicate task name "main" (as tasks[0])',
    ],
    [
      "unknown task",
      set("threads.0.ops.0.task", "worker"),
      'threads[0].ops[0].task: "app" has no task "worker" (its tasks: app)',
    ],
    ["task not a string", set("threads.0.ops.0.task", 7), "threads[0].ops[0].task: expected"],
    [
      "unknown fault",
      set("faults", ["skip-tlbii"]),
      'faults[0]: unknown fault "skip-tlbii" (known faults: skip-tlbi, ',
    ],
    [
      "duplicate device",
      push("devices", { name: "gpu0", sid: 17 }),
      'devices[1].name: duplicate device name "gpu0" (as devices[0])',
    ],
    [
      "duplicate sid",
      push("devices", { name: "gpu1", sid: 16 }),
      "devices[1].sid: StreamID 16 is already devices[0]'s",
    ],
    [
      "duplicate process",
      push("processes", { name: "app" }),
      'processes[1].name: duplicate process name "app"',
    ],
    [
      "duplicate thread",
      push("threads", { name: "T0", ops: [] }),
      'threads[1].name: duplicate thread name "T0"',
    ],
    [
      "unknown process",
      set("threads.0.ops.0.process", "ap"),
      'threads[0].ops[0].process: unknown process "ap" (declared: app)',
    ],
    [
      "unknown device",
      set("threads.0.ops.1.device", "gpu1"),
      'threads[0].ops[1].device: unknown device "gpu1" (declared: gpu0)',
    ],
    [
      "unaligned munmap",
      set("threads.0.ops.2.start", "0x10010"),
      "threads[0].ops[2].start: 0x10010 is not page-aligned (4 KiB)",
    ],
    [
      "unaligned vma",
      set("processes.0.vmas.0.start", "0x10800"),
      "processes[0].vmas[0].start: 0x10800 is not page-aligned (4 KiB)",
    ],
    [
      "vma beyond 48 bits",
      set("processes.0.vmas.0.start", "0xfffffffff000"),
      "processes[0].vmas[0]: ends at 0x1000000003000, beyond the 48-bit address space",
    ],
    [
      "overlapping vmas",
      push("processes.0.vmas", { start: "0x12000", pages: 1 }),
      "processes[0].vmas[1]: overlaps vmas[0] (0x10000–0x14000) of the same process",
    ],
    [
      "zero pages",
      set("processes.0.vmas.0.pages", 0),
      "processes[0].vmas[0].pages: must be at least 1, got 0",
    ],
    [
      "bad prot",
      set("processes.0.vmas.0.prot", "rwx"),
      'processes[0].vmas[0].prot: expected one of "r", "rw", "none", got "rwx"',
    ],
    [
      "schedule actor",
      set("schedule", ["T0", "smmu", "T1"]),
      'schedule[2]: unknown actor "T1" (expected "smmu", "srcu", "iopf", a thread (T0) or "<thread>:op")',
    ],
    ["schedule op of unknown thread", set("schedule", ["T1:op"]), 'schedule[0]: unknown actor "T1:op"'],
    [
      "reserved thread name",
      set("threads.0.name", "smmu"),
      'threads[0].name: "smmu" is reserved for the schedule\'s smmu actor',
    ],
    ["colon in thread name", set("threads.0.name", "T:0"), "threads[0].name: must not contain ':'"],
    [
      "newline in a name",
      set("processes.0.name", "a\nb"),
      "processes[0].name: must not contain control characters",
    ],
    [
      // Found by the fuzz test (seed -1989089444): U+2028 split the schedule's error message.
      "line separator in a thread name",
      set("threads.0.name", "a\u2028b"),
      "threads[0].name: must not contain control characters",
    ],
    ["title on two lines", set("title", "a\nb"), "title: must be one line of plain text"],
    ["title too long", set("title", "x".repeat(201)), "title: longer than 200 characters (got 201)"],
    [
      "description too long",
      set("description", "x".repeat(4001)),
      "description: longer than 4000 characters (got 4001)",
    ],
    ["empty name", set("devices.0.name", ""), "devices[0].name: must not be empty"],
    ["threads not an array", set("threads", "T0"), 'threads: expected an array, got "T0"'],
    ["missing devices", del("devices"), "devices: missing (expected an array)"],
    ["odd key", set("my field", 1), '["my field"]: unknown field'],
    [
      "dma pasid too big",
      set("threads.0.ops.1.pasid", 2 ** 20),
      "threads[0].ops[1].pasid: must be at most 1048575, got 1048576",
    ],
    ["pasid on bind", set("threads.0.ops.0.pasid", 1), "threads[0].ops[0].pasid: unknown field"],
  ];

  it.each(cases)("%s", (_name, change, expected) => {
    const error = errorOf(parseScenario(sampleWith(change)));
    expect(error.startsWith(expected), error).toBe(true);
    expectCleanError({ ok: false, error });
  });

  it("says a newer format comes from a newer SVA Lab", () => {
    const error = errorOf(parseScenario(sampleWith(set("format", "sva-lab/2"))));
    expect(error).toBe('format: "sva-lab/2" comes from a newer SVA Lab (this one reads "sva-lab/1")');
    expect(errorOf(parseScenario(sampleWith(del("format"))))).toBe('format: missing (expected "sva-lab/1")');
    expect(errorOf(parseScenario(sampleWith(set("format", "svalab"))))).toBe(
      'format: expected "sva-lab/1", got "svalab"',
    );
  });

  it("refuses what is not an object", () => {
    for (const input of [null, undefined, 3, "x", [], () => 1]) {
      expect(errorOf(parseScenario(input))).toMatch(
        /^expected a JSON object with "format": "sva-lab\/1", got /,
      );
    }
  });
});

describe("size caps", () => {
  const many = <T>(n: number, f: (i: number) => T): T[] => Array.from({ length: n }, (_, i) => f(i));

  it("refuses more than 256 processes, 64 devices, 64 threads", () => {
    const procs = sampleWith(
      set(
        "processes",
        many(257, (i) => ({ name: `p${i}` })),
      ),
    );
    expect(errorOf(parseScenario(procs))).toBe("processes: more than 256 entries (got 257)");
    const devs = sampleWith(
      set(
        "devices",
        many(65, (i) => ({ name: `d${i}`, sid: i })),
      ),
    );
    expect(errorOf(parseScenario(devs))).toBe("devices: more than 64 entries (got 65)");
    const thrs = sampleWith(
      set(
        "threads",
        many(65, (i) => ({ name: `t${i}`, ops: [] })),
      ),
    );
    expect(errorOf(parseScenario(thrs))).toBe("threads: more than 64 entries (got 65)");
  });

  it("refuses more than 10,000 ops in all", () => {
    const exit = { op: "exit", process: "app" };
    const s = sampleWith(
      set(
        "threads",
        many(3, (i) => ({ name: `t${i}`, ops: many(3400, () => exit) })),
      ),
    );
    expect(errorOf(parseScenario(s))).toBe("threads: more than 10000 ops in all (got 10200)");
  });

  it("refuses a schedule of more than 100,000 entries, quickly even when it is huge", () => {
    const s = sampleWith(
      set(
        "schedule",
        many(2_000_000, () => "T0"),
      ),
    );
    const t0 = performance.now();
    expect(errorOf(parseScenario(s))).toBe("schedule: more than 100000 entries (got 2000000)");
    expect(performance.now() - t0).toBeLessThan(500);
  });

  it("accepts a scenario at the caps", () => {
    const s = generateScenarioJson(10_000, 7, 100_000);
    const t0 = performance.now();
    const parsed = okValue(parseScenario(s));
    expect(parsed.threads.reduce((n, t) => n + t.ops.length, 0)).toBe(10_000);
    expect(performance.now() - t0).toBeLessThan(2000);
  });
});

describe("parseScenarioText", () => {
  it("parses the sample's text", () => {
    const r = parseScenarioText(JSON.stringify(SAMPLE_SCENARIO_JSON, null, 2));
    expect(okValue(r)).toEqual(okValue(parseScenario(SAMPLE_SCENARIO_JSON)));
  });

  it("reports JSON syntax errors by line and column", () => {
    const text = '{\n  "format": "sva-lab/1",\n  "title": "x",\n}';
    expect(errorOf(parseScenarioText(text))).toBe(
      'not valid JSON: line 4, column 1: expected a property name in double quotes, found "}"',
    );
    expect(errorOf(parseScenarioText('{"a": [1, 2}'))).toBe(
      "not valid JSON: line 1, column 12: expected ',' or ']' after an array element, found \"}\"",
    );
    expect(errorOf(parseScenarioText('{"a": tru}'))).toBe(
      'not valid JSON: line 1, column 7: expected a value, found "t"',
    );
    expect(errorOf(parseScenarioText(""))).toBe(
      "not valid JSON: line 1, column 1: expected a value, found the end of the text",
    );
    expect(errorOf(parseScenarioText('{"a": "x\ny"}'))).toMatch(
      /^not valid JSON: line 1, column 9: control character/,
    );
    expect(errorOf(parseScenarioText("{} {}"))).toBe(
      'not valid JSON: line 1, column 4: unexpected text after the JSON value, found "{"',
    );
  });

  it("reports validation errors with their path", () => {
    const text = JSON.stringify(sampleWith(set("threads.0.ops.0.op", "munmapp")));
    expect(errorOf(parseScenarioText(text))).toMatch(/^threads\[0\]\.ops\[0\]\.op: unknown op "munmapp"/);
  });

  it("survives deep nesting and refuses huge text", () => {
    const deep = `${"[".repeat(200_000)}${"]".repeat(199_999)}`;
    expect(errorOf(parseScenarioText(deep))).toMatch(/^not valid JSON: line 1, column 400000: expected ','/);
    expect(errorOf(parseScenarioText("[".repeat(100_000) + "]".repeat(100_000)))).toMatch(
      /^expected a JSON object/,
    );
    expect(errorOf(parseScenarioText(" ".repeat(5 * 1024 * 1024)))).toMatch(/^the scenario is too large/);
  });
});

describe("fuzz", { timeout: fuzzTimeout() }, () => {
  it("round-trips every valid scenario through scenarioToJson", () => {
    fc.assert(
      fc.property(validScenarioJsonArb, (json) => {
        const s = okValue(parseScenario(json));
        const back: Scenario = okValue(parseScenario(scenarioToJson(s)));
        expect(back).toStrictEqual(s);
        expect(okValue(parseScenarioText(JSON.stringify(scenarioToJson(s))))).toEqual(s);
      }),
      { numRuns: fuzzRuns(300) },
    );
  });

  it("never throws on mutated scenarios; whatever it accepts round-trips", () => {
    const base = fc.oneof(fc.constant(SAMPLE_SCENARIO_JSON), validScenarioJsonArb);
    fc.assert(
      fc.property(base, fc.array(mutationArb, { minLength: 1, maxLength: 3 }), (json, mutations) => {
        let value: unknown = json;
        for (const m of mutations) value = mutateJson(value as JsonObject, m);
        const r = parseScenario(value);
        expectCleanError(r);
        if (r.ok) expect(okValue(parseScenario(scenarioToJson(r.value)))).toEqual(r.value);
      }),
      { numRuns: fuzzRuns(1500) },
    );
  });

  it("never throws on random JSON values", () => {
    fc.assert(
      fc.property(fc.jsonValue(), (v) => expectCleanError(parseScenario(v))),
      { numRuns: fuzzRuns(500) },
    );
  });

  it("never throws on mutated or random text", () => {
    const text = JSON.stringify(SAMPLE_SCENARIO_JSON, null, 1);
    fc.assert(
      fc.property(fc.array(textMutationArb, { minLength: 1, maxLength: 4 }), (mutations) => {
        const mutated = mutations.reduce(mutateText, text);
        expectCleanError(parseScenarioText(mutated));
      }),
      { numRuns: fuzzRuns(1500) },
    );
    fc.assert(
      fc.property(fc.string({ unit: "binary", maxLength: 200 }), (s) =>
        expectCleanError(parseScenarioText(s)),
      ),
      { numRuns: fuzzRuns(500) },
    );
  });
});
