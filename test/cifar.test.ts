/**
 * CIFAR-10/100 against torchvision on archives generated here in both official layouts: the python batches
 * written as the official ones were (Python 2 cPickle, protocol 2: str as SHORT_BINSTRING/BINSTRING, NumPy
 * arrays through `_reconstruct`), and the binary records holding the same images. Also the tar reader and the
 * download path (a local HTTP server on 127.0.0.1).
 */
import { spawnSync } from "node:child_process";
import { createServer } from "node:http";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync, truncateSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { datasets, transforms, Image } from "../src/vision/index.js";
import "../src/index.js";
import type { Tensor } from "../src/index.js";

const PY = "/usr/bin/python3";
const { CIFAR10, CIFAR100, md5Of } = datasets;

/** Writes both layouts of CIFAR-10 and CIFAR-100 (small, odd-sized batches) and their archives under argv[1]. */
const GENERATE = String.raw`
import os, pickle, struct, sys, tarfile
import numpy as np
root = sys.argv[1]
rng = np.random.default_rng(0)

class Py2Pickler(pickle._Pickler):
    # str and bytes as Python 2 str, as cPickle wrote the official batches.
    dispatch = pickle._Pickler.dispatch.copy()
    def save_py2str(self, obj):
        b = obj if isinstance(obj, bytes) else obj.encode("latin1")
        if len(b) < 256:
            self.write(pickle.SHORT_BINSTRING + bytes([len(b)]) + b)
        else:
            self.write(pickle.BINSTRING + struct.pack("<i", len(b)) + b)
        self.memoize(obj)
    dispatch[bytes] = save_py2str
    dispatch[str] = save_py2str

def dump_py2(obj, path):
    with open(path, "wb") as f:
        Py2Pickler(f, protocol=2).dump(obj)

def write_bin(path, labels, data):
    with open(path, "wb") as f:
        for i in range(data.shape[0]):
            f.write(bytes([int(l[i]) for l in labels]))
            f.write(data[i].tobytes())

py = os.path.join(root, "cifar-10-batches-py"); os.makedirs(py)
bn = os.path.join(root, "cifar-10-batches-bin"); os.makedirs(bn)
names10 = ["airplane", "automobile", "bird", "cat", "deer", "dog", "frog", "horse", "ship", "truck"]
for name, n in {"data_batch_1": 37, "data_batch_2": 11, "data_batch_3": 5, "data_batch_4": 1, "data_batch_5": 20, "test_batch": 23}.items():
    data = rng.integers(0, 256, size=(n, 3072), dtype=np.uint8)
    labels = [int(x) for x in rng.integers(0, 10, size=n)]
    dump_py2({"batch_label": "batch " + name, "labels": labels, "data": data, "filenames": ["f%d.png" % i for i in range(n)]}, os.path.join(py, name))
    write_bin(os.path.join(bn, name + ".bin"), [labels], data)
dump_py2({"num_cases_per_batch": 10000, "label_names": names10, "num_vis": 3072}, os.path.join(py, "batches.meta"))
with open(os.path.join(bn, "batches.meta.txt"), "w") as f:
    f.write("\n".join(names10) + "\n\n")

py = os.path.join(root, "cifar-100-python"); os.makedirs(py)
bn = os.path.join(root, "cifar-100-binary"); os.makedirs(bn)
fine = ["fine_%02d" % i for i in range(100)]
coarse = ["coarse_%02d" % i for i in range(20)]
for name, n in {"train": 50, "test": 17}.items():
    data = rng.integers(0, 256, size=(n, 3072), dtype=np.uint8)
    f = [int(x) for x in rng.integers(0, 100, size=n)]
    c = [int(x) for x in rng.integers(0, 20, size=n)]
    dump_py2({"filenames": ["x%d.png" % i for i in range(n)], "batch_label": name, "fine_labels": f, "coarse_labels": c, "data": data}, os.path.join(py, name))
    write_bin(os.path.join(bn, name + ".bin"), [c, f], data)
dump_py2({"fine_label_names": fine, "coarse_label_names": coarse}, os.path.join(py, "meta"))
for fname, lst in (("fine_label_names.txt", fine), ("coarse_label_names.txt", coarse)):
    with open(os.path.join(bn, fname), "w") as fh:
        fh.write("\n".join(lst) + "\n")

# Python 3 pickles of one batch (protocols 2, 4, 5) and an int32 big-endian array, for the NumPy reader.
data = rng.integers(0, 256, size=(3, 3072), dtype=np.uint8)
for p in (2, 4, 5):
    with open(os.path.join(root, "py3-proto%d" % p), "wb") as f:
        pickle.dump({"data": data, "labels": [1, 2, 3], b"raw": b"\x00\xff"}, f, protocol=p)
with open(os.path.join(root, "py3-proto2.data"), "wb") as f:
    f.write(data.tobytes())
with open(os.path.join(root, "int32be"), "wb") as f:
    pickle.dump(np.array([[1, -2, 3], [70000, 5, -6]], dtype=">i4"), f, protocol=4)

arch = os.path.join(root, "archives"); os.makedirs(arch)
for folder, name in (("cifar-10-batches-py", "cifar-10-python.tar.gz"), ("cifar-10-batches-bin", "cifar-10-binary.tar.gz")):
    with tarfile.open(os.path.join(arch, name), "w:gz", format=tarfile.GNU_FORMAT) as t:
        t.add(os.path.join(root, folder), arcname=folder)
`;

/** torchvision's reading of the python layout (the md5 lists patched to the generated files). */
const TORCHVISION = String.raw`
import hashlib, json, os, sys
from torchvision.datasets import CIFAR10, CIFAR100
from torchvision import transforms
root = sys.argv[1]
md5 = lambda p: hashlib.md5(open(p, "rb").read()).hexdigest()
out = {}
for cls in (CIFAR10, CIFAR100):
    base = os.path.join(root, cls.base_folder)
    cls.train_list = [[f, md5(os.path.join(base, f))] for f, _ in cls.train_list]
    cls.test_list = [[f, md5(os.path.join(base, f))] for f, _ in cls.test_list]
    cls.meta = dict(cls.meta, md5=md5(os.path.join(base, cls.meta["filename"])))
    for train in (True, False):
        ds = cls(root, train=train, transform=transforms.ToTensor())
        out[cls.__name__ + ("-train" if train else "-test")] = {
            "n": len(ds), "targets": ds.targets, "classes": ds.classes, "classToIdx": ds.class_to_idx,
            "dataShape": list(ds.data.shape), "dataMd5": hashlib.md5(ds.data.tobytes()).hexdigest(),
            "itemSums": [float(ds[i][0].double().sum()) for i in (0, len(ds) - 1)],
            "pixel": ds[len(ds) - 1][0][:, 3, 5].tolist(),
        }
print(json.dumps(out))
`;

let root: string;
let tv: Record<string, { n: number; targets: number[]; classes: string[]; classToIdx: Record<string, number>; dataShape: number[]; dataMd5: string; itemSums: number[]; pixel: number[] }>;

function python(script: string, ...args: string[]): string {
  const r = spawnSync(PY, ["-c", script, ...args], { encoding: "utf8", maxBuffer: 64 << 20 });
  if (r.status !== 0) throw new Error(`${PY} failed (needs python3-torchvision and python3-numpy): ${r.stderr}`);
  return r.stdout;
}

beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), "cifar-"));
  python(GENERATE, root);
  tv = JSON.parse(python(TORCHVISION, root));
}, 120_000);

afterAll(() => {
  if (root) rmSync(root, { recursive: true, force: true });
});

function summary(ds: InstanceType<typeof CIFAR10>) {
  const last = ds.getItem(ds.length - 1)[0] as Tensor;
  return {
    n: ds.length,
    targets: ds.targets,
    classes: ds.classes,
    classToIdx: ds.classToIdx,
    dataShape: ds.data.shape,
    dataMd5: md5Of(ds.data.toTypedArray() as Uint8Array),
    itemSums: [0, ds.length - 1].map((i) => (ds.getItem(i)[0] as Tensor).double().sum().item()),
    pixel: last.index(":", 3, 5).tolist(),
  };
}

describe("CIFAR10 / CIFAR100", () => {
  for (const [cls, name] of [[CIFAR10, "CIFAR10"], [CIFAR100, "CIFAR100"]] as const) {
    for (const train of [true, false]) {
      for (const format of ["python", "binary"] as const) {
        it(`${name} ${train ? "train" : "test"} (${format} layout) equals torchvision's reading`, () => {
          const ds = new cls(root, { train, format, transform: new transforms.ToTensor() });
          const want = tv[`${name}-${train ? "train" : "test"}`];
          const got = summary(ds);
          expect(got.n).toBe(want.n);
          expect(got.targets).toEqual(want.targets);
          expect(got.classes).toEqual(want.classes);
          expect(got.classToIdx).toEqual(want.classToIdx);
          expect(got.dataShape).toEqual(want.dataShape);
          expect(got.dataMd5).toBe(want.dataMd5);
          // The same float32 values summed in float64 on both sides.
          expect(got.itemSums).toEqual(want.itemSums);
          expect(got.pixel).toEqual(want.pixel);
        });
      }
    }
  }

  it("samples are 32x32 RGB Images in HWC order from the CHW records", () => {
    const ds = new CIFAR10(root, { format: "binary" });
    const [img, target] = ds.getItem(3);
    expect(img).toBeInstanceOf(Image);
    expect([img.width, img.height, img.mode]).toEqual([32, 32, "RGB"]);
    const bin = readFileSync(join(root, "cifar-10-batches-bin", "data_batch_1.bin"));
    const rec = bin.subarray(3 * 3073, 4 * 3073);
    expect(target).toBe(rec[0]);
    // pixel (row 2, col 7): R at 1 + 2*32+7, G one plane later, B two planes later.
    const p = 2 * 32 + 7;
    expect(Array.from(img.data.subarray(3 * p, 3 * p + 3))).toEqual([rec[1 + p], rec[1 + 1024 + p], rec[1 + 2048 + p]]);
    expect(ds.getItem(-1)[1]).toBe(ds.targets[ds.length - 1]);
    expect(() => ds.getItem(ds.length)).toThrow("index 74 is out of range for a dataset of size 74");
    expect(String(ds)).toContain("Split: Train");
  });

  it("CIFAR100 keeps the coarse labels in both layouts", () => {
    const a = new CIFAR100(root, { format: "python", train: false });
    const b = new CIFAR100(root, { format: "binary", train: false });
    expect(a.coarseTargets).toEqual(b.coarseTargets);
    expect(a.coarseTargets.length).toBe(17);
    expect(a.coarseClasses).toEqual(Array.from({ length: 20 }, (_, i) => `coarse_${String(i).padStart(2, "0")}`));
    expect(b.coarseClasses).toEqual(a.coarseClasses);
    expect(b.targets).toEqual(a.targets);
  });

  it("targetTransform and the default layout choice", () => {
    const ds = new CIFAR10(root, { targetTransform: (t: number) => t * 10 });
    expect(ds.format).toBe("python");
    expect(ds.getItem(0)[1]).toBe(tv["CIFAR10-train"].targets[0] * 10);
    const onlyBin = mkdtempSync(join(tmpdir(), "cifar-bin-"));
    mkdirSync(join(onlyBin, "cifar-10-batches-bin"));
    writeFileSync(join(onlyBin, "cifar-10-batches-bin", "test_batch.bin"), readFileSync(join(root, "cifar-10-batches-bin", "test_batch.bin")));
    writeFileSync(join(onlyBin, "cifar-10-batches-bin", "batches.meta.txt"), "a\nb\n");
    const t = new CIFAR10(onlyBin, { train: false });
    expect(t.format).toBe("binary");
    expect(t.classes).toEqual(["a", "b"]);
  });

  it("reports missing and corrupted files with their paths", () => {
    expect(() => new CIFAR10("/nonexistent/cifar")).toThrow("CIFAR10: Dataset not found or corrupted: /nonexistent/cifar/cifar-10-batches-py does not exist");
    expect(() => new CIFAR10("/nonexistent/cifar", { download: true })).toThrow("use `await CIFAR10.create(root, { download: true })`");
    const bad = mkdtempSync(join(tmpdir(), "cifar-bad-"));
    const bin = join(bad, "cifar-10-batches-bin");
    mkdirSync(bin);
    writeFileSync(join(bin, "test_batch.bin"), readFileSync(join(root, "cifar-10-batches-bin", "test_batch.bin")).subarray(0, 3073 * 2 + 5));
    writeFileSync(join(bin, "batches.meta.txt"), "x\n");
    expect(() => new CIFAR10(bad, { train: false })).toThrow(`CIFAR10: ${join(bin, "test_batch.bin")}: 6151 bytes is not a whole number of 3073-byte records`);
    expect(() => new CIFAR10(bad, { train: true })).toThrow(`CIFAR10: missing ${join(bin, "data_batch_1.bin")}`);

    const py = join(bad, "cifar-10-batches-py");
    mkdirSync(py);
    const good = readFileSync(join(root, "cifar-10-batches-py", "test_batch"));
    writeFileSync(join(py, "test_batch"), good.subarray(0, 500));
    expect(() => new CIFAR10(bad, { train: false, format: "python" })).toThrow(/test_batch: pickle byte \d+: unexpected end of pickle data/);
    writeFileSync(join(py, "test_batch"), Buffer.from([0x80, 2, 0x5d, 0x2e]));
    expect(() => new CIFAR10(bad, { train: false, format: "python" })).toThrow("test_batch: expected a pickled dict");
    writeFileSync(join(py, "test_batch"), Buffer.from("cos\nsystem\n(S'echo hi'\ntR.", "latin1"));
    expect(() => new CIFAR10(bad, { train: false, format: "python" })).toThrow("unsupported pickle global os.system");
    writeFileSync(join(py, "test_batch"), readFileSync(join(root, "py3-proto4")));
    expect(() => new CIFAR10(bad, { train: false, format: "python" })).toThrow(`CIFAR10: missing ${join(py, "batches.meta")}`);
    expect(() => new CIFAR10(bad, { format: "jpeg" as "python" })).toThrow('format must be "python" or "binary"');
  });
});

describe("NumPy pickles", () => {
  it("reads Python 3 pickles of protocols 2, 4 and 5 (bytes via _codecs.encode, BINBYTES, BYTEARRAY8)", () => {
    const want = readFileSync(join(root, "py3-proto2.data"));
    for (const p of [2, 4, 5]) {
      const d = datasets.unpickleNumpy(readFileSync(join(root, `py3-proto${p}`)), `proto${p}`) as Map<unknown, unknown>;
      const arr = d.get("data") as datasets.NumpyArray;
      expect(datasets.isNumpyArray(arr)).toBe(true);
      expect(arr.dtype).toBe("uint8");
      expect(arr.shape).toEqual([3, 3072]);
      expect(Buffer.from(arr.data as Uint8Array).equals(want)).toBe(true);
      expect(d.get("labels")).toEqual([1, 2, 3]);
      const raw = [...d.keys()].find((k) => k instanceof Uint8Array) as Uint8Array;
      expect(Array.from(d.get(raw) as Uint8Array)).toEqual([0, 255]);
      expect(Array.from(raw)).toEqual([...Buffer.from("raw")]);
    }
  });

  it("honours the byte order and element type", () => {
    const arr = datasets.unpickleNumpy(readFileSync(join(root, "int32be")), "int32be") as datasets.NumpyArray;
    expect(arr.dtype).toBe("int32");
    expect(arr.shape).toEqual([2, 3]);
    expect(Array.from(arr.data)).toEqual([1, -2, 3, 70000, 5, -6]);
  });

  it("reads Python 2 str by encoding, as pickle.load(encoding=…)", () => {
    // SHORT_BINSTRING 'h\xe9'
    const pkl = new Uint8Array([0x80, 2, 0x55, 2, 0x68, 0xe9, 0x2e]);
    expect(datasets.unpickleNumpy(pkl, "s", "latin1")).toBe("hé");
    expect(Array.from(datasets.unpickleNumpy(pkl, "s", "bytes") as Uint8Array)).toEqual([0x68, 0xe9]);
    expect(() => datasets.unpickleNumpy(pkl, "s", "ASCII")).toThrow('s: pickle byte 2: a Python 2 str holds non-ASCII bytes; read it with encoding "latin1" or "bytes"');
  });
});

describe("archives", () => {
  const TARS = String.raw`
import io, os, sys, tarfile
out = sys.argv[1]
def add(t, name, data):
    info = tarfile.TarInfo(name); info.size = len(data); t.addfile(info, io.BytesIO(data))
long = "deep/" + "d" * 120 + "/file-with-a-long-name.txt"
for fmt, tag in ((tarfile.PAX_FORMAT, "pax"), (tarfile.GNU_FORMAT, "gnu"), (tarfile.USTAR_FORMAT, "ustar")):
    with tarfile.open(os.path.join(out, tag + ".tar"), "w", format=fmt) as t:
        d = tarfile.TarInfo("top"); d.type = tarfile.DIRTYPE; t.addfile(d)
        add(t, "top/a.txt", b"alpha")
        add(t, "top/empty", b"")
        add(t, "top/big.bin", bytes(range(256)) * 7)
        if fmt != tarfile.USTAR_FORMAT:
            add(t, long, b"long")
            add(t, "top/caf\u00e9.txt", b"utf8")
with tarfile.open(os.path.join(out, "evil.tar"), "w") as t:
    add(t, "../evil.txt", b"x")
with tarfile.open(os.path.join(out, "link.tar"), "w") as t:
    s = tarfile.TarInfo("top/link"); s.type = tarfile.SYMTYPE; s.linkname = "/etc/passwd"; t.addfile(s)
`;
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), "tars-"));
    python(TARS, dir);
  });

  it.each(["pax", "gnu", "ustar"])("reads %s tar files written by Python's tarfile", (tag) => {
    const entries = datasets.readTar(readFileSync(join(dir, `${tag}.tar`)), tag);
    const files = Object.fromEntries(entries.filter((e) => e.type === "file").map((e) => [e.name, Buffer.from(e.data).toString("latin1")]));
    expect(entries[0]).toMatchObject({ name: "top", type: "directory" });
    expect(files["top/a.txt"]).toBe("alpha");
    expect(files["top/empty"]).toBe("");
    expect(files["top/big.bin"]).toBe(Buffer.from(new Uint8Array(7 * 256).map((_, i) => i % 256)).toString("latin1"));
    if (tag !== "ustar") {
      expect(files[`deep/${"d".repeat(120)}/file-with-a-long-name.txt`]).toBe("long");
      expect(files["top/café.txt"]).toBe("utf8");
    }
  });

  it("extracts .tar.gz, refuses paths outside the destination, links and corrupt headers", () => {
    const out = mkdtempSync(join(tmpdir(), "untar-"));
    const tgz = join(out, "x.tar.gz");
    writeFileSync(tgz, gzipSync(readFileSync(join(dir, "pax.tar"))));
    expect(datasets.extractArchive(tgz, join(out, "into"))).toBe(join(out, "into"));
    expect(readFileSync(join(out, "into", "top", "a.txt"), "utf8")).toBe("alpha");
    expect(existsSync(join(out, "into", "deep"))).toBe(true);
    expect(() => datasets.extractTar(readFileSync(join(dir, "evil.tar")), out, "evil.tar")).toThrow('evil.tar: refusing to extract "../evil.txt": it would land outside');
    expect(existsSync(join(out, "..", "evil.txt"))).toBe(false);
    expect(() => datasets.extractTar(readFileSync(join(dir, "link.tar")), out, "link.tar")).toThrow('link.tar: "top/link" is a symlink; only files and directories are extracted');
    const corrupt = Buffer.from(readFileSync(join(dir, "ustar.tar")));
    corrupt[10] ^= 1;
    expect(() => datasets.readTar(corrupt, "c.tar")).toThrow("c.tar: corrupt tar header at byte 0: checksum");
    const truncated = readFileSync(join(dir, "ustar.tar")).subarray(0, 512 * 4 + 100);
    expect(() => datasets.readTar(truncated, "t.tar")).toThrow("t.tar: truncated tar archive: a header at byte 2048 has 100 of 512 bytes");
    const notGz = join(out, "n.tar.gz");
    writeFileSync(notGz, "plain");
    expect(() => datasets.extractArchive(notGz)).toThrow(`${notGz}: not a gzip file`);
    expect(() => datasets.extractArchive(join(dir, "pax.zip"))).toThrow("unknown archive type");
  });
});

describe("CIFAR10.create(download)", () => {
  it("downloads the archive from a mirror, checks its md5, extracts it and loads", async () => {
    const archives = join(root, "archives");
    const served: Record<string, Buffer> = {
      "cifar-10-python.tar.gz": readFileSync(join(archives, "cifar-10-python.tar.gz")),
      "cifar-10-binary.tar.gz": readFileSync(join(archives, "cifar-10-binary.tar.gz")),
    };
    const requests: string[] = [];
    const server = createServer((req, res) => {
      requests.push(req.url ?? "");
      const body = served[(req.url ?? "").split("/").pop()!];
      res.statusCode = body ? 200 : 404;
      res.end(body);
    });
    // Bounded: the server stops itself even if the test dies before its finally.
    const stop = setTimeout(() => server.close(), 30_000);
    stop.unref();
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    const mirror = `http://127.0.0.1:${(server.address() as { port: number }).port}/kriz/`;
    try {
      class Local extends CIFAR10 {
        static override python = { ...CIFAR10.python, archive: { name: "cifar-10-python.tar.gz", md5: md5Of(served["cifar-10-python.tar.gz"]) } };
        static override binary = { ...CIFAR10.binary, archive: { name: "cifar-10-binary.tar.gz", md5: md5Of(served["cifar-10-binary.tar.gz"]) } };
      }
      const dest = mkdtempSync(join(tmpdir(), "cifar-dl-"));
      const ds = await Local.create(dest, { download: true, mirrors: [mirror], train: false });
      expect(requests).toEqual(["/kriz/cifar-10-python.tar.gz"]);
      expect(existsSync(join(dest, "cifar-10-python.tar.gz"))).toBe(true);
      expect(ds.format).toBe("python");
      expect(ds.targets).toEqual(tv["CIFAR10-test"].targets);
      expect(md5Of(ds.data.toTypedArray() as Uint8Array)).toBe(tv["CIFAR10-test"].dataMd5);
      // Present files: no second request.
      await Local.create(dest, { download: true, mirrors: [mirror] });
      expect(requests.length).toBe(1);

      const bin = await Local.create(dest, { download: true, mirrors: [mirror], format: "binary" });
      expect(requests).toEqual(["/kriz/cifar-10-python.tar.gz", "/kriz/cifar-10-binary.tar.gz"]);
      expect(bin.format).toBe("binary");
      expect(md5Of(bin.data.toTypedArray() as Uint8Array)).toBe(tv["CIFAR10-train"].dataMd5);

      // The real md5 (torchvision's) rejects the generated archive.
      const other = mkdtempSync(join(tmpdir(), "cifar-dl2-"));
      await expect(CIFAR10.create(other, { download: true, mirrors: [mirror] })).rejects.toThrow(
        /CIFAR10: could not download cifar-10-python.tar.gz \(md5 c58f30108f718f92721af3b95e74349a\):\n.*md5 mismatch/,
      );
      await expect(CIFAR100.create(other, { download: true, mirrors: [mirror] })).rejects.toThrow("HTTP 404");
      expect(existsSync(join(other, "cifar-10-batches-py"))).toBe(false);
    } finally {
      clearTimeout(stop);
      server.close();
    }
  });

  it("a truncated download in place is replaced", async () => {
    const dest = mkdtempSync(join(tmpdir(), "cifar-dl3-"));
    const archive = readFileSync(join(root, "archives", "cifar-10-python.tar.gz"));
    writeFileSync(join(dest, "cifar-10-python.tar.gz"), archive);
    truncateSync(join(dest, "cifar-10-python.tar.gz"), 1000);
    const server = createServer((_req, res) => res.end(archive));
    const stop = setTimeout(() => server.close(), 30_000);
    stop.unref();
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    try {
      class Local extends CIFAR10 {
        static override python = { ...CIFAR10.python, archive: { name: "cifar-10-python.tar.gz", md5: md5Of(archive) } };
      }
      const ds = await Local.create(dest, { download: true, mirrors: [`http://127.0.0.1:${(server.address() as { port: number }).port}/`] });
      expect(ds.length).toBe(74);
    } finally {
      clearTimeout(stop);
      server.close();
    }
  });
});
