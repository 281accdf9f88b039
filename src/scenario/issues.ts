/**
 * Turns a zod issue into the one-line message of CONTRACT §2: `threads[1].ops[0].op: unknown op
 * "munmapp" (known ops: bind, …)`. Zod's own messages are generic ("Invalid input: expected
 * string, received undefined") and do not show the offending value; these say what was found,
 * quoted as JSON so that nothing in the input can break the message over several lines.
 */
import type { z } from "zod";

type Issue = z.core.$ZodIssue;

/** `["threads", 1, "ops", 0, "op"]` → `threads[1].ops[0].op`; odd keys are quoted: `smmu["a b"]`. */
export function formatPath(path: readonly PropertyKey[]): string {
  let out = "";
  for (const key of path) {
    if (typeof key === "number") out += `[${key}]`;
    else if (typeof key === "symbol") out += `[${JSON.stringify(key.description ?? "symbol")}]`;
    else if (/^[A-Za-z_$][\w$-]*$/.test(key)) out += out === "" ? key : `.${key}`;
    else out += `[${quote(key)}]`;
  }
  return out;
}

/**
 * A JSON-quoted string, cut to `max` characters so one long value cannot swamp the message.
 * Control characters and U+2028/U+2029, which JSON.stringify leaves raw, are escaped too: a
 * quoted value never breaks the line.
 */
export function quote(s: string, max = 60): string {
  const json = JSON.stringify(s.length > max ? `${s.slice(0, max)}…` : s);
  return json.replace(/[\p{Cc}\u2028\u2029]/gu, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`);
}

/** What a value is, in words, for "got …": `"munmapp"`, `-3`, `true`, `an array`. */
export function describeValue(v: unknown): string {
  if (v === undefined) return "nothing";
  if (v === null) return "null";
  switch (typeof v) {
    case "string":
      return quote(v);
    case "number":
    case "boolean":
      return String(v);
    case "bigint":
      return `${v}n`;
    case "object":
      return Array.isArray(v) ? `an array of ${v.length}` : "an object";
    default:
      return `a ${typeof v}`;
  }
}

/** Collapses whitespace so that a message is always one non-empty line. */
export function oneLine(text: string): string {
  const t = text.replace(/\s+/g, " ").trim();
  return t === "" ? "invalid value" : t;
}

/** `path: text`, or just `text` at the root. */
export function atPath(path: readonly PropertyKey[], text: string): string {
  const p = formatPath(path);
  return oneLine(p === "" ? text : `${p}: ${text}`);
}

const EXPECTED: Record<string, string> = {
  string: "a string",
  number: "a number",
  int: "an integer",
  boolean: "true or false",
  array: "an array",
  object: "an object",
  null: "null",
};

function expectedWords(expected: string): string {
  return EXPECTED[expected] ?? expected;
}

function listValues(values: readonly unknown[]): string {
  const shown = values.map((v) => (typeof v === "string" ? JSON.stringify(v) : String(v)));
  return shown.length <= 2 ? shown.join(" or ") : `one of ${shown.join(", ")}`;
}

function lengthOf(input: unknown): string {
  return typeof input === "string" || Array.isArray(input) ? ` (got ${input.length})` : "";
}

function tooBig(issue: Extract<Issue, { code: "too_big" }>): string {
  const max = String(issue.maximum);
  if (issue.origin === "string") return `longer than ${max} characters${lengthOf(issue.input)}`;
  if (issue.origin === "array") return `more than ${max} entries${lengthOf(issue.input)}`;
  const bound = issue.inclusive === false ? `less than ${max}` : `at most ${max}`;
  return `must be ${bound}, got ${describeValue(issue.input)}`;
}

function tooSmall(issue: Extract<Issue, { code: "too_small" }>): string {
  const min = String(issue.minimum);
  if (issue.origin === "string") {
    return issue.minimum === 1 ? "must not be empty" : `shorter than ${min} characters`;
  }
  if (issue.origin === "array") return `needs at least ${min} entries${lengthOf(issue.input)}`;
  const bound = issue.inclusive === false ? `greater than ${min}` : `at least ${min}`;
  return `must be ${bound}, got ${describeValue(issue.input)}`;
}

function invalidType(issue: Extract<Issue, { code: "invalid_type" }>): string {
  const expected = expectedWords(issue.expected);
  if (issue.input === undefined) return `missing (expected ${expected})`;
  return `expected ${expected}, got ${describeValue(issue.input)}`;
}

/** A discriminated union (the ops) whose discriminator matched none of the options. */
function noDiscriminator(issue: Extract<Issue, { code: "invalid_union" }>, key: string): string {
  const options = "options" in issue && issue.options ? issue.options.join(", ") : "";
  const known = options === "" ? "" : ` (known ${key}s: ${options})`;
  const input = issue.input;
  if (typeof input !== "object" || input === null || !Object.hasOwn(input, key)) return `missing${known}`;
  const value: unknown = (input as Record<string, unknown>)[key];
  return `unknown ${key} ${describeValue(value)}${known}`;
}

/** The path and the words for one issue; unknown keys move into the path (`smmu.asidbits`). */
export function describeIssue(issue: Issue): string {
  switch (issue.code) {
    case "unrecognized_keys": {
      const more = issue.keys.length > 1 ? ` (and ${issue.keys.length - 1} more)` : "";
      return atPath([...issue.path, issue.keys[0] ?? "?"], `unknown field${more}`);
    }
    case "invalid_type":
      return atPath(issue.path, invalidType(issue));
    case "too_big":
      return atPath(issue.path, tooBig(issue));
    case "too_small":
      return atPath(issue.path, tooSmall(issue));
    case "invalid_value":
      return atPath(issue.path, `expected ${listValues(issue.values)}, got ${describeValue(issue.input)}`);
    case "invalid_union":
      if (issue.discriminator !== undefined)
        return atPath(issue.path, noDiscriminator(issue, issue.discriminator));
      return atPath(issue.path, `${issue.message}, got ${describeValue(issue.input)}`);
    default:
      return atPath(issue.path, issue.message);
  }
}
