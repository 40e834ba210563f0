/**
 * `torch-ts/vision` (torchvision): datasets, transforms and images. Node-only: datasets read files.
 */
export * as datasets from "./datasets/index.js";
export * as transforms from "./transforms/index.js";
export { Image, isImage } from "./image.js";
export type { ImageMode } from "./image.js";
export { parseIdx } from "./idx.js";
export type { IdxArray } from "./idx.js";
export * as utils from "./utils.js";
export { makeGrid, saveImage } from "./utils.js";
export { decodeImage, encodePng, encodeJpeg, encodeImage, sniffFormat } from "./io.js";
export type { DecodeOptions, ReadMode, ImageFormat } from "./io.js";
export { readImage, writeImage } from "./io-node.js";
export { convertImage } from "./transforms/image-mode.js";
