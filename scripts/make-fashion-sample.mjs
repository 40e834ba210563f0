// Cuts the small Fashion-MNIST sample shipped in data/fashion-mnist-sample from the full IDX files
// (Debian's dataset-fashion-mnist), keeping the official IDX format so the same loader reads both.
// Usage: node scripts/make-fashion-sample.mjs [srcDir] [trainCount] [testCount]
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { gunzipSync, gzipSync } from "node:zlib";
import { join } from "node:path";

const src = process.argv[2] ?? "/usr/share/datasets/fashion-mnist";
const counts = { train: Number(process.argv[3] ?? 6000), t10k: Number(process.argv[4] ?? 1000) };
const out = "data/fashion-mnist-sample";
mkdirSync(out, { recursive: true });

for (const [split, n] of Object.entries(counts)) {
  for (const kind of ["images-idx3-ubyte", "labels-idx1-ubyte"]) {
    const name = `${split}-${kind}.gz`;
    const raw = gunzipSync(readFileSync(join(src, name)));
    const dims = raw[3];
    const header = Buffer.from(raw.subarray(0, 4 + 4 * dims));
    const itemSize = kind.startsWith("images") ? raw.readUInt32BE(8) * raw.readUInt32BE(12) : 1;
    header.writeUInt32BE(n, 4);
    const body = raw.subarray(4 + 4 * dims, 4 + 4 * dims + n * itemSize);
    writeFileSync(join(out, name), gzipSync(Buffer.concat([header, body]), { level: 9 }));
    console.log(`${name}: ${n} items`);
  }
}
