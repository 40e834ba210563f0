import { Tensor } from "../../tensor.js";
import { add, div, eq, floor, fmod, logicalAnd, mul, ne, rsub, sub, where, clamp, remainder } from "../../ops/elementwise.js";
import { amax, amin } from "../../ops/extrema.js";
import { stack, unbind } from "../../ops/joining.js";
import { arange, onesLike } from "../../ops/creation.js";
import { sum } from "../../ops/reduce.js";
import { to } from "../../ops/cast.js";
import { unsqueeze, view } from "../../ops/view.js";

/**
 * RGB → HSV of a float (…, 3, H, W) tensor in [0, 1], torchvision's `_rgb2hsv` op for op (after Pillow's
 * Convert.c): h in [0, 1), s = (max − min) / max, v = max; h and s are 0 where max = min.
 */
export function rgbToHsv(img: Tensor): Tensor {
  const cd = img.dim() - 3;
  const [r, g, b] = unbind(img, cd);
  const maxc = amax(img, cd);
  const minc = amin(img, cd);
  const eqc = eq(maxc, minc);
  const cr = sub(maxc, minc);
  const ones = onesLike(maxc);
  const s = div(cr, where(eqc, ones, maxc));
  const crDivisor = where(eqc, ones, cr);
  const rc = div(sub(maxc, r), crDivisor);
  const gc = div(sub(maxc, g), crDivisor);
  const bc = div(sub(maxc, b), crDivisor);
  const hr = mul(eq(maxc, r), sub(bc, gc));
  const hg = mul(logicalAnd(eq(maxc, g), ne(maxc, r)), sub(add(rc, 2), bc));
  const hb = mul(logicalAnd(ne(maxc, g), ne(maxc, r)), sub(add(gc, 4), rc));
  const h = add(add(hr, hg), hb);
  return stack([fmod(add(div(h, 6), 1), 1), s, maxc], cd);
}

/** HSV → RGB, torchvision's `_hsv2rgb`: the sector i = ⌊6h⌋ mod 6 picks (v, t, p), (q, v, p), …. */
export function hsvToRgb(img: Tensor): Tensor {
  const cd = img.dim() - 3;
  const [h, s, v] = unbind(img, cd);
  const h6 = mul(h, 6);
  const fi = floor(h6);
  const f = sub(h6, fi);
  const i = remainder(to(fi, "int32"), 6);
  const p = clamp(mul(v, rsub(s, 1)), 0, 1);
  const q = clamp(mul(v, rsub(mul(s, f), 1)), 0, 1);
  const t = clamp(mul(v, rsub(mul(s, rsub(f, 1)), 1)), 0, 1);
  const mask = eq(unsqueeze(i, cd), view(arange(6, { dtype: "int64" }), [-1, 1, 1]));
  const a1 = stack([v, q, p, p, t, v], cd);
  const a2 = stack([t, v, v, q, p, p], cd);
  const a3 = stack([p, p, t, v, v, q], cd);
  const a4 = stack([a1, a2, a3], cd);
  // einsum("...ijk, ...xijk -> ...xjk"): the mask is one-hot over i, so each sum has one nonzero term.
  return sum(mul(unsqueeze(to(mask, img.dtype), cd), a4), cd + 1);
}
