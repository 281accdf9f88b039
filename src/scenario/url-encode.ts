/**
 * Making the shareable link (the format: url.ts, CONTRACT §5). Apart from the decoder, which
 * validates what it reads with the schema (zod): the page writes its link at every move but
 * reads one only when it opens with a fragment, so it loads the decoder only then.
 */
import { crc32, deflateRaw, toBase64Url } from "./bytes.ts";
import { scenarioToCompactV1 } from "./compact.ts";
import type { Scenario } from "./types.ts";

export const URL_VERSION = 1;
/**
 * The version of the kernel model a link was made with, written as `&m=N` after the payload:
 * a link opened by a different model says that its outcomes may differ. 1: before kernel
 * releases were modelled (links without `m`); 2: releases modelled. Bump it whenever a change
 * to the model can change what an existing scenario does.
 */
export const MODEL_VERSION = 2;
export const DEFAULT_URL_BASE = "https://sva-lab.invalid/";
export const URL_LIMITS = {
  /** Characters of link that `decodeScenarioUrl` reads (and `encodeScenarioUrl` makes). */
  url: 64 * 1024,
  /** Bytes the payload may inflate to. */
  inflated: 1024 * 1024,
  /** Characters of the view string, decoded. */
  view: 2000,
  /** The step is a number of at most this many digits. */
  stepDigits: 9,
} as const;

export interface UrlOptions {
  /** The step at the cursor: a non-negative integer. */
  readonly step?: number;
  /** The page's view (panels, selection), opaque here; percent-encoded into the link. */
  readonly view?: string;
  /** What goes before `#`; the page passes `location.origin + location.pathname`. */
  readonly base?: string;
}

/** encodeURIComponent throws on a lone surrogate: replace those with U+FFFD first. */
function wellFormed(s: string): string {
  return s.replace(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g, "\uFFFD");
}

/**
 * The view, percent-encoded for the link: as encodeURIComponent, and also the characters it
 * leaves that mail readers take for the punctuation after a link (`. ! ' ( ) * ~`), so a
 * reader may drop those from a link's end (link-text.ts) without cutting the view.
 */
export function encodeViewParam(view: string): string {
  return encodeURIComponent(wellFormed(view.slice(0, URL_LIMITS.view))).replace(
    /[.!'()*~]/g,
    (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`,
  );
}

/** The payload after `v1.`: compact layout → UTF-8 → deflate-raw ‖ CRC-32 → base64url. */
function encodePayload(s: Scenario): string {
  const utf8 = new TextEncoder().encode(JSON.stringify(scenarioToCompactV1(s)));
  const packed = deflateRaw(utf8);
  const out = new Uint8Array(packed.length + 4);
  out.set(packed);
  new DataView(out.buffer).setUint32(packed.length, crc32(utf8));
  return toBase64Url(out);
}

/** The fragment without its `#`: `v1.<payload>&step=N&view=…`. */
export function encodeScenarioFragment(s: Scenario, opts: Omit<UrlOptions, "base"> = {}): string {
  let fragment = `v${URL_VERSION}.${encodePayload(s)}&m=${MODEL_VERSION}`;
  if (opts.step !== undefined) {
    if (
      !Number.isSafeInteger(opts.step) ||
      opts.step < 0 ||
      String(opts.step).length > URL_LIMITS.stepDigits
    ) {
      throw new RangeError(`step must be an integer from 0 to 999999999, got ${opts.step}`);
    }
    fragment += `&step=${opts.step}`;
  }
  if (opts.view) fragment += `&view=${encodeViewParam(opts.view)}`;
  return fragment;
}

/**
 * The shareable link of a scenario.
 *
 * @throws RangeError when the step is not a non-negative integer, or when the link would be
 *   longer than `URL_LIMITS.url` (a scenario near the size caps): no link is made that would
 *   not open.
 * @example
 * encodeScenarioUrl(s, { step: 12, base: location.origin + location.pathname })
 * // "https://…/#v1.bVLBbt…&step=12"
 */
export function encodeScenarioUrl(s: Scenario, opts: UrlOptions = {}): string {
  const base = (opts.base ?? DEFAULT_URL_BASE).split("#")[0];
  const url = `${base}#${encodeScenarioFragment(s, opts)}`;
  if (url.length > URL_LIMITS.url) {
    throw new RangeError(
      `the scenario is too large for a link (${url.length} characters; the limit is ${URL_LIMITS.url})`,
    );
  }
  return url;
}
