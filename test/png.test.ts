import { deflateSync, inflateSync } from "node:zlib";
import { describe, expect, it } from "vitest";
import { crc32, decodePng, encodePng, pngInfo } from "../src/vision/png.js";

const hex = (s: string): Uint8Array => Uint8Array.from(Buffer.from(s, "hex"));

/** The pixel formula the fixtures were generated with (PIL 9.4 and a hand-written Python encoder). */
function pattern(w: number, h: number, c: number): Uint8Array {
  const out = new Uint8Array(w * h * c);
  let i = 0;
  for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) for (let k = 0; k < c; k++) out[i++] = (x * 37 + y * 71 + k * 113 + x * y * 13) % 256;
  return out;
}

// Written by PIL's Image.save(format="PNG") (7x5; L, LA, RGB, RGBA), a 6x4 palette image with tRNS, and a
// 6x5 RGB file whose row y uses filter type y (None, Sub, Up, Average, Paeth) — built by hand in Python.
const FIXTURES = {
  pil_L:
    "89504e470d0a1a0a0000000d4948445200000007000000050800000000acf1a9040000003149444154789c6364505555555555657437323232323262e83bcbe3dd759283e1aa62ee4ed6c0b90c32a5e7d41b6e1a0100b7180b81a0be48150000000049454e44ae426082",
  pil_LA:
    "89504e470d0a1a0a0000000d494844520000000700000005080400000023933e530000003849444154789c6364285445028cee3b8c900063df7f7b24c070d54d7152eebd9d5aac658187e6f231c8f4963e3b67af3ea3e1e34d2fa3c500b9811777e48465870000000049454e44ae426082",
  pil_RGB:
    "89504e470d0a1a0a0000000d494844520000000700000005080200000006f8618f0000005b49444154789c6364287ca48a0118dd77681a610086beff0567edd6f3d4bef3dea3dbf53be7a4d56a8eca570c57ddb62b4e62cebde7bf536b366bd9f3c043c673f9ea19647aff953e0b3f67bf417d0667c3c7a49b5ebb8d168b0000247627f2868c5db60000000049454e44ae426082",
  pil_RGBA:
    "89504e470d0a1a0a0000000d4948445200000007000000050806000000899af6d80000007349444154789c6364287c14ac8a0330baefd09c65840330f4fd2f7878d66ebd024fedbb78ef3dbaf3ba7ee7dc3d69b55a86a3f25534c355b7ed1a8a93984b72eff91fd8a9359b87b5ec7944e021e32573f9ea3f30c8f4fecb2f7d167ee29cfd0645f5199c550d1f932edff4daad63b458a4150070b434e5b1a62d430000000049454e44ae426082",
  pil_P:
    "89504e470d0a1a0a0000000d49484452000000060000000408030000009adabe710000003c504c54450000ff0c32f61864ed2496e430c8db3cfad2482cc9545ec06090b76cc2ae78f4a584269c9058939c8a8aa8bc81b4ee78c0206fcc5266d8845de4b654eaf847ba0000000474524e53ff800040fa7f3a7b0000002249444154789c636060e763e4e06760e21460e6126460e11662e5116660e3050903000b5a00d51e7e7a860000000049454e44ae426082",
  hand_filters:
    "89504e470d0a1a0a0000000d4948445200000006000000050802000000e93a0ab10000005949444154789c6360287ca43a8ddd6bb74efe83c029ac653bb56633baefd03442054ceeeeee212121898989797979d5d5d51d1d1dcc7dc7eb030202c2c3afc7c6c6a63c49799595c502541519121209047991d591c723233b001490227b8fc6504d0000000049454e44ae426082",
};

function chunkFile(chunks: [string, Uint8Array][]): Uint8Array {
  const parts: number[] = [137, 80, 78, 71, 13, 10, 26, 10];
  for (const [type, body] of chunks) {
    const head = new Uint8Array(8);
    new DataView(head.buffer).setUint32(0, body.length);
    for (let i = 0; i < 4; i++) head[4 + i] = type.charCodeAt(i);
    const typed = new Uint8Array([...head.subarray(4), ...body]);
    const crc = new Uint8Array(4);
    new DataView(crc.buffer).setUint32(0, crc32(typed));
    parts.push(...head, ...body, ...crc);
  }
  return Uint8Array.from(parts);
}

function ihdr(w: number, h: number, depth: number, colorType: number, interlace = 0): Uint8Array {
  const b = new Uint8Array(13);
  const dv = new DataView(b.buffer);
  dv.setUint32(0, w);
  dv.setUint32(4, h);
  b[8] = depth;
  b[9] = colorType;
  b[12] = interlace;
  return b;
}

describe("crc32 (PNG chunks)", () => {
  it("matches the standard check value and zlib's empty CRC", () => {
    expect(crc32(new TextEncoder().encode("123456789"))).toBe(0xcbf43926);
    expect(crc32(new Uint8Array(0))).toBe(0);
    // IEND's CRC is fixed by the spec: AE 42 60 82.
    expect(crc32(new TextEncoder().encode("IEND"))).toBe(0xae426082);
  });
});

describe("decodePng", () => {
  it("decodes PIL's gray, gray+alpha, RGB and RGBA files to the generating pattern", () => {
    for (const [name, c, ct] of [["pil_L", 1, 0], ["pil_LA", 2, 4], ["pil_RGB", 3, 2], ["pil_RGBA", 4, 6]] as const) {
      const img = decodePng(hex(FIXTURES[name]));
      expect([img.width, img.height, img.channels, img.colorType, img.bitDepth], name).toEqual([7, 5, c, ct, 8]);
      expect(Array.from(img.data), name).toEqual(Array.from(pattern(7, 5, c)));
    }
  });

  it("decodes all five filter types (one per row)", () => {
    const img = decodePng(hex(FIXTURES.hand_filters));
    expect([img.width, img.height, img.channels]).toEqual([6, 5, 3]);
    expect(Array.from(img.data)).toEqual(Array.from(pattern(6, 5, 3)));
  });

  it("expands a palette image with tRNS to RGBA", () => {
    const img = decodePng(hex(FIXTURES.pil_P));
    expect([img.width, img.height, img.channels, img.colorType]).toEqual([6, 4, 4, 3]);
    const alpha = [255, 128, 0, 64];
    const want: number[] = [];
    for (let i = 0; i < 24; i++) {
      const k = (i * 7) % 20;
      want.push((k * 12) % 256, (k * 50) % 256, (255 - k * 9) % 256, k < 4 ? alpha[k] : 255);
    }
    expect(Array.from(img.data)).toEqual(want);
  });

  it("reads the header alone", () => {
    expect(pngInfo(hex(FIXTURES.pil_RGBA))).toEqual({ width: 7, height: 5, bitDepth: 8, colorType: 6, interlace: 0 });
  });

  it("rejects what it does not support, and damaged files, with the reason", () => {
    const good = hex(FIXTURES.pil_RGB);
    expect(() => decodePng(good.subarray(1))).toThrow("decodePng: not a PNG file (bad signature)");
    const flipped = good.slice();
    flipped[45] ^= 0x01; // inside the IDAT data
    expect(() => decodePng(flipped)).toThrow(/decodePng: CRC mismatch in chunk IDAT at byte 33/);
    expect(() => decodePng(good.subarray(0, good.length - 12))).toThrow("decodePng: missing IEND chunk (truncated file)");
    expect(() => decodePng(good.subarray(0, 50))).toThrow(/decodePng: chunk IDAT at byte 33 runs past the end of the file/);
    const idat = deflateSync(new Uint8Array(2 * 3));
    expect(() => decodePng(chunkFile([["IHDR", ihdr(1, 2, 16, 0)], ["IDAT", idat], ["IEND", new Uint8Array(0)]]))).toThrow(
      "decodePng: only 8-bit PNGs are supported, got bit depth 16",
    );
    expect(() => decodePng(chunkFile([["IHDR", ihdr(1, 2, 8, 0, 1)], ["IDAT", idat], ["IEND", new Uint8Array(0)]]))).toThrow(
      "decodePng: interlaced (Adam7) PNGs are not supported",
    );
    const badFilter = deflateSync(Uint8Array.of(0, 7, 5, 7));
    expect(() => decodePng(chunkFile([["IHDR", ihdr(1, 2, 8, 0)], ["IDAT", badFilter], ["IEND", new Uint8Array(0)]]))).toThrow(
      "decodePng: invalid filter type 5 on row 1",
    );
    const short = deflateSync(Uint8Array.of(0, 7));
    expect(() => decodePng(chunkFile([["IHDR", ihdr(1, 2, 8, 0)], ["IDAT", short], ["IEND", new Uint8Array(0)]]))).toThrow(
      "decodePng: image data has 2 bytes, expected 4 for 1x2",
    );
  });
});

describe("encodePng", () => {
  it("writes signature, IHDR, IDAT, IEND with valid CRCs and the right color type", () => {
    const png = encodePng({ width: 2, height: 1, channels: 3, data: Uint8Array.of(255, 0, 0, 0, 255, 0) });
    expect(Array.from(png.subarray(0, 8))).toEqual([137, 80, 78, 71, 13, 10, 26, 10]);
    expect(pngInfo(png)).toEqual({ width: 2, height: 1, bitDepth: 8, colorType: 2, interlace: 0 });
    expect(Array.from(png.subarray(png.length - 12))).toEqual([0, 0, 0, 0, 0x49, 0x45, 0x4e, 0x44, 0xae, 0x42, 0x60, 0x82]);
    for (const [channels, colorType] of [[1, 0], [2, 4], [3, 2], [4, 6]]) {
      expect(pngInfo(encodePng({ width: 1, height: 1, channels, data: new Uint8Array(channels) })).colorType).toBe(colorType);
    }
  });

  it("round-trips every channel count with adaptive and every forced filter", () => {
    for (const channels of [1, 2, 3, 4]) {
      const data = pattern(9, 6, channels);
      for (const filter of [undefined, 0, 1, 2, 3, 4]) {
        const back = decodePng(encodePng({ width: 9, height: 6, channels, data }, { filter }));
        expect([back.width, back.height, back.channels]).toEqual([9, 6, channels]);
        expect(Array.from(back.data), `channels ${channels} filter ${filter}`).toEqual(Array.from(data));
      }
    }
  });

  it("uses the residual-minimizing filter per row (Up for rows equal to the previous one)", () => {
    const row = Uint8Array.from({ length: 30 }, (_, i) => (i * 97) % 256);
    const data = new Uint8Array(90);
    for (let y = 0; y < 3; y++) data.set(row, y * 30);
    const png = encodePng({ width: 10, height: 3, channels: 3, data });
    // Decode the IDAT by hand to look at the filter bytes.
    const len = new DataView(png.buffer, png.byteOffset).getUint32(33);
    const raw = inflateSync(png.subarray(41, 41 + len));
    expect([raw[31], raw[62]]).toEqual([2, 2]);
  });

  it("the JSDoc example", () => {
    const png = encodePng({ width: 2, height: 1, channels: 3, data: Uint8Array.of(255, 0, 0, 0, 255, 0) });
    expect(Array.from(decodePng(png).data)).toEqual([255, 0, 0, 0, 255, 0]);
  });

  it("rejects bad arguments", () => {
    expect(() => encodePng({ width: 1, height: 1, channels: 5, data: new Uint8Array(5) })).toThrow("encodePng: channels must be 1, 2, 3 or 4, got 5");
    expect(() => encodePng({ width: 0, height: 1, channels: 1, data: new Uint8Array(0) })).toThrow(
      "encodePng: width and height must be integers in [1, 2^31), got 0x1",
    );
    expect(() => encodePng({ width: 2, height: 2, channels: 3, data: new Uint8Array(11) })).toThrow(
      "encodePng: a 2x2x3 image needs 12 bytes, got 11",
    );
    expect(() => encodePng({ width: 1, height: 1, channels: 1, data: new Uint8Array(1) }, { filter: 5 })).toThrow("encodePng: filter must be 0..4, got 5");
  });
});
