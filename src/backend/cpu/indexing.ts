import type { View } from "../../tensor.js";
import type { TypedArray } from "../../dtype.js";
import type { IndexingKernels, PadMode } from "../interface/indexing.js";
import { numel } from "../../layout.js";
import { coalesce } from "./compile-map.js";
import { coreKernels } from "./core.js";

/**
 * Calls `row(pos)` once per position of all dims but the last of `shape` (coalesced, at least 1-d), with
 * `pos[k]` the offset of operand k at the start of that row. `pos` is reused: read it, never keep it.
 */
function forEachRow(
  shape: readonly number[],
  strides: ReadonlyArray<readonly number[]>,
  offsets: readonly number[],
  row: (pos: Float64Array) => void,
): void {
  const nd = shape.length;
  const m = strides.length;
  let outer = 1;
  for (let d = 0; d < nd - 1; d++) outer *= shape[d];
  if (outer === 0 || shape[nd - 1] === 0) return;
  const pos = Float64Array.from(offsets);
  const idx = new Int32Array(nd);
  for (let r = 0; r < outer; r++) {
    row(pos);
    for (let d = nd - 2; d >= 0; d--) {
      idx[d]++;
      for (let k = 0; k < m; k++) pos[k] += strides[k][d];
      if (idx[d] < shape[d]) break;
      for (let k = 0; k < m; k++) pos[k] -= strides[k][d] * shape[d];
      idx[d] = 0;
    }
  }
}

/**
 * A strided sub-block (shape with strides in a source `a` and a destination `b`), coalesced once and then
 * copied or accumulated many times at different base offsets: the inner loop of every gather-like kernel.
 */
class Block {
  readonly n: number;
  private readonly shape: number[];
  private readonly sa: number[];
  private readonly sb: number[];
  private readonly idx: Int32Array;

  constructor(shape: readonly number[], sa: readonly number[], sb: readonly number[]) {
    this.n = numel(shape);
    const c = coalesce(shape, [sa, sb]);
    this.shape = c.shape;
    this.sa = c.strides[0];
    this.sb = c.strides[1];
    this.idx = new Int32Array(this.shape.length);
  }

  /** `b[block at pb] = a[block at pa]`, or `+= alpha · a` when `accumulate`. */
  run(a: TypedArray, pa: number, b: TypedArray, pb: number, accumulate: boolean, alpha = 1): void {
    if (this.n === 0) return;
    const { shape, sa, sb, idx } = this;
    const nd = shape.length;
    const len = shape[nd - 1];
    const la = sa[nd - 1];
    const lb = sb[nd - 1];
    if (nd === 1) {
      if (accumulate) for (let i = 0; i < len; i++) b[pb + i * lb] += alpha * a[pa + i * la];
      else for (let i = 0; i < len; i++) b[pb + i * lb] = a[pa + i * la];
      return;
    }
    idx.fill(0);
    const rows = this.n / len;
    for (let r = 0; r < rows; r++) {
      if (accumulate) for (let i = 0; i < len; i++) b[pb + i * lb] += alpha * a[pa + i * la];
      else for (let i = 0; i < len; i++) b[pb + i * lb] = a[pa + i * la];
      for (let d = nd - 2; d >= 0; d--) {
        idx[d]++;
        pa += sa[d];
        pb += sb[d];
        if (idx[d] < shape[d]) break;
        pa -= sa[d] * shape[d];
        pb -= sb[d] * shape[d];
        idx[d] = 0;
      }
    }
  }
}

/** Strides of `v` as an operand iterated over `shape` (a 0-d `v` repeats its one element). */
function stridesOver(v: View, ndim: number): number[] {
  return v.shape.length === 0 ? new Array<number>(ndim).fill(0) : v.strides.slice();
}

/**
 * The shared loop of gather and scatter: walks `index.shape`, with `data` advanced along every dim but `dim`
 * (its position along `dim` comes from the index value) and `other` (out or src) advanced along all dims.
 */
function gatherScatter(
  data: View,
  dim: number,
  index: View,
  other: View,
  body: "gather" | "scatter" | "scatterAdd",
): void {
  if (numel(index.shape) === 0) return;
  const nd = index.shape.length;
  const db = data.buf;
  const ib = index.buf;
  const ob = other.buf;
  const size = data.shape.length === 0 ? 1 : data.shape[dim];
  const sd = data.shape.length === 0 ? 0 : data.strides[dim];
  if (nd === 0) {
    let v = ib[index.offset];
    if (v < 0) v += size;
    const p = data.offset + v * sd;
    if (body === "gather") ob[other.offset] = db[p];
    else if (body === "scatter") db[p] = ob[other.offset];
    else db[p] += ob[other.offset];
    return;
  }
  const ds = stridesOver(data, nd);
  if (data.shape.length !== 0) ds[dim] = 0;
  const c = coalesce(index.shape, [stridesOver(other, nd), index.strides, ds]);
  const last = c.shape.length - 1;
  const len = c.shape[last];
  const so = c.strides[0][last];
  const si = c.strides[1][last];
  const sx = c.strides[2][last];
  forEachRow(c.shape, c.strides, [other.offset, index.offset, data.offset], (p) => {
    let po = p[0];
    let pi = p[1];
    let px = p[2];
    if (body === "gather") {
      for (let j = 0; j < len; j++, po += so, pi += si, px += sx) {
        let v = ib[pi];
        if (v < 0) v += size;
        ob[po] = db[px + v * sd];
      }
    } else if (body === "scatter") {
      for (let j = 0; j < len; j++, po += so, pi += si, px += sx) {
        let v = ib[pi];
        if (v < 0) v += size;
        db[px + v * sd] = ob[po];
      }
    } else {
      for (let j = 0; j < len; j++, po += so, pi += si, px += sx) {
        let v = ib[pi];
        if (v < 0) v += size;
        db[px + v * sd] += ob[po];
      }
    }
  });
}

/**
 * The shared loop of index and indexPut: walks the index shape B; each position names a base offset in `data`
 * (through the index values of its first k dims) and a block of the remaining dims that moves to or from
 * `other`, whose first dims are B.
 */
function indexBlocks(data: View, indices: readonly View[], other: View, put: boolean, accumulate: boolean): void {
  const k = indices.length;
  const B = indices[0].shape;
  const nb = B.length;
  if (numel(B) === 0) return;
  const rest = data.shape.slice(k);
  // Block strides go source first: `other` feeds `data` when putting, `data` feeds `other` when reading.
  const block = put
    ? new Block(rest, other.strides.slice(nb), data.strides.slice(k))
    : new Block(rest, data.strides.slice(k), other.strides.slice(nb));
  if (block.n === 0) return;
  const db = data.buf;
  const ob = other.buf;
  const sizes = data.shape.slice(0, k);
  const dstr = data.strides.slice(0, k);
  const ibufs = indices.map((v) => v.buf);
  const single = block.n === 1;
  // A 0-d B is one position: walk it as shape [1] with zero strides.
  const c = nb === 0
    ? { shape: [1], strides: [[0], ...indices.map(() => [0])] }
    : coalesce(B, [other.strides.slice(0, nb), ...indices.map((v) => v.strides)]);
  const last = c.shape.length - 1;
  const len = c.shape[last];
  const so = c.strides[0][last];
  const istr = c.strides.slice(1).map((s) => s[last]);
  forEachRow(c.shape, c.strides, [other.offset, ...indices.map((v) => v.offset)], (p) => {
    for (let j = 0; j < len; j++) {
      let base = data.offset;
      for (let m = 0; m < k; m++) {
        let v = ibufs[m][p[m + 1] + j * istr[m]];
        if (v < 0) v += sizes[m];
        base += v * dstr[m];
      }
      const po = p[0] + j * so;
      if (single) {
        if (!put) ob[po] = db[base];
        else if (accumulate) db[base] += ob[po];
        else db[base] = ob[po];
      } else if (put) block.run(ob, po, db, base, accumulate);
      else block.run(db, base, ob, po, false);
    }
  });
}

/** `v` with `dim` moved to the front (a view description; no data moves). */
function dimFirst(v: View, dim: number): View {
  const order = [dim, ...v.shape.map((_, i) => i).filter((i) => i !== dim)];
  return { buf: v.buf, dtype: v.dtype, offset: v.offset, shape: order.map((d) => v.shape[d]), strides: order.map((d) => v.strides[d]) };
}

/** A 0-d index as the 1-d view of its one element, so it can drive `indexBlocks`. */
function asVector(index: View): View {
  return index.shape.length === 0 ? { ...index, shape: [1], strides: [0] } : index;
}

/** For each output position along one dim, the source position in the input (-1: the constant border). */
function padMap(mode: PadMode, L: number, before: number, outLen: number): Int32Array {
  const map = new Int32Array(outLen);
  // Circular mode wraps around the cropped input (PyTorch's _pad_circular crops first, then copies the
  // borders from the result), so a negative pad shortens the period.
  const after = outLen - L - before;
  const c0 = Math.max(-before, 0);
  const period = L - c0 - Math.max(-after, 0);
  for (let j = 0; j < outLen; j++) {
    let s = j - before;
    if (mode === "constant") s = s >= 0 && s < L ? s : -1;
    else if (mode === "reflect") s = s < 0 ? -s : s >= L ? 2 * (L - 1) - s : s;
    else if (mode === "replicate") s = s < 0 ? 0 : s >= L ? L - 1 : s;
    else s = c0 + ((((j - Math.max(before, 0)) % period) + period) % period);
    map[j] = s;
  }
  return map;
}

/**
 * The loop shared by pad and its adjoint: for every output row, the input base offset through the maps of
 * the outer dims (-1 when any of them is in a constant border), then the last dim through its map.
 */
function padLoop(
  x: View,
  out: View,
  pads: readonly number[],
  mode: PadMode,
  row: (base: number, po: number, last: Int32Array, sx: number, so: number) => void,
): void {
  const nd = out.shape.length;
  if (numel(out.shape) === 0) return;
  if (nd === 0) {
    row(x.offset, out.offset, Int32Array.of(0), 0, 0);
    return;
  }
  const maps = out.shape.map((n, d) => padMap(mode, x.shape[d], pads[2 * d], n));
  const outer = numel(out.shape.slice(0, nd - 1));
  const idx = new Int32Array(nd);
  const last = maps[nd - 1];
  const sx = x.strides[nd - 1];
  const so = out.strides[nd - 1];
  for (let r = 0; r < outer; r++) {
    let base = x.offset;
    let po = out.offset;
    for (let d = 0; d < nd - 1; d++) {
      const m = maps[d][idx[d]];
      base = m < 0 || base < 0 ? -1 : base + m * x.strides[d];
      po += idx[d] * out.strides[d];
    }
    row(base, po, last, sx, so);
    for (let d = nd - 2; d >= 0; d--) {
      if (++idx[d] < out.shape[d]) break;
      idx[d] = 0;
    }
  }
}

export const indexingKernels: IndexingKernels = {
  gather(x, dim, index, out) {
    gatherScatter(x, dim, index, out, "gather");
  },

  scatter(self, dim, index, src, accumulate) {
    gatherScatter(self, dim, index, src, accumulate ? "scatterAdd" : "scatter");
  },

  indexSelect(x, dim, index, out) {
    if (x.shape.length === 0) {
      if (numel(index.shape) > 0) out.buf[out.offset] = x.buf[x.offset];
      return;
    }
    indexBlocks(dimFirst(x, dim), [asVector(index)], dimFirst(out, dim), false, false);
  },

  indexAdd(self, dim, index, src, alpha) {
    if (self.shape.length === 0) {
      const n = numel(index.shape);
      const s = src.shape.length === 0 ? 0 : src.strides[0];
      for (let i = 0; i < n; i++) self.buf[self.offset] += alpha * src.buf[src.offset + i * s];
      return;
    }
    const s = dimFirst(self, dim);
    const v = dimFirst(src, dim);
    if (alpha === 1) {
      indexBlocks(s, [asVector(index)], v, true, true);
      return;
    }
    // alpha scales the source once per element; the block loop then accumulates as for alpha = 1.
    const n = numel(index.shape);
    const ib = index.buf;
    const ist = index.shape.length === 0 ? 0 : index.strides[0];
    const block = new Block(s.shape.slice(1), v.strides.slice(1), s.strides.slice(1));
    for (let i = 0; i < n; i++) {
      let j = ib[index.offset + i * ist];
      if (j < 0) j += s.shape[0];
      block.run(src.buf, v.offset + i * v.strides[0], self.buf, s.offset + j * s.strides[0], true, alpha);
    }
  },

  index(x, indices, out) {
    indexBlocks(x, indices, out, false, false);
  },

  indexPut(self, indices, values, accumulate) {
    indexBlocks(self, indices, values, true, accumulate);
  },

  cat(inputs, dim, out) {
    let at = 0;
    for (const v of inputs) {
      const n = v.shape[dim];
      if (numel(v.shape) > 0) {
        const shape = out.shape.slice();
        shape[dim] = n;
        coreKernels.copy(v, { buf: out.buf, dtype: out.dtype, shape, strides: out.strides, offset: out.offset + at * out.strides[dim] });
      }
      at += n;
    }
  },

  pad(x, pads, mode, out, value) {
    const xb = x.buf;
    const ob = out.buf;
    padLoop(x, out, pads, mode, (base, po, last, sx, so) => {
      const n = last.length;
      if (base < 0) {
        for (let j = 0; j < n; j++) ob[po + j * so] = value;
        return;
      }
      for (let j = 0; j < n; j++) {
        const m = last[j];
        ob[po + j * so] = m < 0 ? value : xb[base + m * sx];
      }
    });
  },

  padBackward(grad, pads, mode, out) {
    coreKernels.fill(out, 0);
    const gb = grad.buf;
    const ob = out.buf;
    // The loop runs over the padded (grad) shape, reading the unpadded (out) geometry for the base offsets.
    padLoop(out, grad, pads, mode, (base, pg, last, so, sg) => {
      if (base < 0) return;
      const n = last.length;
      for (let j = 0; j < n; j++) {
        const m = last[j];
        if (m >= 0) ob[base + m * so] += gb[pg + j * sg];
      }
    });
  },

  countNonzero(x) {
    if (x.shape.length === 0) return x.buf[x.offset] !== 0 ? 1 : 0;
    let count = 0;
    const b = x.buf;
    const c = coalesce(x.shape, [x.strides]);
    const last = c.shape.length - 1;
    const len = c.shape[last];
    const s = c.strides[0][last];
    forEachRow(c.shape, c.strides, [x.offset], (p) => {
      for (let j = 0, q = p[0]; j < len; j++, q += s) if (b[q] !== 0) count++;
    });
    return count;
  },

  nonzero(x, out) {
    const nd = x.shape.length;
    if (nd === 0 || numel(x.shape) === 0) return;
    const b = x.buf;
    const ob = out.buf;
    const r0 = out.strides[0];
    const c0 = out.strides[1];
    const lastDim = nd - 1;
    const len = x.shape[lastDim];
    const sl = x.strides[lastDim];
    // Outer dims by a counter, the last dim as a tight loop: coordinates are written only for hits.
    const idx = new Int32Array(nd);
    const rows = numel(x.shape) / len;
    let p = x.offset;
    let row = 0;
    for (let r = 0; r < rows; r++) {
      for (let j = 0, q = p; j < len; j++, q += sl) {
        if (b[q] === 0) continue;
        const base = out.offset + row * r0;
        for (let d = 0; d < lastDim; d++) ob[base + d * c0] = idx[d];
        ob[base + lastDim * c0] = j;
        row++;
      }
      for (let d = lastDim - 1; d >= 0; d--) {
        idx[d]++;
        p += x.strides[d];
        if (idx[d] < x.shape[d]) break;
        p -= x.strides[d] * x.shape[d];
        idx[d] = 0;
      }
    }
  },

  maskedSelect(x, mask, out) {
    if (numel(x.shape) === 0) return;
    const nd = x.shape.length;
    const c = nd === 0 ? { shape: [1], strides: [[0], [0]] } : coalesce(x.shape, [x.strides, mask.strides]);
    const last = c.shape.length - 1;
    const len = c.shape[last];
    const sx = c.strides[0][last];
    const sm = c.strides[1][last];
    const xb = x.buf;
    const mb = mask.buf;
    const ob = out.buf;
    const so = out.shape.length ? out.strides[0] : 0;
    let po = out.offset;
    forEachRow(c.shape, c.strides, [x.offset, mask.offset], (p) => {
      for (let j = 0, qx = p[0], qm = p[1]; j < len; j++, qx += sx, qm += sm) {
        if (mb[qm] !== 0) {
          ob[po] = xb[qx];
          po += so;
        }
      }
    });
  },

  maskedScatter(self, mask, src) {
    if (numel(self.shape) === 0) return;
    const nd = self.shape.length;
    const c = nd === 0 ? { shape: [1], strides: [[0], [0]] } : coalesce(self.shape, [self.strides, mask.strides]);
    const last = c.shape.length - 1;
    const len = c.shape[last];
    const ss = c.strides[0][last];
    const sm = c.strides[1][last];
    const db = self.buf;
    const mb = mask.buf;
    const sb = src.buf;
    const st = src.shape.length ? src.strides[0] : 0;
    let ps = src.offset;
    forEachRow(c.shape, c.strides, [self.offset, mask.offset], (p) => {
      for (let j = 0, qs = p[0], qm = p[1]; j < len; j++, qs += ss, qm += sm) {
        if (mb[qm] !== 0) {
          db[qs] = sb[ps];
          ps += st;
        }
      }
    });
  },
};
