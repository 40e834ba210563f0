/**
 * torchvision transforms against torchvision 0.14 (through the PyTorch oracle): seeded random shapes,
 * dtypes (float32, float64, uint8) and arguments for every functional transform, the random transforms
 * under the same seed, and the per-image normalizations against their formulas written in PyTorch.
 *
 * Tolerances: every uint8 result and every Image (PIL path) is compared exactly; float outputs of resize (all
 * modes), crop/pad/flip, convertImageDtype, toTensor and the seeded RandomResizedCrop exactly (rtol 0,
 * atol 0); float color adjustments with rtol 1e-5 / atol 1e-6 (float32) and rtol 1e-12 / atol 1e-14
 * (float64), because PyTorch's mean and pow may round a last bit differently; gradients with rtol 1e-5 /
 * atol 1e-6, or the harness defaults.
 */
import { describe, it } from "vitest";
import * as torch from "../src/index.js";
import type { DType } from "../src/dtype.js";
import { Tensor } from "../src/tensor.js";
import * as T from "../src/vision/transforms/index.js";
import { Image } from "../src/vision/image.js";
import { resizedOutputSize } from "../src/vision/transforms/resize.js";
import { type DiffCase, type InputSpec, Rng, expectClean, runDifferential } from "./oracle/differential.js";

const F = T.functional;
/** Reseeded at the start of every test, so a test draws the same cases when run alone (`-t`). */
let rng = new Rng(20240901);

const HEAD = "import torchvision\nimport torchvision.transforms as T\nimport torchvision.transforms.functional as TF\nfrom torchvision.transforms import InterpolationMode as IM\n";
/** A Python snippet that imports torchvision and assigns `out`. */
function tv(expr: string, pre = ""): string {
  return `${HEAD}${pre}out = ${expr}`;
}

function py(v: unknown): string {
  if (v === null || v === undefined) return "None";
  if (typeof v === "boolean") return v ? "True" : "False";
  if (Array.isArray(v)) return `[${v.map(py).join(", ")}]`;
  if (typeof v === "string") return JSON.stringify(v);
  return String(v);
}

/** A random image input: (C, H, W) or (N, C, H, W), values in [0, 1] (float) or [0, 255] (uint8). */
function imageSpec(dtype: DType, opts: { channels?: number[]; batch?: boolean; minSize?: number; maxSize?: number } = {}): InputSpec {
  const C = rng.pick(opts.channels ?? [1, 3]);
  const H = rng.int(opts.minSize ?? 1, opts.maxSize ?? 12);
  const W = rng.int(opts.minSize ?? 1, opts.maxSize ?? 12);
  const shape = opts.batch && rng.bool(0.3) ? [rng.int(1, 2), C, H, W] : [C, H, W];
  return dtype === "uint8"
    ? { shape, dtype, values: "int", low: 0, high: 255 }
    : { shape, dtype, values: "uniform", low: 0, high: 1, layout: rng.pick(["contiguous", "contiguous", "transposed", "strided"] as const) };
}

const DTYPES: DType[] = ["float32", "float64", "uint8"];

/** The error both libraries raise for a pad that crops a dim to nothing or mirrors past the edge, if any. */
function padError(mode: string, shape: number[], padding: number | number[]): RegExp | null {
  const p = typeof padding === "number" ? [padding, padding, padding, padding] : padding.length === 1 ? [padding[0], padding[0], padding[0], padding[0]] : padding.length === 2 ? [padding[0], padding[1], padding[0], padding[1]] : padding;
  const [l, t, r, b] = p;
  const [H, W] = shape.slice(-2);
  // constant_pad_nd: a negative size, or an empty dim when anything is padded, is an error.
  if (mode === "constant") return [W + l + r, H + t + b].some((n) => n < 0 || (n === 0 && p.some((v) => v > 0))) ? /negative output size/ : null;
  if (mode !== "symmetric") return null;
  const w = W + Math.min(l, 0) + Math.min(r, 0);
  const h = H + Math.min(t, 0) + Math.min(b, 0);
  if (w <= 0 || h <= 0) return /crops the .* image to nothing/;
  return Math.max(l, r) > w || Math.max(t, b) > h ? /symmetric padding .* is larger than the/ : null;
}
/**
 * Resize outputs bit for bit; gradients at the project's float32 tolerance (PyTorch's backward kernels
 * accumulate many taps in another order than torch-ts's matmul adjoint).
 */
const RESIZE_TOL = { rtol: 0, atol: 0, gradRtol: 1e-4, gradAtol: 1e-5 };
/** Outputs compared bit for bit; gradients (sums in another order for padding's adjoint) nearly so. */
const EXACT = { rtol: 0, atol: 0, gradRtol: 1e-6, gradAtol: 1e-7 };
const COLOR_TOL = { float32: { rtol: 1e-5, atol: 1e-6 }, float64: { rtol: 1e-12, atol: 1e-14 }, uint8: { rtol: 0, atol: 0 } } as Record<DType, { rtol: number; atol: number }>;

describe("torchvision transforms vs torchvision 0.14", () => {
  it("resize: bilinear (antialias on and off), nearest; up and down; float32/float64/uint8; channels-last", async () => {
    rng = new Rng(20240901);
    const cases: DiffCase[] = [];
    for (let k = 0; k < 60; k++) {
      const dtype = rng.pick(DTYPES);
      const spec = imageSpec(dtype, { channels: [1, 2, 3], batch: true, maxSize: 20 });
      const mode = rng.pick(["bilinear", "bilinear", "nearest"] as const);
      const aa = mode === "bilinear" ? rng.bool() : false;
      // Plain bilinear picks its kernel by memory layout, and PyTorch gets every input contiguous.
      if (mode === "bilinear" && !aa) spec.layout = "contiguous";
      const oneInt = rng.bool(0.3);
      const size = oneInt ? rng.int(1, 20) : [rng.int(1, 20), rng.int(1, 20)];
      cases.push({
        name: `resize ${dtype} ${JSON.stringify(spec.shape)} size=${JSON.stringify(size)} ${mode} aa=${aa}`,
        inputs: [spec],
        ts: (x) => F.resize(x, size, { interpolation: mode, antialias: aa }),
        py: tv(`TF.resize(x0, ${py(size)}, interpolation=IM.${mode.toUpperCase()}, antialias=${py(aa)})`),
        ...RESIZE_TOL,
      });
    }
    // HWC memory viewed as CHW: channels-last contiguous for both libraries, which PyTorch resizes with
    // another kernel.
    for (let k = 0; k < 20; k++) {
      const dtype = rng.pick(DTYPES);
      const [H, W, C] = [rng.int(1, 14), rng.int(1, 14), rng.pick([1, 3])];
      const size = [rng.int(1, 16), rng.int(1, 16)];
      const aa = rng.bool(0.3);
      cases.push({
        name: `resize channels-last ${dtype} HWC=[${H},${W},${C}] -> ${size} aa=${aa}`,
        inputs: [dtype === "uint8" ? { shape: [H, W, C], dtype, values: "int", low: 0, high: 255 } : { shape: [H, W, C], dtype, values: "uniform", low: 0, high: 1 }],
        ts: (x) => F.resize(torch.permute(x, [2, 0, 1]), size, { antialias: aa }),
        py: tv(`TF.resize(x0.permute(2, 0, 1), ${py(size)}, antialias=${py(aa)})`),
        ...RESIZE_TOL,
      });
    }
    // max_size with the shorter side given.
    for (let k = 0; k < 8; k++) {
      const spec = imageSpec("float32", { maxSize: 16, minSize: 2 });
      const s = rng.int(2, 8);
      const maxSize = s + rng.int(1, 6);
      const [H, W] = spec.shape.slice(-2);
      const empty = resizedOutputSize(H, W, [s], maxSize, "resize").some((n) => n === 0);
      cases.push({
        name: `resize max_size ${JSON.stringify(spec.shape)} ${s} max ${maxSize}`,
        inputs: [spec],
        ts: (x) => F.resize(x, s, { maxSize, antialias: true }),
        py: tv(`TF.resize(x0, ${s}, max_size=${maxSize}, antialias=True)`),
        ...RESIZE_TOL,
        // A long thin image: the capped shorter side rounds down to 0.
        ...(empty ? { expectError: /Input and output sizes should be greater than 0/ } : {}),
      });
    }
    expectClean(await runDifferential("vision.resize", cases), 80);
  });

  it("crop, centerCrop, resizedCrop, pad (4 modes), hflip, vflip", async () => {
    rng = new Rng(20240902);
    const cases: DiffCase[] = [];
    for (let k = 0; k < 25; k++) {
      const dtype = rng.pick(DTYPES);
      const spec = imageSpec(dtype, { batch: true });
      const size = rng.bool(0.3) ? rng.int(1, 14) : [rng.int(1, 14), rng.int(1, 14)];
      cases.push({ name: `center_crop ${dtype} ${JSON.stringify(spec.shape)} ${JSON.stringify(size)}`, inputs: [spec], ts: (x) => F.centerCrop(x, size), py: tv(`TF.center_crop(x0, ${py(size)})`), ...EXACT });
    }
    for (let k = 0; k < 20; k++) {
      const dtype = rng.pick(DTYPES);
      const spec = imageSpec(dtype, { batch: true });
      const [top, left, h, w] = [rng.int(-4, 8), rng.int(-4, 8), rng.int(1, 10), rng.int(1, 10)];
      cases.push({ name: `crop ${dtype} ${JSON.stringify(spec.shape)} ${[top, left, h, w]}`, inputs: [spec], ts: (x) => F.crop(x, top, left, h, w), py: tv(`TF.crop(x0, ${top}, ${left}, ${h}, ${w})`), ...EXACT });
    }
    for (let k = 0; k < 10; k++) {
      const dtype = rng.pick(["float32", "uint8"] as DType[]);
      const spec = imageSpec(dtype, { minSize: 4 });
      const [top, left, h, w] = [rng.int(0, 3), rng.int(0, 3), rng.int(1, 6), rng.int(1, 6)];
      const size = [rng.int(1, 10), rng.int(1, 10)];
      cases.push({
        name: `resized_crop ${dtype} ${JSON.stringify(spec.shape)} ${[top, left, h, w]} -> ${size}`,
        inputs: [spec],
        ts: (x) => F.resizedCrop(x, top, left, h, w, size, { antialias: true }),
        py: tv(`TF.resized_crop(x0, ${top}, ${left}, ${h}, ${w}, ${py(size)}, antialias=True)`),
        ...RESIZE_TOL,
      });
    }
    const MODES: T.PaddingMode[] = ["constant", "edge", "reflect", "symmetric"];
    for (let k = 0; k < 40; k++) {
      const dtype = rng.pick(DTYPES);
      const mode = MODES[k % 4];
      const spec = imageSpec(dtype, { minSize: 3, maxSize: 9, batch: mode !== "symmetric" || rng.bool() });
      const lim = mode === "reflect" ? 2 : 3;
      const form = rng.int(0, 3);
      // Negative (cropping) padding for constant and symmetric; torch-ts's F.pad refuses edge/reflect crops that
      // empty one dim while PyTorch allows them when the other dim survives.
      const neg = mode === "constant" || mode === "symmetric" ? -2 : 0;
      const padding = form === 0 ? rng.int(0, lim) : form === 1 ? [rng.int(0, lim)] : form === 2 ? [rng.int(0, lim), rng.int(0, lim)] : [rng.int(neg, lim), rng.int(neg, lim), rng.int(neg, lim), rng.int(neg, lim)];
      const fill = mode === "constant" ? rng.pick([0, 1, 7]) : 0;
      cases.push({
        name: `pad ${mode} ${dtype} ${JSON.stringify(spec.shape)} ${JSON.stringify(padding)} fill=${fill}`,
        inputs: [spec],
        ts: (x) => F.pad(x, padding, fill, mode),
        py: tv(`TF.pad(x0, ${py(padding)}, fill=${fill}, padding_mode=${py(mode)})`),
        ...EXACT,
        ...(padError(mode, spec.shape, padding) ? { expectError: padError(mode, spec.shape, padding)! } : {}),
      });
    }
    for (let k = 0; k < 10; k++) {
      const dtype = rng.pick(DTYPES);
      const spec = imageSpec(dtype, { batch: true });
      const h = k % 2 === 0;
      cases.push({ name: `${h ? "hflip" : "vflip"} ${dtype} ${JSON.stringify(spec.shape)}`, inputs: [spec], ts: (x) => (h ? F.hflip(x) : F.vflip(x)), py: tv(`TF.${h ? "hflip" : "vflip"}(x0)`), ...EXACT });
    }
    expectClean(await runDifferential("vision.geometry", cases), 100);
  });

  it("grayscale and the color adjustments; equalize; invert, posterize, solarize, autocontrast", async () => {
    rng = new Rng(20240903);
    const cases: DiffCase[] = [];
    const add = (name: string, dtype: DType, spec: InputSpec, ts: (x: Tensor) => Tensor, pyExpr: string): void => {
      cases.push({ name: `${name} ${dtype} ${JSON.stringify(spec.shape)}`, inputs: [spec], ts, py: tv(pyExpr), ...COLOR_TOL[dtype] });
    };
    for (let k = 0; k < 12; k++) {
      const dtype = rng.pick(DTYPES);
      const spec = imageSpec(dtype, { batch: true });
      const n = rng.pick([1, 3]);
      add(`rgb_to_grayscale(${n})`, dtype, spec, (x) => F.rgbToGrayscale(x, n), `TF.rgb_to_grayscale(x0, ${n})`);
    }
    const ADJ = [
      ["brightness", (x: Tensor, f: number) => F.adjustBrightness(x, f), () => rng.uniform(0, 2)],
      ["contrast", (x: Tensor, f: number) => F.adjustContrast(x, f), () => rng.uniform(0, 2)],
      ["saturation", (x: Tensor, f: number) => F.adjustSaturation(x, f), () => rng.uniform(0, 2)],
      ["hue", (x: Tensor, f: number) => F.adjustHue(x, f), () => rng.uniform(-0.5, 0.5)],
    ] as const;
    for (let k = 0; k < 60; k++) {
      const [name, fn, draw] = ADJ[k % 4];
      const dtype = rng.pick(DTYPES);
      const spec = imageSpec(dtype, { batch: true });
      const f = k % 8 < 2 ? rng.pick([0, 1]) : draw();
      add(`adjust_${name}(${f})`, dtype, spec, (x) => fn(x, f), `TF.adjust_${name}(x0, ${f})`);
    }
    for (let k = 0; k < 8; k++) {
      const dtype = rng.pick(DTYPES);
      const spec = imageSpec(dtype);
      const g = rng.pick([0.5, 1, 2, rng.uniform(0.2, 3)]);
      const gain = rng.pick([1, 0.8]);
      add(`adjust_gamma(${g}, ${gain})`, dtype, spec, (x) => F.adjustGamma(x, g, gain), `TF.adjust_gamma(x0, ${g}, ${gain})`);
    }
    for (let k = 0; k < 12; k++) {
      const spec = imageSpec("uint8", { batch: true, minSize: 2 });
      // Few distinct values make the histogram steps interesting.
      if (k % 3 === 0) spec.high = 3;
      add("equalize", "uint8", spec, (x) => F.equalize(x), "TF.equalize(x0)");
    }
    for (let k = 0; k < 16; k++) {
      const dtype = rng.pick(DTYPES);
      const spec = imageSpec(dtype, { batch: true });
      const which = k % 4;
      if (which === 0) add("invert", dtype, spec, (x) => F.invert(x), "TF.invert(x0)");
      else if (which === 1) {
        const bits = rng.int(0, 8);
        add(`posterize(${bits})`, "uint8", imageSpec("uint8"), (x) => F.posterize(x, bits), `TF.posterize(x0, ${bits})`);
      } else if (which === 2) {
        const th = dtype === "uint8" ? rng.int(0, 255) : rng.uniform(0, 1);
        add(`solarize(${th})`, dtype, spec, (x) => F.solarize(x, th), `TF.solarize(x0, ${th})`);
      } else {
        // torchvision's autocontrast writes into amin's output in place, so PyTorch cannot backpropagate it.
        add("autocontrast", dtype, { ...spec, requiresGrad: false }, (x) => F.autocontrast(x), "TF.autocontrast(x0)");
      }
    }
    expectClean(await runDifferential("vision.color", cases), 100);
  });

  it("convertImageDtype, toTensor, pilToTensor, toImage (PIL), normalize", async () => {
    rng = new Rng(20240904);
    const cases: DiffCase[] = [];
    const PAIRS: Array<[DType, DType]> = [
      ["uint8", "float32"], ["uint8", "float64"], ["float32", "uint8"], ["float64", "uint8"], ["float32", "float64"],
      ["float64", "float32"], ["uint8", "int32"], ["uint8", "int64"], ["int32", "uint8"], ["int64", "uint8"], ["int32", "float64"],
      ["float64", "int32"], ["int64", "int32"],
    ];
    const TORCH_DT: Record<string, string> = { uint8: "torch.uint8", float32: "torch.float32", float64: "torch.float64", int32: "torch.int32", int64: "torch.int64" };
    for (const [from, to] of PAIRS) {
      for (let k = 0; k < 2; k++) {
        const shape = [rng.pick([1, 3]), rng.int(1, 6), rng.int(1, 6)];
        const spec: InputSpec =
          from === "uint8" ? { shape, dtype: from, values: "int", low: 0, high: 255 }
          : from === "int32" || from === "int64" ? { shape, dtype: from, values: "int", low: 0, high: 2147483647 }
          : { shape, dtype: from, values: "uniform", low: 0, high: 1 };
        cases.push({ name: `convert_image_dtype ${from} -> ${to}`, inputs: [spec], ts: (x) => F.convertImageDtype(x, to), py: tv(`TF.convert_image_dtype(x0, ${TORCH_DT[to]})`), rtol: 0, atol: 0 });
      }
    }
    cases.push({ name: "convert_image_dtype float32 -> int32 raises", inputs: [{ shape: [1, 2, 2] }], ts: (x) => F.convertImageDtype(x, "int32"), py: tv("TF.convert_image_dtype(x0, torch.int32)"), expectError: /cannot be performed safely/ });
    // PIL images built from the same bytes: ToTensor, PILToTensor and ToPILImage against PIL.
    const PIL = "from PIL import Image as PImage\nimport numpy as np\n";
    for (let k = 0; k < 12; k++) {
      const C = rng.pick([1, 3, 4]);
      const [H, W] = [rng.int(1, 9), rng.int(1, 9)];
      const mode = C === 1 ? "L" : C === 3 ? "RGB" : "RGBA";
      const pil = `im = PImage.fromarray(x0.numpy()${C === 1 ? "[:, :, 0]" : ""}, ${py(mode)})\n`;
      const img = (x: Tensor): Image => new Image(W, H, mode, Uint8Array.from(x.toTypedArray()));
      cases.push({ name: `to_tensor ${mode} ${H}x${W}`, inputs: [{ shape: [H, W, C], dtype: "uint8", values: "int", low: 0, high: 255 }], ts: (x) => F.toTensor(img(x)), py: tv("TF.to_tensor(im)", PIL + pil), rtol: 0, atol: 0 });
      cases.push({ name: `pil_to_tensor ${mode} ${H}x${W}`, inputs: [{ shape: [H, W, C], dtype: "uint8", values: "int", low: 0, high: 255 }], ts: (x) => F.pilToTensor(img(x)), py: tv("TF.pil_to_tensor(im)", PIL + pil) });
      const dtype = rng.pick(["float32", "float64", "uint8"] as DType[]);
      const spec: InputSpec = dtype === "uint8" ? { shape: [C, H, W], dtype, values: "int", low: 0, high: 255 } : { shape: [C, H, W], dtype, values: "uniform", low: 0, high: 1 };
      cases.push({
        name: `to_pil_image ${dtype} [${C},${H},${W}]`,
        inputs: [spec],
        // Compared as HWC bytes: the Image's data against np.array(PIL image).
        ts: (x) => { const im = F.toImage(x); return new Tensor(im.data, "uint8", [im.height, im.width, im.channels]); },
        py: tv("torch.from_numpy(np.array(TF.to_pil_image(x0))).reshape(x0.shape[1], x0.shape[2], -1)", PIL),
      });
    }
    for (let k = 0; k < 10; k++) {
      const dtype = rng.pick(["float32", "float64"] as DType[]);
      const spec = imageSpec(dtype, { batch: true, channels: [1, 3] });
      const C = spec.shape[spec.shape.length - 3];
      const per = rng.bool();
      const mean = per ? Array.from({ length: C }, () => rng.uniform(0, 1)) : [rng.uniform(0, 1)];
      const std = per ? Array.from({ length: C }, () => rng.uniform(0.1, 1)) : [rng.uniform(0.1, 1)];
      cases.push({ name: `normalize ${dtype} ${JSON.stringify(spec.shape)}`, inputs: [spec], ts: (x) => F.normalize(x, mean, std), py: tv(`TF.normalize(x0, ${py(mean)}, ${py(std)})`) });
    }
    // A tensor in to_tensor's place of a NumPy array: (H, W) or (H, W, C) with any channel count and dtype.
    for (let k = 0; k < 16; k++) {
      const dtype = rng.pick(["uint8", "float32", "float64", "int32"] as DType[]);
      const shape = rng.bool(0.25) ? [rng.int(1, 6), rng.int(1, 6)] : [rng.int(1, 6), rng.int(1, 6), rng.int(1, 5)];
      const spec: InputSpec = dtype === "float32" || dtype === "float64" ? { shape, dtype, values: "uniform", low: -2, high: 2, requiresGrad: false } : { shape, dtype, values: "int", low: 0, high: 255 };
      cases.push({ name: `to_tensor ndarray ${dtype} ${JSON.stringify(shape)}`, inputs: [spec], ts: (x) => F.toTensor(x), py: tv("TF.to_tensor(x0.numpy())"), rtol: 0, atol: 0 });
    }
    cases.push({ name: "to_tensor ndarray of 4 dims raises", inputs: [{ shape: [1, 2, 2, 1], dtype: "uint8", values: "int", low: 0, high: 9 }], ts: (x) => F.toTensor(x), py: tv("TF.to_tensor(x0.numpy())"), expectError: /pic should be 2\/3 dimensional\. Got 4 dimensions\./ });
    expectClean(await runDifferential("vision.convert", cases), 75);
  });

  it("geometric transforms of Images equal PIL's", async () => {
    rng = new Rng(20240905);
    const cases: DiffCase[] = [];
    const PIL = "from PIL import Image as PImage\nimport numpy as np\n";
    for (let k = 0; k < 30; k++) {
      const C = rng.pick([1, 3, 4]);
      const [H, W] = [rng.int(2, 9), rng.int(2, 9)];
      const mode = C === 1 ? "L" : C === 3 ? "RGB" : "RGBA";
      const pil = `im = PImage.fromarray(x0.numpy()${C === 1 ? "[:, :, 0]" : ""}, ${py(mode)})\n`;
      const back = (e: string): string => tv(`torch.from_numpy(np.array(${e})).reshape(-1, ${e}.size[0], ${C})`, PIL + pil);
      const ops: Array<[string, (im: Image) => Image, string]> = [
        ["hflip", (im) => F.hflip(im), "TF.hflip(im)"],
        ["vflip", (im) => F.vflip(im), "TF.vflip(im)"],
      ];
      const [t, l, h, w] = [rng.int(-2, 4), rng.int(-2, 4), rng.int(1, 8), rng.int(1, 8)];
      ops.push([`crop ${[t, l, h, w]}`, (im) => F.crop(im, t, l, h, w), `TF.crop(im, ${t}, ${l}, ${h}, ${w})`]);
      const cs = [rng.int(1, 11), rng.int(1, 11)];
      ops.push([`center_crop ${cs}`, (im) => F.centerCrop(im, cs), `TF.center_crop(im, ${py(cs)})`]);
      const mode2 = rng.pick(["constant", "edge", "reflect", "symmetric"] as const);
      const p = [rng.int(0, 1), rng.int(0, 1), rng.int(0, 1), rng.int(0, 1)];
      const fill = mode2 === "constant" ? rng.int(0, 255) : 0;
      ops.push([`pad ${mode2} ${p} fill=${fill}`, (im) => F.pad(im, p, fill, mode2), `TF.pad(im, ${py(p)}, fill=${fill}, padding_mode=${py(mode2)})`]);
      for (const [name, f, e] of ops) {
        cases.push({
          name: `Image ${mode} ${H}x${W} ${name}`,
          inputs: [{ shape: [H, W, C], dtype: "uint8", values: "int", low: 0, high: 255 }],
          ts: (x) => { const im = f(new Image(W, H, mode, Uint8Array.from(x.toTypedArray()))); return new Tensor(im.data, "uint8", [im.height, im.width, C]); },
          py: back(e),
        });
      }
    }
    expectClean(await runDifferential("vision.pil-geometry", cases), 100);
  });

  it("resize, grayscale and color adjustments of Images equal torchvision's PIL path (Pillow's arithmetic)", async () => {
    rng = new Rng(20240906);
    const cases: DiffCase[] = [];
    const PIL = "from PIL import Image as PImage\nimport numpy as np\n";
    const pilCase = (name: string, mode: "L" | "RGB" | "RGBA", H: number, W: number, f: (im: Image) => Image, e: string, pre = ""): void => {
      const C = mode === "L" ? 1 : mode === "RGB" ? 3 : 4;
      const pil = `im = PImage.fromarray(x0.numpy()${C === 1 ? "[:, :, 0]" : ""}, ${py(mode)})\n${pre}r = ${e}\n`;
      cases.push({
        name: `Image ${mode} ${H}x${W} ${name}`,
        inputs: [{ shape: [H, W, C], dtype: "uint8", values: "int", low: 0, high: 255 }],
        ts: (x) => {
          const im = f(new Image(W, H, mode, Uint8Array.from(x.toTypedArray())));
          return new Tensor(im.data, "uint8", [im.height, im.width, im.channels]);
        },
        py: tv("torch.from_numpy(np.array(r)).reshape(r.size[1], r.size[0], -1)", PIL + pil),
      });
    };
    const MODES = ["L", "RGB", "RGBA"] as const;
    for (let k = 0; k < 40; k++) {
      const mode = MODES[k % 3];
      const [H, W] = [rng.int(1, 24), rng.int(1, 24)];
      const interp = rng.pick(["bilinear", "bilinear", "nearest"] as const);
      const size = rng.bool(0.25) ? rng.int(1, 24) : [rng.int(1, 24), rng.int(1, 24)];
      pilCase(`resize ${JSON.stringify(size)} ${interp}`, mode, H, W, (im) => F.resize(im, size, { interpolation: interp }), `TF.resize(im, ${py(size)}, interpolation=IM.${interp.toUpperCase()})`);
    }
    for (let k = 0; k < 9; k++) {
      const mode = MODES[k % 3];
      const n = rng.pick([1, 3]);
      pilCase(`rgb_to_grayscale(${n})`, mode, rng.int(1, 9), rng.int(1, 9), (im) => F.rgbToGrayscale(im, n), `TF.rgb_to_grayscale(im, ${n})`);
    }
    const ADJ = [
      ["brightness", (im: Image, f: number) => F.adjustBrightness(im, f), () => rng.pick([0, 1, rng.uniform(0, 1), rng.uniform(1, 3)])],
      ["contrast", (im: Image, f: number) => F.adjustContrast(im, f), () => rng.pick([0, 1, rng.uniform(0, 1), rng.uniform(1, 3)])],
      ["saturation", (im: Image, f: number) => F.adjustSaturation(im, f), () => rng.pick([0, rng.uniform(0, 1), rng.uniform(1, 3)])],
      ["hue", (im: Image, f: number) => F.adjustHue(im, f), () => rng.pick([0, 0.5, -0.5, rng.uniform(-0.5, 0.5)])],
    ] as const;
    for (let k = 0; k < 48; k++) {
      const [name, fn, draw] = ADJ[k % 4];
      const mode = MODES[Math.floor(k / 4) % 3];
      const f = draw();
      pilCase(`adjust_${name}(${f})`, mode, rng.int(1, 10), rng.int(1, 10), (im) => fn(im, f), `TF.adjust_${name}(im, ${f})`);
    }
    for (let k = 0; k < 6; k++) {
      const mode = MODES[k % 3];
      const g = rng.pick([0.5, 2, rng.uniform(0.2, 3)]);
      pilCase(`adjust_gamma(${g})`, mode, rng.int(1, 8), rng.int(1, 8), (im) => F.adjustGamma(im, g), `TF.adjust_gamma(im, ${g})`);
    }
    for (let k = 0; k < 16; k++) {
      const mode = rng.pick(["L", "RGB"] as const);
      const [H, W] = [rng.int(2, 16), rng.int(2, 16)];
      const which = k % 4;
      if (which === 0) pilCase("autocontrast", mode, H, W, (im) => F.autocontrast(im), "TF.autocontrast(im)");
      else if (which === 1) pilCase("equalize", mode, H, W, (im) => F.equalize(im), "TF.equalize(im)");
      else if (which === 2) {
        const th = rng.int(0, 255);
        pilCase(`solarize(${th})`, mode, H, W, (im) => F.solarize(im, th), `TF.solarize(im, ${th})`);
      } else {
        const bits = rng.int(1, 8);
        pilCase(`posterize(${bits}) + invert`, mode, H, W, (im) => F.invert(F.posterize(im, bits)), `TF.invert(TF.posterize(im, ${bits}))`);
      }
    }
    // Whole pipelines under one seed: torchvision draws the same parameters for PIL images and tensors.
    for (let k = 0; k < 10; k++) {
      const mode = rng.pick(["RGB", "RGB", "L"] as const);
      const seed = rng.int(0, 100000);
      const size = rng.int(2, 12);
      pilCase(
        `seed ${seed}: RandomResizedCrop(${size}) + ColorJitter(0.4, 0.4, 0.4, 0.1) + RandomHorizontalFlip`,
        mode,
        rng.int(4, 20),
        rng.int(4, 20),
        (im) => {
          const g = new torch.Generator().manualSeed(seed);
          const t = new T.Compose([new T.RandomResizedCrop(size, { generator: g }), new T.ColorJitter({ brightness: 0.4, contrast: 0.4, saturation: 0.4, hue: 0.1, generator: g }), new T.RandomHorizontalFlip(0.5, { generator: g })]);
          return t(im) as Image;
        },
        `T.Compose([T.RandomResizedCrop(${size}), T.ColorJitter(0.4, 0.4, 0.4, 0.1), T.RandomHorizontalFlip()])(im)`,
        `torch.manual_seed(${seed})\n`,
      );
    }
    expectClean(await runDifferential("vision.pil-color", cases), 120);
  });

  it("random transforms pick what torchvision picks under the same seed", async () => {
    rng = new Rng(20240907);
    const cases: DiffCase[] = [];
    /** torch-ts seeded either globally (`torch.manualSeed`) or through its own `Generator`; PyTorch globally. */
    const seeded = (name: string, spec: InputSpec, make: (o: T.RandomOptions) => (x: Tensor) => Tensor, pyTransform: string, tol?: { rtol: number; atol: number }): void => {
      const seed = rng.int(0, 1_000_000);
      const viaGen = rng.bool();
      cases.push({
        name: `${name} seed=${seed} ${viaGen ? "generator" : "global"}`,
        inputs: [spec],
        ts: (x) => {
          if (!viaGen) torch.manualSeed(seed);
          return make(viaGen ? { generator: new torch.Generator().manualSeed(seed) } : {})(x);
        },
        py: `${HEAD}torch.manual_seed(${seed})\nt = ${pyTransform}\nout = t(x0)`,
        ...(tol ? { ...tol, gradRtol: 1e-5, gradAtol: 1e-6 } : {}),
      });
    };
    for (let k = 0; k < 12; k++) {
      const dtype = rng.pick(DTYPES);
      const spec = imageSpec(dtype, { minSize: 4, maxSize: 12 });
      const padding = rng.pick([null, 1, [1, 2]]);
      const padIfNeeded = rng.bool();
      const H = spec.shape[1] + (padding === null ? 0 : 2 * (typeof padding === "number" ? padding : padding[1]));
      const W = spec.shape[2] + (padding === null ? 0 : 2 * (typeof padding === "number" ? padding : padding[0]));
      const size = [rng.int(1, padIfNeeded ? H + 3 : H), rng.int(1, padIfNeeded ? W + 3 : W)];
      const paddingMode = rng.pick(["constant", "edge", "reflect", "symmetric"] as const);
      seeded(`RandomCrop ${dtype} ${JSON.stringify(spec.shape)} ${size} pad=${JSON.stringify(padding)} ifNeeded=${padIfNeeded} ${paddingMode}`, spec,
        (o) => { const t = new T.RandomCrop(size, { padding, padIfNeeded, paddingMode, ...o }); return (x) => t(x) as Tensor; },
        `T.RandomCrop(${py(size)}, padding=${py(padding)}, pad_if_needed=${py(padIfNeeded)}, padding_mode=${py(paddingMode)})`);
    }
    for (let k = 0; k < 14; k++) {
      const dtype = rng.pick(DTYPES);
      const spec = imageSpec(dtype, { minSize: 2, maxSize: 16 });
      const size = rng.int(1, 10);
      const scale: [number, number] = rng.pick([[0.08, 1], [0.5, 0.9], [0.9, 1]] as Array<[number, number]>);
      const ratio: [number, number] = rng.pick([[3 / 4, 4 / 3], [0.2, 0.3], [3, 5]] as Array<[number, number]>);
      seeded(`RandomResizedCrop ${dtype} ${JSON.stringify(spec.shape)} ${size} scale=${scale} ratio=${ratio}`, spec,
        (o) => { const t = new T.RandomResizedCrop(size, { scale, ratio, antialias: true, ...o }); return (x) => t(x) as Tensor; },
        `T.RandomResizedCrop(${size}, scale=${py(scale)}, ratio=${py(ratio)}, antialias=True)`, { rtol: 0, atol: 0 });
    }
    for (let k = 0; k < 10; k++) {
      const dtype = rng.pick(DTYPES);
      const spec = imageSpec(dtype);
      const h = k % 2 === 0;
      const p = rng.pick([0.5, 0.3, 0.9]);
      seeded(`Random${h ? "Horizontal" : "Vertical"}Flip(${p}) ${dtype}`, spec,
        (o) => { const t = h ? new T.RandomHorizontalFlip(p, o) : new T.RandomVerticalFlip(p, o); return (x) => t(x) as Tensor; },
        `T.Random${h ? "Horizontal" : "Vertical"}Flip(${p})`);
    }
    for (let k = 0; k < 14; k++) {
      const dtype = rng.pick(DTYPES);
      const spec = imageSpec(dtype, { channels: [3] });
      const b = rng.pick([0, 0.4, [0.5, 1.5]]);
      const c = rng.pick([0, 0.4]);
      const s = rng.pick([0, 0.4, [0, 2]]);
      const h = rng.pick([0, 0.1, [-0.5, 0.5]]);
      seeded(`ColorJitter(${JSON.stringify([b, c, s, h])}) ${dtype} ${JSON.stringify(spec.shape)}`, spec,
        (o) => { const t = new T.ColorJitter({ brightness: b, contrast: c, saturation: s, hue: h, ...o }); return (x) => t(x) as Tensor; },
        `T.ColorJitter(${py(b)}, ${py(c)}, ${py(s)}, ${py(h)})`, COLOR_TOL[dtype]);
    }
    for (let k = 0; k < 6; k++) {
      const dtype = rng.pick(DTYPES);
      const spec = imageSpec(dtype, { channels: [3] });
      seeded(`RandomGrayscale(0.5) ${dtype}`, spec, (o) => { const t = new T.RandomGrayscale(0.5, o); return (x) => t(x) as Tensor; }, "T.RandomGrayscale(0.5)", COLOR_TOL[dtype]);
    }
    // Drawn last, so the cases above stay what they were.
    for (let k = 0; k < 8; k++) {
      const spec = imageSpec("uint8", { batch: true, minSize: 2 });
      const p = rng.pick([0.5, 0.2, 0.8]);
      seeded(`RandomEqualize(${p}) ${JSON.stringify(spec.shape)}`, spec, (o) => { const t = new T.RandomEqualize(p, o); return (x) => t(x) as Tensor; }, `T.RandomEqualize(${p})`);
    }
    expectClean(await runDifferential("vision.random", cases), 58);
  });

  it("rotate and RandomRotation: nearest and bilinear, expand, center, fill (tensor path)", async () => {
    rng = new Rng(20240911);
    const cases: DiffCase[] = [];
    for (let k = 0; k < 60; k++) {
      const dtype = rng.pick(DTYPES);
      const spec = imageSpec(dtype, { batch: true, minSize: 2, maxSize: 14 });
      const C = spec.shape[spec.shape.length - 3];
      // Random angles, and the quarter turns whose sampling points fall on pixel centers.
      const angle = rng.bool(0.25) ? rng.pick([0, 90, -90, 180, 270, 45]) : Math.round(rng.uniform(-200, 200) * 100) / 100;
      const interpolation = rng.pick(["nearest", "bilinear"] as const);
      const expand = rng.bool(0.4);
      const center = rng.bool(0.3) ? ([rng.int(0, 10), rng.int(0, 10)] as [number, number]) : null;
      const fill = rng.pick([null, null, 0, dtype === "uint8" ? 200 : 0.7, Array.from({ length: C }, (_, c) => (dtype === "uint8" ? 10 * c : c / 4))]);
      cases.push({
        name: `rotate ${dtype} ${JSON.stringify(spec.shape)} ${angle} ${interpolation} expand=${expand} center=${JSON.stringify(center)} fill=${JSON.stringify(fill)}`,
        inputs: [spec],
        ts: (x) => F.rotate(x, angle, { interpolation, expand, center, fill }),
        py: tv(`TF.rotate(x0, ${angle}, interpolation=IM.${interpolation.toUpperCase()}, expand=${py(expand)}, center=${py(center)}, fill=${py(fill)})`),
        // The grid is computed in the same float32 ops; PyTorch's bmm may fuse a multiply-add.
        rtol: 1e-5,
        atol: 1e-6,
        gradRtol: 1e-5,
        gradAtol: 1e-6,
      });
    }
    for (let k = 0; k < 20; k++) {
      const dtype = rng.pick(DTYPES);
      const spec = imageSpec(dtype, { minSize: 2, maxSize: 12 });
      const seed = rng.int(0, 1_000_000);
      const degrees = rng.pick([30, 180, [10, 80]] as Array<number | [number, number]>);
      const interpolation = rng.pick(["nearest", "bilinear"] as const);
      const expand = rng.bool(0.3);
      const fill = rng.pick([0, dtype === "uint8" ? 128 : 0.5]);
      cases.push({
        name: `RandomRotation(${JSON.stringify(degrees)}) ${dtype} ${JSON.stringify(spec.shape)} ${interpolation} expand=${expand} fill=${fill} seed=${seed}`,
        inputs: [spec],
        ts: (x) => new T.RandomRotation(degrees, { interpolation, expand, fill, generator: new torch.Generator().manualSeed(seed) })(x) as Tensor,
        py: `${HEAD}torch.manual_seed(${seed})\nout = T.RandomRotation(${py(degrees)}, interpolation=IM.${interpolation.toUpperCase()}, expand=${py(expand)}, fill=${fill})(x0)`,
        rtol: 1e-5,
        atol: 1e-6,
        gradRtol: 1e-5,
        gradAtol: 1e-6,
      });
    }
    expectClean(await runDifferential("vision.rotate", cases), 80);
  });

  it("minMaxNormalize and zScoreNormalize against their formulas in PyTorch", async () => {
    rng = new Rng(20240908);
    const cases: DiffCase[] = [];
    for (let k = 0; k < 16; k++) {
      const dtype = rng.pick(["float32", "float64"] as DType[]);
      const spec: InputSpec = { ...imageSpec(dtype, { batch: true }), values: rng.bool(0.2) ? "ties" : "normal" };
      const per = rng.bool();
      const dims = per ? "(-2, -1)" : "(-3, -2, -1)";
      const range: [number, number] = rng.pick([[0, 1], [-1, 1], [0, 255]] as Array<[number, number]>);
      cases.push({
        name: `minMaxNormalize ${dtype} ${JSON.stringify(spec.shape)} per=${per} ${range}`,
        inputs: [spec],
        ts: (x) => F.minMaxNormalize(x, { range, perChannel: per }),
        py: `mn = x0.amin(${dims}, keepdim=True)\nsp = x0.amax(${dims}, keepdim=True) - mn\nsp = torch.where(sp == 0, torch.ones_like(sp), sp)\nout = (x0 - mn) / sp * ${range[1] - range[0]} + ${range[0]}`,
      });
      cases.push({
        name: `zScoreNormalize ${dtype} ${JSON.stringify(spec.shape)} per=${per}`,
        inputs: [spec],
        ts: (x) => F.zScoreNormalize(x, { perChannel: per }),
        py: `m = x0.mean(${dims}, keepdim=True)\nc = x0 - m\nn = ${per ? "x0.shape[-1] * x0.shape[-2]" : "x0.shape[-1] * x0.shape[-2] * x0.shape[-3]"}\ns = (c * c).mean(${dims}, keepdim=True).sqrt()\nout = c / torch.maximum(s, torch.full_like(s, 1 / math.sqrt(n)))`,
      });
    }
    expectClean(await runDifferential("vision.standardize", cases), 30);
  });
});
