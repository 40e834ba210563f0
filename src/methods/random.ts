/** Tensor methods for random sampling (`x.uniform_()`, `x.normal_()`, `p.bernoulli()`, …); ops in ops/random.ts. */
import { Tensor } from "../tensor.js";
import * as r from "../ops/random.js";
import type { GeneratorOptions } from "../ops/random.js";

declare module "../tensor.js" {
  interface Tensor {
    /** Fills in place with uniform samples in [from, to), as `tensor.uniform_(from=0, to=1)`. */
    uniform_(from?: number, to?: number, opts?: GeneratorOptions): Tensor;
    /** Fills in place with normal samples, as `tensor.normal_(mean=0, std=1)`. */
    normal_(mean?: number, std?: number, opts?: GeneratorOptions): Tensor;
    /** Fills in place with integers in [from, to) (or [0, from) with one argument), as `tensor.random_`. */
    random_(from: number, to?: number, opts?: GeneratorOptions): Tensor;
    /** Fills in place with 0/1 draws of probability p, as `tensor.bernoulli_(p=0.5)`. */
    bernoulli_(p?: number | Tensor, opts?: GeneratorOptions): Tensor;
    /** 0/1 samples with this tensor as probabilities (or a number p), as `tensor.bernoulli()`. */
    bernoulli(p?: number, opts?: GeneratorOptions): Tensor;
    /** Category samples per row of weights, as `tensor.multinomial(numSamples, replacement=false)`. */
    multinomial(numSamples: number, replacement?: boolean, opts?: GeneratorOptions): Tensor;
  }
}

const P = Tensor.prototype as any;

P.uniform_ = function (this: Tensor, from?: number, to?: number, opts?: GeneratorOptions) {
  return r.uniform_(this, from, to, opts);
};
P.normal_ = function (this: Tensor, mean?: number, std?: number, opts?: GeneratorOptions) {
  return r.normal_(this, mean, std, opts);
};
P.random_ = function (this: Tensor, from: number, to?: number, opts?: GeneratorOptions) {
  return r.random_(this, from, to, opts);
};
P.bernoulli_ = function (this: Tensor, p?: number | Tensor, opts?: GeneratorOptions) {
  return r.bernoulli_(this, p, opts);
};
P.bernoulli = function (this: Tensor, p?: number, opts?: GeneratorOptions) {
  return r.bernoulli(this, p, opts);
};
P.multinomial = function (this: Tensor, numSamples: number, replacement?: boolean, opts?: GeneratorOptions) {
  return r.multinomial(this, numSamples, replacement, opts);
};
