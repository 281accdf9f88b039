import { readdirSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { addProcess, addVma } from "../view/editor/draft.ts";
import { VMA_DEFAULTS } from "./defaults.ts";
import { scenarioJsonSchema, scenarioJsonSchemaText } from "./json-schema.ts";
import { parseScenario } from "./schema.ts";

const docs = (name: string): string => fileURLToPath(new URL(`../../docs/${name}`, import.meta.url));
const libraryDir = fileURLToPath(new URL("./library/", import.meta.url));

type Json = Record<string, unknown>;

/**
 * A small JSON Schema check (the subset the generator emits: type, const, enum, properties,
 * required, additionalProperties, items, anyOf / oneOf, min/max): enough to show that the
 * published schema accepts what the validator accepts and refuses a typo, with no validator
 * library added for the test.
 */
function check(schema: Json, v: unknown, at = "$"): string[] {
  const errors: string[] = [];
  const alts = (schema.anyOf ?? schema.oneOf) as Json[] | undefined;
  if (alts) {
    const ok = alts.filter((s) => check(s, v, at).length === 0).length;
    if (schema.oneOf ? ok !== 1 : ok === 0)
      errors.push(`${at}: matches ${ok} of ${alts.length} alternatives`);
    return errors;
  }
  const type = schema.type as string | undefined;
  const isInt = typeof v === "number" && Number.isInteger(v);
  if (type === "object" && (typeof v !== "object" || v === null || Array.isArray(v)))
    return [`${at}: not an object`];
  if (type === "array" && !Array.isArray(v)) return [`${at}: not an array`];
  if (type === "string" && typeof v !== "string") return [`${at}: not a string`];
  if (type === "integer" && !isInt) return [`${at}: not an integer`];
  if (type === "number" && typeof v !== "number") return [`${at}: not a number`];
  if (type === "boolean" && typeof v !== "boolean") return [`${at}: not a boolean`];
  if ("const" in schema && v !== schema.const) errors.push(`${at}: not ${JSON.stringify(schema.const)}`);
  if (Array.isArray(schema.enum) && !schema.enum.includes(v)) errors.push(`${at}: not one of the enum`);
  if (typeof v === "number") {
    if (typeof schema.minimum === "number" && v < schema.minimum) errors.push(`${at}: below minimum`);
    if (typeof schema.maximum === "number" && v > schema.maximum) errors.push(`${at}: above maximum`);
  }
  if (typeof v === "string" && typeof schema.pattern === "string" && !new RegExp(schema.pattern).test(v)) {
    errors.push(`${at}: does not match ${schema.pattern}`);
  }
  if (Array.isArray(v) && schema.items) {
    for (const [i, x] of v.entries()) errors.push(...check(schema.items as Json, x, `${at}[${i}]`));
  }
  if (type === "object") {
    const o = v as Json;
    const props = (schema.properties ?? {}) as Record<string, Json>;
    for (const r of (schema.required ?? []) as string[]) if (!(r in o)) errors.push(`${at}.${r}: missing`);
    for (const [k, x] of Object.entries(o)) {
      if (props[k]) errors.push(...check(props[k], x, `${at}.${k}`));
      else if (schema.additionalProperties === false) errors.push(`${at}.${k}: not a field of the format`);
    }
  }
  return errors;
}

/** Every property name the schema declares, with its path. */
function fields(schema: Json, out = new Set<string>()): Set<string> {
  for (const [k, s] of Object.entries((schema.properties ?? {}) as Record<string, Json>)) {
    out.add(k);
    fields(s, out);
  }
  if (schema.items) fields(schema.items as Json, out);
  for (const s of (schema.anyOf ?? schema.oneOf ?? []) as Json[]) fields(s, out);
  return out;
}

const lessons = readdirSync(libraryDir)
  .filter((f) => f.endsWith(".json"))
  .map((f) => [f, JSON.parse(readFileSync(`${libraryDir}${f}`, "utf8"))] as const);

describe("the scenario format's JSON Schema", () => {
  const schema = scenarioJsonSchema();

  it("docs/scenario.schema.json is what the validator generates (npm run schema rewrites it)", () => {
    expect(readFileSync(docs("scenario.schema.json"), "utf8")).toBe(scenarioJsonSchemaText());
  });

  it.each(lessons)("accepts the built-in lesson %s, as the validator does", (_f, json) => {
    expect(parseScenario(json).ok).toBe(true);
    expect(check(schema, json)).toEqual([]);
  });

  it("refuses what the validator refuses by shape: a misspelt field, a wrong type, an unknown op", () => {
    const base = lessons.find(([f]) => f === "lifecycle.json")![1];
    const typo = structuredClone(base);
    typo.processes[0].vmas[0].populte = true;
    expect(parseScenario(typo).ok).toBe(false);
    expect(check(schema, typo).join()).toContain("populte: not a field of the format");
    const wrongType = structuredClone(base);
    wrongType.devices[0].ats = "yes";
    expect(parseScenario(wrongType).ok).toBe(false);
    expect(check(schema, wrongType)).not.toEqual([]);
    const badOp = structuredClone(base);
    badOp.threads[0].ops[0].op = "munmapp";
    expect(parseScenario(badOp).ok).toBe(false);
    expect(check(schema, badOp)).not.toEqual([]);
    const badAddress = structuredClone(base);
    badAddress.processes[0].vmas[0].start = "65536";
    expect(parseScenario(badAddress).ok).toBe(false);
    expect(check(schema, badAddress)).not.toEqual([]);
  });

  it("gives populate one default, the validator's, the schema's and the editor's", () => {
    const at = (o: unknown, ...keys: string[]): Json =>
      keys.reduce((x, k) => (x as Json)[k] as Json, o as Json);
    const vma = at(
      schema,
      "properties",
      "processes",
      "items",
      "properties",
      "vmas",
      "items",
      "properties",
      "populate",
    );
    expect(vma.default).toBe(VMA_DEFAULTS.populate);
    const parsed = parseScenario({
      format: "sva-lab/1",
      title: "t",
      driver: "sva-domain",
      devices: [],
      processes: [{ name: "p", vmas: [{ start: "0x10000", pages: 1 }] }],
      threads: [],
    });
    expect(parsed.ok && parsed.value.processes[0]!.vmas[0]!.populate).toBe(VMA_DEFAULTS.populate);
    const draft = addVma(addProcess({ processes: [] }), 0);
    expect((at(draft, "processes", "0", "vmas") as unknown as Json[]).map((v) => v.populate)).toEqual([
      VMA_DEFAULTS.populate,
      VMA_DEFAULTS.populate,
    ]);
  });

  it("docs/scenario-format.md names every field the schema has", () => {
    const text = readFileSync(docs("scenario-format.md"), "utf8");
    const missing = [...fields(schema)].filter((f) => !text.includes(`\`${f}\``));
    expect(missing).toEqual([]);
  });
});
