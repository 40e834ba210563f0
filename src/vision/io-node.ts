/** Image files on disk (Node): `readImage` / `writeImage`, choosing the codec by signature or extension. */
import { readFileSync, writeFileSync } from "node:fs";
import { extname } from "node:path";
import type { Image } from "./image.js";
import { decodeImage, encodeImage, type DecodeOptions, type ImageFormat } from "./io.js";

/**
 * Reads a PNG or JPEG file into an `Image`, as `PIL.Image.open(path)` (`.convert(mode)` with `mode`).
 * Errors name the path.
 *
 * @example
 * const img = readImage("data/cat.jpg", { mode: "RGB" });
 */
export function readImage(path: string, opts: Omit<DecodeOptions, "source"> = {}): Image {
  let bytes: Uint8Array;
  try {
    bytes = readFileSync(path);
  } catch (e) {
    throw new Error(`readImage: cannot read ${path}: ${(e as Error).message}`);
  }
  return decodeImage(bytes, { ...opts, source: path });
}

/** The format a file name asks for: .png → png, .jpg/.jpeg → jpeg. */
export function formatFromPath(path: string, op: string): ImageFormat {
  const ext = extname(path).toLowerCase();
  if (ext === ".png") return "png";
  if (ext === ".jpg" || ext === ".jpeg") return "jpeg";
  throw new Error(`${op}: cannot tell the image format from the extension ${JSON.stringify(ext)} of ${path} (use .png, .jpg or .jpeg, or pass format)`);
}

/**
 * Writes an Image as PNG or JPEG, the format from `format` or the file extension, as `img.save(path)`.
 *
 * @example
 * writeImage("out.png", img);
 */
export function writeImage(path: string, img: Image, opts: { format?: ImageFormat; quality?: number } = {}): void {
  const format = opts.format ?? formatFromPath(path, "writeImage");
  writeFileSync(path, encodeImage(img, format, { quality: opts.quality }));
}
