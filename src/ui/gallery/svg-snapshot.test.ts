import { describe, expect, it } from "vitest";
import { roundNumber, roundNumbers, type SnapNode, snapshotOf } from "./svg-snapshot.ts";

/** A tiny element builder with the DOM's node types (1 element, 3 text, 8 comment). */
function el(name: string, attrs: Record<string, string> = {}, ...children: (SnapNode | string)[]): SnapNode {
  return {
    nodeType: 1,
    nodeName: name,
    nodeValue: null,
    attributes: Object.entries(attrs).map(([n, value]) => ({ name: n, value })),
    childNodes: children.map((c) =>
      typeof c === "string" ? { nodeType: 3, nodeName: "#text", nodeValue: c, childNodes: [] } : c,
    ),
  };
}
const comment: SnapNode = { nodeType: 8, nodeName: "#comment", nodeValue: "x", childNodes: [] };

describe("snapshotOf", () => {
  it("rounds the numbers of geometry attributes to one decimal, and no others", () => {
    expect(roundNumber(2.25)).toBe("2.3");
    expect(roundNumber(-0.04)).toBe("0");
    expect(roundNumber(3)).toBe("3");
    expect(roundNumbers("translate(12.3456, -7.01) scale(1.2)")).toBe("translate(12.3, -7) scale(1.2)");
    expect(roundNumbers("M0,0L10.55,3e-7")).toBe("M0,0L10.6,0");
    // An integer is left as written: an address in a path's data would not be rewritten.
    expect(roundNumbers("x 65536 0x10")).toBe("x 65536 0x10");
    const text = snapshotOf([el("svg", { width: "100.04", "aria-label": "v5.15 at 0.333" })]);
    expect(text).toBe('<svg aria-label="v5.15 at 0.333" width="100" />\n');
  });

  it("renumbers ids in order of appearance, with the references to them", () => {
    const a = el(
      "svg",
      { "aria-labelledby": "«r7» other" },
      el("marker", { id: "statechart-arrow-9-on" }),
      el("marker", { id: "statechart-arrow-9" }),
      el("path", { "marker-end": "url(#statechart-arrow-9)" }),
      el("use", { href: "#statechart-arrow-9-on" }),
      el("rect", { style: 'fill: url("#statechart-arrow-9"); stroke: none;' }),
      el("title", { id: "«r7»" }, "t"),
    );
    const b = el(
      "svg",
      { "aria-labelledby": "«r2» other" },
      el("marker", { id: "statechart-arrow-1-on" }),
      el("marker", { id: "statechart-arrow-1" }),
      el("path", { "marker-end": "url(#statechart-arrow-1)" }),
      el("use", { href: "#statechart-arrow-1-on" }),
      el("rect", { style: 'fill: url("#statechart-arrow-1"); stroke: none;' }),
      el("title", { id: "«r2»" }, "t"),
    );
    const text = snapshotOf([a]);
    expect(text).toBe(snapshotOf([b]));
    expect(text).toContain('<marker id="id-1" />');
    expect(text).toContain('<path marker-end="url(#id-2)" />');
    expect(text).toContain('<use href="#id-1" />');
    expect(text).toContain('style="fill: url(&quot;#id-2&quot;); stroke: none;"');
    expect(text).toContain('aria-labelledby="id-3 other"');
  });

  it("sorts attributes and class names, collapses whitespace, drops comments and empty text", () => {
    const one = el(
      "g",
      { transform: "translate(1,2)", class: "b a", "data-id": "x" },
      "  two\n  words ",
      comment,
      " ",
    );
    const other = el("g", { "data-id": "x", class: "a  b", transform: "translate(1,2)" }, "two words");
    expect(snapshotOf([one])).toBe(snapshotOf([other]));
    expect(snapshotOf([one])).toBe('<g class="a b" data-id="x" transform="translate(1,2)">two words</g>\n');
  });

  it("indents children, one per line, and escapes text and attribute values", () => {
    const text = snapshotOf([
      el("svg", {}, el("g", { "aria-label": 'a "b" <c>' }, el("text", {}, "x < y & z"))),
    ]);
    expect(text).toBe(
      [
        "<svg>",
        '  <g aria-label="a &quot;b&quot; &lt;c&gt;">',
        "    <text>x &lt; y &amp; z</text>",
        "  </g>",
        "</svg>",
        "",
      ].join("\n"),
    );
  });

  it("tells two drawings apart when a shape moves by more than the rounding", () => {
    const at = (x: string) => snapshotOf([el("svg", {}, el("rect", { x, width: "10" }))]);
    expect(at("10.01")).toBe(at("9.98"));
    expect(at("10.2")).not.toBe(at("10"));
  });
});
