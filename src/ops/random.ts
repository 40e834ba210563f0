import { longLivedTensor } from "../long-lived.js";
import { Tensor } from "../tensor.js";
import { type DType, isFloating } from "../dtype.js";
import { broadcastShapes, isContiguous } from "../layout.js";
import { checkDtype } from "./creation.js";
import { checkTensor } from "./util.js";
import { applyInplace } from "./inplace.js";
import { permute } from "./view.js";
import { add, mul } from "./elementwise.js";
import { noGrad } from "../autograd/grad-mode.js";
import { defaultGenerator, Generator } from "../random/generator.js";
import { fillNormal, fillUniform, uniform24, uniform53 } from "../random/distributions.js";

/**
 * Random sampling with PyTorch's CPU streams: after the same `manualSeed`, every function here returns the
 * values PyTorch 1.13 returns (float64 normals up to a rare last-bit difference of libm's log/sin/cos).
 * Elements are drawn in the order PyTorch's kernels walk them: row-major for fresh tensors, memory order
 * (dims by decreasing stride) for in-place fills of views.
 */

/** Options every random function takes: the generator to draw from (default: `defaultGenerator`). */
export interface GeneratorOptions {
  generator?: Generator;
}

/** Options of the random factories (`rand`, `randn`, …): the generator plus the creation options. */
export interface RandomOptions extends GeneratorOptions {
  dtype?: DType;
  requiresGrad?: boolean;
}

type SizeArgs = Array<number | readonly number[] | RandomOptions | undefined>;

function genOf(op: string, opts: GeneratorOptions | undefined): Generator {
  const g = opts?.generator ?? defaultGenerator;
  if (!(g instanceof Generator)) throw new TypeError(`${op}: generator must be a torch.Generator`);
  return g;
}

function parseSize(op: string, args: SizeArgs): { shape: number[]; opts: RandomOptions } {
  const rest = args.filter((a) => a !== undefined);
  let opts: RandomOptions = {};
  const last = rest[rest.length - 1];
  if (rest.length && typeof last === "object" && !Array.isArray(last)) opts = rest.pop() as RandomOptions;
  const shape = (rest.length === 1 && Array.isArray(rest[0]) ? (rest[0] as number[]) : (rest as number[])).slice();
  for (const s of shape) {
    if (typeof s !== "number" || !Number.isInteger(s) || s < 0) {
      throw new RangeError(`${op}: Trying to create tensor with negative dimension ${String(s)}: ${JSON.stringify(shape)}`);
    }
  }
  return { shape, opts };
}

function finish(t: Tensor, opts: RandomOptions): Tensor {
  if (opts.requiresGrad) t.requiresGrad_(true);
  return t;
}

const NAME: Record<DType, string> = { float32: "Float", float64: "Double", int32: "Int", int64: "Long", uint8: "Byte", bool: "Bool" };

function floatDtype(op: string, kernel: string, dtype: DType): void {
  if (!isFloating(dtype)) throw new TypeError(`${op}: "${kernel}" not implemented for '${NAME[dtype]}'`);
}

function checkUniformBounds(op: string, from: number, to: number, dtype: DType): void {
  floatDtype(op, "check_uniform_bounds", dtype);
  if (!(from <= to)) {
    throw new RangeError(`${op}: uniform_ expects to return a [from, to) range, but found from=${from} > to=${to}`);
  }
  const max = dtype === "float32" ? 3.4028234663852886e38 : Number.MAX_VALUE;
  if (!Number.isFinite(from) || Math.abs(from) > max) throw new RangeError(`${op}: from is out of bounds for ${dtype === "float32" ? "float" : "double"}`);
  if (!Number.isFinite(to) || Math.abs(to) > max) throw new RangeError(`${op}: to is out of bounds for ${dtype === "float32" ? "float" : "double"}`);
  if (to - from > max) {
    throw new RangeError(
      `${op}: uniform_ expects to-from <= std::numeric_limits<${NAME[dtype]}>::max(), but found to=${to} and ` +
        `from=${from} which result in to-from to exceed the limit`,
    );
  }
}

function checkStd(op: string, std: number): void {
  if (!(std >= 0)) throw new RangeError(`${op}: normal expects std >= 0.0, but found std ${std}`);
}

/** Dims of a tensor in the order a TensorIterator walks one output: by decreasing stride (stable). */
function walkOrder(x: Tensor): number[] {
  return x.shape.map((_, i) => i).sort((a, b) => x.strides[b] - x.strides[a] || a - b);
}

/**
 * A tensor of `x`'s shape whose values, taken in `x`'s memory order, are `fill`'s output: what a serial
 * PyTorch kernel writing `x` in place produces.
 */
function inWalkOrder(x: Tensor, dtype: DType, fill: (buf: Float32Array | Float64Array, n: number) => void): Tensor {
  const order = walkOrder(x);
  const out = Tensor.empty(order.map((d) => x.shape[d]), dtype);
  fill(out.buf as Float32Array | Float64Array, out.numel());
  const inverse = new Array<number>(order.length);
  order.forEach((d, k) => (inverse[d] = k));
  return noGrad(() => permute(out, inverse));
}

/**
 * Uniform samples in [0, 1), as `torch.rand(*size)`. Default dtype float32.
 *
 * @example
 * torch.manualSeed(0);
 * torch.rand(3); // tensor([0.4963, 0.7682, 0.0885]), as PyTorch
 */
export function rand(...args: SizeArgs): Tensor {
  const { shape, opts } = parseSize("rand", args);
  const dtype = checkDtype(opts.dtype ?? "float32", "rand");
  checkUniformBounds("rand", 0, 1, dtype);
  const t = longLivedTensor(shape, dtype, "input");
  fillUniform(t.buf as Float32Array | Float64Array, t.numel(), 0, 1, dtype === "float32", genOf("rand", opts));
  return finish(t, opts);
}

/**
 * Standard normal samples, as `torch.randn(*size)`. Default dtype float32.
 *
 * @example
 * torch.manualSeed(0);
 * torch.randn(2); // tensor([1.5410, -0.2934]), as PyTorch
 */
export function randn(...args: SizeArgs): Tensor {
  const { shape, opts } = parseSize("randn", args);
  const dtype = checkDtype(opts.dtype ?? "float32", "randn");
  floatDtype("randn", "normal_kernel_cpu", dtype);
  const t = longLivedTensor(shape, dtype, "input");
  fillNormal(t.buf as Float32Array | Float64Array, t.numel(), 0, 1, dtype === "float32", true, genOf("randn", opts));
  return finish(t, opts);
}

/** `rand` with `x`'s shape (and dtype unless given), as `torch.rand_like`. */
export function randLike(x: Tensor, opts: RandomOptions = {}): Tensor {
  checkTensor(x, "randLike");
  return rand(x.shape, { ...opts, dtype: opts.dtype ?? x.dtype });
}

/** `randn` with `x`'s shape (and dtype unless given), as `torch.randn_like`. */
export function randnLike(x: Tensor, opts: RandomOptions = {}): Tensor {
  checkTensor(x, "randnLike");
  return randn(x.shape, { ...opts, dtype: opts.dtype ?? x.dtype });
}

const INT_RANGE: Partial<Record<DType, [number, number, string]>> = {
  bool: [0, 1, "bool"],
  uint8: [0, 255, "unsigned char"],
  int32: [-(2 ** 31), 2 ** 31 - 1, "int"],
  int64: [-(2 ** 63), 2 ** 63 - 1, "long"],
  float32: [-(2 ** 24), 2 ** 24, "float"],
  float64: [-(2 ** 53), 2 ** 53, "double"],
};

/**
 * Fills `n` values uniform over the integers [low, high) (`random_from_to`): one 32-bit draw modulo the
 * range when it is below 2^32, else a 64-bit draw.
 */
function fillRandomInt(op: string, buf: { [i: number]: number }, n: number, low: number, high: number, dtype: DType, g: Generator): void {
  if (!Number.isInteger(low) || !Number.isInteger(high)) throw new TypeError(`${op}: low and high must be integers, got ${low} and ${high}`);
  if (!(low < high)) throw new RangeError(`${op}: random_ expects 'from' to be less than 'to', but got from=${low} >= to=${high}`);
  const [min, max, cname] = INT_RANGE[dtype]!;
  if (low < min || low > max) throw new RangeError(`${op}: from is out of bounds for ${cname}`);
  if (high - 1 < min || high - 1 > max) throw new RangeError(`${op}: to - 1 is out of bounds for ${cname}`);
  const range = high - low;
  if (range < 2 ** 32) {
    for (let i = 0; i < n; i++) buf[i] = (g.random() % range) + low;
  } else {
    const r = BigInt(range);
    const b = BigInt(low);
    for (let i = 0; i < n; i++) buf[i] = Number((g.random64() % r) + b);
  }
}

/**
 * Integers uniform over [low, high), as `torch.randint(low=0, high, size)`. Default dtype int64.
 *
 * @example
 * torch.randint(10, [2, 3]); // values in 0..9
 * torch.randint(-5, 5, [4], { dtype: "float32" });
 */
export function randint(high: number, size: readonly number[], opts?: RandomOptions): Tensor;
export function randint(low: number, high: number, size: readonly number[], opts?: RandomOptions): Tensor;
export function randint(a: number, b: number | readonly number[], c?: readonly number[] | RandomOptions, d?: RandomOptions): Tensor {
  const [low, high, size, opts] =
    typeof b === "number" ? [a, b, c as readonly number[], d ?? {}] : [0, a, b, (c as RandomOptions | undefined) ?? {}];
  if (!Array.isArray(size)) throw new TypeError("randint: size must be an array of dims, e.g. randint(10, [2, 3])");
  const { shape } = parseSize("randint", [size]);
  const dtype = checkDtype(opts.dtype ?? "int64", "randint");
  const t = Tensor.empty(shape, dtype);
  fillRandomInt("randint", t.buf, t.numel(), low, high, dtype, genOf("randint", opts));
  return finish(t, opts);
}

/** `randint` with `x`'s shape (and dtype unless given), as `torch.randint_like(x, low=0, high)`. */
export function randintLike(x: Tensor, high: number, opts?: RandomOptions): Tensor;
export function randintLike(x: Tensor, low: number, high: number, opts?: RandomOptions): Tensor;
export function randintLike(x: Tensor, a: number, b?: number | RandomOptions, c?: RandomOptions): Tensor {
  checkTensor(x, "randintLike");
  const [low, high, opts] = typeof b === "number" ? [a, b, c ?? {}] : [0, a, b ?? {}];
  return randint(low, high, x.shape, { ...opts, dtype: opts.dtype ?? x.dtype });
}

/**
 * A random permutation of 0..n−1, as `torch.randperm(n)` (PyTorch's CPU Fisher–Yates: swap i with
 * i + random() mod (n − i)). Default dtype int64.
 */
export function randperm(n: number, opts: RandomOptions = {}): Tensor {
  if (!Number.isInteger(n) || n < 0) throw new RangeError(`randperm: Trying to create tensor with negative dimension ${n}: [${n}]`);
  const dtype = checkDtype(opts.dtype ?? "int64", "randperm");
  const g = genOf("randperm", opts);
  const idx = new Float64Array(n);
  for (let i = 0; i < n; i++) idx[i] = i;
  for (let i = 0; i < n - 1; i++) {
    const z = g.random() % (n - i);
    const tmp = idx[i];
    idx[i] = idx[z + i];
    idx[z + i] = tmp;
  }
  const t = Tensor.empty([n], dtype);
  t.buf.set(idx);
  return finish(t, opts);
}

/**
 * Normal samples, as `torch.normal`: `normal(mean, std, size)` with numbers, or elementwise with tensor
 * mean and/or std (`normal(meanTensor, stdTensor)`, broadcast), drawn as PyTorch does: standard normals of
 * the output's shape, then `· std + mean`.
 */
export function normal(mean: number | Tensor, std: number | Tensor = 1, size?: readonly number[], opts: RandomOptions = {}): Tensor {
  const g = genOf("normal", opts);
  if (typeof mean === "number" && typeof std === "number") {
    if (size === undefined) throw new TypeError("normal: with number mean and std, a size is required: normal(0, 1, [2, 3])");
    checkStd("normal", std);
    const { shape } = parseSize("normal", [size]);
    const dtype = checkDtype(opts.dtype ?? "float32", "normal");
    floatDtype("normal", "normal_kernel_cpu", dtype);
    const t = Tensor.empty(shape, dtype);
    fillNormal(t.buf as Float32Array | Float64Array, t.numel(), mean, std, dtype === "float32", true, g);
    return finish(t, opts);
  }
  if (std instanceof Tensor) {
    const bad = noGrad(() => std.lt(0).sum().item());
    if (bad > 0) throw new RangeError("normal: normal expects all elements of std >= 0.0");
  } else {
    checkStd("normal", std);
  }
  const shapeOf = (v: number | Tensor): number[] => (v instanceof Tensor ? v.shape : []);
  const outShape = broadcastShapes(shapeOf(mean), shapeOf(std));
  const dtype = mean instanceof Tensor ? mean.dtype : (std as Tensor).dtype;
  floatDtype("normal", "normal_kernel_cpu", dtype);
  const z = Tensor.empty(outShape, dtype);
  fillNormal(z.buf as Float32Array | Float64Array, z.numel(), 0, 1, dtype === "float32", true, g);
  // PyTorch defines the gradient of a sample w.r.t. mean and std as zero: the result carries no history.
  return noGrad(() => add(mul(z, std), mean));
}

/**
 * Fills `x` in place with uniform samples in [from, to), as `tensor.uniform_(from=0, to=1)`. In-place rules:
 * a leaf that requires grad refuses outside `noGrad`; the storage version is bumped; a tensor with history
 * gets a zero gradient to it.
 */
export function uniform_(x: Tensor, from = 0, to = 1, opts: GeneratorOptions = {}): Tensor {
  checkTensor(x, "uniform_");
  checkUniformBounds("uniform_", from, to, x.dtype);
  const g = genOf("uniform_", opts);
  return applyInplace(x, "uniform_", () => inWalkOrder(x, x.dtype, (buf, n) => fillUniform(buf, n, from, to, x.dtype === "float32", g)));
}

/** Fills `x` in place with normal samples, as `tensor.normal_(mean=0, std=1)` (in-place rules as `uniform_`). */
export function normal_(x: Tensor, mean = 0, std = 1, opts: GeneratorOptions = {}): Tensor {
  checkTensor(x, "normal_");
  floatDtype("normal_", "normal_kernel_cpu", x.dtype);
  checkStd("normal_", std);
  const g = genOf("normal_", opts);
  const contiguous = isContiguous(x.shape, x.strides);
  return applyInplace(x, "normal_", () =>
    inWalkOrder(x, x.dtype, (buf, n) => fillNormal(buf, n, mean, std, x.dtype === "float32", contiguous, g)),
  );
}

/**
 * Fills `x` in place with integers uniform over [low, high), as `tensor.random_(from, to)`
 * (`random_(to)` draws from [0, to)).
 */
export function random_(x: Tensor, from: number, to?: number, opts: GeneratorOptions = {}): Tensor {
  checkTensor(x, "random_");
  const [low, high] = to === undefined ? [0, from] : [from, to];
  const g = genOf("random_", opts);
  return applyInplace(x, "random_", () => inWalkOrder(x, "float64", (buf, n) => fillRandomInt("random_", buf, n, low, high, x.dtype, g)), true);
}

/** Fills `x` in place with 0/1 draws that are 1 with probability `p`, as `tensor.bernoulli_(p=0.5)`. */
export function bernoulli_(x: Tensor, p: number | Tensor = 0.5, opts: GeneratorOptions = {}): Tensor {
  checkTensor(x, "bernoulli_");
  const g = genOf("bernoulli_", opts);
  if (p instanceof Tensor) {
    checkProbTensor("bernoulli_", p);
    const pe = noGrad(() => p.expand(x.shape));
    return applyInplace(x, "bernoulli_", () => bernoulliFrom(pe, x, g), true);
  }
  if (!(p >= 0 && p <= 1)) throw new RangeError(`bernoulli_: bernoulli_ expects p to be in [0, 1], but got p=${p}`);
  return applyInplace(
    x,
    "bernoulli_",
    () => inWalkOrder(x, "float64", (buf, n) => {
      for (let i = 0; i < n; i++) buf[i] = uniform53(g) < p ? 1 : 0;
    }),
    true,
  );
}

function checkProbTensor(op: string, p: Tensor): void {
  floatDtype(op, "bernoulli_tensor_cpu_p_", p.dtype);
  const bad = noGrad(() => p.lt(0).logicalOr(p.gt(1)).logicalOr(p.isnan()).sum().item());
  if (bad > 0) {
    throw new RangeError(`${op}: Expected p_in >= 0 && p_in <= 1 to be true, but got false.`);
  }
}

/** 0/1 draws for each probability of `p` (already of `like`'s shape), walking `like`'s memory order. */
function bernoulliFrom(p: Tensor, like: Tensor, g: Generator): Tensor {
  const order = walkOrder(like);
  const pw = noGrad(() => permute(p, order).contiguous());
  const probs = pw.toTypedArray();
  const single = p.dtype === "float32";
  return inWalkOrder(like, "float64", (buf, n) => {
    for (let i = 0; i < n; i++) buf[i] = (single ? uniform24(g) : uniform53(g)) < probs[i] ? 1 : 0;
  });
}

/**
 * 0/1 samples that are 1 with probability `input` (elementwise), as `torch.bernoulli(input)`; with a number
 * `p`, every element uses `p`. The result has input's dtype and no gradient.
 */
export function bernoulli(input: Tensor, p?: number, opts: GeneratorOptions = {}): Tensor {
  checkTensor(input, "bernoulli");
  const g = genOf("bernoulli", opts);
  const out = Tensor.empty(input.shape, input.dtype);
  if (p !== undefined) return noGrad(() => bernoulli_(out, p, { generator: g }));
  checkProbTensor("bernoulli", input);
  const r = noGrad(() => bernoulliFrom(input.detach(), out, g));
  noGrad(() => out.copy_(r));
  return out;
}

/**
 * Draws `numSamples` category indices per row of `input` (non-negative weights, 1-d or 2-d), as
 * `torch.multinomial(input, numSamples, replacement=false)`. Without replacement (or for one sample) it is
 * PyTorch's exponential trick: the top `numSamples` of `input / q`, q ~ Exp(1); with replacement, a binary
 * search of uniform doubles in the normalized cumulative weights. Returns int64 indices.
 */
export function multinomial(input: Tensor, numSamples: number, replacement = false, opts: GeneratorOptions = {}): Tensor {
  checkTensor(input, "multinomial");
  const g = genOf("multinomial", opts);
  const nd = input.dim();
  if (nd !== 1 && nd !== 2) throw new Error("multinomial: prob_dist must be 1 or 2 dim");
  if (!isFloating(input.dtype)) {
    throw new TypeError(`multinomial: multinomial only supports floating-point dtypes for input, got: ${NAME[input.dtype]}`);
  }
  if (!Number.isInteger(numSamples) || numSamples <= 0) throw new RangeError("multinomial: cannot sample n_sample <= 0 samples");
  const nCat = input.shape[nd - 1];
  const nDist = nd === 2 ? input.shape[0] : 1;
  if (!replacement && numSamples > nCat) {
    throw new RangeError("multinomial: cannot sample n_sample > prob_dist.size(-1) samples without replacement");
  }
  const w = noGrad(() => input.contiguous()).toTypedArray();
  // Sums and quotients happen in the input's precision, as in PyTorch's scalar_t loops.
  const round = input.dtype === "float32" ? Math.fround : (v: number): number => v;
  const out = Tensor.empty(nd === 2 ? [nDist, numSamples] : [numSamples], "int64");
  if (!replacement || numSamples === 1) {
    for (let i = 0; i < w.length; i++) {
      if (!(w[i] >= 0) || w[i] === Infinity) {
        throw new RangeError("multinomial: probability tensor contains either `inf`, `nan` or element < 0");
      }
    }
    for (let r = 0; r < nDist; r++) {
      let sum = 0;
      for (let j = 0; j < nCat; j++) sum += w[r * nCat + j];
      if (!(sum > 0)) throw new RangeError("multinomial: invalid multinomial distribution (sum of probabilities <= 0)");
    }
    // `exponential_` fills q for the whole input first (-log(1 - u), u a uniform double), then each row takes
    // the indices of its largest input / q (argmax for one sample: the first maximum).
    const q = new Float64Array(w.length);
    for (let i = 0; i < q.length; i++) q[i] = round(-Math.log(1 - uniform53(g)));
    const keys = Array.from({ length: nCat }, (_, j) => j);
    const score = new Float64Array(nCat);
    for (let r = 0; r < nDist; r++) {
      for (let j = 0; j < nCat; j++) score[j] = round(w[r * nCat + j] / q[r * nCat + j]);
      keys.sort((a, b) => score[b] - score[a] || a - b);
      for (let s = 0; s < numSamples; s++) out.buf[r * numSamples + s] = keys[s];
      keys.sort((a, b) => a - b);
    }
    return out;
  }
  const cum = new Float64Array(nCat);
  for (let r = 0; r < nDist; r++) {
    let sum = 0;
    for (let j = 0; j < nCat; j++) {
      const v = w[r * nCat + j];
      if (!(v >= 0)) {
        throw new RangeError(
          Number.isNaN(v)
            ? "multinomial: invalid multinomial distribution (encountering probability entry = infinity or NaN)"
            : "multinomial: invalid multinomial distribution (encountering probability entry < 0)",
        );
      }
      if (v === Infinity) {
        throw new RangeError("multinomial: invalid multinomial distribution (encountering probability entry = infinity or NaN)");
      }
      sum = round(sum + v);
      cum[j] = sum;
    }
    if (!(sum > 0)) throw new RangeError("multinomial: invalid multinomial distribution (sum of probabilities <= 0)");
    for (let j = 0; j < nCat; j++) cum[j] = round(cum[j] / sum);
    cum[nCat - 1] = 1;
    for (let s = 0; s < numSamples; s++) {
      const u = uniform53(g);
      let left = 0;
      let right = nCat;
      while (right - left > 0) {
        const mid = left + ((right - left) >> 1);
        if (cum[mid] < u) left = mid + 1;
        else right = mid;
      }
      out.buf[r * numSamples + s] = left;
    }
  }
  return out;
}
