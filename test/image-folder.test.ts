/**
 * ImageFolder against torchvision on a tree written by PIL: sorted classes, recursive sorted walk, extension
 * filtering, RGB conversion of every PNG color type (exact) and JPEG (libjpeg vs jpeg-js: within a few levels).
 */
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import * as torch from "../src/index.js";
import { datasets, transforms, Image } from "../src/vision/index.js";

const { ImageFolder, DatasetFolder, md5Of } = datasets;

const MAKE_TREE = String.raw`
import os, sys
import numpy as np
from PIL import Image
root = sys.argv[1]
rng = np.random.default_rng(1)
def img(mode, w, h):
    c = {"L": 1, "LA": 2, "RGB": 3, "RGBA": 4}[mode]
    a = rng.integers(0, 256, size=(h, w, c), dtype=np.uint8)
    return Image.fromarray(a[:, :, 0] if c == 1 else a, mode)
def save(path, im, **kw):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    im.save(path, **kw)
save(f"{root}/cat/b.png", img("RGB", 5, 4))
save(f"{root}/cat/A.PNG", img("L", 3, 3))
save(f"{root}/cat/sub/z.png", img("RGBA", 4, 2))
save(f"{root}/cat/sub c/y.png", img("LA", 2, 2))
save(f"{root}/cat/a.txt", img("L", 1, 1), format="PNG")
save(f"{root}/dog/p.png", img("RGB", 6, 6).convert("P", palette=Image.ADAPTIVE, colors=16))
smooth = (np.arange(48)[None, :] * 2 + np.arange(32)[:, None] * 3).astype(np.uint8)
ramp = np.broadcast_to(np.arange(48)[None, :] * 4, (32, 48)).astype(np.uint8)
save(f"{root}/dog/photo.jpg", Image.fromarray(np.stack([smooth, 255 - smooth, ramp], -1)), quality=90)
save(f"{root}/dog/gray.jpeg", Image.fromarray(smooth), quality=95)
save(f"{root}/elk/deep/er/x.png", img("RGB", 3, 2))
os.makedirs(f"{root}/.hidden_class_is_a_class", exist_ok=True)
save(f"{root}/.hidden_class_is_a_class/q.png", img("L", 2, 2))
with open(f"{root}/not-a-class.png", "wb") as f: f.write(b"x")
`;

const TORCHVISION = String.raw`
import hashlib, json, sys
import numpy as np
from torchvision.datasets import ImageFolder
ds = ImageFolder(sys.argv[1])
items = []
for i in range(len(ds)):
    a = np.asarray(ds[i][0])
    items.append({"md5": hashlib.md5(a.tobytes()).hexdigest(), "shape": list(a.shape), "pixels": a.reshape(-1).tolist()})
print(json.dumps({"classes": ds.classes, "classToIdx": ds.class_to_idx, "samples": ds.samples, "targets": ds.targets, "items": items}))`;

function python(script: string, ...args: string[]): string {
  const r = spawnSync("/usr/bin/python3", ["-c", script, ...args], { encoding: "utf8", maxBuffer: 64 << 20 });
  if (r.status !== 0) throw new Error(`/usr/bin/python3 failed (needs python3-torchvision, python3-pil): ${r.stderr}`);
  return r.stdout;
}

let root: string;
let tv: { classes: string[]; classToIdx: Record<string, number>; samples: Array<[string, number]>; targets: number[]; items: Array<{ md5: string; shape: number[]; pixels: number[] }> };

beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), "imagefolder-"));
  python(MAKE_TREE, root);
  tv = JSON.parse(python(TORCHVISION, root));
}, 60_000);

afterAll(() => {
  if (root) rmSync(root, { recursive: true, force: true });
});

describe("ImageFolder", () => {
  it("lists classes, samples and targets as torchvision", () => {
    const ds = new ImageFolder(root);
    expect(ds.classes).toEqual(tv.classes);
    expect(ds.classToIdx).toEqual(tv.classToIdx);
    expect(ds.samples).toEqual(tv.samples);
    expect(ds.imgs).toBe(ds.samples);
    expect(ds.targets).toEqual(tv.targets);
    expect(ds.length).toBe(tv.samples.length);
  });

  it("loads PNGs of every color type as RGB, byte for byte as PIL's convert('RGB')", () => {
    const ds = new ImageFolder(root);
    let pngs = 0;
    ds.samples.forEach(([path], i) => {
      if (!/\.png$/i.test(path)) return;
      const [img] = ds.getItem(i) as [Image, number];
      expect(img.mode).toBe("RGB");
      expect([img.height, img.width, 3]).toEqual(tv.items[i].shape);
      expect(md5Of(img.data), path).toBe(tv.items[i].md5);
      pngs++;
    });
    expect(pngs).toBe(7);
  });

  it("decodes JPEGs (color 4:2:0 and gray) close to libjpeg", () => {
    const ds = new ImageFolder(root);
    let jpegs = 0;
    ds.samples.forEach(([path], i) => {
      if (!/\.jpe?g$/i.test(path)) return;
      const [img] = ds.getItem(i) as [Image, number];
      expect([img.height, img.width, 3]).toEqual(tv.items[i].shape);
      // JPEG decoders may differ: libjpeg's "fancy" chroma upsampling (triangle filter) vs jpeg-js's
      // replication, and IDCT rounding. On smooth gradients that stays within a few levels.
      const diffs = Array.from(img.data, (v, k) => Math.abs(v - tv.items[i].pixels[k]));
      const mean = diffs.reduce((a, b) => a + b, 0) / diffs.length;
      if (path.endsWith("gray.jpeg")) expect(Math.max(...diffs), path).toBeLessThanOrEqual(1);
      else expect([Math.max(...diffs) <= 6, mean <= 2], `${path}: max ${Math.max(...diffs)}, mean ${mean}`).toEqual([true, true]);
      jpegs++;
    });
    expect(jpegs).toBe(2);
  });

  it("transforms, isValidFile, extensions, a custom loader and DatasetFolder", () => {
    const ds = new ImageFolder(root, { transform: new transforms.ToTensor(), targetTransform: (t: number) => `class ${t}` });
    const [x, y] = ds.getItem(0);
    expect(x).toBeInstanceOf(torch.Tensor);
    expect(x.shape[0]).toBe(3);
    expect(y).toBe(`class ${tv.targets[0]}`);
    const onlySub = new ImageFolder(root, { isValidFile: (p) => p.includes(`${"/"}sub`) || p.includes("deep") || p.endsWith("p.png") || p.endsWith("q.png") });
    expect(onlySub.samples.map(([p]) => p.slice(root.length))).toEqual(["/.hidden_class_is_a_class/q.png", "/cat/sub/z.png", "/cat/sub c/y.png", "/dog/p.png", "/elk/deep/er/x.png"]);
    const txt = new ImageFolder(root, { extensions: [".txt", ".png"], loader: (p) => p.length });
    expect(txt.samples.some(([p]) => p.endsWith("a.txt"))).toBe(true);
    expect(txt.getItem(0)[0]).toBe(txt.samples[0][0].length);
    const folder = new DatasetFolder(root, (p: string) => `loaded ${p}`, { extensions: ".png" });
    expect(folder.classes).toEqual(tv.classes);
    expect(folder.samples).toEqual(tv.samples.filter(([p]) => p.toLowerCase().endsWith(".png")));
    expect(folder.getItem(1)).toEqual([`loaded ${folder.samples[1][0]}`, folder.samples[1][1]]);
    expect(() => new DatasetFolder(root, (p: string) => p, { extensions: ".jpeg" })).toThrow(
      "DatasetFolder: Found no valid file for the classes .hidden_class_is_a_class, cat, elk. Supported extensions are: .jpeg",
    );
  });

  it("errors as torchvision: no class folder, empty classes, both filters, bad files name their path", () => {
    const empty = mkdtempSync(join(tmpdir(), "if-empty-"));
    expect(() => new ImageFolder(empty)).toThrow(`ImageFolder: Couldn't find any class folder in ${empty}.`);
    expect(() => new ImageFolder(join(empty, "missing"))).toThrow(`No such file or directory: '${join(empty, "missing")}'`);
    mkdirSync(join(empty, "b"));
    mkdirSync(join(empty, "a"));
    writeFileSync(join(empty, "a", "x.png"), "not a png");
    expect(() => new ImageFolder(empty)).toThrow(
      "ImageFolder: Found no valid file for the classes b. Supported extensions are: .jpg, .jpeg, .png, .ppm, .bmp, .pgm, .tif, .tiff, .webp",
    );
    writeFileSync(join(empty, "b", "y.bmp"), "BM");
    const ds = new ImageFolder(empty);
    expect(() => ds.getItem(0)).toThrow(`${join(empty, "a", "x.png")}: unrecognized image format (expected PNG or JPEG`);
    writeFileSync(join(empty, "a", "x.png"), Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0]));
    expect(() => ds.getItem(0)).toThrow(`${join(empty, "a", "x.png")}: invalid PNG: not a PNG file`);
    expect(() => ds.getItem(1)).toThrow(`${join(empty, "b", "y.bmp")}: unrecognized image format`);
    expect(() => new ImageFolder(empty, { extensions: ".png", isValidFile: () => true })).toThrow(
      "Both extensions and is_valid_file cannot be None or not None at the same time",
    );
    expect(() => new DatasetFolder(empty, (p) => p)).toThrow("DatasetFolder: Both extensions and is_valid_file cannot be None or not None at the same time");

    // torchvision's own messages for the same folders.
    const msgs = python(
      String.raw`
import sys
from torchvision.datasets import ImageFolder
for d in sys.argv[1:]:
    try: ImageFolder(d)
    except Exception as e: print(type(e).__name__ + ": " + str(e))`,
      mkdtempSync(join(tmpdir(), "if-empty2-")),
      (() => {
        const d = mkdtempSync(join(tmpdir(), "if-empty3-"));
        mkdirSync(join(d, "b"));
        return d;
      })(),
    );
    expect(msgs).toContain("FileNotFoundError: Couldn't find any class folder in");
    expect(msgs).toContain("FileNotFoundError: Found no valid file for the classes b. Supported extensions are: .jpg, .jpeg, .png, .ppm, .bmp, .pgm, .tif, .tiff, .webp");
  });
});
