import { Transform } from "./transform.js";
import type { ImageOrTensor } from "./tensor-image.js";
import { brightnessImpl, contrastImpl, hueImpl, saturationImpl } from "./color.js";
import { randPerm, uniformFloat, type RandomOptions } from "./random-params.js";

type Range = [number, number] | null;

/** torchvision's `ColorJitter._check_input`: a number v gives [center − v, center + v]; null = no change. */
function checkInput(value: number | readonly number[], name: string, center: number, bound: [number, number], clipFirstOnZero: boolean): Range {
  let v: [number, number];
  if (typeof value === "number") {
    if (value < 0) throw new RangeError(`ColorJitter: If ${name} is a single number, it must be non negative, got ${value}`);
    v = [center - value, center + value];
    if (clipFirstOnZero) v[0] = Math.max(v[0], 0);
  } else if (Array.isArray(value) && value.length === 2 && value.every((x) => typeof x === "number")) {
    if (!(bound[0] <= value[0] && value[0] <= value[1] && value[1] <= bound[1])) {
      throw new RangeError(`ColorJitter: ${name} values should be between (${bound[0]}, ${bound[1]}), got [${value.join(", ")}]`);
    }
    v = [value[0], value[1]];
  } else {
    throw new TypeError(`ColorJitter: ${name} should be a single number or a list with length 2, got ${JSON.stringify(value)}`);
  }
  return v[0] === center && v[1] === center ? null : v;
}

export interface ColorJitterOptions extends RandomOptions {
  /** Brightness factor range: v → [max(0, 1 − v), 1 + v], or [min, max]. Default 0 (none). */
  brightness?: number | readonly number[];
  /** Contrast factor range, as brightness. */
  contrast?: number | readonly number[];
  /** Saturation factor range, as brightness. */
  saturation?: number | readonly number[];
  /** Hue shift range: v in [0, 0.5] → [−v, v], or [min, max] within [−0.5, 0.5]. */
  hue?: number | readonly number[];
}

/**
 * Randomly changes brightness, contrast, saturation and hue, as `transforms.ColorJitter(brightness=0,
 * contrast=0, saturation=0, hue=0)`: each call draws an order (`randperm(4)`) and one factor per enabled
 * adjustment (uniform in its range, in torchvision's order), then applies them in that order.
 */
export class ColorJitter extends Transform<ImageOrTensor, ImageOrTensor> {
  readonly brightness: Range;
  readonly contrast: Range;
  readonly saturation: Range;
  readonly hue: Range;
  constructor(readonly options: ColorJitterOptions = {}) {
    super();
    const inf = Number.POSITIVE_INFINITY;
    this.brightness = checkInput(options.brightness ?? 0, "brightness", 1, [0, inf], true);
    this.contrast = checkInput(options.contrast ?? 0, "contrast", 1, [0, inf], true);
    this.saturation = checkInput(options.saturation ?? 0, "saturation", 1, [0, inf], true);
    this.hue = checkInput(options.hue ?? 0, "hue", 0, [-0.5, 0.5], false);
  }

  /** torchvision's `ColorJitter.get_params`: `[order, b, c, s, h]` (null for a disabled adjustment). */
  static getParams(brightness: Range, contrast: Range, saturation: Range, hue: Range, generator?: RandomOptions["generator"]): [number[], number | null, number | null, number | null, number | null] {
    const op = "ColorJitter";
    const order = randPerm(op, 4, generator);
    const draw = (r: Range): number | null => (r === null ? null : uniformFloat(op, r[0], r[1], generator));
    const b = draw(brightness);
    const c = draw(contrast);
    const s = draw(saturation);
    const h = draw(hue);
    return [order, b, c, s, h];
  }

  forward(img: ImageOrTensor): ImageOrTensor {
    const op = "ColorJitter";
    const [order, b, c, s, h] = ColorJitter.getParams(this.brightness, this.contrast, this.saturation, this.hue, this.options.generator);
    for (const id of order) {
      if (id === 0 && b !== null) img = brightnessImpl(img, b, op);
      else if (id === 1 && c !== null) img = contrastImpl(img, c, op);
      else if (id === 2 && s !== null) img = saturationImpl(img, s, op);
      else if (id === 3 && h !== null) img = hueImpl(img, h, op);
    }
    return img;
  }

  override extraRepr(): string {
    const f = (r: Range): string => (r === null ? "None" : `[${r.join(", ")}]`);
    return `brightness=${f(this.brightness)}, contrast=${f(this.contrast)}, saturation=${f(this.saturation)}, hue=${f(this.hue)}`;
  }
}
