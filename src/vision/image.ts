/**
 * An 8-bit image in HWC layout: the role PIL's `Image` plays in torchvision. Datasets hand these to
 * transforms; `ToTensor` turns them into float CHW tensors in [0, 1].
 */
export type ImageMode = "L" | "RGB" | "RGBA";

const CHANNELS: Record<ImageMode, number> = { L: 1, RGB: 3, RGBA: 4 };

export class Image {
  readonly channels: number;

  /** `data` holds height·width·channels bytes, row-major, channels last. */
  constructor(
    readonly width: number,
    readonly height: number,
    readonly mode: ImageMode,
    readonly data: Uint8Array,
  ) {
    if (!(mode in CHANNELS)) throw new Error(`Image: unknown mode ${JSON.stringify(mode)} (expected L, RGB or RGBA)`);
    this.channels = CHANNELS[mode];
    const want = width * height * this.channels;
    if (!Number.isInteger(width) || !Number.isInteger(height) || width < 0 || height < 0) {
      throw new RangeError(`Image: invalid size ${width}x${height}`);
    }
    if (data.length !== want) {
      throw new RangeError(`Image: a ${width}x${height} ${mode} image needs ${want} bytes, got ${data.length}`);
    }
  }

  /** `(width, height)`, as PIL's `Image.size`. */
  get size(): [number, number] {
    return [this.width, this.height];
  }

  toString(): string {
    return `<Image mode=${this.mode} size=${this.width}x${this.height}>`;
  }
}

export function isImage(x: unknown): x is Image {
  return x instanceof Image;
}
