/**
 * Image I/O: PNG and JPEG decoding into `Image`, encoding, mode conversion and the errors for bad data.
 * PNG (both directions) and mode conversion are compared exactly with PIL 9.4 through the oracle's Python;
 * JPEG decoding (jpeg-js) is compared with PIL's libjpeg within stated bounds (see the JPEG test).
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { Image, type ImageMode } from "../src/vision/image.js";
import { decodeImage, encodeJpeg, encodePng, sniffFormat } from "../src/vision/io.js";
import { readImage, writeImage } from "../src/vision/io-node.js";
import { convertImage, luma } from "../src/vision/transforms/image-mode.js";
import { crc32 } from "../src/vision/png.js";
import { oracle } from "./oracle/client.js";
import { Rng } from "./oracle/rng.js";

const dir = mkdtempSync(join(tmpdir(), "torch-ts-image-io-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const rng = new Rng(31337);

function randomImage(w: number, h: number, mode: ImageMode): Image {
  const c = mode === "L" ? 1 : mode === "RGB" ? 3 : 4;
  return new Image(w, h, mode, Uint8Array.from({ length: w * h * c }, () => rng.int(0, 255)));
}

/** Runs Python (PIL in scope as `PImage`, `np`, `io`) that assigns `out` to a list of uint8 tensors. */
async function pil(code: string, inputs: Uint8Array[] = []): Promise<Uint8Array[]> {
  const head = "import io\nimport numpy as np\nfrom PIL import Image as PImage\n";
  const [r] = await oracle().run([{ expr: head + code, inputs: inputs.map((b) => ({ dtype: "uint8", shape: [b.length], data: b })) }]);
  if (r.error !== undefined) throw new Error(r.error);
  return r.outputs!.map((o) => Uint8Array.from(o.data as ArrayLike<number>));
}

const PY_BYTES = "torch.frombuffer(bytearray(raw), dtype=torch.uint8)";

describe("PNG", () => {
  it("round-trips L, RGB and RGBA images exactly", () => {
    for (const mode of ["L", "RGB", "RGBA"] as const) {
      const img = randomImage(rng.int(1, 20), rng.int(1, 20), mode);
      const back = decodeImage(encodePng(img));
      expect([back.width, back.height, back.mode]).toEqual([img.width, img.height, mode]);
      expect(Array.from(back.data)).toEqual(Array.from(img.data));
    }
  });

  it("decodes PIL's PNGs of every mode as PIL does (palette, transparency, gray + alpha)", async () => {
    for (const [mode, convert, readAs] of [
      ["L", "L", "unchanged"], ["RGB", "RGB", "unchanged"], ["RGBA", "RGBA", "unchanged"],
      ["P", "RGB", "RGB"], ["LA", "RGBA", "RGBA"], ["LA", "L", "L"], ["RGB", "L", "L"], ["RGBA", "RGB", "RGB"],
    ] as const) {
      const w = rng.int(1, 17);
      const h = rng.int(1, 17);
      const code =
        `g = torch.Generator().manual_seed(${rng.int(0, 1000)})\n` +
        `a = torch.randint(0, 256, (${h}, ${w}, 4), generator=g, dtype=torch.uint8).numpy()\n` +
        `im = PImage.fromarray(a, "RGBA").convert(${JSON.stringify(mode)})\n` +
        `b = io.BytesIO()\nim.save(b, "PNG")\nraw = b.getvalue()\n` +
        `dec = np.array(PImage.open(io.BytesIO(raw)).convert(${JSON.stringify(convert)}))\n` +
        `out = [${PY_BYTES}, torch.from_numpy(dec).reshape(-1)]`;
      const [bytes, want] = await pil(code);
      const img = decodeImage(bytes, { mode: readAs as "unchanged" | ImageMode, source: `${mode}.png` });
      expect(img.mode).toBe(convert);
      expect(Array.from(img.data)).toEqual(Array.from(want));
    }
  });

  it("writes PNGs PIL reads back to the same pixels", async () => {
    for (const mode of ["L", "RGB", "RGBA"] as const) {
      const img = randomImage(rng.int(1, 30), rng.int(1, 30), mode);
      const [got] = await pil(`im = PImage.open(io.BytesIO(x0.numpy().tobytes()))\nassert im.mode == ${JSON.stringify(mode)}\nout = [torch.from_numpy(np.array(im)).reshape(-1)]`, [encodePng(img)]);
      expect(Array.from(got)).toEqual(Array.from(img.data));
    }
  });
});

describe("JPEG", () => {
  // jpeg-js and libjpeg (PIL) use different IDCTs, and for subsampled chroma different upsampling (libjpeg's
  // "fancy" triangle filter, jpeg-js's replication). Bounds: gray and 4:4:4 color within 3 levels per value
  // with mean |Δ| < 1; 4:2:0 / 4:2:2 mean |Δ| < 3.
  const cases = [
    { mode: "RGB", quality: 90, subsampling: 0, progressive: false, max: 3, mean: 1 },
    { mode: "RGB", quality: 95, subsampling: 0, progressive: true, max: 3, mean: 1 },
    { mode: "L", quality: 85, subsampling: 0, progressive: false, max: 3, mean: 1 },
    { mode: "RGB", quality: 75, subsampling: 2, progressive: false, max: 255, mean: 3 },
    { mode: "RGB", quality: 80, subsampling: 1, progressive: true, max: 255, mean: 3 },
  ];
  for (const c of cases) {
    it(`decodes ${c.mode} q=${c.quality} subsampling=${c.subsampling}${c.progressive ? " progressive" : ""} close to PIL`, async () => {
      const code =
        `g = torch.Generator().manual_seed(3)\nH, W = 37, 53\n` +
        `yy, xx = torch.meshgrid(torch.arange(H), torch.arange(W), indexing="ij")\n` +
        `base = torch.stack([(xx * 4) % 256, (yy * 6) % 256, ((xx + yy) * 3) % 256], -1).to(torch.float32)\n` +
        `base = (base + torch.randint(0, 40, base.shape, generator=g)).clamp(0, 255).to(torch.uint8).numpy()\n` +
        `im = PImage.fromarray(base if ${c.mode === "RGB" ? "True" : "False"} else base[:, :, 0], ${JSON.stringify(c.mode)})\n` +
        `b = io.BytesIO()\nim.save(b, "JPEG", quality=${c.quality}, subsampling=${c.subsampling}, progressive=${c.progressive ? "True" : "False"})\n` +
        `raw = b.getvalue()\nout = [${PY_BYTES}, torch.from_numpy(np.array(PImage.open(io.BytesIO(raw)))).reshape(-1)]`;
      const [bytes, want] = await pil(code);
      expect(sniffFormat(bytes)).toBe("jpeg");
      const img = decodeImage(bytes, { source: "pil.jpg" });
      expect([img.width, img.height, img.mode]).toEqual([53, 37, c.mode]);
      let max = 0;
      let sum = 0;
      for (let i = 0; i < want.length; i++) {
        const d = Math.abs(img.data[i] - want[i]);
        max = Math.max(max, d);
        sum += d;
      }
      expect(max).toBeLessThanOrEqual(c.max);
      expect(sum / want.length).toBeLessThan(c.mean);
    });
  }

  it("encodes JPEGs that decode close to the original (and that PIL opens)", async () => {
    // A smooth image: JPEG at quality 95 keeps it within a few levels.
    const w = 24;
    const h = 16;
    const data = new Uint8Array(w * h * 3);
    for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) data.set([x * 10, y * 15, 128], (y * w + x) * 3);
    const img = new Image(w, h, "RGB", data);
    const bytes = encodeJpeg(img, 95);
    const back = decodeImage(bytes);
    let max = 0;
    for (let i = 0; i < data.length; i++) max = Math.max(max, Math.abs(back.data[i] - data[i]));
    expect(max).toBeLessThanOrEqual(8);
    const [size] = await pil("im = PImage.open(io.BytesIO(x0.numpy().tobytes()))\nout = [torch.tensor([im.size[0], im.size[1]], dtype=torch.uint8)]", [bytes]);
    expect(Array.from(size)).toEqual([w, h]);
  });
});

describe("mode conversion", () => {
  it("uses PIL's fixed-point luma for RGB → L", () => {
    expect([luma(255, 0, 0), luma(0, 255, 0), luma(0, 0, 255), luma(255, 255, 255)]).toEqual([76, 150, 29, 255]);
    const img = new Image(2, 1, "RGBA", Uint8Array.of(10, 200, 30, 7, 255, 255, 255, 0));
    expect(Array.from(convertImage(img, "L").data)).toEqual([luma(10, 200, 30), 255]);
    expect(Array.from(convertImage(img, "RGB").data)).toEqual([10, 200, 30, 255, 255, 255]);
    expect(Array.from(convertImage(new Image(1, 1, "L", Uint8Array.of(9)), "RGBA").data)).toEqual([9, 9, 9, 255]);
  });

  it("matches PIL's convert exactly on random pixels", async () => {
    const img = randomImage(31, 17, "RGB");
    const [want] = await pil(`a = x0.numpy().reshape(17, 31, 3)\nout = [torch.from_numpy(np.array(PImage.fromarray(a, "RGB").convert("L"))).reshape(-1)]`, [img.data]);
    expect(Array.from(convertImage(img, "L").data)).toEqual(Array.from(want));
  });
});

describe("errors name the source and say what is wrong", () => {
  const png = encodePng(randomImage(9, 7, "RGB"));

  it("truncated PNGs at every stage", () => {
    expect(() => decodeImage(png.subarray(0, 20), { source: "a.png" })).toThrow(/^a\.png: invalid PNG: not a PNG file/);
    expect(() => decodeImage(png.subarray(0, 40), { source: "a.png" })).toThrow(/^a\.png: invalid PNG: .*(truncated|runs past the end)/);
    expect(() => decodeImage(png.subarray(0, png.length - 12), { source: "a.png" })).toThrow(/^a\.png: invalid PNG: missing IEND chunk \(truncated file\)/);
  });

  it("corrupted PNGs: a flipped byte fails the CRC; bad compressed data with a valid CRC fails inflate", () => {
    const bad = png.slice();
    bad[45] ^= 0xff;
    expect(() => decodeImage(bad, { source: "b.png" })).toThrow(/^b\.png: invalid PNG: CRC mismatch in chunk IDAT/);
    // Rewrite the IDAT body as garbage with a correct CRC: the chunk layer accepts it, zlib does not.
    const idat = png.indexOf(0x49, 33); // 'I' of IDAT
    const len = new DataView(png.buffer, png.byteOffset).getUint32(idat - 4);
    const garbage = png.slice();
    for (let i = 0; i < len; i++) garbage[idat + 4 + i] = (i * 37) & 0xff;
    new DataView(garbage.buffer).setUint32(idat + 4 + len, crc32(garbage, idat, idat + 4 + len));
    expect(() => decodeImage(garbage, { source: "c.png" })).toThrow(/^c\.png: invalid PNG: corrupt image data/);
  });

  it("gray + alpha PNGs need a mode; unsupported bit depths say so", async () => {
    const [la] = await pil(`b = io.BytesIO()\nPImage.new("LA", (3, 2), (7, 9)).save(b, "PNG")\nraw = b.getvalue()\nout = [${PY_BYTES}]`);
    expect(() => decodeImage(la, { source: "la.png" })).toThrow(/^la\.png: the PNG has 2 channels \(gray \+ alpha\).*mode "L", "RGB" or "RGBA"/);
    expect(Array.from(decodeImage(la, { mode: "L" }).data)).toEqual([7, 7, 7, 7, 7, 7]);
    const [i16] = await pil(`b = io.BytesIO()\nPImage.new("I;16", (3, 2), 300).save(b, "PNG")\nraw = b.getvalue()\nout = [${PY_BYTES}]`);
    expect(() => decodeImage(i16, { source: "deep.png" })).toThrow(/^deep\.png: invalid PNG: only 8-bit PNGs are supported, got bit depth 16/);
  });

  it("truncated and corrupted JPEGs, unknown formats, empty files, bad arguments", () => {
    const jpg = encodeJpeg(randomImage(16, 16, "RGB"), 80);
    expect(() => decodeImage(jpg.subarray(0, jpg.length >> 1), { source: "t.jpg" })).toThrow(/^t\.jpg: truncated JPEG/);
    const broken = jpg.slice();
    broken.fill(0x00, 4, 60); // wipe the headers after SOI and the first marker
    expect(() => decodeImage(broken, { source: "x.jpg" })).toThrow(/^x\.jpg: invalid JPEG: /);
    expect(() => decodeImage(Uint8Array.of(0x47, 0x49, 0x46, 0x38, 0x39, 0x61), { source: "y.gif" })).toThrow(/^y\.gif: unrecognized image format \(expected PNG or JPEG; first bytes: 47 49 46 38 39 61\)/);
    expect(() => decodeImage(new Uint8Array(0), { source: "e.png" })).toThrow(/^e\.png: empty file/);
    expect(() => decodeImage("abc" as unknown as Uint8Array)).toThrow(/decodeImage \(image data\): expected a Uint8Array/);
    expect(() => decodeImage(png, { mode: "CMYK" as ImageMode })).toThrow(/mode must be "unchanged", "L", "RGB" or "RGBA", got "CMYK"/);
    expect(() => encodeJpeg(randomImage(2, 2, "RGB"), 0)).toThrow(/encodeJpeg: quality must be in \[1, 100\]/);
  });
});

describe("files", () => {
  it("readImage / writeImage pick the codec by extension and name the path in errors", () => {
    const img = randomImage(5, 4, "RGBA");
    const p = join(dir, "x.png");
    writeImage(p, img);
    expect(Array.from(readImage(p).data)).toEqual(Array.from(img.data));
    expect(readImage(p, { mode: "RGB" }).mode).toBe("RGB");
    const j = join(dir, "x.jpeg");
    writeImage(j, img);
    expect(readImage(j).mode).toBe("RGB");
    expect(() => writeImage(join(dir, "x.tiff"), img)).toThrow(/writeImage: cannot tell the image format from the extension ".tiff"/);
    expect(() => readImage(join(dir, "missing.png"))).toThrow(/readImage: cannot read .*missing\.png/);
    const cut = join(dir, "cut.png");
    writeFileSync(cut, encodePng(img).subarray(0, 50));
    expect(() => readImage(cut)).toThrow(new RegExp(`^${cut.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&")}: invalid PNG`));
  });
});
