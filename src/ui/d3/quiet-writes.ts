/**
 * D3's `attr`, `text`, `style` and `classed`, made to leave the DOM alone when it already holds
 * the value. The diagrams redraw from their view model at every step and most of what they
 * write is unchanged; but Chromium treats every `setAttribute` on an SVG element as a change
 * (style recalculation and an SVG relayout, even for the same value), `textContent =` replaces
 * the text node, and `classList.add` rewrites the class attribute. Measured on the lifecycle
 * lesson, those no-op writes were most of a step's style and layout time.
 *
 * Installed once on `selection.prototype` (shared by every diagram, and by transitions'
 * selections); reading an attribute back is cheap (no style or layout is computed).
 *
 * What it saves (commit 0a57cb0, `npm run bench -- page`): a step's style and layout on the
 * lifecycle lesson 3.3 → 1.8 ms median, on the large scenario 5.1 → 2.6 ms.
 */

import { namespace, selection } from "d3-selection";

type El = Element & { style?: CSSStyleDeclaration };
type Value = unknown;
type Fn = (this: El, d: unknown, i: number, nodes: ArrayLike<El>) => Value;

const proto = selection.prototype as unknown as Record<string, (...a: unknown[]) => unknown> & {
  each(f: (this: El, d: unknown, i: number, nodes: ArrayLike<El>) => void): unknown;
  node(): El | null;
};

const attr0 = proto.attr!;
proto.attr = function (this: typeof proto, ...args: unknown[]) {
  const [name, value] = args;
  if (args.length < 2) return attr0.call(this, name);
  const full = namespace(String(name));
  if (typeof full !== "string") return attr0.call(this, name, value);
  const fn = typeof value === "function" ? (value as Fn) : null;
  return this.each(function (d, i, nodes) {
    const v = fn ? fn.call(this, d, i, nodes) : value;
    if (v == null) {
      if (this.hasAttribute(full)) this.removeAttribute(full);
      return;
    }
    const s = String(v);
    if (this.getAttribute(full) !== s) this.setAttribute(full, s);
  });
};

/** The element's text when it is just one text node (or nothing); otherwise null. */
function plainText(el: El): string | null {
  const first = el.firstChild;
  if (first === null) return "";
  return first === el.lastChild && first.nodeType === 3 ? (first as Text).data : null;
}

const text0 = proto.text!;
proto.text = function (this: typeof proto, ...args: unknown[]) {
  const [value] = args;
  if (args.length < 1) return text0.call(this);
  const fn = typeof value === "function" ? (value as Fn) : null;
  return this.each(function (d, i, nodes) {
    const v = fn ? fn.call(this, d, i, nodes) : value;
    const s = v == null ? "" : String(v);
    if (plainText(this) === s) return;
    // A text that changes keeps its text node (its data set): `textContent =` would remove the
    // node and add a new one, which Chromium lays out as a removal and an insertion.
    const only = this.firstChild;
    if (s !== "" && only !== null && only === this.lastChild && only.nodeType === 3) (only as Text).data = s;
    else this.textContent = s;
  });
};

const style0 = proto.style!;
proto.style = function (this: typeof proto, ...args: unknown[]) {
  const [name, value, priority] = args;
  if (args.length < 2) return style0.call(this, name);
  const prop = String(name);
  const prio = priority == null ? "" : String(priority);
  const fn = typeof value === "function" ? (value as Fn) : null;
  return this.each(function (d, i, nodes) {
    const st = this.style;
    if (!st) return;
    const v = fn ? fn.call(this, d, i, nodes) : value;
    if (v == null) {
      if (st.getPropertyValue(prop) !== "") st.removeProperty(prop);
      return;
    }
    const s = String(v);
    if (st.getPropertyValue(prop) !== s || st.getPropertyPriority(prop) !== prio)
      st.setProperty(prop, s, prio);
  });
};

const classed0 = proto.classed!;
proto.classed = function (this: typeof proto, ...args: unknown[]) {
  const [name, value] = args;
  if (args.length < 2) return classed0.call(this, name);
  const names = String(name).trim().split(/^|\s+/);
  const fn = typeof value === "function" ? (value as Fn) : null;
  return this.each(function (d, i, nodes) {
    const on = Boolean(fn ? fn.call(this, d, i, nodes) : value);
    const list = this.classList;
    for (const n of names) if (list.contains(n) !== on) list.toggle(n, on);
  });
};
