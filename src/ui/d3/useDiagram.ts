/**
 * The React side of a D3 diagram: a ref to the SVG, a draw effect that runs when the view
 * model (or the width it may use) changes, and a separate overlay effect for the selection.
 * The diagram keeps no model state: everything it draws comes in as `vm`.
 */

import { type RefObject, useEffect, useRef, useState } from "react";
import { markSelected } from "./d3util.ts";

export type Draw<V> = (svg: SVGSVGElement, vm: V, width: number) => void;

export function useDiagram<V>(
  vm: V,
  draw: Draw<V>,
  selectedId: string | null,
  width: number,
): RefObject<SVGSVGElement | null> {
  const ref = useRef<SVGSVGElement>(null);
  const selected = useRef(selectedId);
  useEffect(() => {
    if (!ref.current) return;
    draw(ref.current, vm, width);
    markSelected(ref.current, selected.current);
  }, [vm, draw, width]);
  useEffect(() => {
    selected.current = selectedId;
    if (ref.current) markSelected(ref.current, selectedId);
  }, [selectedId]);
  return ref;
}

/**
 * The width of an element in diagram units, followed as it resizes (the panels scroll, so
 * height is free): CSS pixels divided by the diagrams' zoom (index.css, --diagram-zoom).
 */
export function useWidth(): [RefObject<HTMLDivElement | null>, number] {
  const ref = useRef<HTMLDivElement>(null);
  const [width, setWidth] = useState(0);
  useEffect(() => {
    const el = ref.current;
    if (!el) return;
    const measure = (): void => {
      const zoom = Number.parseFloat(getComputedStyle(el).getPropertyValue("--diagram-zoom")) || 1;
      setWidth(Math.floor(el.clientWidth / zoom));
    };
    // Only in the observer's callbacks (its first comes once the element is laid out), when
    // style and layout are clean: measuring in the effect forced them mid-commit, a full pass
    // over the page when a large run's panels mount.
    const ro = new ResizeObserver(measure);
    ro.observe(el);
    return () => ro.disconnect();
  }, []);
  return [ref, width];
}
