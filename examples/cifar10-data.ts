/**
 * Where the examples find CIFAR-10, as the seeds' `torchvision.datasets.CIFAR10("./dataset", train=False, ...)`.
 *
 * The real set is used when it is there: `$CIFAR10_ROOT`, or `./dataset` holding `cifar-10-batches-py/` or
 * `cifar-10-batches-bin/` (download it once with `await CIFAR10.create("./dataset", { download: true })`).
 * Otherwise the examples run on CIFAR-format data made from real Fashion-MNIST test images: each 28×28 gray
 * image padded to 32×32 and written as RGB into `cifar-10-batches-bin/test_batch.bin` (CIFAR-10's binary
 * layout: one label byte, then the R, G and B planes), with Fashion-MNIST's class names.
 */
import { existsSync, mkdirSync, renameSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { datasets } from "torch-ts/vision";

const SAMPLE = fileURLToPath(new URL("../data/fashion-mnist-sample", import.meta.url));

/** Writes CIFAR-10 binary test files made from the Fashion-MNIST test images in `fashionRoot` into `root`. */
export function writeCifarFormat(root: string, fashionRoot = SAMPLE, limit = Infinity): void {
  const fm = new datasets.FashionMNIST(fashionRoot, { train: false });
  const n = Math.min(fm.length, limit);
  const dir = join(root, "cifar-10-batches-bin");
  mkdirSync(dir, { recursive: true });
  const record = 1 + 3 * 32 * 32;
  const bytes = new Uint8Array(n * record);
  const pixels = fm.data.toTypedArray() as Uint8Array;
  const labels = fm.targets.toTypedArray();
  for (let i = 0; i < n; i++) {
    const o = i * record;
    bytes[o] = labels[i];
    for (let c = 0; c < 3; c++) {
      for (let y = 0; y < 28; y++) {
        for (let x = 0; x < 28; x++) bytes[o + 1 + c * 1024 + (y + 2) * 32 + (x + 2)] = pixels[i * 784 + y * 28 + x];
      }
    }
  }
  // Written under temporary names and renamed: examples run in parallel may look for the files meanwhile.
  const put = (name: string, data: Uint8Array | string): void => {
    const tmp = join(dir, `.${name}.${process.pid}.tmp`);
    writeFileSync(tmp, data);
    renameSync(tmp, join(dir, name));
  };
  put("batches.meta.txt", `${datasets.FashionMNIST.classes.join("\n")}\n`);
  put("test_batch.bin", bytes);
}

/** The CIFAR-10 root the examples read: the real set when present, else generated CIFAR-format data. */
export function cifar10Root(): string {
  const candidates = [process.env.CIFAR10_ROOT, "./dataset"].filter((d): d is string => !!d);
  for (const d of candidates) {
    if (existsSync(join(d, "cifar-10-batches-py")) || existsSync(join(d, "cifar-10-batches-bin"))) return d;
  }
  const root = join(tmpdir(), "torch-ts-examples", "cifar10-from-fashion-mnist");
  if (!existsSync(join(root, "cifar-10-batches-bin", "test_batch.bin"))) writeCifarFormat(root);
  console.log(`(CIFAR-10 not found in ./dataset or $CIFAR10_ROOT: using CIFAR-format data made from Fashion-MNIST in ${root})`);
  return root;
}
