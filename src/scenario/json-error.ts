/**
 * Where a JSON text goes wrong, as `line L, column C: what`. `JSON.parse` says this differently
 * in each engine (V8 gives a position for some errors and a copy of the text for others, which
 * may span lines), so when it throws we scan the text ourselves and say it the same way
 * everywhere. The scanner is iterative, with an explicit stack, so deeply nested hostile input
 * cannot overflow the call stack.
 */
import { quote } from "./issues.ts";

export interface JsonSyntaxError {
  readonly offset: number;
  readonly line: number;
  readonly column: number;
  readonly what: string;
}

class ScanError {
  constructor(
    readonly offset: number,
    readonly what: string,
  ) {}
}

const WHITESPACE = new Set([" ", "\t", "\n", "\r"]);
const NUMBER = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y;
const ESCAPES = new Set(['"', "\\", "/", "b", "f", "n", "r", "t"]);

/** The first syntax error in `text`, or undefined when it is valid JSON. */
export function findJsonSyntaxError(text: string): JsonSyntaxError | undefined {
  try {
    scanJson(text);
    return undefined;
  } catch (e) {
    if (!(e instanceof ScanError)) throw e;
    return { ...lineAndColumn(text, e.offset), offset: e.offset, what: e.what };
  }
}

/** One line: `line 3, column 7: expected ',' or '}' after a property value, found "]"`. */
export function describeJsonSyntaxError(err: JsonSyntaxError): string {
  return `line ${err.line}, column ${err.column}: ${err.what}`;
}

function lineAndColumn(text: string, offset: number): { line: number; column: number } {
  let line = 1;
  let lineStart = 0;
  for (let i = 0; i < offset && i < text.length; i++) {
    if (text[i] === "\n") {
      line++;
      lineStart = i + 1;
    }
  }
  return { line, column: offset - lineStart + 1 };
}

function found(text: string, i: number): string {
  const c = text[i];
  if (c === undefined) return "found the end of the text";
  return `found ${quote(c)}`;
}

function skipWhitespace(text: string, i: number): number {
  while (i < text.length && WHITESPACE.has(text[i]!)) i++;
  return i;
}

/** Scans a string literal starting at the opening quote; returns the index after the closing one. */
function scanString(text: string, i: number): number {
  for (i++; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x22) return i + 1;
    if (c < 0x20) throw new ScanError(i, "control character inside a string (write it as \\n, \\t, …)");
    if (c === 0x5c) i = scanEscape(text, i);
  }
  throw new ScanError(i, "unterminated string");
}

function scanEscape(text: string, i: number): number {
  const c = text[i + 1];
  if (c === "u") {
    if (!/^[0-9a-fA-F]{4}$/.test(text.slice(i + 2, i + 6))) throw new ScanError(i, "bad \\u escape");
    return i + 5;
  }
  if (c === undefined || !ESCAPES.has(c)) throw new ScanError(i, "bad escape in a string");
  return i + 1;
}

function scanLiteral(text: string, i: number): number {
  for (const word of ["true", "false", "null"]) {
    if (text.startsWith(word, i)) return i + word.length;
  }
  NUMBER.lastIndex = i;
  if (NUMBER.exec(text)) return NUMBER.lastIndex;
  throw new ScanError(i, `expected a value, ${found(text, i)}`);
}

function scanKey(text: string, i: number): number {
  i = skipWhitespace(text, i);
  if (text[i] !== '"') throw new ScanError(i, `expected a property name in double quotes, ${found(text, i)}`);
  i = skipWhitespace(text, scanString(text, i));
  if (text[i] !== ":") throw new ScanError(i, `expected ':' after a property name, ${found(text, i)}`);
  return skipWhitespace(text, i + 1);
}

/**
 * Scans one value at `i`. Opening brackets are pushed on `stack` and leave the scanner
 * expecting the first member; returns the index after what it consumed.
 */
function scanValue(text: string, i: number, stack: string[]): { i: number; opened: boolean } {
  const c = text[i];
  if (c === "{" || c === "[") {
    const close = c === "{" ? "}" : "]";
    const j = skipWhitespace(text, i + 1);
    if (text[j] === close) return { i: j + 1, opened: false };
    stack.push(close);
    return { i: c === "{" ? scanKey(text, j) : j, opened: true };
  }
  if (c === '"') return { i: scanString(text, i), opened: false };
  return { i: scanLiteral(text, i), opened: false };
}

function scanJson(text: string): void {
  const stack: string[] = [];
  let i = skipWhitespace(text, 0);
  let expectValue = true;
  for (;;) {
    if (expectValue) {
      const r = scanValue(text, i, stack);
      i = skipWhitespace(text, r.i);
      expectValue = r.opened;
      continue;
    }
    const close = stack.at(-1);
    if (close === undefined) {
      if (i < text.length) throw new ScanError(i, `unexpected text after the JSON value, ${found(text, i)}`);
      return;
    }
    if (text[i] === close) {
      stack.pop();
      i = skipWhitespace(text, i + 1);
    } else if (text[i] === ",") {
      i = close === "}" ? scanKey(text, i + 1) : skipWhitespace(text, i + 1);
      expectValue = true;
    } else {
      const after = close === "}" ? "a property value" : "an array element";
      throw new ScanError(i, `expected ',' or '${close}' after ${after}, ${found(text, i)}`);
    }
  }
}
