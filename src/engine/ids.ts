/**
 * Branded address spaces and identifiers. Each is made only by a constructor that checks its
 * range, so a physical address can never be passed where a virtual one is meant.
 * Addresses are plain numbers (every address here fits in 52 bits, below 2^53).
 *
 * Model: Excalidraw `packages/math/src/types.ts` (GlobalPoint / LocalPoint).
 */

declare const brand: unique symbol;
type Brand<T, B extends string> = T & { readonly [brand]: B };

/** A virtual address of a process (stage-1 input), 48 bits. */
export type Va = Brand<number, "Va">;
/** An intermediate physical address (stage-2 input). */
export type Ipa = Brand<number, "Ipa">;
/** A physical address, 48 bits. */
export type Pa = Brand<number, "Pa">;
export type StreamId = Brand<number, "StreamId">;
/** SubstreamID: the PASID as the SMMU sees it. 0 is the device's non-PASID (DMA API) context. */
export type Ssid = Brand<number, "Ssid">;
export type Asid = Brand<number, "Asid">;
export type Vmid = Brand<number, "Vmid">;

export const PAGE_SHIFT = 12;
export const PAGE_SIZE = 1 << PAGE_SHIFT;

function checked<T>(kind: string, value: number, bits: number): T {
  if (!Number.isSafeInteger(value) || value < 0 || value >= 2 ** bits) {
    throw new RangeError(`${kind} ${value} is outside 0..2^${bits}-1`);
  }
  return value as T;
}

export const va = (v: number): Va => checked<Va>("VA", v, 48);
export const ipa = (v: number): Ipa => checked<Ipa>("IPA", v, 48);
export const pa = (v: number): Pa => checked<Pa>("PA", v, 48);
export const streamId = (v: number): StreamId => checked<StreamId>("StreamID", v, 32);
export const ssid = (v: number): Ssid => checked<Ssid>("SSID", v, 20);
export const asid = (v: number): Asid => checked<Asid>("ASID", v, 16);
export const vmid = (v: number): Vmid => checked<Vmid>("VMID", v, 16);

/** The exclusive end of a VA range: up to 2^48, the end of the address space. */
export function vaEnd(v: number): Va {
  if (!Number.isSafeInteger(v) || v < 0 || v > 2 ** 48)
    throw new RangeError(`VA range end ${v} is outside 0..2^48`);
  return v as Va;
}

/** The PA of `addr`'s byte in the 4 KiB frame at `frame`: a translation's output. */
export const inFrame = (frame: Pa, addr: number): Pa => (frame + (addr % PAGE_SIZE)) as Pa;

/** The 4 KiB page a VA falls in (its VA with the offset cleared). */
export const pageOf = (v: Va): Va => (Math.floor(v / PAGE_SIZE) * PAGE_SIZE) as Va;

export function hexAddr(v: number): string {
  return `0x${v.toString(16)}`;
}
