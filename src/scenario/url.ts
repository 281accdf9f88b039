/**
 * The shareable link (CONTRACT §5): the whole scenario, its schedule included, in the URL's
 * fragment, with the step at the cursor and the page's view string after it:
 *
 *   https://…/#v1.<payload>&step=12&view=<percent-encoded view>
 *
 * `v1` says how to read the payload; a later format gets `v2` and this decoder stays, so old
 * links keep opening. v1 payload = base64url( deflate-raw(utf8(JSON of the compact v1
 * layout, compact.ts)) ‖ CRC-32 of that UTF-8, 4 bytes big-endian ). The checksum costs six
 * characters and turns a link cut or mangled in a mail into a clear "corrupt" rather than a
 * slightly different scenario. Unknown `&key=value` parameters are ignored (later versions may
 * add some). Nothing from a link is ever evaluated: it is inflated, parsed as JSON and
 * validated by `parseScenario` like a file.
 *
 * Decoding reads hostile input: the link is capped at 64 KiB, the inflated data at 1 MiB
 * (checked while inflating), and every failure is a one-line message, never an exception.
 */
import { crc32, fromBase64Url, inflateRawCapped } from "./bytes.ts";
import { compactV1ToJson } from "./compact.ts";
import { quote } from "./issues.ts";
import { describeJsonSyntaxError, findJsonSyntaxError } from "./json-error.ts";
import { cleanLinkPart, cleanLinkText } from "./link-text.ts";
import { parseScenario } from "./schema.ts";
import type { Parsed, Scenario } from "./types.ts";
import { MODEL_VERSION, URL_LIMITS, URL_VERSION } from "./url-encode.ts";

export { cleanLinkText, looksLikeLink } from "./link-text.ts";
export type { UrlOptions } from "./url-encode.ts";
export {
  DEFAULT_URL_BASE,
  encodeScenarioFragment,
  encodeScenarioUrl,
  encodeViewParam,
  MODEL_VERSION,
  URL_LIMITS,
  URL_VERSION,
} from "./url-encode.ts";

export interface SharedScenario {
  readonly scenario: Scenario;
  readonly step?: number;
  readonly view?: string;
  /** The model version the link was made with (`&m=`; absent: 1, before releases were modelled). */
  readonly model?: number;
  /**
   * One-line notes on what opening the link changed: what a migration changed (the link was
   * made by an earlier SVA Lab: migrate.ts), and what the link holds besides the scenario that
   * could not be read (a bad `step=` or `view=`, ignored). Absent when there is none.
   */
  readonly notes?: readonly string[];
}

/**
 * One line for a link made with another version of the kernel model, or null when it is this
 * one's.
 */
export function modelNote(model: number | undefined): string | null {
  const made = model ?? 1;
  if (made === MODEL_VERSION) return null;
  const which = made < MODEL_VERSION ? "an older" : "a newer";
  return `This link was made with ${which} kernel model (model ${made}; this SVA Lab runs model ${MODEL_VERSION}): its outcomes may differ from when it was made.`;
}

const fail = (error: string): Parsed<never> => ({ ok: false, error });

/** The fragment text of a full URL, a `#fragment`, or a bare fragment. */
function fragmentOf(input: string): Parsed<string> {
  // Links pasted from mail arrive wrapped, quoted, in <…>, with a full stop after them.
  const text = cleanLinkText(input);
  const hash = text.indexOf("#");
  if (hash >= 0) return { ok: true, value: text.slice(hash + 1) };
  if (/^[a-z][a-z0-9+.-]*:/i.test(text) || text.startsWith("/")) {
    return fail("not an SVA Lab link: it has no #v1.… fragment");
  }
  return { ok: true, value: text };
}

/** Checks the `v<N>.` prefix; returns the payload after it. */
function versionedPayload(head: string): Parsed<string> {
  // "v1" alone: a link cut just after its version (its "." then read as a full stop).
  const m = /^v(\d{1,12})(?:\.(.*))?$/s.exec(head);
  if (!m) return fail(`not an SVA Lab link: expected a fragment starting "v1.", got ${quote(head, 24)}`);
  const version = Number(m[1]);
  if (version > URL_VERSION)
    return fail(`the link was made by a newer SVA Lab (v${m[1]}); this one reads v1 links`);
  if (version !== URL_VERSION) return fail(`the link has an unknown version (v${m[1]})`);
  return { ok: true, value: m[2] ?? "" };
}

interface Extras {
  step?: number;
  view?: string;
  model?: number;
  notes: string[];
}

function readStep(value: string): Parsed<number> {
  if (!new RegExp(`^\\d{1,${URL_LIMITS.stepDigits}}$`).test(value)) {
    return fail(`its step is not a step number: ${quote(value, 24)}`);
  }
  return { ok: true, value: Number(value) };
}

function readView(value: string): Parsed<string> {
  let view: string;
  try {
    view = decodeURIComponent(value);
  } catch {
    return fail("its view is not valid percent-encoding");
  }
  if (view.length > URL_LIMITS.view)
    return fail(`its view is too long (more than ${URL_LIMITS.view} characters)`);
  return { ok: true, value: view };
}

/**
 * `step=12`, `view=…`; other keys are ignored (later versions add some). `amp;` is what
 * `&amp;` in HTML mail leaves. A bad step or view is dropped with a note: the scenario, the
 * part that matters, still opens (the first step, the default view).
 */
function readExtras(params: readonly string[]): Extras {
  const extras: Extras = { notes: [] };
  for (const raw of params) {
    const eq = raw.indexOf("=");
    const key = cleanLinkPart(eq < 0 ? raw : raw.slice(0, eq)).replace(/^amp;/, "");
    const value = eq < 0 ? "" : raw.slice(eq + 1);
    if (key === "step" && extras.step === undefined) {
      const step = readStep(cleanLinkPart(value));
      if (step.ok) extras.step = step.value;
      else extras.notes.push(`The link's step was ignored: ${step.error}; the first step is shown.`);
    } else if (key === "m" && extras.model === undefined && /^[1-9]\d{0,5}$/.test(cleanLinkPart(value))) {
      // Only a note depends on it: a damaged value is ignored rather than refused.
      extras.model = Number(cleanLinkPart(value));
    } else if (key === "view" && extras.view === undefined) {
      const view = readView(value);
      if (view.ok) extras.view = view.value;
      else extras.notes.push(`The link's view was ignored: ${view.error}; the default view is shown.`);
    }
  }
  return extras;
}

/** The two ways mail breaks a link that cleaning cannot undo (docs/links.md). */
export const CUT_SHORT =
  "the link is cut short: its data ends early (paste the whole link, every line of it)";
export const DAMAGED =
  "the link is damaged: its checksum does not match (a character of it was changed, added or lost)";

/** base64url → bytes → inflate (capped) → checksum → UTF-8 text. */
function payloadText(payload: string): Parsed<string> {
  const bytes = fromBase64Url(payload);
  if (!bytes.ok) {
    return fail(/truncated/.test(bytes.error) ? CUT_SHORT : `the link is damaged: its data ${bytes.error}`);
  }
  if (bytes.value.length < 5) return fail(CUT_SHORT);
  const packed = bytes.value.subarray(0, -4);
  const expected = new DataView(bytes.value.buffer, bytes.value.length - 4).getUint32(0);
  const inflated = inflateRawCapped(packed, URL_LIMITS.inflated);
  if (!inflated.ok) {
    if (/too large/.test(inflated.error)) return fail(`the link's data ${inflated.error}`);
    // A link cut short loses the end of its DEFLATE stream: the inflater runs out of input.
    return fail(/EOF|empty/i.test(inflated.error) ? CUT_SHORT : DAMAGED);
  }
  if (crc32(inflated.value) !== expected) return fail(DAMAGED);
  try {
    return { ok: true, value: new TextDecoder("utf-8", { fatal: true }).decode(inflated.value) };
  } catch {
    return fail("the link's data is corrupt: it is not UTF-8 text");
  }
}

/** The scenario a v1 payload holds, validated. */
function payloadScenario(payload: string): Parsed<Scenario> {
  const text = payloadText(payload);
  if (!text.ok) return text;
  let data: unknown;
  try {
    data = JSON.parse(text.value);
  } catch {
    const where = findJsonSyntaxError(text.value);
    return fail(
      `the link's data is corrupt: not valid JSON (${where ? describeJsonSyntaxError(where) : "syntax error"})`,
    );
  }
  const json = compactV1ToJson(data);
  if (!json.ok) return fail(`the link's data is corrupt: ${json.error}`);
  const scenario = parseScenario(json.value);
  return scenario.ok ? scenario : fail(`the link's scenario: ${scenario.error}`);
}

function decode(input: string): Parsed<SharedScenario> {
  if (typeof input !== "string") return fail("not an SVA Lab link: expected text");
  if (input.length > URL_LIMITS.url) {
    return fail(`the link is too large (${input.length} characters; the limit is ${URL_LIMITS.url})`);
  }
  const fragment = fragmentOf(input);
  if (!fragment.ok) return fragment;
  const [head = "", ...params] = fragment.value.split("&");
  const payload = versionedPayload(cleanLinkPart(head));
  if (!payload.ok) return payload;
  const { notes, ...extras } = readExtras(params);
  const scenario = payloadScenario(payload.value);
  if (!scenario.ok) return scenario;
  const migrated = (scenario.notes ?? []).map((n) => `This link was made by an earlier SVA Lab: ${n}`);
  const all = [...migrated, ...notes];
  return { ok: true, value: { scenario: scenario.value, ...extras, ...(all.length ? { notes: all } : {}) } };
}

/**
 * Reads a link: a full URL, `#v1.…`, or `v1.…`. Never throws; every failure is one line that
 * says what is wrong (not an SVA Lab link, a newer version, truncated, corrupt, too large, or
 * the scenario's own validation error after "the link's scenario: ").
 *
 * @example
 * const r = decodeScenarioUrl(location.hash);
 * if (r.ok) load(r.value.scenario, r.value.step); else showMessage(r.error);
 */
export function decodeScenarioUrl(urlOrFragment: string): Parsed<SharedScenario> {
  try {
    return decode(urlOrFragment);
  } catch (e) {
    // Not expected (the fuzz tests look for it): keep the page usable all the same, and say
    // it in the user's terms (an engine's exception text means nothing to them).
    void e;
    return fail("the link could not be read: SVA Lab met a problem of its own reading it (please report it)");
  }
}
