/**
 * `vision.utils.makeGrid` and `saveImage`: hand-derived layouts, errors, and differential tests against
 * torchvision 0.14's `make_grid` (every option, exact) and `save_image` (the written PNG's bytes, exact).
 */
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import * as torch from "../src/index.js";
import { Tensor } from "../src/tensor.js";
import { makeGrid, saveImage, gridToImage } from "../src/vision/utils.js";
import { decodeImage } from "../src/vision/io.js";
import { type DiffCase, type InputSpec, Rng, expectClean, runDifferential } from "./oracle/differential.js";

const dir = mkdtempSync(join(tmpdir(), "torch-ts-vision-utils-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("makeGrid", () => {
  it("lays out N images in min(nrow, N) columns and ceil(N / columns) rows, padded between and around", () => {
    // Three 1×2×2 images with values 1, 2, 3; nrow 2, padding 1, pad value 9.
    const imgs = torch.stack([1, 2, 3].map((v) => torch.full([1, 2, 2], v)), 0);
    const g = makeGrid(imgs, { nrow: 2, padding: 1, padValue: 9 });
    expect(g.shape).toEqual([3, 2 * (2 + 1) + 1, 2 * (2 + 1) + 1]);
    const rows = (g.tolist() as number[][][])[0];
    expect(rows).toEqual([
      [9, 9, 9, 9, 9, 9, 9],
      [9, 1, 1, 9, 2, 2, 9],
      [9, 1, 1, 9, 2, 2, 9],
      [9, 9, 9, 9, 9, 9, 9],
      [9, 3, 3, 9, 9, 9, 9],
      [9, 3, 3, 9, 9, 9, 9],
      [9, 9, 9, 9, 9, 9, 9],
    ]);
    // One-channel images are repeated into three identical channels.
    const [r, gg, b] = g.tolist() as number[][][];
    expect(gg).toEqual(r);
    expect(b).toEqual(r);
  });

  it("returns a single image unpadded, and accepts (H, W), (C, H, W) and lists", () => {
    expect(makeGrid(torch.zeros(5, 7)).shape).toEqual([3, 5, 7]);
    expect(makeGrid(torch.zeros(3, 5, 7)).shape).toEqual([3, 5, 7]);
    expect(makeGrid(torch.zeros(1, 2, 5, 7)).shape).toEqual([2, 5, 7]);
    expect(makeGrid([torch.zeros(3, 4, 4), torch.ones(3, 4, 4)], { padding: 0 }).shape).toEqual([3, 4, 8]);
    expect(makeGrid(torch.rand(10, 1, 28, 28), { nrow: 5 }).shape).toEqual([3, 62, 152]);
  });

  it("normalizes to [0, 1] by the batch's range, by valueRange, or per image", () => {
    const x = torch.tensor([[[[0, 2]]], [[[4, 8]]]], { dtype: "float32" });
    const g = makeGrid(x, { normalize: true, padding: 0 });
    expect((g.tolist() as number[][][])[0]).toEqual([[0, 0.25, 0.5, 1]]);
    const each = makeGrid(x, { normalize: true, scaleEach: true, padding: 0 });
    expect((each.tolist() as number[][][])[0]).toEqual([[0, 1, 0, 1]]);
    const ranged = makeGrid(x, { normalize: true, valueRange: [2, 6], padding: 0 });
    expect((ranged.tolist() as number[][][])[0]).toEqual([[0, 0, 0.5, 1]]);
  });

  it("runs without autograd, as torchvision's @torch.no_grad() make_grid", () => {
    const x = torch.rand(3, 1, 2, 2, { requiresGrad: true });
    const g = makeGrid(x, { nrow: 2 });
    expect(g.requiresGrad).toBe(false);
    expect(g.gradFn).toBeNull();
  });

  it("rejects what make_grid rejects, naming makeGrid", () => {
    expect(() => makeGrid(5 as unknown as Tensor)).toThrow(/makeGrid: tensor or list of tensors expected, got number/);
    expect(() => makeGrid([torch.zeros(3, 2, 2), "x" as unknown as Tensor])).toThrow(/makeGrid: .*list containing string/);
    expect(() => makeGrid(torch.zeros(1, 1, 1, 2, 2))).toThrow(/makeGrid: expected a 2-d .* got shape \[1, 1, 1, 2, 2\]/);
    expect(() => makeGrid(torch.zeros(2, 3, 2, 2), { nrow: 0 })).toThrow(/makeGrid: nrow must be a positive integer/);
    expect(() => makeGrid(torch.zeros(2, 3, 2, 2), { padding: -1 })).toThrow(/makeGrid: padding must be a non-negative integer/);
    expect(() => makeGrid(torch.zeros(2, 3, 2, 2), { normalize: true, valueRange: [0] as unknown as [number, number] })).toThrow(/valueRange has to be a pair/);
  });
});

describe("saveImage", () => {
  it("rounds as torchvision: ⌊255·x + 0.5⌋ clamped to [0, 255]", () => {
    // 0.998·255 + 0.5 = 254.99 → 254; 0.999 → 255.25 → 255; 0.0019 → 0.98 → 0; 0.002 → 1.01 → 1.
    const x = torch.tensor([[[0, 0.5, 0.998, 0.999, 1.2, -0.1, 0.0019, 0.002]]], { dtype: "float32" });
    const img = gridToImage(x);
    expect(img.mode).toBe("RGB");
    const red = Array.from(img.data.filter((_, i) => i % 3 === 0));
    expect(red).toEqual([0, 128, 254, 255, 255, 0, 0, 1]);
  });

  it("writes a PNG (or JPEG) that decodes back to the grid", () => {
    const path = join(dir, "grid.png");
    const x = torch.rand(5, 3, 4, 6);
    saveImage(x, path, { nrow: 3, padding: 1 });
    const img = decodeImage(readFileSync(path), { source: path });
    const expected = gridToImage(x, { nrow: 3, padding: 1 });
    expect([img.width, img.height, img.mode]).toEqual([3 * 7 + 1, 2 * 5 + 1, "RGB"]);
    expect(Array.from(img.data)).toEqual(Array.from(expected.data));
    const jpg = join(dir, "grid.jpg");
    saveImage(x, jpg);
    expect(decodeImage(readFileSync(jpg)).mode).toBe("RGB");
    expect(() => saveImage(x, join(dir, "grid.bmp"))).toThrow(/saveImage: cannot tell the image format from the extension ".bmp"/);
    expect(() => saveImage(torch.rand(2, 5, 4, 4), join(dir, "five.png"))).toThrow(/saveImage: cannot write a 5-channel image/);
  });
});

const rng = new Rng(424242);
const HEAD = "import torchvision\nimport torchvision.utils as vu\n";

function pyVal(v: unknown): string {
  if (v === null || v === undefined) return "None";
  if (typeof v === "boolean") return v ? "True" : "False";
  if (Array.isArray(v)) return `(${v.map(pyVal).join(", ")})`;
  return String(v);
}

describe("makeGrid and saveImage vs torchvision", () => {
  it("make_grid: every option, tensors of 2-4 dims and lists (exact)", async () => {
    const cases: DiffCase[] = [];
    for (let k = 0; k < 70; k++) {
      const C = rng.pick([1, 1, 2, 3, 4]);
      const [H, W] = [rng.int(1, 6), rng.int(1, 6)];
      const N = rng.int(1, 11);
      const form = rng.pick(["4d", "4d", "list", "3d", "2d"] as const);
      const nrow = rng.int(1, 9);
      const padding = rng.int(0, 4);
      const normalize = rng.bool(0.5);
      const valueRange = normalize && rng.bool(0.4) ? [rng.uniform(-1, 0), rng.uniform(0.2, 1.5)] : null;
      const scaleEach = normalize && rng.bool(0.5);
      const padValue = rng.pick([0, 1, 0.5, -2]);
      const dtype = rng.pick(["float32", "float32", "float64"] as const);
      const base: InputSpec = { shape: [], dtype, values: rng.bool(0.2) ? "ties" : "uniform", low: -1, high: 2 };
      const inputs: InputSpec[] =
        form === "4d" ? [{ ...base, shape: [N, C, H, W] }]
        : form === "list" ? Array.from({ length: Math.min(N, 5) }, () => ({ ...base, shape: [C, H, W] }))
        : form === "3d" ? [{ ...base, shape: [C, H, W] }]
        : [{ ...base, shape: [H, W] }];
      const opts = { nrow, padding, normalize, valueRange: valueRange as [number, number] | null, scaleEach, padValue };
      const pyArg = form === "list" ? `[${inputs.map((_, i) => `x${i}`).join(", ")}]` : "x0";
      cases.push({
        name: `make_grid ${form} ${JSON.stringify(inputs[0].shape)}×${inputs.length} ${JSON.stringify(opts)}`,
        inputs,
        ts: (...xs) => makeGrid(form === "list" ? xs : xs[0], opts),
        py: `${HEAD}out = vu.make_grid(${pyArg}, nrow=${nrow}, padding=${padding}, normalize=${pyVal(normalize)}, value_range=${pyVal(valueRange)}, scale_each=${pyVal(scaleEach)}, pad_value=${padValue})`,
        rtol: 0,
        atol: 0,
      });
    }
    expectClean(await runDifferential("vision.make_grid", cases), 60);
  });

  it("save_image: the PNG written decodes to the same bytes", async () => {
    const cases: DiffCase[] = [];
    for (let k = 0; k < 20; k++) {
      const shape = [rng.int(1, 6), rng.pick([1, 3, 4]), rng.int(1, 5), rng.int(1, 5)];
      const nrow = rng.int(1, 4);
      const normalize = rng.bool(0.3);
      const path = join(dir, `ts-${k}.png`);
      const pyPath = join(dir, `py-${k}.png`);
      cases.push({
        name: `save_image ${JSON.stringify(shape)} nrow=${nrow} normalize=${normalize}`,
        inputs: [{ shape, values: "uniform", low: -0.2, high: 1.2, requiresGrad: false }],
        ts: (x) => {
          saveImage(x, path, { nrow, normalize });
          const img = decodeImage(readFileSync(path), { source: path });
          return new Tensor(img.data, "uint8", [img.height, img.width, img.channels]);
        },
        py: `${HEAD}import numpy as np\nfrom PIL import Image as PImage\nvu.save_image(x0, ${JSON.stringify(pyPath)}, nrow=${nrow}, normalize=${pyVal(normalize)})\na = np.array(PImage.open(${JSON.stringify(pyPath)}))\nout = torch.from_numpy(a).reshape(a.shape[0], a.shape[1], -1)`,
      });
    }
    expectClean(await runDifferential("vision.save_image", cases), 20);
  });
});
