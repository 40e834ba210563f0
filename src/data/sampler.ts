import { Tensor } from "../tensor.js";
import { randperm, randint, multinomial } from "../ops/random.js";
import { Generator, defaultGenerator } from "../random/generator.js";

/** Yields dataset indices (or lists of them), as `torch.utils.data.Sampler`. */
export abstract class Sampler<T = number> implements Iterable<T> {
  abstract [Symbol.iterator](): Iterator<T>;
  abstract get length(): number;
}

/** 0, 1, …, n−1, as `SequentialSampler`. */
export class SequentialSampler extends Sampler<number> {
  constructor(readonly dataSource: { length: number }) {
    super();
  }
  *[Symbol.iterator](): Iterator<number> {
    for (let i = 0; i < this.dataSource.length; i++) yield i;
  }
  get length(): number {
    return this.dataSource.length;
  }
}

export interface RandomSamplerOptions {
  replacement?: boolean;
  numSamples?: number;
  generator?: Generator;
}

/** A random permutation (or draws with replacement), as `RandomSampler`; seeded through `generator`. */
export class RandomSampler extends Sampler<number> {
  readonly replacement: boolean;
  readonly generator: Generator | undefined;
  private readonly _numSamples: number | undefined;
  constructor(readonly dataSource: { length: number }, opts: RandomSamplerOptions = {}) {
    super();
    this.replacement = opts.replacement ?? false;
    this.generator = opts.generator;
    this._numSamples = opts.numSamples;
    if (this._numSamples !== undefined && (!Number.isInteger(this._numSamples) || this._numSamples <= 0)) {
      throw new RangeError(`RandomSampler: num_samples should be a positive integer value, but got num_samples=${this._numSamples}`);
    }
  }
  get numSamples(): number {
    return this._numSamples ?? this.dataSource.length;
  }
  get length(): number {
    return this.numSamples;
  }
  *[Symbol.iterator](): Iterator<number> {
    const n = this.dataSource.length;
    // Without a generator PyTorch seeds a fresh one from one int64 draw of the default generator.
    const generator = this.generator ?? new Generator().manualSeed(defaultGenerator.random64() % (1n << 63n));
    if (this.replacement) {
      const draws = randint(0, n, [this.numSamples], { generator }).toTypedArray();
      for (const i of draws) yield i;
      return;
    }
    // floor(numSamples / n) whole permutations, then always one more, cut to the remainder (even when that is
    // empty: PyTorch 1.13's sampler draws it, and the generator's stream for the next epoch depends on it).
    for (let k = 0; k < Math.floor(this.numSamples / n); k++) yield* randperm(n, { generator }).toTypedArray();
    const last = randperm(n, { generator }).toTypedArray();
    for (let i = 0; i < this.numSamples % n; i++) yield last[i];
  }
}

/** A random permutation of the given indices, as `SubsetRandomSampler`. */
export class SubsetRandomSampler extends Sampler<number> {
  constructor(
    readonly indices: readonly number[],
    readonly generator?: Generator,
  ) {
    super();
  }
  *[Symbol.iterator](): Iterator<number> {
    const perm = randperm(this.indices.length, { generator: this.generator }).toTypedArray();
    for (const i of perm) yield this.indices[i];
  }
  get length(): number {
    return this.indices.length;
  }
}

/** Indices drawn with probability proportional to `weights`, as `WeightedRandomSampler`. */
export class WeightedRandomSampler extends Sampler<number> {
  readonly weights: Tensor;
  constructor(
    weights: readonly number[] | Tensor,
    readonly numSamples: number,
    readonly replacement = true,
    readonly generator?: Generator,
  ) {
    super();
    if (!Number.isInteger(numSamples) || numSamples <= 0) {
      throw new RangeError(`WeightedRandomSampler: num_samples should be a positive integer value, but got num_samples=${numSamples}`);
    }
    this.weights = weights instanceof Tensor ? weights.to("float64") : new Tensor(Float64Array.from(weights), "float64", [weights.length]);
    if (this.weights.dim() !== 1) {
      const shape = this.weights.shape.length === 1 ? `(${this.weights.shape[0]},)` : `(${this.weights.shape.join(", ")})`;
      throw new Error(`WeightedRandomSampler: weights should be a 1d sequence but given weights have shape ${shape}`);
    }
  }
  *[Symbol.iterator](): Iterator<number> {
    const draws = multinomial(this.weights, this.numSamples, this.replacement, { generator: this.generator }).toTypedArray();
    for (const i of draws) yield i;
  }
  get length(): number {
    return this.numSamples;
  }
}

/** Groups another sampler's indices into lists of `batchSize`, as `BatchSampler`. */
export class BatchSampler extends Sampler<number[]> {
  constructor(
    readonly sampler: Iterable<number> & { length?: number },
    readonly batchSize: number,
    readonly dropLast = false,
  ) {
    super();
    if (!Number.isInteger(batchSize) || batchSize <= 0) {
      throw new RangeError(`BatchSampler: batch_size should be a positive integer value, but got batch_size=${batchSize}`);
    }
  }
  *[Symbol.iterator](): Iterator<number[]> {
    let batch: number[] = [];
    for (const i of this.sampler) {
      batch.push(i);
      if (batch.length === this.batchSize) {
        yield batch;
        batch = [];
      }
    }
    if (batch.length > 0 && !this.dropLast) yield batch;
  }
  get length(): number {
    const n = this.sampler.length;
    if (n === undefined) throw new TypeError("BatchSampler: the wrapped sampler has no length");
    return this.dropLast ? Math.floor(n / this.batchSize) : Math.ceil(n / this.batchSize);
  }
}
