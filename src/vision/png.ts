/**
 * A small PNG codec (Node-only: it uses `node:zlib`). Encodes 8-bit gray, gray+alpha, RGB and RGBA;
 * decodes non-interlaced 8-bit PNGs of every color type with all five row filters (None, Sub, Up, Average,
 * Paeth). Spec: https://www.w3.org/TR/png/ (chunks, CRC-32, filtering).
 */
import { deflateSync, inflateSync } from "node:zlib";

/** An 8-bit image, rows top to bottom, channels interleaved (HWC). */
export interface PngImage {
  width: number;
  height: number;
  /** 1 gray, 2 gray+alpha, 3 RGB, 4 RGBA. */
  channels: number;
  data: Uint8Array;
}

/** What `decodePng` returns: the pixels plus the header fields of the file. */
export interface DecodedPng extends PngImage {
  /** PNG color type: 0 gray, 2 RGB, 3 palette (expanded to RGB, or RGBA with tRNS), 4 gray+alpha, 6 RGBA. */
  colorType: number;
  bitDepth: number;
}

const SIGNATURE = Uint8Array.of(137, 80, 78, 71, 13, 10, 26, 10);
const COLOR_TYPE_OF_CHANNELS: Record<number, number> = { 1: 0, 2: 4, 3: 2, 4: 6 };
const CHANNELS_OF_COLOR_TYPE: Record<number, number> = { 0: 1, 2: 3, 3: 1, 4: 2, 6: 4 };

const CRC_TABLE = /* @__PURE__ */ (() => {
  const t = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    t[n] = c >>> 0;
  }
  return t;
})();

/** CRC-32 (IEEE 802.3, zlib's; reflected polynomial 0xEDB88320) of `data[start:end]`. `crc32("123456789") = 0xCBF43926`. */
export function crc32(data: Uint8Array, start = 0, end = data.length): number {
  let c = 0xffffffff;
  for (let i = start; i < end; i++) c = CRC_TABLE[(c ^ data[i]) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

function chunk(type: string, body: Uint8Array): Uint8Array {
  const out = new Uint8Array(12 + body.length);
  const dv = new DataView(out.buffer);
  dv.setUint32(0, body.length);
  for (let i = 0; i < 4; i++) out[4 + i] = type.charCodeAt(i);
  out.set(body, 8);
  dv.setUint32(8 + body.length, crc32(out, 4, 8 + body.length));
  return out;
}

function paeth(a: number, b: number, c: number): number {
  const p = a + b - c;
  const pa = Math.abs(p - a);
  const pb = Math.abs(p - b);
  const pc = Math.abs(p - c);
  return pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
}

/** Writes the row at `rs` (previous row at `ps`, or -1 for the first row) filtered with `filter` into `out[o…]`. */
function filterRow(filter: number, d: Uint8Array, rs: number, ps: number, stride: number, bpp: number, out: Uint8Array, o: number): void {
  // One loop per filter type: a switch inside the per-byte loop costs several times more.
  if (filter === 0 || (filter === 2 && ps < 0)) {
    out.set(d.subarray(rs, rs + stride), o);
  } else if (filter === 1 || (filter === 4 && ps < 0)) {
    // Paeth with no previous row predicts from the left byte, like Sub.
    for (let i = 0; i < bpp; i++) out[o + i] = d[rs + i];
    for (let i = bpp; i < stride; i++) out[o + i] = (d[rs + i] - d[rs + i - bpp]) & 0xff;
  } else if (filter === 2) {
    for (let i = 0; i < stride; i++) out[o + i] = (d[rs + i] - d[ps + i]) & 0xff;
  } else if (filter === 3) {
    if (ps < 0) {
      for (let i = 0; i < bpp; i++) out[o + i] = d[rs + i];
      for (let i = bpp; i < stride; i++) out[o + i] = (d[rs + i] - (d[rs + i - bpp] >>> 1)) & 0xff;
    } else {
      for (let i = 0; i < bpp; i++) out[o + i] = (d[rs + i] - (d[ps + i] >>> 1)) & 0xff;
      for (let i = bpp; i < stride; i++) out[o + i] = (d[rs + i] - ((d[rs + i - bpp] + d[ps + i]) >>> 1)) & 0xff;
    }
  } else {
    for (let i = 0; i < bpp; i++) out[o + i] = (d[rs + i] - d[ps + i]) & 0xff;
    for (let i = bpp; i < stride; i++) {
      const a = d[rs + i - bpp];
      const b = d[ps + i];
      const c = d[ps + i - bpp];
      // paeth(a, b, c) inlined: |p - a| = |b - c|, |p - b| = |a - c|, |p - c| = |a + b - 2c|.
      const pa = b > c ? b - c : c - b;
      const pb = a > c ? a - c : c - a;
      const s2 = a + b - 2 * c;
      const pc = s2 < 0 ? -s2 : s2;
      out[o + i] = (d[rs + i] - (pa <= pb && pa <= pc ? a : pb <= pc ? b : c)) & 0xff;
    }
  }
}

/**
 * Encodes an 8-bit image as PNG. Each row gets the filter with the smallest sum of absolute (signed)
 * residuals — the usual heuristic (libpng, PIL) — unless `filter` forces one of 0–4.
 *
 * @example
 * const png = encodePng({ width: 2, height: 1, channels: 3, data: Uint8Array.of(255, 0, 0, 0, 255, 0) });
 */
export function encodePng(img: PngImage, options: { filter?: number; level?: number } = {}): Uint8Array {
  const { width, height, channels, data } = img;
  const colorType = COLOR_TYPE_OF_CHANNELS[channels];
  if (colorType === undefined) throw new Error(`encodePng: channels must be 1, 2, 3 or 4, got ${channels}`);
  if (!Number.isInteger(width) || !Number.isInteger(height) || width < 1 || height < 1 || width > 0x7fffffff || height > 0x7fffffff) {
    throw new RangeError(`encodePng: width and height must be integers in [1, 2^31), got ${width}x${height}`);
  }
  if (data.length !== width * height * channels) {
    throw new RangeError(`encodePng: a ${width}x${height}x${channels} image needs ${width * height * channels} bytes, got ${data.length}`);
  }
  const forced = options.filter;
  if (forced !== undefined && !(Number.isInteger(forced) && forced >= 0 && forced <= 4)) {
    throw new RangeError(`encodePng: filter must be 0..4, got ${forced}`);
  }
  const stride = width * channels;
  const raw = new Uint8Array(height * (stride + 1));
  const trial = forced === undefined ? new Uint8Array(stride) : null;
  for (let y = 0; y < height; y++) {
    const o = y * (stride + 1);
    const rowStart = y * stride;
    const prevStart = y > 0 ? rowStart - stride : -1;
    let best = forced ?? 0;
    if (trial) {
      let bestCost = Infinity;
      for (let f = 0; f <= 4; f++) {
        filterRow(f, data, rowStart, prevStart, stride, channels, trial, 0);
        let cost = 0;
        for (let i = 0; i < stride; i++) cost += trial[i] < 128 ? trial[i] : 256 - trial[i];
        if (cost < bestCost) {
          bestCost = cost;
          best = f;
        }
      }
    }
    raw[o] = best;
    filterRow(best, data, rowStart, prevStart, stride, channels, raw, o + 1);
  }
  const ihdr = new Uint8Array(13);
  const dv = new DataView(ihdr.buffer);
  dv.setUint32(0, width);
  dv.setUint32(4, height);
  ihdr[8] = 8; // bit depth
  ihdr[9] = colorType;
  // compression 0 (deflate), filter method 0, interlace 0: already zero.
  const parts = [SIGNATURE, chunk("IHDR", ihdr), chunk("IDAT", deflateSync(raw, { level: options.level ?? 6 })), chunk("IEND", new Uint8Array(0))];
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let pos = 0;
  for (const p of parts) {
    out.set(p, pos);
    pos += p.length;
  }
  return out;
}

/** The IHDR fields of a PNG (reads only the header). */
export function pngInfo(bytes: Uint8Array): { width: number; height: number; bitDepth: number; colorType: number; interlace: number } {
  if (bytes.length < 33 || SIGNATURE.some((b, i) => bytes[i] !== b)) throw new Error("decodePng: not a PNG file (bad signature)");
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const type = String.fromCharCode(bytes[12], bytes[13], bytes[14], bytes[15]);
  if (type !== "IHDR" || dv.getUint32(8) !== 13) throw new Error("decodePng: the first chunk must be a 13-byte IHDR");
  return { width: dv.getUint32(16), height: dv.getUint32(20), bitDepth: bytes[24], colorType: bytes[25], interlace: bytes[28] };
}

/**
 * Decodes a PNG to 8-bit HWC pixels. Supported: bit depth 8, no interlacing, color types 0/2/3/4/6
 * (palette images come out RGB, or RGBA when a tRNS chunk is present). Chunk CRCs are verified.
 */
export function decodePng(bytes: Uint8Array): DecodedPng {
  const info = pngInfo(bytes);
  const { width, height, bitDepth, colorType, interlace } = info;
  if (bitDepth !== 8) throw new Error(`decodePng: only 8-bit PNGs are supported, got bit depth ${bitDepth}`);
  if (interlace !== 0) throw new Error("decodePng: interlaced (Adam7) PNGs are not supported");
  const bpp = CHANNELS_OF_COLOR_TYPE[colorType];
  if (bpp === undefined) throw new Error(`decodePng: invalid color type ${colorType}`);
  if (width === 0 || height === 0) throw new Error(`decodePng: invalid size ${width}x${height}`);
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const idat: Uint8Array[] = [];
  let palette: Uint8Array | null = null;
  let trns: Uint8Array | null = null;
  let pos = 8;
  let ended = false;
  while (pos < bytes.length) {
    if (pos + 12 > bytes.length) throw new Error(`decodePng: truncated chunk header at byte ${pos}`);
    const len = dv.getUint32(pos);
    const type = String.fromCharCode(bytes[pos + 4], bytes[pos + 5], bytes[pos + 6], bytes[pos + 7]);
    if (pos + 12 + len > bytes.length) throw new Error(`decodePng: chunk ${type} at byte ${pos} runs past the end of the file`);
    const stored = dv.getUint32(pos + 8 + len);
    const computed = crc32(bytes, pos + 4, pos + 8 + len);
    if (stored !== computed) throw new Error(`decodePng: CRC mismatch in chunk ${type} at byte ${pos}`);
    const body = bytes.subarray(pos + 8, pos + 8 + len);
    if (type === "IDAT") idat.push(body);
    else if (type === "PLTE") palette = body;
    else if (type === "tRNS") trns = body;
    else if (type === "IEND") {
      ended = true;
      break;
    }
    pos += 12 + len;
  }
  if (!ended) throw new Error("decodePng: missing IEND chunk (truncated file)");
  if (idat.length === 0) throw new Error("decodePng: no IDAT chunk");
  let raw: Uint8Array;
  try {
    raw = inflateSync(Buffer.concat(idat));
  } catch (e) {
    throw new Error(`decodePng: corrupt image data (${(e as Error).message})`);
  }
  const stride = width * bpp;
  if (raw.length !== height * (stride + 1)) {
    throw new Error(`decodePng: image data has ${raw.length} bytes, expected ${height * (stride + 1)} for ${width}x${height}`);
  }
  const px = new Uint8Array(height * stride);
  for (let y = 0; y < height; y++) {
    const f = raw[y * (stride + 1)];
    const src = y * (stride + 1) + 1;
    const o = y * stride;
    const p = o - stride; // previous row (unused on the first row)
    for (let i = 0; i < stride; i++) {
      const a = i >= bpp ? px[o + i - bpp] : 0;
      const b = y > 0 ? px[p + i] : 0;
      const c = y > 0 && i >= bpp ? px[p + i - bpp] : 0;
      let pred: number;
      switch (f) {
        case 0: pred = 0; break;
        case 1: pred = a; break;
        case 2: pred = b; break;
        case 3: pred = (a + b) >>> 1; break;
        case 4: pred = paeth(a, b, c); break;
        default: throw new Error(`decodePng: invalid filter type ${f} on row ${y}`);
      }
      px[o + i] = (raw[src + i] + pred) & 0xff;
    }
  }
  if (colorType !== 3) return { width, height, channels: bpp, data: px, colorType, bitDepth };
  if (!palette || palette.length % 3 !== 0) throw new Error("decodePng: palette image without a valid PLTE chunk");
  const ch = trns ? 4 : 3;
  const out = new Uint8Array(width * height * ch);
  const entries = palette.length / 3;
  for (let i = 0; i < px.length; i++) {
    const k = px[i];
    if (k >= entries) throw new Error(`decodePng: palette index ${k} out of range (${entries} entries)`);
    out[i * ch] = palette[k * 3];
    out[i * ch + 1] = palette[k * 3 + 1];
    out[i * ch + 2] = palette[k * 3 + 2];
    if (trns) out[i * ch + 3] = k < trns.length ? trns[k] : 255;
  }
  return { width, height, channels: ch, data: out, colorType, bitDepth };
}
