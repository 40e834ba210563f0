/**
 * torchvision transforms: hand-derived cases, Images through the tensor path, gradcheck of the resize
 * primitive, seeded reproducibility and statistics of the random transforms, and the errors for bad input
 * (each names the transform). Agreement with torchvision itself is in diff-transforms.test.ts.
 */
import { describe, expect, it } from "vitest";
import * as torch from "../src/index.js";
import { Tensor } from "../src/tensor.js";
import { Image } from "../src/vision/image.js";
import * as T from "../src/vision/transforms/index.js";

const F = T.functional;
const { gradcheck } = torch.autograd;

const u8 = (data: unknown): Tensor => torch.tensor(data as number[], { dtype: "uint8" });
const f32 = (data: unknown): Tensor => torch.tensor(data as number[], { dtype: "float32" });
const list = (t: unknown): unknown => (t as Tensor).tolist();

describe("geometric transforms (hand-derived)", () => {
  const x = torch.arange(12, { dtype: "float32" }).view(1, 3, 4);

  it("flips mirror the last one or two dims", () => {
    expect(list(F.hflip(x))).toEqual([[[3, 2, 1, 0], [7, 6, 5, 4], [11, 10, 9, 8]]]);
    expect(list(F.vflip(x))).toEqual([[[8, 9, 10, 11], [4, 5, 6, 7], [0, 1, 2, 3]]]);
  });

  it("crop takes a box and zero-fills what lies outside the image", () => {
    expect(list(F.crop(x, 1, 1, 2, 2))).toEqual([[[5, 6], [9, 10]]]);
    expect(list(F.crop(x, -1, 2, 2, 3))).toEqual([[[0, 0, 0], [2, 3, 0]]]);
  });

  it("centerCrop rounds an odd margin as Python's round (ties to even) and pads small images", () => {
    // Margins (3 − 2) / 2 = 0.5 → 0 and (4 − 1) / 2 = 1.5 → 2.
    expect(list(F.centerCrop(x, [2, 1]))).toEqual([[[2], [6]]]);
    expect(list(F.centerCrop(f32([[[1, 2]]]), [3, 4]))).toEqual([[[0, 0, 0, 0], [0, 1, 2, 0], [0, 0, 0, 0]]]);
  });

  it("pad modes: constant, edge, reflect, symmetric; negative padding crops", () => {
    const r = f32([[[1, 2, 3, 4]]]);
    expect(list(F.pad(r, [2, 0], 9))).toEqual([[[9, 9, 1, 2, 3, 4, 9, 9]]]);
    expect(list(F.pad(r, [2, 0], 0, "edge"))).toEqual([[[1, 1, 1, 2, 3, 4, 4, 4]]]);
    expect(list(F.pad(r, [2, 0], 0, "reflect"))).toEqual([[[3, 2, 1, 2, 3, 4, 3, 2]]]);
    expect(list(F.pad(r, [2, 0], 0, "symmetric"))).toEqual([[[2, 1, 1, 2, 3, 4, 4, 3]]]);
    expect(list(F.pad(r, [-1, 0, 1, 0], 0, "symmetric"))).toEqual([[[2, 3, 4, 4]]]);
    expect(F.pad(x, [1, 2, 3, 4]).shape).toEqual([1, 3 + 2 + 4, 4 + 1 + 3]);
  });

  it("resize: the shorter side rule, maxSize, the identity, and a constant image staying constant", () => {
    expect(F.resize(torch.rand(3, 32, 48), 16).shape).toEqual([3, 16, 24]);
    expect(F.resize(torch.rand(3, 48, 32), 16).shape).toEqual([3, 24, 16]);
    // 16 × 100 / 10 = 160 > maxSize 40: the longer side becomes 40 and the shorter ⌊40 · 16 / 160⌋ = 4.
    expect(F.resize(torch.rand(1, 10, 100), 16, { maxSize: 40 }).shape).toEqual([1, 4, 40]);
    const same = torch.rand(3, 5, 5);
    expect(F.resize(same, [5, 5])).toBe(same);
    // (Up to float32 rounding: the normalized filter weights need not sum to exactly 1, in PyTorch too.)
    for (const opts of [{}, { antialias: false }, { interpolation: "nearest" as const }]) {
      const out = F.resize(torch.full([2, 7, 9], 0.25), [4, 13], opts);
      for (const v of out.toTypedArray()) expect(Math.abs(v - 0.25)).toBeLessThanOrEqual(2 ** -24);
    }
    // Downscaling by 2 with antialias averages pairs: the triangle filter spans 4 taps, weights 1:3:3:1.
    const row = F.resize(f32([[[0, 8, 16, 24]]]), [1, 2]);
    expect(list(row)).toEqual([[[(0 * 3 + 8 * 3 + 16 * 1) / 7, (8 * 1 + 16 * 3 + 24 * 3) / 7].map(Math.fround)]]);
  });

  it("resize is differentiable: gradcheck in float64 for every mode", () => {
    for (const [size, opts] of [
      [[3, 7], { antialias: true }],
      [[9, 4], { antialias: true }],
      [[3, 7], { antialias: false }],
      [[9, 4], { interpolation: "nearest" as const }],
    ] as const) {
      const x = torch.rand(2, 5, 6, { dtype: "float64", requiresGrad: true });
      expect(gradcheck((t) => F.resize(t, size as unknown as number[], opts), [x])).toBe(true);
    }
    const y = F.resize(torch.rand(1, 4, 4, { requiresGrad: true }), [2, 2]);
    expect(y.gradFn?.name).toBe("UpsampleBilinear2DAaBackward0");
  });

  it("uint8 images are resized in float32 and rounded half to even", () => {
    // 1 and 2 averaged with equal weights is 1.5, which rounds to 2; 2 and 3 give 2.5 → 2.
    expect(list(F.resize(u8([[[1, 2, 2, 3]]]), [1, 2], { antialias: false }))).toEqual([[[2, 2]]]);
  });
});

describe("color transforms (hand-derived)", () => {
  it("grayscale uses torchvision's weights 0.2989, 0.587, 0.114", () => {
    const g = F.rgbToGrayscale(torch.ones(3, 1, 2));
    expect(g.shape).toEqual([1, 1, 2]);
    expect(g.toTypedArray()[0]).toBe(Math.fround(Math.fround(Math.fround(0.2989) + Math.fround(0.587)) + Math.fround(0.114)));
    expect(F.rgbToGrayscale(torch.ones(3, 1, 2), 3).shape).toEqual([3, 1, 2]);
    // uint8: 0.2989·100 + 0.587·50 + 0.114·200 = 82.24 → 82 (truncated).
    expect(list(F.rgbToGrayscale(u8([[[100]], [[50]], [[200]]])))).toEqual([[[82]]]);
  });

  it("brightness, contrast and saturation blend toward black, the mean gray and the grayscale image", () => {
    expect(list(F.adjustBrightness(f32([[[0.25, 0.75]]]), 2))).toEqual([[[0.5, 1]]]);
    expect(list(F.adjustContrast(f32([[[0.25, 0.75]]]), 0))).toEqual([[[0.5, 0.5]]]);
    const sat0 = F.adjustSaturation(f32([[[1]], [[0]], [[0]]]), 0);
    expect(Array.from(sat0.toTypedArray())).toEqual(Array(3).fill(Math.fround(0.2989)));
    expect(list(F.adjustBrightness(u8([[[100, 200]]]), 1.5))).toEqual([[[150, 255]]]);
  });

  it("hue rotates: red by a third of the circle is green; one-channel images pass through", () => {
    const g = F.adjustHue(f32([[[1]], [[0]], [[0]]]), 1 / 3);
    expect(Array.from(g.toTypedArray()).map((v) => Math.round(v * 1e6) / 1e6)).toEqual([0, 1, 0]);
    const gray = f32([[[0.3]]]);
    expect(F.adjustHue(gray, 0.2)).toBe(gray);
  });

  it("equalize, invert, posterize, solarize, autocontrast, gamma", () => {
    // Histogram {0: 2, 100: 1, 200: 1}: step = ⌊(4 − 1) / 255⌋ = 0 keeps the image.
    expect(list(F.equalize(u8([[[0, 0, 100, 200]]])))).toEqual([[[0, 0, 100, 200]]]);
    // 510 each of 0, 100 and 200: step = ⌊(510 + 510) / 255⌋ = 4 and lut[v] = ⌊(cumsum[v − 1] + 2) / 4⌋:
    // 0 → 0, 100 → ⌊512 / 4⌋ = 128, 200 → ⌊1022 / 4⌋ = 255.
    const three = torch.cat([torch.zeros(510), torch.full([510], 100), torch.full([510], 200)]).to("uint8").view(1, 30, 51);
    const eq = Array.from(F.equalize(three).toTypedArray());
    expect([eq[0], eq[510], eq[1020]]).toEqual([0, 128, 255]);
    expect(list(F.invert(u8([[[0, 100]]])))).toEqual([[[255, 155]]]);
    expect(list(F.posterize(u8([[[200, 63]]]), 2))).toEqual([[[192, 0]]]);
    expect(list(F.solarize(f32([[[0.25, 0.75]]]), 0.5))).toEqual([[[0.25, 0.25]]]);
    expect(list(F.autocontrast(f32([[[0.25, 0.5]]])))).toEqual([[[0, 1]]]);
    expect(list(F.adjustGamma(f32([[[0.25]]]), 0.5))).toEqual([[[0.5]]]);
  });

  it("convertImageDtype and toImage", () => {
    expect(list(F.convertImageDtype(u8([[[0, 255]]]), "float32"))).toEqual([[[0, 1]]]);
    // float → uint8 multiplies by 255.999 and truncates: only 1.0 reaches 255.
    expect(list(F.convertImageDtype(f32([[[0.5, 0.999, 1]]]), "uint8"))).toEqual([[[127, 255, 255]]]);
    const im = F.toImage(f32([[[0.5, 1]], [[0, 0.2]], [[1, 1]]]));
    expect([im.mode, im.width, im.height, Array.from(im.data)]).toEqual(["RGB", 2, 1, [127, 0, 255, 255, 51, 255]]);
  });

  it("minMaxNormalize and zScoreNormalize", () => {
    expect(list(F.minMaxNormalize(f32([[[2, 4, 6]]])))).toEqual([[[0, 0.5, 1]]]);
    expect(list(F.minMaxNormalize(f32([[[2, 4, 6]]]), { range: [-1, 1] }))).toEqual([[[-1, 0, 1]]]);
    expect(list(F.minMaxNormalize(f32([[[3, 3]]])))).toEqual([[[0, 0]]]);
    expect(list(F.minMaxNormalize(f32([[[0, 2]], [[10, 30]]]), { perChannel: true }))).toEqual([[[0, 1]], [[0, 1]]]);
    expect(list(F.zScoreNormalize(f32([[[1, 3]]])))).toEqual([[[-1, 1]]]);
    // A constant image: (x − mean) / (1/√N) = 0.
    expect(list(F.zScoreNormalize(f32([[[5, 5, 5, 5]]])))).toEqual([[[0, 0, 0, 0]]]);
    const z = F.zScoreNormalize(torch.randn(2, 3, 8, 8).mul(3).add(5));
    for (const img of torch.unbind(z, 0)) {
      expect(torch.mean(img).item()).toBeCloseTo(0, 5);
      expect(torch.mean(torch.mul(img, img)).item()).toBeCloseTo(1, 4);
    }
  });
});

describe("Images come back as Images; geometric transforms equal the tensor path", () => {
  const rgb = new Image(4, 3, "RGB", Uint8Array.from({ length: 36 }, (_, i) => (i * 7) % 256));

  it("keeps the mode (or sets it by channel count) and equals the tensor result", () => {
    const viaTensor = (f: (t: Tensor) => Tensor): Image => F.toImage(f(F.pilToTensor(rgb)));
    for (const [name, onImage, onTensor] of [
      ["hflip", (im: Image) => F.hflip(im), (t: Tensor) => F.hflip(t)],
      ["crop", (im: Image) => F.crop(im, 1, 1, 2, 2), (t: Tensor) => F.crop(t, 1, 1, 2, 2)],
      ["pad", (im: Image) => F.pad(im, 1, 5, "constant"), (t: Tensor) => F.pad(t, 1, 5, "constant")],
      ["vflip + centerCrop", (im: Image) => F.centerCrop(F.vflip(im), 2), (t: Tensor) => F.centerCrop(F.vflip(t), 2)],
    ] as const) {
      const a = onImage(rgb);
      const b = viaTensor(onTensor);
      expect(a, name).toBeInstanceOf(Image);
      expect([a.mode, a.width, a.height], name).toEqual([b.mode, b.width, b.height]);
      expect(Array.from(a.data), name).toEqual(Array.from(b.data));
    }
    // Color adjustments of Images follow Pillow (checked against it in diff-transforms.test.ts): brightness
    // 0.7 of 100 is ⌊float32(0.7) · 100⌋ = 69, where the tensor path also gives 70 − 1 = 69 or 70.
    const dim = F.adjustBrightness(new Image(1, 1, "L", Uint8Array.of(100)), 0.7);
    expect(Array.from(dim.data)).toEqual([Math.trunc(Math.fround(Math.fround(0.7) * 100))]);
    const gray3 = new T.Grayscale(3)(rgb) as Image;
    expect(gray3.mode).toBe("RGB");
    expect(new T.Grayscale()(rgb)).toHaveProperty("mode", "L");
    const pipeline = new T.Compose([new T.RandomCrop(2, { generator: new torch.Generator().manualSeed(1) }), new T.ToTensor()]);
    expect((pipeline(rgb) as Tensor).shape).toEqual([3, 2, 2]);
  });
});

describe("random transforms", () => {
  const x = torch.rand(3, 16, 16);

  it("are reproducible under a seed, globally or through a Generator, and leave the global stream alone", () => {
    const runs = (): Tensor[] => {
      const ts = [new T.RandomResizedCrop(8), new T.RandomCrop(10, { padding: 2 }), new T.ColorJitter({ brightness: 0.5, hue: 0.2 }), new T.RandomHorizontalFlip()];
      return ts.map((t) => t(x) as Tensor);
    };
    torch.manualSeed(7);
    const a = runs();
    torch.manualSeed(7);
    const b = runs();
    a.forEach((t, i) => expect(Array.from(t.toTypedArray())).toEqual(Array.from(b[i].toTypedArray())));
    torch.manualSeed(8);
    const c = runs();
    expect(a.some((t, i) => t.shape.join() !== c[i].shape.join() || Array.from(t.toTypedArray()).join() !== Array.from(c[i].toTypedArray()).join())).toBe(true);

    torch.manualSeed(123);
    const before = torch.rand(1).item();
    torch.manualSeed(123);
    const g = new torch.Generator().manualSeed(5);
    new T.RandomResizedCrop(8, { generator: g })(x);
    new T.ColorJitter({ contrast: 0.3, generator: g })(x);
    expect(torch.rand(1).item()).toBe(before);
  });

  it("RandomHorizontalFlip flips with probability p", () => {
    const g = new torch.Generator().manualSeed(11);
    const t = new T.RandomHorizontalFlip(0.3, { generator: g });
    const img = f32([[[0, 1]]]);
    let flips = 0;
    const n = 4000;
    for (let i = 0; i < n; i++) if ((t(img) as Tensor).toTypedArray()[0] === 1) flips++;
    // Binomial(4000, 0.3): σ ≈ 29; allow 4σ.
    expect(Math.abs(flips - 0.3 * n)).toBeLessThan(4 * Math.sqrt(n * 0.3 * 0.7));
  });

  it("RandomCrop draws every offset uniformly", () => {
    const g = new torch.Generator().manualSeed(3);
    const counts = new Map<string, number>();
    const img = torch.zeros(1, 5, 6);
    const n = 6000;
    for (let k = 0; k < n; k++) {
      const [i, j] = T.RandomCrop.getParams(img, [3, 3], g);
      counts.set(`${i},${j}`, (counts.get(`${i},${j}`) ?? 0) + 1);
    }
    expect(counts.size).toBe(3 * 4);
    const e = n / 12;
    let chi2 = 0;
    for (const c of counts.values()) chi2 += (c - e) ** 2 / e;
    // χ² with 11 degrees of freedom: P(χ² > 31.3) < 0.001.
    expect(chi2).toBeLessThan(31.3);
  });

  it("RandomResizedCrop boxes respect scale and ratio, and fall back to a center crop", () => {
    const g = new torch.Generator().manualSeed(9);
    const img = torch.zeros(1, 100, 120);
    const logRatios: number[] = [];
    for (let k = 0; k < 500; k++) {
      const [i, j, h, w] = T.RandomResizedCrop.getParams(img, [0.3, 0.6], [0.5, 2], g);
      expect(i >= 0 && j >= 0 && i + h <= 100 && j + w <= 120).toBe(true);
      // Rounding w and h moves the area and ratio by at most a pixel's worth.
      expect(h * w).toBeGreaterThan(0.3 * 12000 - (h + w + 1));
      expect(h * w).toBeLessThan(0.6 * 12000 + (h + w + 1));
      logRatios.push(Math.log(w / h));
    }
    const meanLog = logRatios.reduce((a, b) => a + b, 0) / logRatios.length;
    expect(Math.abs(meanLog)).toBeLessThan(0.1);
    // No box of area ≥ 4× the image fits: 10 tries fail, and the fallback is the whole image (ratio in range).
    expect(T.RandomResizedCrop.getParams(torch.zeros(1, 10, 10), [4, 5], [0.9, 1.1], g)).toEqual([0, 0, 10, 10]);
    // A 10×40 image (ratio 4) with ratio ≤ 2: the fallback keeps the height and crops the width to 20.
    expect(T.RandomResizedCrop.getParams(torch.zeros(1, 10, 40), [4, 5], [0.5, 2], g)).toEqual([0, 10, 10, 20]);
  });

  it("ColorJitter draws factors inside its ranges and every order of the four adjustments", () => {
    const g = new torch.Generator().manualSeed(21);
    const orders = new Set<string>();
    for (let k = 0; k < 400; k++) {
      const [order, b, c, s, h] = T.ColorJitter.getParams([0.5, 1.5], [0.8, 1.2], null, [-0.1, 0.1], g);
      orders.add(order.join(""));
      expect(b! >= 0.5 && b! < 1.5 && c! >= 0.8 && c! < 1.2 && h! >= -0.1 && h! < 0.1).toBe(true);
      expect(s).toBeNull();
    }
    expect(orders.size).toBe(24);
    expect(new T.ColorJitter({ brightness: 0.5 }).brightness).toEqual([0.5, 1.5]);
    expect(new T.ColorJitter({ brightness: 2 }).brightness).toEqual([0, 3]);
    expect(new T.ColorJitter({ hue: 0 }).hue).toBeNull();
  });

  it("RandomApply applies with probability p", () => {
    const g = new torch.Generator().manualSeed(2);
    let applied = 0;
    const t = new T.RandomApply([(v: number) => v + 1], 0.75, { generator: g });
    for (let i = 0; i < 2000; i++) applied += (t(0) as number) === 1 ? 1 : 0;
    expect(Math.abs(applied - 1500)).toBeLessThan(4 * Math.sqrt(2000 * 0.75 * 0.25));
  });
});

describe("bad input gives errors that name the transform", () => {
  const rgba = torch.rand(4, 5, 5);
  it("wrong types", () => {
    expect(() => new T.Resize(4)(42 as unknown as Tensor)).toThrow(/^Resize: img should be an Image or a Tensor\. Got number/);
    expect(() => F.hflip("img" as unknown as Tensor)).toThrow(/^hflip: img should be an Image or a Tensor\. Got string/);
    expect(() => new T.ColorJitter({ brightness: 0.2 })(null as unknown as Tensor)).toThrow(/^ColorJitter: img should be an Image or a Tensor\. Got null/);
    expect(() => new T.MinMaxNormalize()(new Image(1, 1, "L", Uint8Array.of(0)) as unknown as Tensor)).toThrow(/^MinMaxNormalize: input should be a float Tensor .* Got Image/);
    expect(() => F.toImage([1, 2] as unknown as Tensor)).toThrow(/^toImage: pic should be Tensor\. Got Array/);
    expect(() => new T.Compose({} as unknown as T.Transform[])).toThrow(/^Compose: expected an array of transforms/);
    expect(() => new T.Compose([new T.ToTensor(), 3 as unknown as T.Transform])).toThrow(/^Compose: transform 1 is not callable \(got number\)/);
    expect(() => new T.Lambda("x" as unknown as () => void)).toThrow(/^Lambda: argument should be callable, got string/);
    expect(() => new T.PILToTensor()(torch.rand(3, 2, 2) as unknown as Image)).toThrow(/^PILToTensor: pic should be an Image\. Got Tensor/);
    expect(() => new T.ToTensor()(torch.zeros(1, 2, 2, 1))).toThrow(/^ToTensor: pic should be 2\/3 dimensional\. Got 4 dimensions\./);
  });

  it("wrong dims", () => {
    expect(() => new T.CenterCrop(2)(torch.rand(5))).toThrow(/^CenterCrop: Tensor is not a torch image: expected at least 2 dims/);
    expect(() => new T.Resize(2)(torch.rand(5, 5))).toThrow(/^Resize: expected a tensor image of shape \(…, C, H, W\), got shape \[5, 5\]/);
    expect(() => new T.Grayscale()(torch.rand(3, 3))).toThrow(/^Grayscale: Input image tensor should have at least 3 dimensions, but found 2/);
    expect(() => F.equalize(u8([[1, 2]]))).toThrow(/^equalize: Input image tensor should have 3 or 4 dimensions, but found 2/);
    expect(() => F.toImage(torch.rand(1, 1, 2, 2))).toThrow(/^toImage: pic should be 2\/3 dimensional\. Got 4 dimensions\./);
  });

  it("wrong channels", () => {
    expect(() => F.adjustHue(rgba, 0.1)).toThrow(/^adjustHue: Input image tensor permitted channel values are \[1, 3\], but found 4/);
    expect(() => new T.ColorJitter({ saturation: 0.5 })(rgba)).toThrow(/^ColorJitter: Input image tensor permitted channel values are \[1, 3\], but found 4/);
    expect(() => new T.Grayscale()(torch.rand(2, 3, 3))).toThrow(/^Grayscale: Input image tensor permitted channel values are \[1, 3\], but found 2/);
    expect(() => F.toImage(torch.rand(2, 3, 3))).toThrow(/^toImage: an Image has 1 \(L\), 3 \(RGB\) or 4 \(RGBA\) channels, got 2/);
    expect(() => F.toImage(torch.rand(5, 3, 3))).toThrow(/^toImage: pic should not have > 4 channels\. Got 5 channels\./);
  });

  it("wrong dtypes and arguments", () => {
    expect(() => F.posterize(torch.rand(3, 2, 2), 4)).toThrow(/^posterize: Only uint8 image tensors are supported, but found float32/);
    expect(() => new T.Normalize([0.5], [0.5])(u8([[[1]]]))).toThrow(/^Normalize: input tensor should be a float tensor/);
    expect(() => F.convertImageDtype(torch.rand(1, 2, 2), "int32")).toThrow(/^convertImageDtype: The cast from float32 to int32 cannot be performed safely/);
    expect(() => F.resize(torch.rand(1, 2, 2).to("bool"), [3, 3])).toThrow(/^resize: cannot resize a bool tensor/);
    expect(() => new T.Resize([1, 2, 3])).toThrow(/^Resize: Size must be an int or a 1 or 2 element tuple\/list, not a 3 element/);
    expect(() => new T.Resize([4, 4], { maxSize: 10 })).toThrow(/^Resize: max_size should only be passed if size specifies the length of the smaller edge/);
    expect(() => new T.Resize(4, { interpolation: "bicubic" as "bilinear" })).toThrow(/^Resize: interpolation must be "bilinear" or "nearest", got "bicubic"/);
    expect(() => new T.Resize(4, { interpolation: "nearest", antialias: true })).toThrow(/^Resize: Antialias option is supported for bilinear interpolation only/);
    expect(() => F.resize(torch.rand(1, 4, 4), 4, { maxSize: 3 })).toThrow(/^resize: max_size = 3 must be strictly greater than the requested size/);
    expect(() => new T.Pad(1, 0, "wrap" as T.PaddingMode)).toThrow(/^Pad: Padding mode should be either constant, edge, reflect or symmetric, got "wrap"/);
    expect(() => new T.Pad([1, 2, 3])).toThrow(/^Pad: Padding must be an int or a 1, 2, or 4 element tuple, not a 3 element tuple/);
    expect(() => new T.Pad(2, 0, "reflect")(torch.rand(1, 2, 2))).toThrow(/^Pad: /);
    expect(() => new T.Pad(3, 0, "symmetric")(torch.rand(1, 2, 2))).toThrow(/^Pad: symmetric padding \(3, 3\) is larger than the height 2 of the image/);
    expect(() => new T.RandomCrop(8)(torch.rand(1, 5, 5))).toThrow(/^RandomCrop: Required crop size \(8, 8\) is larger than input image size \(5, 5\)/);
    expect(() => new T.CenterCrop([1, 2, 3])).toThrow(/^CenterCrop: Please provide only two dimensions \(h, w\) for size/);
    expect(() => new T.ColorJitter({ hue: [-0.7, 0.7] })).toThrow(/^ColorJitter: hue values should be between \(-0\.5, 0\.5\)/);
    expect(() => new T.ColorJitter({ brightness: -1 })).toThrow(/^ColorJitter: If brightness is a single number, it must be non negative/);
    expect(() => new T.RandomHorizontalFlip(1.5)).toThrow(/^RandomHorizontalFlip: p should be a probability in \[0, 1\], got 1\.5/);
    expect(() => F.adjustBrightness(torch.rand(3, 2, 2), -1)).toThrow(/^adjustBrightness: brightness_factor \(-1\) is not non-negative/);
    expect(() => F.adjustHue(torch.rand(3, 2, 2), 0.6)).toThrow(/^adjustHue: hue_factor \(0\.6\) is not in \[-0\.5, 0\.5\]/);
    expect(() => new T.Grayscale(2)).toThrow(/^Grayscale: num_output_channels should be either 1 or 3, got 2/);
    expect(() => F.solarize(u8([[[1]]]), 300)).toThrow(/^solarize: Threshold should be less than bound of img \(255\)/);
    expect(() => new T.MinMaxNormalize({ range: [1, 0] })).toThrow(/^MinMaxNormalize: range should be \[lo, hi\] with lo <= hi/);
    expect(() => new T.ZScoreNormalize()(u8([[[1]]]))).toThrow(/^ZScoreNormalize: input tensor should be a float tensor\. Got uint8/);
    expect(() => new T.RandomCrop(2, { generator: {} as torch.Generator })(torch.rand(1, 4, 4))).toThrow(/^RandomCrop: generator must be a torch\.Generator/);
  });
});

describe("rotation", () => {
  it("quarter turns move pixels exactly; expand swaps H and W; fill paints what came from outside", () => {
    const x = f32([[[1, 2], [3, 4]]]);
    expect(list(F.rotate(x, 90))).toEqual([[[2, 4], [1, 3]]]);
    expect(list(F.rotate(x, -90))).toEqual([[[3, 1], [4, 2]]]);
    expect(list(F.rotate(x, 180, { interpolation: "bilinear" }))).toEqual([[[4, 3], [2, 1]]]);
    // Odd sides, so the sampling points land on pixel centers (even/odd mixes put them on ties, which
    // nearest rounds half to even, as grid_sample does).
    const wide = torch.arange(15, { dtype: "float32" }).view(1, 3, 5);
    expect(list(F.rotate(wide, 90, { expand: true }))).toEqual([[[4, 9, 14], [3, 8, 13], [2, 7, 12], [1, 6, 11], [0, 5, 10]]]);
    // Without expand the ends of a 3x5 image turned a quarter come from outside it.
    expect(list(F.rotate(wide, 90, { fill: 99 }))).toEqual([[[99, 3, 8, 13, 99], [99, 2, 7, 12, 99], [99, 1, 6, 11, 99]]]);
    expect(list(F.rotate(u8([[[1, 2], [3, 4]]]), 90))).toEqual([[[2, 4], [1, 3]]]);
  });

  it("an Image goes through its pixels and comes back an Image; a batch rotates image by image", () => {
    const img = new Image(2, 2, "RGB", Uint8Array.from([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]));
    const out = F.rotate(img, 90);
    expect(out).toBeInstanceOf(Image);
    expect(list(new T.PILToTensor()(out))).toEqual(list(F.rotate(new T.PILToTensor()(img), 90)));
    const batch = torch.rand(2, 3, 4, 5);
    const one = F.rotate(batch, 33, { interpolation: "bilinear" });
    expect(list(one.select(0, 1))).toEqual(list(F.rotate(batch.select(0, 1), 33, { interpolation: "bilinear" })));
  });

  it("the float result is differentiable (gradcheck, float64)", () => {
    const x = torch.rand(2, 4, 5, { dtype: "float64", requiresGrad: true });
    expect(gradcheck((t: Tensor) => F.rotate(t, 27, { interpolation: "bilinear", fill: [0.5, 1] }), [x])).toBe(true);
    expect(gradcheck((t: Tensor) => F.rotate(t, -61, { expand: true }), [x])).toBe(true);
  });

  it("RandomRotation draws its angle as torch.empty(1).uniform_(lo, hi), reproducibly", () => {
    const g = (s: number) => new torch.Generator().manualSeed(s);
    const x = torch.rand(3, 6, 6);
    const t = new T.RandomRotation([10, 80], { interpolation: "bilinear", generator: g(5) });
    const angle = T.RandomRotation.getParams([10, 80], g(5));
    expect(angle).toBeGreaterThanOrEqual(10);
    expect(angle).toBeLessThan(80);
    expect(list(t(x))).toEqual(list(F.rotate(x, angle, { interpolation: "bilinear", fill: [0, 0, 0] })));
    expect(new T.RandomRotation(30).degrees).toEqual([-30, 30]);
  });

  it("errors and repr as torchvision's", () => {
    expect(() => new T.RandomRotation(-3)).toThrow(/^RandomRotation: If degrees is a single number, it must be positive\.$/);
    expect(() => new T.RandomRotation([1, 2, 3])).toThrow(/^RandomRotation: degrees should be a sequence of length 2\.$/);
    expect(() => new T.RandomRotation(3, { center: [1] as unknown as [number, number] })).toThrow(/^RandomRotation: center should be a sequence of length 2\./);
    expect(() => F.rotate(torch.zeros(3, 4, 4), 10, { fill: [1, 2] })).toThrow(
      "rotate: The number of elements in 'fill' cannot broadcast to match the number of channels of the image (2 != 3)",
    );
    expect(() => F.rotate(torch.zeros(3, 4, 4), 10, { interpolation: "bicubic" as "nearest" })).toThrow("rotate: Interpolation mode 'bicubic' is unsupported with Tensor input");
    expect(() => F.rotate(torch.zeros(4, 4), 10)).toThrow(/^rotate: expected a \(C, H, W\) or \(N, C, H, W\) tensor image, got shape \[4, 4\]/);
    expect(() => F.rotate("img" as unknown as Tensor, 10)).toThrow(/^rotate: img should be an Image or a Tensor\. Got string/);
    expect(() => F.rotate(torch.zeros(1, 2, 2), Number.NaN)).toThrow(/^rotate: Argument angle should be int or float/);
    expect(String(new T.RandomRotation(30))).toBe("RandomRotation(degrees=[-30.0, 30.0], interpolation=nearest, expand=False, fill=0)");
    expect(String(new T.RandomRotation([10, 80.5], { interpolation: "bilinear", expand: true, center: [1, 2], fill: [1, 2, 3] }))).toBe(
      "RandomRotation(degrees=[10.0, 80.5], interpolation=bilinear, expand=True, center=[1, 2], fill=[1, 2, 3])",
    );
  });
});

describe("repr", () => {
  it("prints like torchvision", () => {
    const c = new T.Compose([new T.Resize(256), new T.CenterCrop(224), new T.RandomHorizontalFlip(0.3), new T.ColorJitter({ brightness: 0.4 }), new T.ToTensor()]);
    expect(String(c)).toBe(
      "Compose(\n" +
        "    Resize(size=256, interpolation=bilinear, max_size=None, antialias=true)\n" +
        "    CenterCrop(size=(224, 224))\n" +
        "    RandomHorizontalFlip(p=0.3)\n" +
        "    ColorJitter(brightness=[0.6, 1.4], contrast=None, saturation=None, hue=None)\n" +
        "    ToTensor()\n" +
        ")",
    );
  });
});
