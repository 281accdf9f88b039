/** Small formatting helpers shared by the view models. */

export const hexNum = (v: number | bigint): string => `0x${v.toString(16)}`;

/** Word-sized hex, padded to 16 digits, as the runner prints command words. */
export const hexWord = (v: bigint): string => `0x${v.toString(16).padStart(16, "0")}`;

/** The words of two snapshots of an entry are the same. */
export function sameWords(a: readonly bigint[], b: readonly bigint[]): boolean {
  return a.length === b.length && a.every((w, i) => w === b[i]);
}
