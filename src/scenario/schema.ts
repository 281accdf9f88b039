/**
 * The scenario's JSON form (CONTRACT §1) as a zod schema, and the parsers that turn it into the
 * normalized `Scenario`: defaults filled in, addresses as numbers, every reference checked.
 *
 * Parsing runs in four stages, each stopping at the first problem with a one-line message
 * that says what and where (`threads[1].ops[0].op: unknown op "munmapp" (known ops: …)`):
 *   1. the input is an object and its `format` is one this version reads (checked first,
 *      because a newer format may have a different shape altogether);
 *   2. the zod schema: shapes, types, ranges, size caps; unknown fields are refused so that a
 *      typo (`"populte": true`) is reported instead of silently ignored;
 *   3. the semantic checks of `checks.ts` (names, references, alignment, overlaps, schedule);
 *   4. nothing else: the result is the `Scenario` the kernel model consumes.
 */
import * as z from "zod";
import { checkScenario } from "./checks.ts";
import { DEVICE_DEFAULTS, SMMU_DEFAULTS, VM_DEFAULT_PAGES, VMA_DEFAULTS } from "./defaults.ts";
import { describeIssue, describeValue } from "./issues.ts";
import { describeJsonSyntaxError, findJsonSyntaxError } from "./json-error.ts";
import { ADDRESS_LIMIT, SCENARIO_LIMITS as L, MAX_PAGES } from "./limits.ts";
import { migrateScenarioJson } from "./migrate.ts";
import { resolveKernel } from "./releases.ts";
import {
  DRIVER_DESIGNS,
  GUEST_CMDS,
  type Parsed,
  SCENARIO_FORMAT,
  type Scenario,
  SMMU_FEATURES,
} from "./types.ts";

// The page runs under a Content-Security-Policy without 'unsafe-eval'; zod would otherwise
// probe `new Function` (its JIT) on first use. Jitless parsing is fast enough for scenarios.
z.config({ jitless: true });

export { DEVICE_DEFAULTS, SMMU_DEFAULTS, VM_DEFAULT_PAGES, VMA_DEFAULTS } from "./defaults.ts";

const ADDRESS_HINT = 'an address ("0x…" hex string or non-negative integer)';

/** An address as written: `"0x10000"` or `65536`; the number, or why it is not one. */
export function toAddress(v: unknown): number | { readonly error: string } {
  let n: number | undefined;
  if (typeof v === "number") {
    if (!Number.isInteger(v)) return { error: `expected an integer address, got ${describeValue(v)}` };
    if (v < 0) return { error: `an address must not be negative, got ${describeValue(v)}` };
    n = v;
  } else if (typeof v === "string" && /^0[xX][0-9a-fA-F]+$/.test(v)) {
    const digits = v.slice(2).replace(/^0+(?=.)/, "");
    n = digits.length <= 12 ? Number.parseInt(digits, 16) : ADDRESS_LIMIT;
  }
  if (n !== undefined && n < ADDRESS_LIMIT) return n;
  if (n !== undefined) return { error: `${describeValue(v)} is beyond the 48-bit address space` };
  if (v === undefined) return { error: `missing (expected ${ADDRESS_HINT})` };
  return { error: `expected ${ADDRESS_HINT}, got ${describeValue(v)}` };
}

/** Accepts anything, so that every wrong value gets the address message of `toAddress`. */
export const address = z.unknown().transform((v, ctx): number => {
  const n = toAddress(v);
  if (typeof n === "number") return n;
  ctx.issues.push({ code: "custom", message: n.error, input: v });
  return z.NEVER;
});

/** Control characters and line/paragraph separators would let a name break a message or a trace line in two. */
const NO_CONTROL = /^[^\p{Cc}\p{Zl}\p{Zp}]*$/u;
const shortString = z.string().max(L.string);
const name = z
  .string()
  .min(1)
  .max(L.string)
  .refine((s) => NO_CONTROL.test(s), "must not contain control characters (newlines, tabs, …)");
const int = (min: number, max: number) => z.number().int().min(min).max(max);
const pages = int(1, MAX_PAGES);
const prot = z.enum(["r", "rw", "none"]);
const access = z.enum(["read", "write"]);
const table = z.enum(["linear", "2lvl"]);

const smmuSchema = z.strictObject({
  features: z
    .array(z.enum(SMMU_FEATURES))
    .max(SMMU_FEATURES.length * 2)
    .default(() => []),
  asidBits: z.literal([8, 16]).default(SMMU_DEFAULTS.asidBits as 16),
  ssidBits: int(0, 20).default(SMMU_DEFAULTS.ssidBits),
  cmdqEntries: int(2, 2 ** 19).default(SMMU_DEFAULTS.cmdqEntries),
  streamTable: table.default("linear"),
  cdTable: table.default("linear"),
});

const deviceSchema = z.strictObject({
  name,
  sid: int(0, 2 ** 32 - 1),
  ats: z.boolean().default(false),
  pri: z.boolean().default(false),
  pasidBits: int(0, 20).default(DEVICE_DEFAULTS.pasidBits),
});

const vmaSchema = z.strictObject({
  start: address,
  pages,
  prot: prot.default(VMA_DEFAULTS.prot),
  populate: z.boolean().default(VMA_DEFAULTS.populate),
});

const processSchema = z.strictObject({
  name,
  vmas: z
    .array(vmaSchema)
    .max(L.vmasPerProcess)
    .default(() => []),
  asid: int(1, 2 ** 16 - 1).optional(),
  vm: name.optional(),
  tasks: z.array(name).min(1).max(L.tasksPerProcess).optional(),
});

const vmSchema = z.strictObject({
  name,
  devices: z
    .array(z.strictObject({ device: name, vsid: int(0, 63) }))
    .min(1)
    .max(L.devices),
  pages: int(16, 4096).default(VM_DEFAULT_PAGES),
  cdTable: z.enum(["linear", "2lvl"]).optional(),
  s1dss: z.enum(["ssid0", "bypass", "terminate"]).optional(),
  pasidBase: int(1, 2 ** 20 - 1).optional(),
});

const task = name.optional();
const binding = { process: name, device: name };
const range = { process: name, start: address, pages };
const opSchema = z.discriminatedUnion("op", [
  z.strictObject({ op: z.literal("bind"), ...binding, task }),
  z.strictObject({ op: z.literal("unbind"), ...binding, task }),
  z.strictObject({
    op: z.literal("dma"),
    ...binding,
    va: address,
    access,
    pasid: int(0, 2 ** 20 - 1).optional(),
    task,
  }),
  z.strictObject({ op: z.literal("mmap"), ...range, prot: prot.default("rw"), task }),
  z.strictObject({ op: z.literal("touch"), process: name, va: address, access, task }),
  z.strictObject({ op: z.literal("munmap"), ...range, task }),
  z.strictObject({ op: z.literal("mprotect"), ...range, prot, task }),
  z.strictObject({ op: z.literal("exit"), process: name, task }),
  z.strictObject({
    op: z.literal("guest-cmd"),
    process: name,
    cmd: z.union([z.enum(GUEST_CMDS), z.array(z.enum(GUEST_CMDS)).min(1).max(64)]),
    device: name.optional(),
    va: address.optional(),
    task,
  }),
]);

const threadSchema = z.strictObject({ name, ops: z.array(opSchema).max(L.ops) });

export const scenarioSchema = z.strictObject({
  format: z.literal(SCENARIO_FORMAT),
  title: shortString.refine((s) => NO_CONTROL.test(s), "must be one line of plain text"),
  description: z.string().max(L.description).optional(),
  kernel: z.string().max(32).optional(),
  driver: z.enum(DRIVER_DESIGNS).optional(),
  faults: z
    .array(shortString)
    .max(L.faults)
    .default(() => []),
  smmu: smmuSchema.prefault({}),
  devices: z.array(deviceSchema).max(L.devices),
  processes: z.array(processSchema).max(L.processes),
  threads: z.array(threadSchema).max(L.threads),
  schedule: z.array(shortString).max(L.schedule).optional(),
  pasidBase: int(1, 2 ** 20 - 1).optional(),
  vms: z.array(vmSchema).max(L.vms).optional(),
});

const fail = (error: string): Parsed<never> => ({ ok: false, error });

/**
 * The format check, before the schema: says "newer SVA Lab" for `sva-lab/2` rather than
 * listing every field that version may have changed.
 */
function checkFormat(input: unknown): string | undefined {
  if (typeof input !== "object" || input === null || Array.isArray(input)) {
    return `expected a JSON object with "format": "${SCENARIO_FORMAT}", got ${describeValue(input)}`;
  }
  const format: unknown = (input as Record<string, unknown>).format;
  if (format === SCENARIO_FORMAT) return undefined;
  if (format === undefined) return `format: missing (expected "${SCENARIO_FORMAT}")`;
  const newer = typeof format === "string" ? /^sva-lab\/([1-9]\d{0,8})$/.exec(format) : null;
  if (newer && Number(newer[1]) > 1) {
    return `format: ${describeValue(format)} comes from a newer SVA Lab (this one reads "${SCENARIO_FORMAT}")`;
  }
  return `format: expected "${SCENARIO_FORMAT}", got ${describeValue(format)}`;
}

/**
 * Validates a scenario in its JSON form (already parsed from text) and returns it normalized.
 *
 * @example
 * const r = parseScenario({ format: "sva-lab/1", title: "t", kernel: "v6.12",
 *   devices: [], processes: [], threads: [] });
 * if (r.ok) r.value.smmu.asidBits; // 16
 * else console.error(r.error);     // e.g. 'threads[0].ops[2].op: unknown op "munmapp" (…)'
 */
export function parseScenario(input: unknown): Parsed<Scenario> {
  const formatError = checkFormat(input);
  if (formatError !== undefined) return fail(formatError);
  const { json, notes } = migrateScenarioJson(input);
  const result = scenarioSchema.safeParse(json, { reportInput: true });
  if (!result.success) {
    const first = result.error.issues[0];
    return fail(first ? describeIssue(first) : "the scenario does not validate");
  }
  const { format, title, description, kernel: kernelName, driver: driverName, ...rest } = result.data;
  const release = resolveKernel(kernelName, driverName);
  if ("error" in release) return fail(`${release.path}: ${release.error}`);
  // Field order as trustedScenario writes it: the page compares scenarios by their JSON text.
  const scenario: Scenario = {
    format,
    title,
    ...(description === undefined ? {} : { description }),
    kernel: release.kernel,
    driver: release.driver,
    ...rest,
  };
  const error = checkScenario(scenario);
  if (error !== undefined) return fail(error);
  return notes.length > 0 ? { ok: true, value: scenario, notes } : { ok: true, value: scenario };
}

/** Parses scenario JSON text; a syntax error is reported by line and column. */
export function parseScenarioText(text: string): Parsed<Scenario> {
  if (typeof text !== "string") return fail(`expected scenario JSON text, got ${describeValue(text)}`);
  if (text.length > L.text) {
    return fail(`the scenario is too large (${text.length} characters; the limit is ${L.text})`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text.replace(/^\uFEFF/, ""));
  } catch {
    const where = findJsonSyntaxError(text.replace(/^\uFEFF/, ""));
    return fail(`not valid JSON: ${where ? describeJsonSyntaxError(where) : "syntax error"}`);
  }
  return parseScenario(json);
}
