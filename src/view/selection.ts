/**
 * What the detail view shows: one hardware entry, named by where it lives (not by a copy of
 * its words), so that moving the cursor shows the same entry at the new step. It also travels
 * in the URL's `view` parameter as a short string ("ste:16", "cd:16:1", "pte:0x4000a080").
 */

export type Selection =
  | { readonly kind: "ste"; readonly sid: number }
  | { readonly kind: "cd"; readonly sid: number; readonly ssid: number }
  | { readonly kind: "cmd"; readonly slot: number }
  /** A slot of a VM's virtual SMMU command queue (in guest RAM), by the VM's place in `vms`. */
  | { readonly kind: "vcmd"; readonly vm: number; readonly slot: number }
  | { readonly kind: "cmdlog"; readonly index: number }
  /** A slot of the event queue or of the PRI queue. */
  | { readonly kind: "evt"; readonly slot: number }
  | { readonly kind: "pri"; readonly slot: number }
  /** A page-table descriptor, by its physical address (the frame says whose table it is). */
  | { readonly kind: "pte"; readonly addr: number };

/** A stable id per selectable entry: the diagrams key their overlay by it. */
export function selectionKey(s: Selection): string {
  switch (s.kind) {
    case "ste":
      return `ste:${s.sid}`;
    case "cd":
      return `cd:${s.sid}:${s.ssid}`;
    case "cmd":
      return `cmd:${s.slot}`;
    case "vcmd":
      return `vcmd:${s.vm}:${s.slot}`;
    case "cmdlog":
      return `log:${s.index}`;
    case "evt":
      return `evt:${s.slot}`;
    case "pri":
      return `pri:${s.slot}`;
    case "pte":
      return `pte:0x${s.addr.toString(16)}`;
    default: {
      const exhaustive: never = s;
      return exhaustive;
    }
  }
}

const NUM = /^\d{1,10}$/;
const ADDR = /^0x[0-9a-f]{1,13}$/;

/** The inverse of `selectionKey`; anything malformed (it comes from a URL) gives null. */
export function parseSelectionKey(text: string): Selection | null {
  const parts = text.split(":");
  const [kind, a = "", b = ""] = parts;
  if (kind === "ste" && parts.length === 2 && NUM.test(a)) return { kind, sid: Number(a) };
  if (kind === "cd" && parts.length === 3 && NUM.test(a) && NUM.test(b)) {
    return { kind, sid: Number(a), ssid: Number(b) };
  }
  if (kind === "cmd" && parts.length === 2 && NUM.test(a)) return { kind, slot: Number(a) };
  if (kind === "vcmd" && parts.length === 3 && NUM.test(a) && NUM.test(b))
    return { kind, vm: Number(a), slot: Number(b) };
  if (kind === "log" && parts.length === 2 && NUM.test(a)) return { kind: "cmdlog", index: Number(a) };
  if ((kind === "evt" || kind === "pri") && parts.length === 2 && NUM.test(a))
    return { kind, slot: Number(a) };
  if (kind === "pte" && parts.length === 2 && ADDR.test(a)) return { kind, addr: Number.parseInt(a, 16) };
  return null;
}
