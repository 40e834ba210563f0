import { spawnSync } from "node:child_process";
import { describe, expect, it } from "vitest";
import * as torch from "../src/index.js";
import { datasets, transforms, Image } from "../src/vision/index.js";

const { FakeData, md5Of } = datasets;

/** torchvision's FakeData samples: md5 of the PIL image's bytes (HWC), its mode and size, and the target. */
function torchvision(cases: Array<{ size: number; imageSize: number[]; numClasses: number; randomOffset: number; indices: number[] }>) {
  const py = String.raw`
import hashlib, json, sys
import numpy as np, torch, torchvision
out = []
for c in json.loads(sys.argv[1]):
    ds = torchvision.datasets.FakeData(size=c["size"], image_size=tuple(c["imageSize"]), num_classes=c["numClasses"], random_offset=c["randomOffset"])
    before = torch.get_rng_state()
    rows = []
    for i in c["indices"]:
        img, t = ds[i]
        a = np.asarray(img)
        rows.append({"md5": hashlib.md5(a.tobytes()).hexdigest(), "mode": img.mode, "size": list(img.size), "target": t, "first": a.reshape(-1)[:6].tolist()})
    assert torch.equal(before, torch.get_rng_state())
    out.append(rows)
print(json.dumps(out))`;
  const r = spawnSync("/usr/bin/python3", ["-c", py, JSON.stringify(cases)], { encoding: "utf8" });
  if (r.status !== 0) throw new Error(`torchvision failed (apt-get install -y python3-torchvision): ${r.stderr}`);
  return JSON.parse(r.stdout) as Array<Array<{ md5: string; mode: string; size: number[]; target: number; first: number[] }>>;
}

describe("FakeData", () => {
  it("draws torchvision's exact images and targets (seed = index + randomOffset)", () => {
    const cases = [
      { size: 1000, imageSize: [3, 224, 224], numClasses: 10, randomOffset: 0, indices: [0, 1, 999] },
      { size: 50, imageSize: [1, 28, 28], numClasses: 7, randomOffset: 12345, indices: [0, 3, 49, -1, -50] },
      { size: 5, imageSize: [4, 9, 13], numClasses: 1000, randomOffset: -3, indices: [0, 2, 4] },
      { size: 5, imageSize: [6, 5], numClasses: 3, randomOffset: 2 ** 40, indices: [1] },
    ];
    const want = torchvision(cases);
    cases.forEach((c, k) => {
      const ds = new FakeData({ size: c.size, imageSize: c.imageSize, numClasses: c.numClasses, randomOffset: c.randomOffset });
      const got = c.indices.map((i) => {
        const [img, target] = ds.getItem(i) as [Image, number];
        return { md5: md5Of(img.data), mode: img.mode, size: img.size, target, first: Array.from(img.data.subarray(0, 6)) };
      });
      expect(got, JSON.stringify(c)).toEqual(want[k]);
    });
  });

  it("defaults, transforms, length and the default generator", () => {
    const ds = new FakeData();
    expect(ds.length).toBe(1000);
    expect(ds.imageSize).toEqual([3, 224, 224]);
    torch.manualSeed(7);
    const before = torch.rand(3);
    torch.manualSeed(7);
    ds.getItem(5);
    expect(torch.rand(3).tolist()).toEqual(before.tolist());
    const t = new FakeData({ size: 3, imageSize: [3, 8, 8], transform: new transforms.ToTensor(), targetTransform: (y: number) => y + 100 });
    const [x, y] = t.getItem(2);
    expect(x.shape).toEqual([3, 8, 8]);
    expect(x.dtype).toBe("float32");
    expect(y).toBeGreaterThanOrEqual(100);
    expect(t.getItem(2)[0].tolist()).toEqual(x.tolist());
    const loader = new torch.utils.data.DataLoader(t, { batchSize: 2 });
    expect([...loader].map(([b]) => b.shape)).toEqual([[2, 3, 8, 8], [1, 3, 8, 8]]);
  });

  it("errors as torchvision (index past the end) and on bad options", () => {
    const ds = new FakeData({ size: 4 });
    expect(() => ds.getItem(4)).toThrow("FakeData index out of range");
    expect(() => ds.getItem(1.5)).toThrow("FakeData: index must be an integer, got 1.5");
    expect(() => new FakeData({ imageSize: [2, 4, 4] })).toThrow("FakeData: images with 2 channels are not supported (expected 1, 3 or 4)");
    expect(() => new FakeData({ imageSize: [3, 4] as number[] as [number, number], numClasses: 0 })).toThrow("numClasses must be a positive integer, got 0");
    expect(() => new FakeData({ imageSize: [1, 2, 3, 4] })).toThrow("imageSize must be [C, H, W] or [H, W] of positive integers, got [1, 2, 3, 4]");
    expect(() => new FakeData({ size: -1 })).toThrow("size must be a non-negative integer, got -1");
  });
});
