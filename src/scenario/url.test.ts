import fc from "fast-check";
import { compressToEncodedURIComponent } from "lz-string";
import { describe, expect, it } from "vitest";
import { crc32, deflateRaw, toBase64Url } from "./bytes.ts";
import { scenarioToCompactV1 } from "./compact.ts";
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
import { parseScenario } from "./schema.ts";
import type { Scenario } from "./types.ts";
import {
  CUT_SHORT,
  DAMAGED,
  decodeScenarioUrl,
  encodeScenarioUrl,
  MODEL_VERSION,
  modelNote,
  type SharedScenario,
} from "./url.ts";

/** What encodeURIComponent can carry: lone surrogates become U+FFFD. */
const wellFormed = (s: string): string =>
  s.replace(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g, "\uFFFD");

const sample: Scenario = okValue(parseScenario(SAMPLE_SCENARIO_JSON));

/** A v1 fragment around any bytes-to-be: checksum right, so only the content is wrong. */
function fragmentOfText(text: string): string {
  const utf8 = new TextEncoder().encode(text);
  return fragmentOfBytes(utf8);
}

function fragmentOfBytes(utf8: Uint8Array, inflatedForCrc = utf8): string {
  const packed = deflateRaw(utf8);
  const out = new Uint8Array(packed.length + 4);
  out.set(packed);
  new DataView(out.buffer).setUint32(packed.length, crc32(inflatedForCrc));
  return `#v1.${toBase64Url(out)}`;
}

/**
 * The sample's link as this version first wrote it. Kept verbatim: v1 links in the wild must
 * keep opening, whatever later encoders write.
 */
const GOLDEN_SAMPLE_V1 =
  "https://sva-lab.invalid/#v1.VY2xCsMwDER_xWi-QXFr07XQtVs3oSGlpWSI8VBDPj9nZwoCwXvcSSbvpXwQHs87wtrKOleEVg753Za_QGEOM3VMGVERU6YjmsmvNpXuJx881yow8hXJD_ViwJjnxLFzShcW0K_05klTDbrxAfvqO7F2voY";

describe("encodeScenarioUrl / decodeScenarioUrl", () => {
  it("round-trips the sample with its step and view", () => {
    const view = "panels=cmdq,ste&sel=#cd/1 ünïcode \uD800";
    const url = encodeScenarioUrl(sample, { step: 12, view });
    expect(url).toMatch(
      new RegExp(`^https://sva-lab\\.invalid/#v1\\.[A-Za-z0-9_-]+&m=${MODEL_VERSION}&step=12&view=[^#&]+$`),
    );
    const back = okValue(decodeScenarioUrl(url));
    expect(back).toEqual({
      scenario: sample,
      step: 12,
      view: view.replace("\uD800", "\uFFFD"),
      model: MODEL_VERSION,
    });
  });

  it("opens the golden v1 link of the sample", () => {
    expect(okValue(decodeScenarioUrl(GOLDEN_SAMPLE_V1))).toEqual({ scenario: sample });
  });

  it("says when a link was made with another version of the kernel model", () => {
    expect(modelNote(MODEL_VERSION)).toBeNull();
    // Links made before releases were modelled carry no m= and are model 1.
    expect(modelNote(undefined)).toMatch(
      /^This link was made with an older kernel model \(model 1; .*outcomes may differ/,
    );
    expect(modelNote(MODEL_VERSION + 1)).toMatch(/a newer kernel model/);
    const url = encodeScenarioUrl(sample);
    expect(okValue(decodeScenarioUrl(url.replace(/&m=\d+/, "&m=x"))).model).toBeUndefined();
  });

  it("takes a full URL, a #fragment or the bare fragment, as pasted", () => {
    const url = encodeScenarioUrl(sample, { step: 3, base: "http://localhost:5173/lab/#old" });
    expect(url.startsWith("http://localhost:5173/lab/#v1.")).toBe(true);
    const fragment = url.slice(url.indexOf("#"));
    const expected: SharedScenario = { scenario: sample, step: 3, model: MODEL_VERSION };
    expect(okValue(decodeScenarioUrl(fragment))).toEqual(expected);
    expect(okValue(decodeScenarioUrl(fragment.slice(1)))).toEqual(expected);
    const wrapped = `<${url.slice(0, 40)}\n  ${url.slice(40, 90)}\r\n${url.slice(90)}>\n`;
    expect(okValue(decodeScenarioUrl(wrapped))).toEqual(expected);
    expect(okValue(decodeScenarioUrl(url.replace("&step", "&amp;step")))).toEqual(expected);
    expect(okValue(decodeScenarioUrl(`${url}&later=1&step=9`))).toEqual(expected);
  });

  it("keeps the schedule and every field through the link", () => {
    const s = okValue(parseScenario(generateScenarioJson(40, 5, 50)));
    expect(okValue(decodeScenarioUrl(encodeScenarioUrl(s))).scenario).toEqual(s);
  });

  it("fits the sample, and 100 ops, in short links (far shorter than lz-string JSON)", () => {
    const sizes: Record<string, { v1: number; lzJson: number }> = {};
    for (const [name, json] of [
      ["sample", SAMPLE_SCENARIO_JSON],
      ["100 ops", generateScenarioJson(100, 1)],
      ["100 ops + 100 schedule entries", generateScenarioJson(100, 1, 100)],
    ] as const) {
      const s = okValue(parseScenario(json));
      const lz = `https://sva-lab.invalid/#${compressToEncodedURIComponent(JSON.stringify(scenarioToJson(s)))}`;
      sizes[name] = { v1: encodeScenarioUrl(s).length, lzJson: lz.length };
    }
    console.log("URL lengths (characters):", JSON.stringify(sizes));
    expect(sizes.sample!.v1).toBeLessThanOrEqual(250);
    expect(sizes["100 ops"]!.v1).toBeLessThanOrEqual(1000);
    expect(sizes["100 ops + 100 schedule entries"]!.v1).toBeLessThanOrEqual(1000);
    for (const size of Object.values(sizes)) expect(size.v1 * 2).toBeLessThan(size.lzJson);
  });

  it("refuses to make a link that would not open", () => {
    const huge = okValue(parseScenario(generateScenarioJson(10_000, 3, 40_000)));
    expect(() => encodeScenarioUrl(huge)).toThrow(/too large for a link/);
    expect(() => encodeScenarioUrl(sample, { step: -1 })).toThrow(RangeError);
    expect(() => encodeScenarioUrl(sample, { step: 1.5 })).toThrow(RangeError);
  });
});

describe("decodeScenarioUrl errors", () => {
  const payload = GOLDEN_SAMPLE_V1.slice(GOLDEN_SAMPLE_V1.indexOf("#v1.") + 4);

  it("says when it is not an SVA Lab link or is from another version", () => {
    expect(errorOf(decodeScenarioUrl("https://example.com/page"))).toBe(
      "not an SVA Lab link: it has no #v1.… fragment",
    );
    expect(errorOf(decodeScenarioUrl("https://example.com/#top"))).toBe(
      'not an SVA Lab link: expected a fragment starting "v1.", got "top"',
    );
    expect(errorOf(decodeScenarioUrl(""))).toMatch(/^not an SVA Lab link/);
    expect(errorOf(decodeScenarioUrl(`#v7.${payload}`))).toBe(
      "the link was made by a newer SVA Lab (v7); this one reads v1 links",
    );
    expect(errorOf(decodeScenarioUrl(`#v0.${payload}`))).toBe("the link has an unknown version (v0)");
  });

  it("tells a link cut short from a damaged one", () => {
    expect(errorOf(decodeScenarioUrl("#v1.ab$cd"))).toBe(
      'the link is damaged: its data is not base64url (character "$" at 2)',
    );
    expect(errorOf(decodeScenarioUrl("#v1."))).toBe(CUT_SHORT);
    expect(errorOf(decodeScenarioUrl(`#v1.${payload.slice(0, 41)}`))).toBe(CUT_SHORT);
    expect(errorOf(decodeScenarioUrl(`#v1.${payload.slice(0, 40)}`))).toBe(CUT_SHORT);
    expect(errorOf(decodeScenarioUrl(`#v1.${payload}AAAA`))).toBe(DAMAGED);
    expect(errorOf(decodeScenarioUrl(`#v1.${payload.slice(0, 30)}Q${payload.slice(31)}`))).toBe(DAMAGED);
  });

  it("refuses every single-character change of the sample's link, or reads the same scenario", () => {
    const alphabet = "AQgw_-9z";
    for (let i = 0; i < payload.length; i++) {
      for (const c of alphabet) {
        if (payload[i] === c) continue;
        const r = decodeScenarioUrl(`#v1.${payload.slice(0, i)}${c}${payload.slice(i + 1)}`);
        if (r.ok)
          expect(r.value.scenario).toEqual(sample); // only the unused bits of the last character
        else expectCleanError(r);
      }
    }
  });

  it("refuses links that are too large, and zip bombs without inflating them", () => {
    expect(errorOf(decodeScenarioUrl(`#v1.${"A".repeat(70_000)}`))).toBe(
      "the link is too large (70004 characters; the limit is 65536)",
    );
    const zeros = new Uint8Array(8 * 1024 * 1024);
    const bomb = fragmentOfBytes(zeros);
    expect(bomb.length).toBeLessThan(65536);
    const t0 = performance.now();
    expect(errorOf(decodeScenarioUrl(bomb))).toBe(
      "the link's data is too large: it inflates to more than 1048576 bytes",
    );
    expect(performance.now() - t0).toBeLessThan(500);
  });

  it("says when the data is not UTF-8, not JSON, or not the v1 layout", () => {
    expect(errorOf(decodeScenarioUrl(fragmentOfBytes(new Uint8Array([0xff, 0xfe, 0x41]))))).toBe(
      "the link's data is corrupt: it is not UTF-8 text",
    );
    expect(errorOf(decodeScenarioUrl(fragmentOfText("[1,2")))).toBe(
      "the link's data is corrupt: not valid JSON (line 1, column 5: expected ',' or ']' after an array element, found the end of the text)",
    );
    expect(errorOf(decodeScenarioUrl(fragmentOfText('{"a":1}')))).toBe(
      "the link's data is corrupt: layout: expected an array, got an object",
    );
    const compact = scenarioToCompactV1(sample);
    const badRef = structuredClone(compact);
    (badRef[6] as [string, number[]][])[0]![1][1] = 5;
    expect(errorOf(decodeScenarioUrl(fragmentOfText(JSON.stringify(badRef))))).toBe(
      "the link's data is corrupt: threads[0].ops[0].process: no entry #5",
    );
    const badOp = structuredClone(compact);
    (badOp[6] as [string, number[]][])[0]![1][0] = 42;
    expect(errorOf(decodeScenarioUrl(fragmentOfText(JSON.stringify(badOp))))).toBe(
      "the link's data is corrupt: threads[0].ops[0]: unknown op code 42",
    );
  });

  it("reports the scenario's own validation error", () => {
    const compact = scenarioToCompactV1(sample);
    compact[0] = "x".repeat(300);
    expect(errorOf(decodeScenarioUrl(fragmentOfText(JSON.stringify(compact))))).toBe(
      "the link's scenario: title: longer than 200 characters (got 300)",
    );
    const unaligned = scenarioToCompactV1(sample);
    (unaligned[6] as [string, number[]][])[0]![1][10] = 16.5; // munmap's start page
    expect(errorOf(decodeScenarioUrl(fragmentOfText(JSON.stringify(unaligned))))).toBe(
      "the link's scenario: threads[0].ops[2].start: 0x10800 is not page-aligned (4 KiB)",
    );
  });

  it("opens the scenario of a link whose step or view is malformed, with a note on each", () => {
    const url = encodeScenarioUrl(sample);
    expect(okValue(decodeScenarioUrl(`${url}&step=abc`))).toEqual({
      scenario: sample,
      model: MODEL_VERSION,
      notes: ['The link\'s step was ignored: its step is not a step number: "abc"; the first step is shown.'],
    });
    expect(okValue(decodeScenarioUrl(`${url}&step=-1`)).notes?.[0]).toMatch(/^The link's step was ignored/);
    expect(okValue(decodeScenarioUrl(`${url}&step=-3&view=%E0%A4%A`))).toEqual({
      scenario: sample,
      model: MODEL_VERSION,
      notes: [
        'The link\'s step was ignored: its step is not a step number: "-3"; the first step is shown.',
        "The link's view was ignored: its view is not valid percent-encoding; the default view is shown.",
      ],
    });
    expect(okValue(decodeScenarioUrl(`${url}&view=${"x".repeat(2001)}`)).notes?.[0]).toMatch(
      /^The link's view was ignored: its view is too long/,
    );
  });

  it("never throws on values that are not strings", () => {
    for (const v of [undefined, null, 3, {}, []]) {
      expect(errorOf(decodeScenarioUrl(v as unknown as string))).toMatch(/^not an SVA Lab link/);
    }
  });
});

describe("fuzz", { timeout: fuzzTimeout() }, () => {
  const sharedArb = fc.record(
    {
      json: validScenarioJsonArb,
      step: fc.nat(999_999_999),
      view: fc.string({ unit: "binary", maxLength: 30 }),
    },
    { requiredKeys: ["json"] },
  );

  it("round-trips valid scenarios with their step and view", () => {
    fc.assert(
      fc.property(sharedArb, ({ json, step, view }) => {
        const s = okValue(parseScenario(json));
        const back = okValue(decodeScenarioUrl(encodeScenarioUrl(s, { step, view })));
        expect(back.scenario).toStrictEqual(s);
        expect(back.step).toBe(step);
        if (view) expect(back.view).toBe(wellFormed(view));
      }),
      { numRuns: fuzzRuns(300) },
    );
  });

  it("never throws on mutated links", () => {
    const links = sharedArb.map(({ json, step, view }) =>
      encodeScenarioUrl(okValue(parseScenario(json)), { step, view }),
    );
    fc.assert(
      fc.property(links, fc.array(textMutationArb, { minLength: 1, maxLength: 3 }), (url, mutations) => {
        expectCleanError(decodeScenarioUrl(mutations.reduce(mutateText, url)));
      }),
      { numRuns: fuzzRuns(1000) },
    );
  });

  it("says newer or unknown version when the version is swapped", () => {
    fc.assert(
      fc.property(fc.oneof(fc.nat(), fc.integer({ min: 2, max: 99 })), (n) => {
        const url = GOLDEN_SAMPLE_V1.replace("#v1.", `#v${n}.`);
        const r = decodeScenarioUrl(url);
        if (n === 1) expect(r.ok).toBe(true);
        else expect(errorOf(r)).toMatch(n > 1 ? /newer SVA Lab \(v\d+\)/ : /unknown version \(v0\)/);
      }),
      { numRuns: fuzzRuns(100) },
    );
  });

  it("never throws on random text, random v1 payloads, or well-checksummed nonsense", () => {
    const base64url = fc.string({ unit: fc.constantFrom(..."AZaz09-_QwErTy"), maxLength: 300 });
    const anything = fc.oneof(
      fc.string({ unit: "binary", maxLength: 200 }),
      base64url.map((p) => `v1.${p}`),
      base64url.map((p) => `https://sva-lab.invalid/#v1.${p}&step=1`),
      fc.jsonValue().map((v) => fragmentOfText(JSON.stringify(v))),
    );
    fc.assert(
      fc.property(anything, (text) => expectCleanError(decodeScenarioUrl(text))),
      { numRuns: fuzzRuns(1500) },
    );
  });

  it("never throws on tampered compact layouts with a valid checksum", () => {
    const compacts = fc
      .oneof(fc.constant(SAMPLE_SCENARIO_JSON), validScenarioJsonArb)
      .map((json) => scenarioToCompactV1(okValue(parseScenario(json))) as unknown as JsonObject);
    fc.assert(
      fc.property(compacts, fc.array(mutationArb, { minLength: 1, maxLength: 3 }), (compact, mutations) => {
        let value: unknown = compact;
        for (const m of mutations) value = mutateJson(value as JsonObject, m);
        expectCleanError(decodeScenarioUrl(fragmentOfText(JSON.stringify(value) ?? "null")));
      }),
      { numRuns: fuzzRuns(1000) },
    );
  });
});
