/**
 * The explorer's visited set: 64-bit fingerprints in one open-addressing table of typed
 * arrays (linear probing, at most 3/4 full), and per state a parent link, the actor that led
 * to it and its tally (tally.ts). About 30–50 bytes a state, none of it on the JS heap.
 *
 * A fingerprint stands for a state (SPIN's hash-compact, CHESS's state fingerprints): two
 * different states with the same 64 bits would be taken for one. At n states the chance of
 * any such collision is about n² / 2^65 (3·10⁻⁶ at ten million states).
 *
 * The schedule that first reached a state is rebuilt by following the parent links back to
 * the root (no path is copied per state).
 */

const EMPTY = -1;

function grow<T extends Int32Array | Uint8Array | Uint32Array>(a: T, size: number): T {
  const b = new (a.constructor as new (n: number) => T)(size);
  b.set(a);
  return b;
}

export class Visited {
  /** Fingerprint lanes per slot (lo, hi); a slot is empty when its index is EMPTY. */
  private keys = new Uint32Array(2 * 1024);
  private index = new Int32Array(1024).fill(EMPTY);
  private mask = 1023;
  /** Per state, in the order they were met. */
  parent = new Int32Array(1024);
  actor = new Uint8Array(1024);
  /** Tally id once every continuation from the state is counted; -1 while it is on the stack. */
  tally = new Int32Array(1024);
  size = 0;

  /** Bytes held by the table and the per-state arrays. */
  get bytes(): number {
    return this.keys.byteLength + this.index.byteLength + this.parent.byteLength * 2.25;
  }

  /**
   * The state with fingerprint (lo, hi): its number, or the complement (~n, negative) of the
   * number it has just been given as a new state.
   */
  findOrAdd(lo: number, hi: number, parent: number, actor: number): number {
    let slot = (lo ^ Math.imul(hi, 0x9e3779b1)) & this.mask;
    for (;;) {
      const n = this.index[slot]!;
      if (n === EMPTY) break;
      if (this.keys[2 * slot] === lo >>> 0 && this.keys[2 * slot + 1] === hi >>> 0) return n;
      slot = (slot + 1) & this.mask;
    }
    const n = this.size++;
    this.keys[2 * slot] = lo;
    this.keys[2 * slot + 1] = hi;
    this.index[slot] = n;
    if (n >= this.parent.length) {
      const size = this.parent.length * 2;
      this.parent = grow(this.parent, size);
      this.actor = grow(this.actor, size);
      this.tally = grow(this.tally, size);
    }
    this.parent[n] = parent;
    this.actor[n] = actor;
    this.tally[n] = -1;
    if (this.size * 4 > this.index.length * 3) this.rehash();
    return ~n;
  }

  private rehash(): void {
    const keys = this.keys;
    const index = this.index;
    const cap = index.length * 2;
    this.keys = new Uint32Array(2 * cap);
    this.index = new Int32Array(cap).fill(EMPTY);
    this.mask = cap - 1;
    for (let s = 0; s < index.length; s++) {
      const n = index[s]!;
      if (n === EMPTY) continue;
      const lo = keys[2 * s]!;
      const hi = keys[2 * s + 1]!;
      let slot = (lo ^ Math.imul(hi, 0x9e3779b1)) & this.mask;
      while (this.index[slot] !== EMPTY) slot = (slot + 1) & this.mask;
      this.keys[2 * slot] = lo;
      this.keys[2 * slot + 1] = hi;
      this.index[slot] = n;
    }
  }

  /** The actors taken from the root to state `n`, by their numbers. */
  path(n: number): number[] {
    const out: number[] = [];
    for (let s = n; this.parent[s]! >= 0; s = this.parent[s]!) out.push(this.actor[s]!);
    return out.reverse();
  }

  /** Every fingerprint held, as (lo, hi) pairs: what a worker hands back to be merged. */
  fingerprints(): Uint32Array {
    const out = new Uint32Array(2 * this.size);
    let k = 0;
    for (let s = 0; s < this.index.length; s++) {
      if (this.index[s] === EMPTY) continue;
      out[k++] = this.keys[2 * s]!;
      out[k++] = this.keys[2 * s + 1]!;
    }
    return out;
  }
}
