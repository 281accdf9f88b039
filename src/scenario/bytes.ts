/**
 * Byte-level pieces of the URL codec: base64url without padding (RFC 4648 §5), CRC-32 (the
 * IEEE polynomial of zlib and PNG), and DEFLATE (raw, RFC 1951) through fflate, with an
 * inflate that stops as soon as the output passes a cap, so a zip bomb in a link costs at
 * most the cap plus one chunk's worth of memory.
 */
import { deflateSync, Inflate } from "fflate";
import { quote } from "./issues.ts";
import type { Parsed } from "./types.ts";

const ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
const DECODE = new Map([...ALPHABET].map((c, i) => [c, i]));

/** Bytes → base64url text without `=` padding. */
export function toBase64Url(bytes: Uint8Array): string {
  const out: string[] = [];
  for (let i = 0; i < bytes.length; i += 3) {
    const n = (bytes[i]! << 16) | ((bytes[i + 1] ?? 0) << 8) | (bytes[i + 2] ?? 0);
    const chars = Math.min(4, bytes.length - i + 1);
    for (let k = 0; k < chars; k++) out.push(ALPHABET[(n >> (18 - 6 * k)) & 63]!);
  }
  return out.join("");
}

/** base64url text (padding tolerated) → bytes, or what is wrong with it. */
export function fromBase64Url(text: string): Parsed<Uint8Array> {
  const body = text.replace(/={1,2}$/, "");
  const bad = [...body].findIndex((c) => !DECODE.has(c));
  if (bad >= 0) {
    return { ok: false, error: `is not base64url (character ${quote([...body][bad]!)} at ${bad})` };
  }
  // Four characters carry three bytes; a lone last character carries none: something is cut off.
  if (body.length % 4 === 1) return { ok: false, error: "is truncated (its base64url length is impossible)" };
  const bytes = new Uint8Array(Math.floor((body.length * 3) / 4));
  let acc = 0;
  let bits = 0;
  let j = 0;
  for (const c of body) {
    acc = ((acc << 6) | DECODE.get(c)!) & 0xffffff;
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      bytes[j++] = (acc >> bits) & 0xff;
    }
  }
  return { ok: true, value: bytes };
}

const CRC_TABLE = (() => {
  const table = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    table[n] = c >>> 0;
  }
  return table;
})();

/** CRC-32 (IEEE 802.3), as zlib's `crc32`. */
export function crc32(bytes: Uint8Array): number {
  let c = 0xffffffff;
  for (const b of bytes) c = CRC_TABLE[(c ^ b) & 0xff]! ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

/** Raw DEFLATE at the highest level: links are made once and pasted many times. */
export function deflateRaw(bytes: Uint8Array): Uint8Array {
  return deflateSync(bytes, { level: 9 });
}

/** Input fed to the inflater at a time; DEFLATE expands a byte to at most ~1032 bytes. */
const CHUNK = 256;

/**
 * Inflates raw DEFLATE data, giving up once the output passes `cap` bytes. Errors: "too
 * large", or "truncated or corrupt" for anything fflate refuses (bad codes, early end).
 */
export function inflateRawCapped(data: Uint8Array, cap: number): Parsed<Uint8Array> {
  if (data.length === 0) return { ok: false, error: "is empty (truncated?)" };
  const chunks: Uint8Array[] = [];
  let total = 0;
  const inflater = new Inflate((chunk) => {
    total += chunk.length;
    if (total <= cap) chunks.push(chunk);
  });
  try {
    for (let i = 0; i < data.length && total <= cap; i += CHUNK) {
      inflater.push(data.subarray(i, i + CHUNK), i + CHUNK >= data.length);
    }
  } catch (e) {
    return { ok: false, error: `is truncated or corrupt${fflateReason(e)}` };
  }
  if (total > cap) return { ok: false, error: `is too large: it inflates to more than ${cap} bytes` };
  return { ok: true, value: concat(chunks, total) };
}

/** fflate's own words ("unexpected EOF", "invalid distance"), when they are that. */
function fflateReason(e: unknown): string {
  const message = e instanceof Error ? e.message : "";
  return /^[a-z][\w /-]{0,40}$/i.test(message) && message !== "undefined" ? ` (${message})` : "";
}

function concat(chunks: readonly Uint8Array[], total: number): Uint8Array {
  const out = new Uint8Array(total);
  let offset = 0;
  for (const c of chunks) {
    out.set(c, offset);
    offset += c.length;
  }
  return out;
}
