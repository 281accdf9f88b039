import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { SAMPLE_SCENARIO_JSON } from "./fixtures.ts";
import { expectCleanError, fuzzRuns, fuzzTimeout, okValue, validScenarioJsonArb } from "./fuzz.testkit.ts";
import { cleanLinkText, looksLikeLink } from "./link-text.ts";
import { parseScenario } from "./schema.ts";
import { CUT_SHORT, DAMAGED, decodeScenarioUrl, encodeScenarioUrl } from "./url.ts";

const sample = okValue(parseScenario(SAMPLE_SCENARIO_JSON));
const link = encodeScenarioUrl(sample, { base: "https://lab.example.org/sva/", step: 7, view: "cd:16:1" });

/** A line of mail wrapped at `width` columns, as a client without format=flowed does it. */
function wrap(text: string, width: number, first = 0): string[] {
  const lines: string[] = [];
  let i = 0;
  let w = width - first;
  while (i < text.length) {
    lines.push(text.slice(i, i + w));
    i += w;
    w = width;
  }
  return lines;
}

describe("cleanLinkText", () => {
  it("undoes quoting, wrapping, brackets and the full stop after a link", () => {
    const lines = wrap(link, 72).map((l) => `> ${l}`);
    expect(cleanLinkText(`<${lines.join("\n")}>.`)).toBe(link);
    expect(cleanLinkText(`>> <URL:${link}>,`)).toBe(link);
    expect(cleanLinkText(`(${link})`)).toBe(link);
    expect(cleanLinkText(`  ${link.slice(0, 50)} \n ${link.slice(50)}\u200B  `)).toBe(link);
    expect(cleanLinkText(link.replace("#", "%23"))).toBe(link);
  });

  it("tells links from files' names", () => {
    expect(looksLikeLink(link)).toBe(true);
    expect(looksLikeLink(`> <${link}>`)).toBe(true);
    expect(looksLikeLink(link.slice(link.indexOf("#") + 1))).toBe(true);
    expect(looksLikeLink("src/scenario/library/unbind-vs-exit.json")).toBe(false);
    expect(looksLikeLink("v1.json")).toBe(false);
  });
});

/** What mail may do to a link without losing any of it. */
type Harmless =
  | { kind: "wrap"; width: 72 | 76; indent: number; flowed: boolean }
  | { kind: "quote"; prefix: "> " | ">> " | "> > " | ">" }
  | { kind: "brackets"; open: string; close: string }
  | { kind: "trailing"; text: string }
  | { kind: "encoded-space"; at: number; code: "%20" | "%0A" | "%0d" | "%09" }
  | { kind: "crlf" };

/** And what loses or changes some of it: the reader must refuse these, or read the same. */
type Harmful =
  | { kind: "cut"; at: number }
  | { kind: "drop-line"; width: 72 | 76; line: number }
  | { kind: "change"; at: number; char: string }
  | { kind: "insert"; at: number; char: string }
  | { kind: "delete"; at: number };

const harmlessArb: fc.Arbitrary<Harmless> = fc.oneof(
  fc.record({
    kind: fc.constant("wrap" as const),
    width: fc.constantFrom(72 as const, 76 as const),
    indent: fc.nat(40),
    flowed: fc.boolean(),
  }),
  fc.record({ kind: fc.constant("quote" as const), prefix: fc.constantFrom("> ", ">> ", "> > ", ">") }),
  fc.constantFrom(
    { kind: "brackets" as const, open: "<", close: ">" },
    { kind: "brackets" as const, open: "<URL:", close: ">" },
    { kind: "brackets" as const, open: "(", close: ")" },
    { kind: "brackets" as const, open: '"', close: '"' },
    { kind: "brackets" as const, open: "[", close: "]" },
  ),
  fc.record({
    kind: fc.constant("trailing" as const),
    text: fc.constantFrom(".", ",", ";", ":", "!", "?", ").", "…"),
  }),
  fc.record({
    kind: fc.constant("encoded-space" as const),
    at: fc.nat(),
    code: fc.constantFrom("%20" as const, "%0A" as const, "%0d" as const, "%09" as const),
  }),
  fc.constant({ kind: "crlf" as const }),
);

const harmfulArb: fc.Arbitrary<Harmful> = fc.oneof(
  fc.record({ kind: fc.constant("cut" as const), at: fc.nat() }),
  fc.record({
    kind: fc.constant("drop-line" as const),
    width: fc.constantFrom(72 as const, 76 as const),
    line: fc.nat(),
  }),
  fc.record({
    kind: fc.constant("change" as const),
    at: fc.nat(),
    char: fc.constantFrom("A", "z", "0", "-", "_", "="),
  }),
  fc.record({
    kind: fc.constant("insert" as const),
    at: fc.nat(),
    char: fc.constantFrom("A", "3", "-", "=", "/"),
  }),
  fc.record({ kind: fc.constant("delete" as const), at: fc.nat() }),
);

/** Applies one damage to the text of a mail holding the link. */
function harm(text: string, d: Harmless | Harmful): string {
  // Positions inside the link's data, where damage can hurt.
  const start = text.indexOf("#v1.") + 4;
  const end = text.includes("&", start) ? text.indexOf("&", start) : text.length;
  const inData = (at: number): number => start + (at % Math.max(1, end - start));
  switch (d.kind) {
    case "wrap": {
      const sep = d.flowed ? " \n" : "\n";
      return `${" ".repeat(d.indent % 8)}${wrap(text, d.width, d.indent).join(sep)}`;
    }
    case "quote":
      return text
        .split("\n")
        .map((l) => d.prefix + l)
        .join("\n");
    case "brackets":
      return `${d.open}${text}${d.close}`;
    case "trailing":
      return text + d.text.replace("…", "...");
    case "encoded-space": {
      const at = inData(d.at);
      return text.slice(0, at) + d.code + text.slice(at);
    }
    case "crlf":
      return text.replace(/\n/g, "\r\n");
    case "cut":
      return text.slice(0, inData(d.at));
    case "drop-line": {
      const lines = wrap(text, d.width);
      if (lines.length < 2) return text.slice(0, -1);
      lines.splice(1 + (d.line % (lines.length - 1)), 1);
      return lines.join("\n");
    }
    case "change": {
      const at = inData(d.at);
      return text.slice(0, at) + d.char + text.slice(at + 1);
    }
    case "insert": {
      const at = inData(d.at);
      return text.slice(0, at) + d.char + text.slice(at);
    }
    case "delete": {
      const at = inData(d.at);
      return text.slice(0, at) + text.slice(at + 1);
    }
  }
}

const scenarioLinkArb = validScenarioJsonArb
  .map((json) => parseScenario(json))
  .filter((r) => r.ok)
  .map((r) => (r.ok ? r.value : sample))
  .chain((scenario) =>
    fc.record({
      scenario: fc.constant(scenario),
      step: fc.option(fc.nat(500), { nil: undefined }),
      base: fc.constantFrom(
        "https://sva-lab.example/",
        "http://127.0.0.1:4173/",
        "https://host.example/a/b/",
      ),
    }),
  );

describe("mail damage", { timeout: fuzzTimeout() }, () => {
  it("every harmless damage, in any combination, opens the same scenario at the same step", () => {
    fc.assert(
      fc.property(scenarioLinkArb, fc.array(harmlessArb, { minLength: 1, maxLength: 5 }), (l, damage) => {
        const url = encodeScenarioUrl(l.scenario, {
          base: l.base,
          ...(l.step === undefined ? {} : { step: l.step }),
        });
        // Wrapping and quoting come in the order mail applies them: wrapped, then quoted.
        const text = [...damage].sort((a, b) => order(a) - order(b)).reduce((t, d) => harm(t, d), url);
        const r = decodeScenarioUrl(text);
        if (!r.ok) throw new Error(`refused ${JSON.stringify(text)}: ${r.error}`);
        expect(r.value.scenario).toEqual(l.scenario);
        expect(r.value.step).toBe(l.step);
      }),
      { numRuns: fuzzRuns(150) },
    );
  });

  it("every damage that loses or changes data opens the same scenario or is refused as cut short or damaged", () => {
    const refusals = new Map<string, number>();
    fc.assert(
      fc.property(scenarioLinkArb, fc.array(harmlessArb, { maxLength: 3 }), harmfulArb, (l, before, hurt) => {
        const url = encodeScenarioUrl(l.scenario, { base: l.base });
        const text = harm(
          before.filter((d) => order(d) === 0).reduce((t, d) => harm(t, d), url),
          hurt,
        );
        const r = decodeScenarioUrl(text);
        if (r.ok) {
          // Never a different scenario: a change the checksum allows is in unused bits.
          expect(r.value.scenario).toEqual(l.scenario);
          return;
        }
        expectCleanError(r);
        const kind = r.error === CUT_SHORT ? "cut" : r.error === DAMAGED ? "damaged" : r.error.slice(0, 40);
        refusals.set(kind, (refusals.get(kind) ?? 0) + 1);
      }),
      { numRuns: fuzzRuns(300) },
    );
    // Both kinds are met and named: the page tells "cut short" from "damaged".
    expect(refusals.get("cut")).toBeGreaterThan(0);
    expect(refusals.get("damaged")).toBeGreaterThan(0);
  });

  it("a cut line is 'cut short', a changed character 'damaged', a v2 link 'newer'", () => {
    const lines = wrap(link, 72);
    expect(decodeScenarioUrl(lines.slice(0, -1).join("\n"))).toEqual({ ok: false, error: CUT_SHORT });
    const i = link.indexOf("#v1.") + 20;
    const changed = link.slice(0, i) + (link[i] === "A" ? "B" : "A") + link.slice(i + 1);
    expect(decodeScenarioUrl(changed)).toEqual({ ok: false, error: DAMAGED });
    expect(decodeScenarioUrl(link.replace("#v1.", "#v2."))).toEqual({
      ok: false,
      error: "the link was made by a newer SVA Lab (v2); this one reads v1 links",
    });
  });
});

/** Brackets and punctuation go around the link before the mail is wrapped, quotes after. */
function order(d: Harmless | Harmful): number {
  if (d.kind === "brackets" || d.kind === "trailing" || d.kind === "encoded-space") return 0;
  if (d.kind === "wrap" || d.kind === "crlf") return 1;
  return 2;
}
