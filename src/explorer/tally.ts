/**
 * How many complete interleavings leave a state with each outcome: a tally, exact (BigInt), kept
 * once per distinct tally (most states share theirs with many others) and named by its number.
 *
 * A state's tally is the sum of its successors' tallies; a terminal state's is one
 * interleaving of its own outcome.
 */

export interface Tally {
  /** Outcome numbers, ascending. */
  readonly outcomes: readonly number[];
  readonly counts: readonly bigint[];
}

export class Tallies {
  private readonly byKey = new Map<string, number>();
  readonly all: Tally[] = [];

  /** The number of `t`, given one if it is new. */
  intern(acc: Map<number, bigint>): number {
    const outcomes = [...acc.keys()].sort((a, b) => a - b);
    let key = "";
    for (const o of outcomes) key += `${o}:${acc.get(o)!.toString(36)},`;
    const known = this.byKey.get(key);
    if (known !== undefined) return known;
    const n = this.all.length;
    this.all.push({ outcomes, counts: outcomes.map((o) => acc.get(o)!) });
    this.byKey.set(key, n);
    return n;
  }

  /** Adds tally `n` into `acc`. */
  addInto(acc: Map<number, bigint>, n: number): void {
    const t = this.all[n]!;
    for (let i = 0; i < t.outcomes.length; i++) {
      const o = t.outcomes[i]!;
      acc.set(o, (acc.get(o) ?? 0n) + t.counts[i]!);
    }
  }
}
