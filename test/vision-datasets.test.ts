import { describe, expect, it } from "vitest";
import { spawnSync } from "node:child_process";
import { mkdtempSync, mkdirSync, writeFileSync, readFileSync, existsSync, readdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gunzipSync, gzipSync } from "node:zlib";
import * as torch from "../src/index.js";
import { datasets, transforms, Image, parseIdx } from "../src/vision/index.js";

const FULL = "/usr/share/datasets/fashion-mnist";
const SAMPLE = "data/fashion-mnist-sample";

/** What torchvision reports for the same IDX files (it needs them unpacked in root/FashionMNIST/raw). */
function torchvisionSummary(src: string, train: boolean): { n: number; first: number; last: number; pixelSum: number; item0Sum: number } {
  const root = mkdtempSync(join(tmpdir(), "fmnist-"));
  const raw = join(root, "FashionMNIST", "raw");
  mkdirSync(raw, { recursive: true });
  // torchvision checks that both splits are present.
  for (const split of ["train", "t10k"]) {
    for (const k of ["images-idx3-ubyte", "labels-idx1-ubyte"]) {
      writeFileSync(join(raw, `${split}-${k}`), gunzipSync(readFileSync(join(src, `${split}-${k}.gz`))));
    }
  }
  const py = `
import json, torchvision
ds = torchvision.datasets.FashionMNIST(${JSON.stringify(root)}, train=${train ? "True" : "False"}, transform=torchvision.transforms.ToTensor())
print(json.dumps({"n": len(ds), "first": int(ds.targets[0]), "last": int(ds.targets[-1]),
  "pixelSum": int(ds.data.long().sum()), "item0Sum": float(ds[0][0].double().sum())}))`;
  const r = spawnSync("/usr/bin/python3", ["-c", py], { encoding: "utf8" });
  if (r.status !== 0) throw new Error(`torchvision failed (apt-get install -y python3-torchvision): ${r.stderr}`);
  return JSON.parse(r.stdout);
}

function ourSummary(src: string, train: boolean) {
  const ds = new datasets.FashionMNIST(src, { train, transform: new transforms.ToTensor() });
  const [img] = ds.getItem(0);
  return {
    n: ds.length,
    first: ds.targets.index(0).item(),
    last: ds.targets.index(-1).item(),
    pixelSum: ds.data.sum().item(),
    item0Sum: img.double().sum().item(),
  };
}

describe("FashionMNIST", () => {
  it.each([
    ["shipped sample", SAMPLE, true],
    ["shipped sample", SAMPLE, false],
    ["full Debian set", FULL, true],
    ["full Debian set", FULL, false],
  ])("%s (train=%s) equals torchvision's reading", (_n, src, train) => {
    if (src === FULL && !existsSync(FULL)) {
      throw new Error(`${FULL} is missing: apt-get install -y dataset-fashion-mnist`);
    }
    const ours = ourSummary(src as string, train as boolean);
    const theirs = torchvisionSummary(src as string, train as boolean);
    expect(ours.n).toBe(theirs.n);
    expect(ours.first).toBe(theirs.first);
    expect(ours.last).toBe(theirs.last);
    expect(ours.pixelSum).toBe(theirs.pixelSum);
    expect(ours.item0Sum).toBeCloseTo(theirs.item0Sum, 4);
  });

  it("full sizes", () => {
    expect(new datasets.FashionMNIST(FULL).length).toBe(60000);
    expect(new datasets.FashionMNIST(FULL, { train: false }).length).toBe(10000);
  });

  it("batches through a DataLoader like the seeds do", () => {
    const ds = new datasets.FashionMNIST(SAMPLE, { train: false, transform: new transforms.ToTensor() });
    const loader = new torch.utils.data.DataLoader(ds, { batchSize: 64 });
    const [imgs, targets] = loader[Symbol.iterator]().next().value;
    expect(imgs.shape).toEqual([64, 1, 28, 28]);
    expect(targets.dtype).toBe("int64");
    expect(loader.length).toBe(16);
  });

  it("reports missing, truncated and corrupted files with their paths", () => {
    expect(() => new datasets.FashionMNIST("/nonexistent/root")).toThrow("/nonexistent/root does not exist");
    const dir = mkdtempSync(join(tmpdir(), "fm-bad-"));
    const raw = join(dir, "FashionMNIST", "raw");
    mkdirSync(raw, { recursive: true });
    const images = gunzipSync(readFileSync(join(SAMPLE, "train-images-idx3-ubyte.gz")));
    writeFileSync(join(raw, "train-images-idx3-ubyte.gz"), gzipSync(images.subarray(0, 10)));
    writeFileSync(join(raw, "train-labels-idx1-ubyte.gz"), readFileSync(join(SAMPLE, "train-labels-idx1-ubyte.gz")));
    expect(() => new datasets.FashionMNIST(dir)).toThrow(/train-images-idx3-ubyte.gz: truncated IDX header \(10 of 16 bytes\)/);

    writeFileSync(join(raw, "train-images-idx3-ubyte.gz"), gzipSync(images.subarray(0, 1000)));
    expect(() => new datasets.FashionMNIST(dir)).toThrow(/truncated IDX data: shape \[6000, 28, 28\] needs 4704016 bytes, file has 1000/);
    writeFileSync(join(raw, "train-images-idx3-ubyte.gz"), gzipSync(images.subarray(0, 1000)).subarray(0, 40));
    expect(() => new datasets.FashionMNIST(dir)).toThrow(/train-images-idx3-ubyte.gz: corrupted gzip data/);
    expect(() => new datasets.FashionMNIST(dir, { train: false, download: true })).toThrow("use `await FashionMNIST.create(root, { download: true })`");
  });

  it("downloads from a mirror, checks the md5, and refuses a bad one", async () => {
    const { createServer } = await import("node:http");
    const files: Record<string, Buffer> = {};
    for (const f of ["t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz"]) files[f] = readFileSync(join(SAMPLE, f));
    const server = createServer((req, res) => {
      const name = (req.url ?? "").split("/").pop()!;
      if (files[name]) res.end(files[name]);
      else {
        res.statusCode = 404;
        res.end();
      }
    });
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    const port = (server.address() as { port: number }).port;
    try {
      class Sample extends datasets.FashionMNIST {
        static override folderName() {
          return "FashionMNIST";
        }
      }
      const { md5Of } = datasets;
      Sample.resources = Object.keys(files).map((name) => ({ name, md5: md5Of(files[name]) }));
      const root = mkdtempSync(join(tmpdir(), "fm-dl-"));
      const ds = await Sample.create(root, { train: false, download: true, mirrors: [`http://127.0.0.1:${port}/`] });
      expect(ds.length).toBe(1000);
      expect(existsSync(join(root, "FashionMNIST", "raw", "t10k-images-idx3-ubyte.gz"))).toBe(true);
      Sample.resources = [{ name: "t10k-images-idx3-ubyte.gz", md5: "0".repeat(32) }];
      await expect(Sample.create(mkdtempSync(join(tmpdir(), "fm-dl2-")), { train: false, download: true, mirrors: [`http://127.0.0.1:${port}/`] })).rejects.toThrow("md5 mismatch");
    } finally {
      server.close();
    }
  });
});

describe("MNIST and KMNIST", () => {
  /** The sample's IDX files unpacked into root/<name>/raw for each dataset class (torchvision's layout). */
  function unpackedRoot(names: string[]): string {
    const root = mkdtempSync(join(tmpdir(), "mnist-family-"));
    for (const name of names) {
      const raw = join(root, name, "raw");
      mkdirSync(raw, { recursive: true });
      for (const f of readdirSync(SAMPLE).filter((f) => f.endsWith(".gz"))) {
        writeFileSync(join(raw, f.replace(/\.gz$/, "")), gunzipSync(readFileSync(join(SAMPLE, f))));
      }
    }
    return root;
  }

  it("read plain IDX files from root/<name>/raw as torchvision does, with torchvision's classes, files and md5s", () => {
    const root = unpackedRoot(["MNIST", "KMNIST"]);
    const py = `
import json, torchvision
from torchvision import datasets as d
out = {}
for c in [d.MNIST, d.KMNIST, d.FashionMNIST]:
    e = {"classes": c.classes, "mirrors": c.mirrors, "resources": [list(r) for r in c.resources]}
    if c is not d.FashionMNIST:
        ds = c(${JSON.stringify(root)}, train=False)
        e.update(n=len(ds), label0=int(ds[0][1]), last=int(ds.targets[-1]), pixelSum=int(ds.data.long().sum()), classToIdx=ds.class_to_idx)
    out[c.__name__] = e
print(json.dumps(out))`;
    const r = spawnSync("/usr/bin/python3", ["-c", py], { encoding: "utf8" });
    expect(r.status, r.stderr).toBe(0);
    const tv = JSON.parse(r.stdout);
    for (const cls of [datasets.MNIST, datasets.KMNIST, datasets.FashionMNIST]) {
      const want = tv[cls.name];
      expect(cls.classes).toEqual(want.classes);
      expect(cls.resources.map((f) => [f.name, f.md5])).toEqual(want.resources);
      // The same official mirrors (newer torchvision tries the S3 copy of MNIST first, as here).
      expect([...cls.mirrors].sort()).toEqual([...want.mirrors].sort());
      if (cls === datasets.FashionMNIST) continue;
      const ds = new cls(root, { train: false });
      expect(ds.length).toBe(want.n);
      expect(ds.getItem(0)[1]).toBe(want.label0);
      expect(ds.targets.index(-1).item()).toBe(want.last);
      expect(ds.data.sum().item()).toBe(want.pixelSum);
      expect(ds.classToIdx).toEqual(want.classToIdx);
      expect(ds.getItem(0)[0]).toBeInstanceOf(Image);
    }
  });

  it("images and labels that disagree in count, or IDX files of the wrong rank, name the files", () => {
    const root = unpackedRoot(["MNIST"]);
    const raw = join(root, "MNIST", "raw");
    writeFileSync(join(raw, "t10k-labels-idx1-ubyte"), readFileSync(join(raw, "train-labels-idx1-ubyte")));
    expect(() => new datasets.MNIST(root, { train: false })).toThrow(
      `MNIST: ${join(raw, "t10k-images-idx3-ubyte")} has 1000 images but ${join(raw, "t10k-labels-idx1-ubyte")} has 6000 labels`,
    );
    // A labels file where the images should be: one dim instead of three.
    writeFileSync(join(raw, "t10k-images-idx3-ubyte"), readFileSync(join(raw, "train-labels-idx1-ubyte")));
    expect(() => new datasets.MNIST(root, { train: false })).toThrow(`${join(raw, "t10k-images-idx3-ubyte")}: expected 3 dims [N, rows, cols], got 1`);
  });
});

describe("downloads (a local HTTP server on loopback)", () => {
  it("falls back to the next mirror, reports every mirror's failure and where to put the files when offline", async () => {
    const { createServer } = await import("node:http");
    const body = readFileSync(join(SAMPLE, "t10k-labels-idx1-ubyte.gz"));
    const server = createServer((req, res) => {
      if (req.url === "/good/t10k-labels-idx1-ubyte.gz") res.end(body);
      else {
        res.statusCode = 404;
        res.end();
      }
    });
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    const base = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
    // A port nobody listens on: what an offline machine sees.
    const closed = createServer();
    await new Promise<void>((r) => closed.listen(0, "127.0.0.1", r));
    const dead = `http://127.0.0.1:${(closed.address() as { port: number }).port}/`;
    await new Promise<void>((r) => closed.close(() => r()));
    const file = { name: "t10k-labels-idx1-ubyte.gz", md5: datasets.md5Of(body) };
    try {
      const dir = mkdtempSync(join(tmpdir(), "dl-"));
      const got = await datasets.downloadFile([dead, `${base}/missing/`, `${base}/good/`], file, dir, "FashionMNIST");
      expect(got).toBe(join(dir, file.name));
      expect(datasets.checkIntegrity(got, file.md5)).toBe(true);
      // Present with the right md5: no request at all (the dead mirror alone would fail).
      expect(await datasets.downloadFile([dead], file, dir, "FashionMNIST")).toBe(got);

      const empty = mkdtempSync(join(tmpdir(), "dl-offline-"));
      const offline = datasets.downloadFile([dead, `${base}/missing/`], file, join(empty, "raw"), "FashionMNIST");
      await expect(offline).rejects.toThrow(`FashionMNIST: could not download ${file.name} (md5 ${file.md5}):`);
      await expect(offline).rejects.toThrow(`${dead}${file.name}: fetch failed`);
      await expect(offline).rejects.toThrow(`${base}/missing/${file.name}: HTTP 404`);
      await expect(offline).rejects.toThrow(`If this machine is offline, put ${file.name} in ${join(empty, "raw")} yourself.`);

      // A wrong md5 writes nothing, not even a partial file.
      const bad = mkdtempSync(join(tmpdir(), "dl-md5-"));
      await expect(datasets.downloadFile([`${base}/good/`], { ...file, md5: "f".repeat(32) }, bad, "FashionMNIST")).rejects.toThrow(
        `${base}/good/${file.name}: md5 mismatch (expected ${"f".repeat(32)}, got ${file.md5})`,
      );
      expect(readdirSync(bad)).toEqual([]);
    } finally {
      server.close();
    }
  });
});

describe("transforms and IDX", () => {
  it("ToTensor scales HWC bytes to CHW floats like torchvision", () => {
    const img = new Image(2, 1, "RGB", Uint8Array.from([0, 128, 255, 10, 20, 30]));
    const t = new transforms.ToTensor()(img);
    expect(t.shape).toEqual([3, 1, 2]);
    expect(t.tolist()).toEqual([[[0, Math.fround(10 / 255)]], [[Math.fround(128 / 255), Math.fround(20 / 255)]], [[1, Math.fround(30 / 255)]]]);
    const n = new transforms.Normalize([0.5, 0.5, 0.5], [0.5, 0.5, 0.5])(t);
    expect(n.index(2, 0, 0).item()).toBe(1);
    const c = new transforms.Compose([new transforms.ToTensor(), new transforms.Lambda((x: torch.Tensor) => x.mul(2))]);
    expect(c(img).max().item()).toBe(2);
    expect(() => new transforms.ToTensor()(42 as any)).toThrow("ToTensor: pic should be an Image or a tensor standing for an ndarray. Got number");
    expect(() => new transforms.Normalize([0.5], [0])).toThrow("std evaluated to zero");
  });

  it("parseIdx reads every element type and rejects bad headers", () => {
    const buf = new Uint8Array([0, 0, 0x0b, 1, 0, 0, 0, 2, 0xff, 0xfe, 0x00, 0x05]);
    expect(parseIdx(buf)).toMatchObject({ dtype: "int32", shape: [2] });
    expect(Array.from(parseIdx(buf).data)).toEqual([-2, 5]);
    expect(() => parseIdx(new Uint8Array([1, 0, 8, 1]), "f.idx")).toThrow("f.idx: not an IDX file");
    expect(() => parseIdx(new Uint8Array([0, 0, 0x42, 1]))).toThrow("unknown IDX element type 0x42");
  });
});
