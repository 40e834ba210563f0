/**
 * `torch.nn.init`: in-place initializers. Each runs without recording the graph, draws from the given
 * generator (the default one otherwise) in PyTorch's order, and returns the tensor it filled, so that after
 * the same `manualSeed` a layer starts from PyTorch's numbers.
 */
import { Tensor } from "../tensor.js";
import { noGrad } from "../autograd/grad-mode.js";
import { fromTypedArray } from "../ops/creation.js";
import { checkTensor } from "../ops/util.js";
import { type Generator } from "../random/generator.js";
import { normal_ as drawNormal_, randperm, uniform_ as drawUniform_ } from "../ops/random.js";
import { SCALAR_LIB } from "../backend/cpu/compile-map.js";

/** `{ generator }`: where the random numbers come from (default: the global generator). */
export interface InitOptions {
  generator?: Generator;
}

export type Nonlinearity =
  | "linear"
  | "conv1d"
  | "conv2d"
  | "conv3d"
  | "conv_transpose1d"
  | "conv_transpose2d"
  | "conv_transpose3d"
  | "sigmoid"
  | "tanh"
  | "relu"
  | "leaky_relu"
  | "selu";

export type FanMode = "fan_in" | "fan_out";

const LINEAR_FNS = ["linear", "conv1d", "conv2d", "conv3d", "conv_transpose1d", "conv_transpose2d", "conv_transpose3d"];

/**
 * The recommended gain for a nonlinearity, as `nn.init.calculate_gain(nonlinearity, param=None)`:
 * linear/conv/sigmoid 1, tanh 5/3, relu √2, leaky_relu √(2/(1 + slope²)) (slope `param`, default 0.01),
 * selu 3/4.
 *
 * @example
 * nn.init.calculateGain("leaky_relu", 0.2) // 1.3867504905630728
 */
export function calculateGain(nonlinearity: Nonlinearity, param?: number | null): number {
  if (LINEAR_FNS.includes(nonlinearity) || nonlinearity === "sigmoid") return 1;
  if (nonlinearity === "tanh") return 5 / 3;
  if (nonlinearity === "relu") return Math.sqrt(2);
  if (nonlinearity === "leaky_relu") {
    let slope: number;
    if (param === undefined || param === null) slope = 0.01;
    else if (typeof param === "number" && Number.isFinite(param)) slope = param;
    else throw new Error(`negative_slope ${String(param)} not a valid number`);
    return Math.sqrt(2 / (1 + slope ** 2));
  }
  // SELU's gain: 3/4 keeps the variance of self-normalizing networks (PyTorch's value).
  if (nonlinearity === "selu") return 3 / 4;
  throw new Error(`Unsupported nonlinearity ${String(nonlinearity)}`);
}

/**
 * `[fanIn, fanOut]` of a weight, as PyTorch's `_calculate_fan_in_and_fan_out`: dim 1 and dim 0 times the
 * receptive field (the product of dims 2…). Conv2d weight `(out, in/groups, kH, kW)`: fanIn = in/groups·kH·kW.
 *
 * @example
 * nn.init.calculateFanInAndFanOut(torch.empty(6, 3, 5, 5)) // [75, 150]
 */
export function calculateFanInAndFanOut(tensor: Tensor): [number, number] {
  if (tensor.dim() < 2) {
    throw new Error("Fan in and fan out can not be computed for tensor with fewer than 2 dimensions");
  }
  let receptive = 1;
  for (let i = 2; i < tensor.dim(); i++) receptive *= tensor.shape[i];
  return [tensor.shape[1] * receptive, tensor.shape[0] * receptive];
}

function correctFan(tensor: Tensor, mode: string): number {
  const m = mode.toLowerCase();
  if (m !== "fan_in" && m !== "fan_out") throw new Error(`Mode ${mode} not supported, please use one of fan_in, fan_out`);
  const [fanIn, fanOut] = calculateFanInAndFanOut(tensor);
  return m === "fan_in" ? fanIn : fanOut;
}

function check(tensor: Tensor, op: string): Tensor {
  return checkTensor(tensor, op, "tensor");
}

function drawUniform(t: Tensor, a: number, b: number, generator?: Generator): void {
  drawUniform_(t, a, b, { generator });
}

function drawNormal(t: Tensor, mean: number, std: number, generator?: Generator): void {
  drawNormal_(t, mean, std, { generator });
}

/**
 * Fills with U(a, b), as `nn.init.uniform_(tensor, a=0., b=1.)`.
 *
 * @example
 * // after torch.manualSeed(0): the values PyTorch draws after torch.manual_seed(0)
 * nn.init.uniform_(torch.empty(3), -1, 1) // tensor([-0.0075,  0.5364, -0.8230])
 */
export function uniform_(tensor: Tensor, a = 0, b = 1, opts: InitOptions = {}): Tensor {
  check(tensor, "uniform_");
  noGrad(() => drawUniform(tensor, a, b, opts.generator));
  return tensor;
}

/**
 * Fills with N(mean, std²), as `nn.init.normal_(tensor, mean=0., std=1.)`.
 *
 * @example
 * // after torch.manualSeed(0): the values PyTorch draws after torch.manual_seed(0)
 * nn.init.normal_(torch.empty(3), 0, 0.1) // tensor([ 0.1541, -0.0293, -0.2179])
 */
export function normal_(tensor: Tensor, mean = 0, std = 1, opts: InitOptions = {}): Tensor {
  check(tensor, "normal_");
  noGrad(() => drawNormal(tensor, mean, std, opts.generator));
  return tensor;
}

/** Inverse error function: Giles' single-precision approximation polished by two Newton steps on `erf`. */
function erfinv(y: number): number {
  if (y <= -1) return y === -1 ? -Infinity : NaN;
  if (y >= 1) return y === 1 ? Infinity : NaN;
  let w = -Math.log((1 - y) * (1 + y));
  let x: number;
  if (w < 5) {
    w -= 2.5;
    let p = 2.81022636e-8;
    for (const c of [3.43273939e-7, -3.5233877e-6, -4.39150654e-6, 0.00021858087, -0.00125372503, -0.00417768164, 0.246640727, 1.50140941]) p = c + p * w;
    x = p * y;
  } else {
    w = Math.sqrt(w) - 3;
    let p = -0.000200214257;
    for (const c of [0.000100950558, 0.00134934322, -0.00367342844, 0.00573950773, -0.0076224613, 0.00943887047, 1.00167406, 2.83297682]) p = c + p * w;
    x = p * y;
  }
  const erf = SCALAR_LIB.erf;
  for (let i = 0; i < 2; i++) x -= (erf(x) - y) / ((2 / Math.sqrt(Math.PI)) * Math.exp(-x * x));
  return x;
}

const normCdf = (x: number): number => (1 + SCALAR_LIB.erf(x / Math.SQRT2)) / 2;

/** Writes `values` (row-major) into `tensor` in place (through `copy_`, so views and versions stay right). */
function writeValues(tensor: Tensor, values: Float64Array): void {
  noGrad(() => tensor.copy_(fromTypedArray(values, tensor.shape, "float64")));
}

/**
 * Fills with N(mean, std²) truncated to [a, b] by inverse-CDF sampling, as
 * `nn.init.trunc_normal_(tensor, mean=0., std=1., a=-2., b=2.)`.
 *
 * @example
 * // after torch.manualSeed(0): the values PyTorch draws after torch.manual_seed(0)
 * nn.init.truncNormal_(torch.empty(3), 0, 1, -0.5, 0.5) // tensor([-0.0036,  0.2604, -0.4059])
 */
export function truncNormal_(tensor: Tensor, mean = 0, std = 1, a = -2, b = 2, opts: InitOptions = {}): Tensor {
  check(tensor, "truncNormal_");
  if (mean < a - 2 * std || mean > b + 2 * std) {
    console.warn("mean is more than 2 std from [a, b] in nn.init.trunc_normal_. The distribution of values may be incorrect.");
  }
  const l = normCdf((a - mean) / std);
  const u = normCdf((b - mean) / std);
  noGrad(() => drawUniform(tensor, 2 * l - 1, 2 * u - 1, opts.generator));
  // PyTorch's steps after the uniform draw: erfinv_, mul_(std·√2), add_(mean), clamp_(a, b), in tensor dtype.
  const src = tensor.toTypedArray();
  const round = tensor.dtype === "float32" ? Math.fround : (v: number): number => v;
  const out = new Float64Array(src.length);
  const scale = round(std * Math.SQRT2);
  for (let i = 0; i < src.length; i++) {
    const v = round(round(round(erfinv(src[i])) * scale) + mean);
    out[i] = Math.min(Math.max(v, a), b);
  }
  writeValues(tensor, out);
  return tensor;
}

/**
 * Fills with `val`, as `nn.init.constant_(tensor, val)`.
 *
 * @example
 * nn.init.constant_(torch.empty(3), 0.3) // tensor([0.3000, 0.3000, 0.3000])
 */
export function constant_(tensor: Tensor, val: number): Tensor {
  check(tensor, "constant_");
  noGrad(() => tensor.fill_(val));
  return tensor;
}

/**
 * Fills with 1, as `nn.init.ones_`.
 *
 * @example
 * nn.init.ones_(torch.empty(2, 2)) // tensor([[1., 1.], [1., 1.]])
 */
export function ones_(tensor: Tensor): Tensor {
  return constant_(tensor, 1);
}

/**
 * Fills with 0, as `nn.init.zeros_`.
 *
 * @example
 * nn.init.zeros_(torch.empty(3)) // tensor([0., 0., 0.])
 */
export function zeros_(tensor: Tensor): Tensor {
  return constant_(tensor, 0);
}

/**
 * The identity matrix (ones on the main diagonal of a 2-d tensor), as `nn.init.eye_`.
 *
 * @example
 * nn.init.eye_(torch.empty(2, 3)) // tensor([[1., 0., 0.], [0., 1., 0.]])
 */
export function eye_(tensor: Tensor): Tensor {
  check(tensor, "eye_");
  if (tensor.dim() !== 2) throw new Error("Only tensors with 2 dimensions are supported");
  const [r, c] = tensor.shape;
  const v = new Float64Array(r * c);
  for (let i = 0; i < Math.min(r, c); i++) v[i * c + i] = 1;
  writeValues(tensor, v);
  return tensor;
}

/**
 * The Dirac delta (a convolution that keeps its input's channels), as `nn.init.dirac_(tensor, groups=1)`:
 * a 3-, 4- or 5-d weight gets a 1 at the spatial centre of `[g·outPerGroup + d, d]` for
 * `d < min(outPerGroup, inChannels)`.
 *
 * @example
 * nn.init.dirac_(torch.empty(2, 1, 3)).flatten() // tensor([0., 1., 0., 0., 0., 0.])
 */
export function dirac_(tensor: Tensor, groups = 1): Tensor {
  check(tensor, "dirac_");
  const nd = tensor.dim();
  if (nd < 3 || nd > 5) throw new Error("Only tensors with 3, 4, or 5 dimensions are supported");
  const s = tensor.shape;
  if (s[0] % groups !== 0) throw new Error("dim 0 must be divisible by groups");
  const outPerGroup = s[0] / groups;
  const minDim = Math.min(outPerGroup, s[1]);
  const strides = tensor.shape.map((_, i) => tensor.shape.slice(i + 1).reduce((a, b) => a * b, 1));
  const v = new Float64Array(tensor.numel());
  let centre = 0;
  for (let k = 2; k < nd; k++) centre += Math.floor(s[k] / 2) * strides[k];
  for (let g = 0; g < groups; g++) {
    for (let d = 0; d < minDim; d++) v[(g * outPerGroup + d) * strides[0] + d * strides[1] + centre] = 1;
  }
  writeValues(tensor, v);
  return tensor;
}

/**
 * U(−a, a) with `a = gain·√(6/(fanIn + fanOut))` (Glorot & Bengio 2010), as
 * `nn.init.xavier_uniform_(tensor, gain=1.)`.
 *
 * @example
 * // after torch.manualSeed(0): the values PyTorch draws after torch.manual_seed(0)
 * nn.init.xavierUniform_(torch.empty(2, 3)) // tensor([[-0.0082,  0.5876, -0.9016], [-0.8062, -0.4219,  0.2938]])
 */
export function xavierUniform_(tensor: Tensor, gain = 1, opts: InitOptions = {}): Tensor {
  check(tensor, "xavierUniform_");
  const [fanIn, fanOut] = calculateFanInAndFanOut(tensor);
  const std = gain * Math.sqrt(2 / (fanIn + fanOut));
  const a = Math.sqrt(3) * std;
  return uniform_(tensor, -a, a, opts);
}

/**
 * N(0, std²) with `std = gain·√(2/(fanIn + fanOut))`, as `nn.init.xavier_normal_(tensor, gain=1.)`.
 *
 * @example
 * // after torch.manualSeed(0): the values PyTorch draws after torch.manual_seed(0)
 * nn.init.xavierNormal_(torch.empty(2, 3)) // tensor([[ 0.9746, -0.1856, -1.3780], [ 0.3595, -0.6859, -0.8845]])
 */
export function xavierNormal_(tensor: Tensor, gain = 1, opts: InitOptions = {}): Tensor {
  check(tensor, "xavierNormal_");
  const [fanIn, fanOut] = calculateFanInAndFanOut(tensor);
  return normal_(tensor, 0, gain * Math.sqrt(2 / (fanIn + fanOut)), opts);
}

/** Keyword arguments of the Kaiming initializers (PyTorch's defaults). */
export interface KaimingOptions extends InitOptions {
  /** Negative slope of the following leaky ReLU (used when `nonlinearity` is "leaky_relu"). Default 0. */
  a?: number;
  /** "fan_in" (default) keeps the forward variance, "fan_out" the backward one. */
  mode?: FanMode;
  /** Default "leaky_relu". */
  nonlinearity?: Nonlinearity;
}

function kaimingStd(tensor: Tensor, opts: KaimingOptions, op: string): number | null {
  check(tensor, op);
  if (tensor.numel() === 0) {
    console.warn("Initializing zero-element tensors is a no-op");
    return null;
  }
  const fan = correctFan(tensor, opts.mode ?? "fan_in");
  return calculateGain(opts.nonlinearity ?? "leaky_relu", opts.a ?? 0) / Math.sqrt(fan);
}

/**
 * U(−bound, bound) with `bound = gain·√(3/fan)` (He et al. 2015), as
 * `nn.init.kaiming_uniform_(tensor, a=0, mode='fan_in', nonlinearity='leaky_relu')`. With `a = √5` this is
 * the default init of Linear and Conv weights: U(±1/√fanIn).
 *
 * @example
 * // after torch.manualSeed(0): the values PyTorch draws after torch.manual_seed(0)
 * nn.init.kaimingUniform_(torch.empty(2, 3), { a: Math.sqrt(5) }) // tensor([[-0.0043,  0.3097, -0.4752], [-0.4249, -0.2224,  0.1548]])
 */
export function kaimingUniform_(tensor: Tensor, opts: KaimingOptions = {}): Tensor {
  const std = kaimingStd(tensor, opts, "kaimingUniform_");
  if (std === null) return tensor;
  const bound = Math.sqrt(3) * std;
  return uniform_(tensor, -bound, bound, opts);
}

/**
 * N(0, std²) with `std = gain/√fan`, as `nn.init.kaiming_normal_(tensor, a=0, mode='fan_in',
 * nonlinearity='leaky_relu')`.
 *
 * @example
 * // after torch.manualSeed(0): the values PyTorch draws after torch.manual_seed(0)
 * nn.init.kaimingNormal_(torch.empty(2, 3), { mode: "fan_out", nonlinearity: "relu" }) // tensor([[ 1.5410, -0.2934, -2.1788], [ 0.5684, -1.0845, -1.3986]])
 */
export function kaimingNormal_(tensor: Tensor, opts: KaimingOptions = {}): Tensor {
  const std = kaimingStd(tensor, opts, "kaimingNormal_");
  if (std === null) return tensor;
  return normal_(tensor, 0, std, opts);
}

/**
 * Householder QR of a row-major `m×n` matrix with `m >= n`: the thin `Q` (m×n) and the diagonal of `R`.
 */
export function householderQR(a: Float64Array, m: number, n: number): { q: Float64Array; rDiag: Float64Array } {
  const r = Float64Array.from(a);
  const vs: Float64Array[] = [];
  const rDiag = new Float64Array(n);
  for (let k = 0; k < n; k++) {
    let norm = 0;
    for (let i = k; i < m; i++) norm += r[i * n + k] ** 2;
    norm = Math.sqrt(norm);
    const v = new Float64Array(m - k);
    // The reflector maps column k onto −sign(x₀)·‖x‖·e₀, avoiding cancellation (LAPACK's choice).
    const alpha = r[k * n + k] >= 0 ? -norm : norm;
    for (let i = k; i < m; i++) v[i - k] = r[i * n + k];
    v[0] -= alpha;
    let vn = 0;
    for (let i = 0; i < v.length; i++) vn += v[i] * v[i];
    if (vn > 0) {
      for (let j = k; j < n; j++) {
        let dot = 0;
        for (let i = k; i < m; i++) dot += v[i - k] * r[i * n + j];
        const f = (2 * dot) / vn;
        for (let i = k; i < m; i++) r[i * n + j] -= f * v[i - k];
      }
    }
    vs.push(v);
    rDiag[k] = r[k * n + k];
  }
  // Q = H₀H₁…H_{n−1} applied to the first n columns of the identity.
  const q = new Float64Array(m * n);
  for (let i = 0; i < n; i++) q[i * n + i] = 1;
  for (let k = n - 1; k >= 0; k--) {
    const v = vs[k];
    let vn = 0;
    for (let i = 0; i < v.length; i++) vn += v[i] * v[i];
    if (vn === 0) continue;
    for (let j = 0; j < n; j++) {
      let dot = 0;
      for (let i = k; i < m; i++) dot += v[i - k] * q[i * n + j];
      const f = (2 * dot) / vn;
      for (let i = k; i < m; i++) q[i * n + j] -= f * v[i - k];
    }
  }
  return { q, rDiag };
}

/**
 * A (semi-)orthogonal matrix from the QR decomposition of a standard normal sample (Saxe et al. 2013),
 * scaled by `gain`, as `nn.init.orthogonal_(tensor, gain=1)`. Dims after the first are flattened; the signs
 * are fixed so that R has a positive diagonal, which makes the result unique, as PyTorch does.
 *
 * @example
 * // after torch.manualSeed(0): the values PyTorch draws after torch.manual_seed(0)
 * nn.init.orthogonal_(torch.empty(2, 3)) // tensor([[ 0.5740, -0.1093, -0.8115], [-0.3454, -0.9309, -0.1189]])
 */
export function orthogonal_(tensor: Tensor, gain = 1, opts: InitOptions = {}): Tensor {
  check(tensor, "orthogonal_");
  if (tensor.dim() < 2) throw new Error("Only tensors with 2 or more dimensions are supported");
  if (tensor.numel() === 0) return tensor;
  const rows = tensor.shape[0];
  const cols = tensor.numel() / rows;
  const sample = Tensor.empty([rows, cols], tensor.dtype);
  noGrad(() => drawNormal(sample, 0, 1, opts.generator));
  const flat = Float64Array.from(sample.toTypedArray());
  const tall = rows >= cols;
  const m = tall ? rows : cols;
  const n = tall ? cols : rows;
  // QR of the tall orientation; a wide matrix is factored transposed and transposed back.
  const a = tall ? flat : new Float64Array(m * n);
  if (!tall) for (let i = 0; i < rows; i++) for (let j = 0; j < cols; j++) a[j * n + i] = flat[i * cols + j];
  const { q, rDiag } = householderQR(a, m, n);
  const out = new Float64Array(rows * cols);
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < n; j++) {
      const s = Math.sign(rDiag[j]);
      const v = q[i * n + j] * s * gain;
      if (tall) out[i * cols + j] = v;
      else out[j * cols + i] = v;
    }
  }
  writeValues(tensor, out);
  return tensor;
}

/**
 * N(0, std²) with a fraction `sparsity` of each column set to zero (Martens 2010), as
 * `nn.init.sparse_(tensor, sparsity, std=0.01)`; the zeroed rows of each column come from `randperm`.
 *
 * @example
 * // after torch.manualSeed(0): the values PyTorch draws after torch.manual_seed(0)
 * nn.init.sparse_(torch.empty(4, 2), 0.5) // tensor([[ 0.0000, -0.0029], [ 0.0000,  0.0000], [-0.0108, -0.0140], [ 0.0040,  0.0000]])
 */
export function sparse_(tensor: Tensor, sparsity: number, std = 0.01, opts: InitOptions = {}): Tensor {
  check(tensor, "sparse_");
  if (tensor.dim() !== 2) throw new Error("Only tensors with 2 dimensions are supported");
  const [rows, cols] = tensor.shape;
  const numZeros = Math.ceil(sparsity * rows);
  noGrad(() => drawNormal(tensor, 0, std, opts.generator));
  const v = Float64Array.from(tensor.toTypedArray());
  for (let c = 0; c < cols; c++) {
    // PyTorch draws each column's permutation from the default generator, whatever `generator` is.
    const perm = randperm(rows).toTypedArray();
    for (let k = 0; k < numZeros; k++) v[perm[k] * cols + c] = 0;
  }
  writeValues(tensor, v);
  return tensor;
}
