/**
 * Export of a panel's diagrams as one SVG file or one PNG image. The panel's SVG diagrams are
 * stacked under its title, each with its caption (its accessible name); every element gets the
 * computed styles that draw it (fill, stroke, fonts…) inlined, so the file looks as the page
 * does, in the theme shown, without the page's style sheet. A canvas (the large memory grid)
 * goes in as an <image>, drawn whole rather than the rows in view. The PNG is that SVG drawn
 * on a canvas at twice the size.
 *
 * Loaded when a button asks for it: none of this is in the initial bundle.
 */

import { fullCanvas } from "./full-canvas.ts";

const NS = "http://www.w3.org/2000/svg";

/** What the drawing depends on; everything else is left to the defaults. */
const PROPS = [
  "fill",
  "fill-opacity",
  "stroke",
  "stroke-width",
  "stroke-dasharray",
  "stroke-opacity",
  "stroke-linejoin",
  "opacity",
  "font-family",
  "font-size",
  "font-weight",
  "font-style",
  "text-anchor",
  "dominant-baseline",
  "paint-order",
  "display",
  "visibility",
] as const;

function inlineStyles(source: Element, target: Element): void {
  const cs = getComputedStyle(source);
  const style: string[] = [];
  for (const p of PROPS) {
    const v = cs.getPropertyValue(p);
    if (v) style.push(`${p}:${v}`);
  }
  target.setAttribute("style", style.join(";"));
  // Attributes that name CSS variables would mean nothing outside the page.
  for (const a of ["fill", "stroke"]) if (target.getAttribute(a)?.includes("var(")) target.removeAttribute(a);
  target.removeAttribute("class");
  target.removeAttribute("tabindex");
  const s = source.children;
  const t = target.children;
  for (let i = 0; i < s.length && i < t.length; i++) inlineStyles(s[i]!, t[i]!);
}

interface Piece {
  readonly caption: string;
  readonly width: number;
  readonly height: number;
  readonly node: Element;
}

/** The "url(#id)" references of a clone point at ids made unique to this export. */
function uniqueIds(node: Element, prefix: string): void {
  const ids = new Map<string, string>();
  node.querySelectorAll("[id]").forEach((e) => {
    const id = e.getAttribute("id")!;
    ids.set(id, `${prefix}${id}`);
    e.setAttribute("id", `${prefix}${id}`);
  });
  if (ids.size === 0) return;
  const fix = (v: string): string =>
    v.replace(/url\(#([^)]+)\)/g, (m, id: string) => (ids.has(id) ? `url(#${ids.get(id)})` : m));
  node.querySelectorAll("*").forEach((e) => {
    for (const a of ["fill", "stroke", "clip-path", "marker-end", "marker-start", "style"]) {
      const v = e.getAttribute(a);
      if (v?.includes("url(#")) e.setAttribute(a, fix(v));
    }
  });
}

function svgPiece(svg: SVGSVGElement, i: number): Piece | null {
  const r = svg.getBoundingClientRect();
  const zoom = Number.parseFloat(getComputedStyle(svg).zoom || "1") || 1;
  const width = Number(svg.getAttribute("width")) || r.width / zoom;
  // A diagram's SVG may be taller than its drawing (sizeDiagram): data-height is the drawing's.
  const height = Number(svg.getAttribute("data-height") ?? svg.getAttribute("height")) || r.height / zoom;
  if (width <= 0 || height <= 0) return null;
  const clone = svg.cloneNode(true) as SVGSVGElement;
  inlineStyles(svg, clone);
  uniqueIds(clone, `x${i}-`);
  const g = document.createElementNS(NS, "svg");
  const vb = svg.getAttribute("viewBox");
  g.setAttribute("viewBox", vb ?? `0 0 ${width} ${height}`);
  g.setAttribute("width", String(width));
  g.setAttribute("height", String(height));
  g.setAttribute("overflow", "visible");
  g.setAttribute("style", clone.getAttribute("style") ?? "");
  while (clone.firstChild) g.append(clone.firstChild);
  return { caption: svg.getAttribute("aria-label") ?? "", width, height, node: g };
}

function canvasPiece(c: HTMLCanvasElement): Piece {
  const full = fullCanvas.get(c)?.() ?? c;
  const dpr = full === c ? window.devicePixelRatio || 1 : 1;
  const img = document.createElementNS(NS, "image");
  const width = full.width / dpr;
  const height = full.height / dpr;
  img.setAttribute("href", full.toDataURL("image/png"));
  img.setAttribute("width", String(width));
  img.setAttribute("height", String(height));
  return { caption: c.getAttribute("aria-label") ?? "", width, height, node: img };
}

const esc = (s: string): string =>
  s.replace(/[&<>"]/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;" })[c]!);

/** The panel's diagrams as one standalone SVG document (text). */
export function panelSvg(panel: HTMLElement, title: string): { text: string; width: number; height: number } {
  const body = panel.querySelector("[data-panel-body]") ?? panel;
  const pieces: Piece[] = [];
  let i = 0;
  for (const el of body.querySelectorAll<SVGSVGElement | HTMLCanvasElement>(
    "svg.diagram, svg.swimlane, canvas",
  )) {
    // Nested SVGs are drawn by their outer one; icons and hidden diagrams are left out.
    if (el instanceof SVGSVGElement && el.parentElement?.closest("svg")) continue;
    if (el.getClientRects().length === 0) continue;
    const p = el instanceof HTMLCanvasElement ? canvasPiece(el) : svgPiece(el, i++);
    if (p) pieces.push(p);
  }
  const cs = getComputedStyle(panel);
  const ink = cs.color;
  const background = cs.backgroundColor;
  const font = getComputedStyle(document.body).fontFamily;
  const PAD = 12;
  const HEAD = 28;
  const CAPTION = 18;
  const width = Math.ceil(Math.max(320, ...pieces.map((p) => p.width)) + 2 * PAD);
  let y = PAD + HEAD;
  const placed: string[] = [];
  for (const p of pieces) {
    if (p.caption) {
      placed.push(
        `<text x="${PAD}" y="${y + 12}" style="fill:${ink};opacity:0.7;font-family:${esc(font)};font-size:11px">${esc(p.caption)}</text>`,
      );
      y += CAPTION;
    }
    const g = document.createElementNS(NS, "g");
    g.setAttribute("transform", `translate(${PAD},${y})`);
    g.append(p.node);
    placed.push(new XMLSerializer().serializeToString(g));
    y += p.height + PAD;
  }
  const height = Math.ceil(y + PAD / 2);
  const text = [
    `<?xml version="1.0" encoding="UTF-8"?>`,
    `<svg xmlns="${NS}" xmlns:xlink="http://www.w3.org/1999/xlink" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}">`,
    `<title>${esc(title)}</title>`,
    `<rect width="100%" height="100%" style="fill:${background}"/>`,
    `<text x="${PAD}" y="${PAD + 14}" style="fill:${ink};font-family:${esc(font)};font-size:15px;font-weight:600">${esc(title)}</text>`,
    ...placed,
    `</svg>`,
  ].join("\n");
  return { text, width, height };
}

export function download(blob: Blob, name: string): void {
  const url = URL.createObjectURL(blob);
  const a = document.createElement("a");
  a.href = url;
  a.download = name;
  a.rel = "noopener";
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 2000);
}

export function exportPanelSvg(panel: HTMLElement, title: string, name: string): void {
  const { text } = panelSvg(panel, title);
  download(new Blob([text], { type: "image/svg+xml" }), `${name}.svg`);
}

/** The panel's SVG drawn on a canvas at `scale`, as a PNG blob. */
export async function panelPng(panel: HTMLElement, title: string, scale = 2): Promise<Blob> {
  const { text, width, height } = panelSvg(panel, title);
  const url = URL.createObjectURL(new Blob([text], { type: "image/svg+xml" }));
  try {
    const img = new Image();
    img.decoding = "async";
    const loaded = new Promise<void>((resolve, reject) => {
      img.onload = () => resolve();
      img.onerror = () => reject(new Error("the SVG could not be drawn"));
    });
    img.src = url;
    await loaded;
    const c = document.createElement("canvas");
    // Browsers cap a canvas's area; a very tall panel is drawn at a smaller scale.
    const s = Math.min(scale, Math.sqrt(120_000_000 / (width * height)), 16_000 / height);
    c.width = Math.max(1, Math.round(width * s));
    c.height = Math.max(1, Math.round(height * s));
    const ctx = c.getContext("2d");
    if (!ctx) throw new Error("no 2D canvas");
    ctx.scale(s, s);
    ctx.drawImage(img, 0, 0, width, height);
    return await new Promise<Blob>((resolve, reject) =>
      c.toBlob((b) => (b ? resolve(b) : reject(new Error("the PNG could not be made"))), "image/png"),
    );
  } finally {
    URL.revokeObjectURL(url);
  }
}

export async function exportPanelPng(panel: HTMLElement, title: string, name: string): Promise<void> {
  download(await panelPng(panel, title), `${name}.png`);
}
