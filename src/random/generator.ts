/**
 * Random number generators: PyTorch's CPU generator (`at::CPUGeneratorImpl`), a 32-bit Mersenne Twister
 * (mt19937) seeded exactly as `at::mt19937` does (aten/src/ATen/core/MT19937RNGEngine.h), so that after the
 * same `manualSeed` the raw stream, and the distributions built on it, equal PyTorch's.
 */

const N = 624;
const M = 397;
const MATRIX_A = 0x9908b0df;
const UPPER_MASK = 0x80000000;
const LOWER_MASK = 0x7fffffff;

/** PyTorch's `default_rng_seed_val`: the seed of a freshly constructed `torch.Generator()`. */
export const DEFAULT_RNG_SEED = 67280421310721;

const TWO_64 = 1n << 64n;

/** A seed as PyTorch stores it (uint64): negative seeds wrap, as `torch.manual_seed(-1)` does. */
function toUint64(seed: number | bigint, op: string): bigint {
  let s: bigint;
  if (typeof seed === "bigint") s = seed;
  else if (typeof seed === "number" && Number.isFinite(seed)) s = BigInt(Math.trunc(seed));
  else throw new TypeError(`${op}: seed must be an integer, got ${String(seed)}`);
  // PyTorch accepts [-2^63, 2^64) and wraps negatives into uint64.
  if (s < -(1n << 63n) || s >= TWO_64) throw new RangeError(`${op}: Overflow when unpacking long (seed ${s})`);
  return s < 0n ? s + TWO_64 : s;
}

/** A non-deterministic 53-bit seed (a safe integer, so `initialSeed()` round-trips through `manualSeed`). */
function nonDeterministicSeed(): number {
  const c = (globalThis as { crypto?: { getRandomValues?: (a: Uint32Array) => Uint32Array } }).crypto;
  const w = new Uint32Array(2);
  if (c?.getRandomValues) c.getRandomValues(w);
  else {
    w[0] = Math.floor(Math.random() * 2 ** 32);
    w[1] = Math.floor(Math.random() * 2 ** 32);
  }
  return (w[0] & 0x1fffff) * 2 ** 32 + w[1];
}

/**
 * A source of random numbers, as `torch.Generator` (CPU). Every random function takes an optional
 * `{ generator }`; without one they use the default generator (`defaultGenerator`, seeded by `manualSeed`).
 *
 * @example
 * const g = new torch.Generator().manualSeed(0);
 * torch.rand([3], { generator: g }); // same values as torch.rand(3, generator=torch.Generator().manual_seed(0))
 */
export class Generator {
  private readonly state = new Uint32Array(N);
  private left = 1;
  private next = 0;
  private seedValue = 0n;
  /**
   * @internal The second value of the last Box–Muller pair drawn by `normal_distribution<double>`, which
   * PyTorch caches on the generator and hands out on the next scalar normal draw.
   */
  _nextDoubleNormal: number | null = null;

  constructor() {
    this.manualSeed(DEFAULT_RNG_SEED);
  }

  /** Seeds the generator (any integer in [-2^63, 2^64); only the low 32 bits reach mt19937). Returns this. */
  manualSeed(seed: number | bigint): this {
    const s = toUint64(seed, "manualSeed");
    this.seedValue = s;
    this._nextDoubleNormal = null;
    const st = this.state;
    st[0] = Number(s & 0xffffffffn);
    for (let j = 1; j < N; j++) {
      const prev = st[j - 1];
      st[j] = (Math.imul(1812433253, prev ^ (prev >>> 30)) + j) >>> 0;
    }
    this.left = 1;
    this.next = 0;
    return this;
  }

  /** Seeds from a non-deterministic source and returns the seed, as `Generator.seed()`. */
  seed(): number {
    const s = nonDeterministicSeed();
    this.manualSeed(s);
    return s;
  }

  /** The seed last set (as a number; seeds above 2^53 lose their low bits here), as `initial_seed()`. */
  initialSeed(): number {
    return Number(this.seedValue);
  }

  /** The next raw 32-bit output of mt19937 (`CPUGeneratorImpl::random()`). */
  random(): number {
    if (--this.left === 0) this.twist();
    let y = this.state[this.next++];
    y ^= y >>> 11;
    y ^= (y << 7) & 0x9d2c5680;
    y ^= (y << 15) & 0xefc60000;
    y ^= y >>> 18;
    return y >>> 0;
  }

  /**
   * The low `bits` (≤ 53) of `random64()`, PyTorch's `(hi << 32) | lo` of two consecutive draws, as an exact
   * integer. Doubles use 53 of them.
   */
  random64Low(bits: number): number {
    const hi = this.random();
    const lo = this.random();
    const hiBits = bits - 32;
    return hiBits <= 0 ? lo % 2 ** bits : (hi % 2 ** hiBits) * 2 ** 32 + lo;
  }

  /** The full 64-bit `random64()` as a bigint (only needed for integer ranges of 2^32 or more). */
  random64(): bigint {
    const hi = this.random();
    const lo = this.random();
    return (BigInt(hi) << 32n) | BigInt(lo);
  }

  /**
   * The generator's state, restorable with `setState`, as `get_state()` (PyTorch's byte layout is not
   * reproduced: the state is mt19937's words, its position, the seed and the cached normal).
   */
  getState(): Uint8Array {
    const words = new Uint32Array(N + 8);
    words.set(this.state, 0);
    words[N] = this.left;
    words[N + 1] = this.next;
    words[N + 2] = Number(this.seedValue & 0xffffffffn);
    words[N + 3] = Number(this.seedValue >> 32n);
    const f = new Float64Array(words.buffer, (N + 4) * 4, 1);
    words[N + 6] = this._nextDoubleNormal === null ? 0 : 1;
    f[0] = this._nextDoubleNormal ?? 0;
    return new Uint8Array(words.buffer.slice(0));
  }

  /** Restores a state from `getState`. */
  setState(state: Uint8Array): this {
    if (!(state instanceof Uint8Array) || state.byteLength !== (N + 8) * 4) {
      throw new Error(`setState: expected a state of ${(N + 8) * 4} bytes from getState()`);
    }
    const words = new Uint32Array(state.slice().buffer);
    this.state.set(words.subarray(0, N));
    this.left = words[N];
    this.next = words[N + 1];
    this.seedValue = BigInt(words[N + 2]) | (BigInt(words[N + 3]) << 32n);
    this._nextDoubleNormal = words[N + 6] ? new Float64Array(words.buffer, (N + 4) * 4, 1)[0] : null;
    return this;
  }

  /** Regenerates the 624-word block (the reference mt19937 recurrence, as `at::mt19937::next_state`). */
  private twist(): void {
    const st = this.state;
    this.left = N;
    this.next = 0;
    let k = 0;
    for (; k < N - M; k++) {
      const y = (st[k] & UPPER_MASK) | (st[k + 1] & LOWER_MASK);
      st[k] = st[k + M] ^ (y >>> 1) ^ (y & 1 ? MATRIX_A : 0);
    }
    for (; k < N - 1; k++) {
      const y = (st[k] & UPPER_MASK) | (st[k + 1] & LOWER_MASK);
      st[k] = st[k + M - N] ^ (y >>> 1) ^ (y & 1 ? MATRIX_A : 0);
    }
    const y = (st[N - 1] & UPPER_MASK) | (st[0] & LOWER_MASK);
    st[N - 1] = st[M - 1] ^ (y >>> 1) ^ (y & 1 ? MATRIX_A : 0);
  }
}

/** The generator random functions use when none is passed (`torch.default_generator`). */
export const defaultGenerator: Generator = new Generator();
defaultGenerator.seed();

/**
 * Seeds the default generator, as `torch.manual_seed(seed)`; returns it. After the same seed, `rand`,
 * `randn`, `randint`, `randperm`, `normal_`, `uniform_`, `bernoulli` and dropout masks produce PyTorch's
 * CPU values.
 */
export function manualSeed(seed: number | bigint): Generator {
  return defaultGenerator.manualSeed(seed);
}

/** Seeds the default generator non-deterministically and returns the seed, as `torch.seed()`. */
export function seed(): number {
  return defaultGenerator.seed();
}

/** The default generator's seed, as `torch.initial_seed()`. */
export function initialSeed(): number {
  return defaultGenerator.initialSeed();
}

/** The default generator's state, as `torch.get_rng_state()` (see `Generator.getState`). */
export function getRngState(): Uint8Array {
  return defaultGenerator.getState();
}

/** Restores the default generator's state, as `torch.set_rng_state(state)`. */
export function setRngState(state: Uint8Array): void {
  defaultGenerator.setState(state);
}
