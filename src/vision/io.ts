/**
 * Image decoding and encoding: PNG (./png.ts) and JPEG (jpeg-js) bytes ↔ `Image`, as torchvision's
 * `decode_image`/`read_image` and PIL's `Image.open`/`save` are used. Errors name the source (a path or
 * the caller's label) and say what was wrong: truncated or corrupted data, unknown format, or a channel
 * layout `Image` cannot hold.
 */
import { decode as jpegDecode, encode as jpegEncode } from "jpeg-js";
import { Image, type ImageMode } from "./image.js";
import { decodePng, encodePng as encodePngRaw } from "./png.js";
import { convertImage } from "./transforms/image-mode.js";

/** What `decodeImage` returns: the file's own layout ("unchanged") or a conversion, as PIL's `convert`. */
export type ReadMode = "unchanged" | ImageMode;

export interface DecodeOptions {
  /** Convert to this mode (default "unchanged": L, RGB or RGBA as stored). */
  mode?: ReadMode;
  /** Names the data in errors (a path, a URL); default "image data". */
  source?: string;
}

export type ImageFormat = "png" | "jpeg";

const PNG_SIGNATURE = [137, 80, 78, 71, 13, 10, 26, 10];

/** The format of encoded image bytes from their signature, or null. */
export function sniffFormat(bytes: Uint8Array): ImageFormat | null {
  if (bytes.length >= 8 && PNG_SIGNATURE.every((b, i) => bytes[i] === b)) return "png";
  if (bytes.length >= 3 && bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff) return "jpeg";
  return null;
}

function hex(bytes: Uint8Array): string {
  return Array.from(bytes.subarray(0, 8), (b) => b.toString(16).padStart(2, "0")).join(" ");
}

function checkMode(mode: unknown, source: string): ReadMode {
  if (mode !== "unchanged" && mode !== "L" && mode !== "RGB" && mode !== "RGBA") {
    throw new Error(`decodeImage (${source}): mode must be "unchanged", "L", "RGB" or "RGBA", got ${JSON.stringify(mode)}`);
  }
  return mode;
}

function fromPng(bytes: Uint8Array, mode: ReadMode, source: string): Image {
  let png;
  try {
    png = decodePng(bytes);
  } catch (e) {
    throw new Error(`${source}: ${(e as Error).message.replace(/^decodePng: /, "invalid PNG: ")}`);
  }
  const { width, height, channels, data } = png;
  if (channels === 2) {
    // Gray + alpha: Image has no LA mode, so the caller must pick a conversion.
    if (mode === "unchanged") {
      throw new Error(`${source}: the PNG has 2 channels (gray + alpha), which an Image cannot hold; decode with mode "L", "RGB" or "RGBA"`);
    }
    const n = width * height;
    const rgba = new Uint8Array(n * 4);
    for (let i = 0; i < n; i++) {
      rgba[4 * i] = rgba[4 * i + 1] = rgba[4 * i + 2] = data[2 * i];
      rgba[4 * i + 3] = data[2 * i + 1];
    }
    if (mode === "L") {
      const l = new Uint8Array(n);
      for (let i = 0; i < n; i++) l[i] = data[2 * i];
      return new Image(width, height, "L", l);
    }
    return convertImage(new Image(width, height, "RGBA", rgba), mode);
  }
  const own: ImageMode = channels === 1 ? "L" : channels === 3 ? "RGB" : "RGBA";
  const img = new Image(width, height, own, data);
  return mode === "unchanged" ? img : convertImage(img, mode);
}

/** The component count in a JPEG's frame header (SOFn), or null when none is found. */
function jpegComponents(bytes: Uint8Array): number | null {
  let p = 2;
  while (p + 4 <= bytes.length) {
    if (bytes[p] !== 0xff) return null;
    const marker = bytes[p + 1];
    if (marker === 0xff) {
      p++;
      continue;
    }
    const len = (bytes[p + 2] << 8) | bytes[p + 3];
    // SOF0–SOF15 except DHT (C4), JPG (C8) and DAC (CC); byte 9 of the segment is the component count.
    if (marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc) {
      return p + 9 < bytes.length ? bytes[p + 9] : null;
    }
    if (marker === 0xda) return null;
    p += 2 + len;
  }
  return null;
}

function hasEndMarker(bytes: Uint8Array): boolean {
  // Trailing padding after EOI is common; look at the last few bytes.
  for (let i = bytes.length - 2; i >= Math.max(0, bytes.length - 64); i--) if (bytes[i] === 0xff && bytes[i + 1] === 0xd9) return true;
  return false;
}

function fromJpeg(bytes: Uint8Array, mode: ReadMode, source: string): Image {
  // jpeg-js decodes a truncated scan without complaint (gray blocks), so the end marker is checked first.
  if (!hasEndMarker(bytes)) throw new Error(`${source}: truncated JPEG (no end-of-image marker in the last bytes)`);
  let decoded;
  try {
    decoded = jpegDecode(bytes, { useTArray: true, formatAsRGBA: false, tolerantDecoding: false });
  } catch (e) {
    throw new Error(`${source}: invalid JPEG: ${(e as Error).message ?? String(e)}`);
  }
  const { width, height, data } = decoded;
  const comps = jpegComponents(bytes);
  if (comps !== 1 && comps !== 3 && comps !== 4) throw new Error(`${source}: unexpected JPEG component count ${comps}`);
  let img: Image;
  if (comps === 1) {
    // jpeg-js replicates gray into RGB; PIL opens such files in mode L.
    const l = new Uint8Array(width * height);
    for (let i = 0; i < l.length; i++) l[i] = data[3 * i];
    img = new Image(width, height, "L", l);
  } else {
    img = new Image(width, height, "RGB", data);
  }
  return mode === "unchanged" ? img : convertImage(img, mode);
}

/**
 * Decodes PNG or JPEG bytes into an `Image` (format from the signature), as `PIL.Image.open` (+ `convert`
 * when `mode` is given). PNG: 8-bit, every color type (palette → RGB/RGBA); JPEG: baseline and progressive
 * (jpeg-js), grayscale files as L, CMYK converted to RGB. Gray + alpha PNGs need a `mode`.
 *
 * @example
 * const img = decodeImage(bytes, { mode: "RGB", source: "cat.jpg" });
 */
export function decodeImage(bytes: Uint8Array, opts: DecodeOptions = {}): Image {
  const source = opts.source ?? "image data";
  if (!(bytes instanceof Uint8Array)) throw new TypeError(`decodeImage (${source}): expected a Uint8Array of encoded bytes, got ${bytes === null ? "null" : typeof bytes}`);
  const mode = checkMode(opts.mode ?? "unchanged", source);
  if (bytes.length === 0) throw new Error(`${source}: empty file (0 bytes)`);
  const format = sniffFormat(bytes);
  if (format === "png") return fromPng(bytes, mode, source);
  if (format === "jpeg") return fromJpeg(bytes, mode, source);
  throw new Error(`${source}: unrecognized image format (expected PNG or JPEG; first bytes: ${hex(bytes)})`);
}

/**
 * Encodes an Image as PNG (lossless), as `img.save(f, "PNG")`.
 *
 * @example
 * writeFileSync("out.png", encodePng(img));
 */
export function encodePng(img: Image, opts: { level?: number } = {}): Uint8Array {
  if (!(img instanceof Image)) throw new TypeError(`encodePng: expected an Image, got ${img === null ? "null" : typeof img}`);
  return encodePngRaw({ width: img.width, height: img.height, channels: img.channels, data: img.data }, { level: opts.level });
}

/**
 * Encodes an Image as baseline JPEG with jpeg-js at `quality` 1–100 (default 75, PIL's default). Alpha is
 * dropped; a gray image is stored as RGB.
 */
export function encodeJpeg(img: Image, quality = 75): Uint8Array {
  if (!(img instanceof Image)) throw new TypeError(`encodeJpeg: expected an Image, got ${img === null ? "null" : typeof img}`);
  if (!(quality >= 1 && quality <= 100)) throw new RangeError(`encodeJpeg: quality must be in [1, 100], got ${quality}`);
  if (img.width === 0 || img.height === 0) throw new RangeError(`encodeJpeg: cannot encode an empty ${img.width}x${img.height} image`);
  const rgba = convertImage(img, "RGBA");
  const out = jpegEncode({ width: img.width, height: img.height, data: rgba.data }, quality);
  return new Uint8Array(out.data.buffer, out.data.byteOffset, out.data.byteLength);
}

/** Encodes as `format`. */
export function encodeImage(img: Image, format: ImageFormat, opts: { quality?: number } = {}): Uint8Array {
  if (format === "png") return encodePng(img);
  if (format === "jpeg") return encodeJpeg(img, opts.quality);
  throw new Error(`encodeImage: unknown format ${JSON.stringify(format)} (expected "png" or "jpeg")`);
}
