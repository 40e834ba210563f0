import { describe, it } from "vitest";
import * as torch from "../src/index.js";
import type { IndexItem, Tensor } from "../src/index.js";
import type { DType } from "../src/dtype.js";
import { type DiffCase, type InputSpec, type Layout, Rng, expectClean, runDifferential } from "./oracle/differential.js";

const rng = new Rng(20261124);
const LAYOUTS: Layout[] = ["contiguous", "transposed", "strided", "offset"];
const js = (v: unknown): string => JSON.stringify(v);
const numel = (s: readonly number[]): number => s.reduce((a, b) => a * b, 1);

function floatSpec(shape: number[], dtype?: DType): InputSpec {
  return { shape, dtype: dtype ?? rng.pick<DType>(["float32", "float32", "float64"]), layout: rng.pick(LAYOUTS) };
}

/** Row-major flat values as nested lists (JSON is valid Python for numbers). */
function nest(values: readonly number[], shape: readonly number[]): unknown {
  if (shape.length === 0) return values[0];
  const inner = numel(shape.slice(1));
  return Array.from({ length: shape[0] }, (_, i) => nest(values.slice(i * inner, (i + 1) * inner), shape.slice(1)));
}

/** An index tensor given to both libraries: the torch-ts tensor and the Python literal. */
interface Lit {
  t: Tensor;
  py: string;
}

function longLit(values: number[], shape: number[]): Lit {
  const data = nest(values, shape);
  return {
    t: values.length === 0 ? torch.zeros(shape, { dtype: "int64" }) : torch.tensor(data as torch.NestedData, { dtype: "int64" }).reshape(shape),
    py: values.length === 0 ? `torch.zeros(${pyShape(shape)}, dtype=torch.long)` : `torch.tensor(${js(data)}, dtype=torch.long)`,
  };
}

function boolLit(shape: number[], p = 0.5): Lit {
  const values = Array.from({ length: numel(shape) }, () => (rng.bool(p) ? 1 : 0));
  const data = nest(values, shape);
  return {
    t: torch.tensor(values, { dtype: "bool" }).reshape(shape),
    py: `torch.tensor(${js(data)}, dtype=torch.bool).reshape(${pyShape(shape)})`,
  };
}

const pyShape = (s: readonly number[]): string => `(${s.join(", ")}${s.length === 1 ? "," : ""})`;
const randIdx = (n: number, size: number, negative = true): number[] =>
  Array.from({ length: n }, () => (negative && rng.bool(0.3) ? rng.int(-size, -1) : rng.int(0, size - 1)));
/** `n` distinct positions in [0, size) (n ≤ size), so writes never collide. */
function distinct(n: number, size: number): number[] {
  const a = Array.from({ length: size }, (_, i) => i);
  for (let i = size - 1; i > 0; i--) {
    const j = rng.int(0, i);
    [a[i], a[j]] = [a[j], a[i]];
  }
  return a.slice(0, n);
}
const spellDim = (d: number, nd: number): number => (rng.bool(0.4) ? d - nd : d);

function viewCases(): DiffCase[] {
  const cases: DiffCase[] = [];
  for (let k = 0; k < 45; k++) {
    const shape = rng.shape(rng.int(1, 4), 0, 5).map((s) => (s === 0 && !rng.bool(0.3) ? 2 : s));
    const spec = floatSpec(shape);
    const d = rng.int(0, shape.length - 1);
    const dim = spellDim(d, shape.length);
    const size = shape[d];
    const start = rng.int(-size, size);
    const s0 = start < 0 ? start + size : start;
    const len = rng.int(0, size - s0);
    cases.push({
      name: `narrow ${js(shape)} ${dim} ${start} ${len}`,
      inputs: [spec],
      ts: (x) => torch.narrow(x, dim, start, len).mul(2),
      py: `torch.narrow(x0, ${dim}, ${start}, ${len}) * 2`,
    });
    if (size > 0) {
      const i = rng.int(-size, size - 1);
      cases.push({
        name: `select ${js(shape)} ${dim} ${i}`,
        inputs: [spec],
        ts: (x) => torch.select(x, dim, i).exp(),
        py: `torch.select(x0, ${dim}, ${i}).exp()`,
      });
    }
    const a = rng.bool(0.2) ? null : rng.int(-size - 2, size + 2);
    const b = rng.bool(0.2) ? null : rng.int(-size - 2, size + 2);
    const step = rng.int(1, 3);
    const pys = `${a ?? ""}:${b ?? ""}:${step}`;
    const pre = Array.from({ length: d }, () => ":").join(", ");
    cases.push({
      name: `slice ${js(shape)} dim ${d} [${pys}]`,
      inputs: [spec],
      ts: (x) => torch.slice(x, dim, a, b, step).sin(),
      py: `x0[${pre ? pre + ", " : ""}${pys}].sin()`,
    });
  }
  return cases;
}

/** Random basic items for `shape`, with their Python spelling. */
function basicItems(shape: number[]): { items: IndexItem[]; py: string[] } {
  const items: IndexItem[] = [];
  const py: string[] = [];
  const ellipsisAt = rng.bool(0.25) ? rng.int(0, shape.length) : -1;
  let d = 0;
  while (d < shape.length) {
    if (d === ellipsisAt) {
      items.push("...");
      py.push("...");
      const skip = rng.int(0, shape.length - d);
      d += skip;
      if (skip > 0) continue;
    }
    if (rng.bool(0.15)) {
      items.push(null);
      py.push("None");
    }
    if (rng.bool(0.12) && ellipsisAt < 0) break;
    const size = shape[d];
    const r = rng.next();
    if (r < 0.3 && size > 0) {
      const i = rng.int(-size, size - 1);
      items.push(i);
      py.push(String(i));
    } else if (r < 0.45) {
      items.push(":");
      py.push(":");
    } else {
      const a = rng.bool(0.3) ? "" : String(rng.int(-size - 1, size + 1));
      const b = rng.bool(0.3) ? "" : String(rng.int(-size - 1, size + 1));
      const s = rng.bool(0.5) ? "" : String(rng.int(1, 3));
      const str = `${a}:${b}${s ? ":" + s : ""}`;
      // Exercise all three spellings of a slice.
      const which = rng.int(0, 2);
      const num = (v: string): number | null => (v === "" ? null : Number(v));
      items.push(which === 0 ? str : which === 1 ? torch.slice(num(a), num(b), num(s)) : { start: num(a), stop: num(b), step: num(s) });
      py.push(str);
    }
    d++;
  }
  return { items, py };
}

function basicIndexCases(): DiffCase[] {
  const cases: DiffCase[] = [];
  for (let k = 0; k < 60; k++) {
    const shape = rng.shape(rng.int(0, 4), 1, 4).map((s) => (rng.bool(0.05) ? 0 : s));
    const { items, py } = basicItems(shape);
    if (py.length === 0) py.push("...");
    cases.push({
      name: `x${js(shape)}[${py.join(", ")}]`,
      inputs: [floatSpec(shape)],
      ts: (x) => x.index(...items).mul(3),
      py: `x0[${py.join(", ")}${py.length === 1 ? "," : ""}] * 3`,
    });
  }
  return cases;
}

/** Advanced items: index tensors over some dims (broadcasting shapes), slices elsewhere, maybe a mask. */
function advancedItems(shape: number[], forWrite: boolean): { items: IndexItem[]; py: string[] } | null {
  const nd = shape.length;
  const items: IndexItem[] = [];
  const py: string[] = [];
  if (!forWrite && rng.bool(0.25)) {
    // A mask over a run of dims, with plain slices around it.
    const start = rng.int(0, nd - 1);
    const k = rng.int(1, Math.min(2, nd - start));
    for (let d = 0; d < start; d++) {
      items.push(":");
      py.push(":");
    }
    const m = boolLit(shape.slice(start, start + k));
    items.push(m.t);
    py.push(m.py);
    return { items, py };
  }
  const indexed = shape.map(() => rng.bool(0.5));
  if (!indexed.some(Boolean)) indexed[rng.int(0, nd - 1)] = true;
  const count = indexed.filter(Boolean).length;
  if (forWrite && count > 2) return null;
  const bshape = forWrite ? [rng.int(1, 3)] : rng.shape(rng.int(1, 2), 1, 3);
  let which = 0;
  for (let d = 0; d < nd; d++) {
    if (!indexed[d]) {
      const r = rng.next();
      const it = r < 0.6 ? ":" : r < 0.8 ? "1:" : "::2";
      items.push(it);
      py.push(it);
      continue;
    }
    const size = shape[d];
    if (size === 0) return null;
    let own: number[];
    let values: number[];
    if (forWrite) {
      // Distinct positions so writes never collide: [n, 1] against [m] broadcasts to distinct pairs.
      const n = Math.min(bshape[0] + which, size);
      own = count === 2 && which === 0 ? [n, 1] : [n];
      values = distinct(n, size);
    } else {
      own = bshape.map((s) => (rng.bool(0.3) ? 1 : s)).slice(rng.int(0, bshape.length - 1));
      values = randIdx(numel(own), size);
    }
    which++;
    const lit = longLit(values, own);
    items.push(lit.t);
    py.push(lit.py);
  }
  return { items, py };
}

function advancedIndexCases(): DiffCase[] {
  const cases: DiffCase[] = [];
  for (let k = 0; k < 70; k++) {
    const shape = rng.shape(rng.int(1, 4), 1, 4);
    const adv = advancedItems(shape, false);
    if (!adv) continue;
    const { items, py } = adv;
    cases.push({
      name: `x${js(shape)}[${py.join(", ")}]`,
      inputs: [floatSpec(shape)],
      ts: (x) => x.index(...items).tanh(),
      py: `x0[${py.join(", ")},].tanh()`,
    });
  }
  // None / ints around index tensors move the broadcast dims.
  for (let k = 0; k < 10; k++) {
    const shape = [rng.int(2, 4), rng.int(2, 4), rng.int(2, 4)];
    const i0 = longLit(randIdx(2, shape[0]), [2]);
    const i2 = longLit(randIdx(2, shape[2]), [2]);
    const items: IndexItem[] = rng.bool() ? [i0.t, null, i2.t] : [null, i0.t, "1:", i2.t];
    const py = items.length === 3 ? `${i0.py}, None, ${i2.py}` : `None, ${i0.py}, 1:, ${i2.py}`;
    cases.push({
      name: `x${js(shape)}[${py}]`,
      inputs: [floatSpec(shape)],
      ts: (x) => x.index(...items),
      py: `x0[${py}]`,
    });
  }
  return cases;
}

function indexPutCases(): DiffCase[] {
  const cases: DiffCase[] = [];
  for (let k = 0; k < 40; k++) {
    const shape = rng.shape(rng.int(1, 3), 1, 4);
    const advanced = rng.bool(0.5);
    const chosen = advanced ? advancedItems(shape, true) : basicItems(shape);
    if (!chosen) continue;
    const { items, py } = chosen;
    if (py.length === 0) py.push("...");
    // The region's shape, from torch-ts itself (the forward is compared anyway).
    const region = torch.zeros(shape).index(...items).shape;
    const vshape = region.map((s) => (rng.bool(0.3) ? 1 : s)).slice(rng.int(0, Math.min(1, region.length)));
    const inplace = rng.bool();
    const key = `${py.join(", ")},`;
    cases.push({
      name: `x${js(shape)}[${py.join(", ")}] = v${js(vshape)} ${inplace ? "in place" : ""}`,
      inputs: [floatSpec(shape, "float64"), floatSpec(vshape, "float64")],
      ts: (x, v) => {
        if (!inplace) return torch.indexPut(x, items, v).mul(x);
        const y = x.mul(1);
        y.indexPut_(items, v);
        return y.mul(x);
      },
      py: `out = x0.clone()\nout[${key}] = x1\nout = out * x0`,
    });
  }
  for (let k = 0; k < 15; k++) {
    const shape = rng.shape(rng.int(1, 3), 1, 4);
    const n = rng.int(1, 5);
    const idx = longLit(randIdx(n, shape[0]), [n]);
    const vshape = [n, ...shape.slice(1)];
    cases.push({
      name: `index_put accumulate ${js(shape)} ${idx.py}`,
      inputs: [floatSpec(shape), floatSpec(vshape)],
      ts: (x, v) => torch.indexPut(x, [idx.t], v, true),
      py: `x0.index_put((${idx.py},), x1.to(x0.dtype), accumulate=True)`,
    });
  }
  return cases;
}

function gatherScatterCases(): DiffCase[] {
  const cases: DiffCase[] = [];
  for (let k = 0; k < 40; k++) {
    const shape = rng.shape(rng.int(1, 3), 1, 4);
    const nd = shape.length;
    const d = rng.int(0, nd - 1);
    const dim = spellDim(d, nd);
    const ishape = shape.map((s, i) => (i === d ? rng.int(0, 5) : rng.int(1, s)));
    const idx = longLit(randIdx(numel(ishape), shape[d], false), ishape);
    cases.push({
      name: `gather ${js(shape)} ${dim} ${js(ishape)}`,
      inputs: [floatSpec(shape)],
      ts: (x) => torch.gather(x, dim, idx.t),
      py: `torch.gather(x0, ${dim}, ${idx.py})`,
    });
    // Scatter: distinct targets per line along dim, so the write order never matters.
    const sshape = shape.map((s, i) => (i === d ? rng.int(1, s) : rng.int(1, s)));
    const lines = numel(sshape) / sshape[d];
    const perLine = Array.from({ length: lines }, () => distinct(sshape[d], shape[d]));
    const values = new Array<number>(numel(sshape));
    const inner = numel(sshape.slice(d + 1));
    for (let p = 0; p < values.length; p++) {
      const along = Math.floor(p / inner) % sshape[d];
      const line = Math.floor(p / (inner * sshape[d])) * inner + (p % inner);
      values[p] = perLine[line][along];
    }
    const sidx = longLit(values, sshape);
    const srcShape = sshape.map((s) => s + (rng.bool(0.3) ? 1 : 0));
    cases.push({
      name: `scatter ${js(shape)} ${dim} ${js(sshape)} src ${js(srcShape)}`,
      inputs: [floatSpec(shape, "float64"), floatSpec(srcShape, "float64")],
      ts: (x, s) => torch.scatter(x, dim, sidx.t, s).mul(x),
      py: `torch.scatter(x0, ${dim}, ${sidx.py}, x1) * x0`,
      // PyTorch's backward fails when src is larger than index (it returns an index-shaped gradient);
      // torch-ts pads it with zeros, which gradcheck covers in indexing.test.ts.
      noGrad: js(srcShape) !== js(sshape),
    });
    const value = rng.int(-3, 3) / 2;
    cases.push({
      name: `scatter value ${js(shape)} ${dim} ${js(sshape)} ${value}`,
      inputs: [floatSpec(shape)],
      ts: (x) => torch.scatter(x, dim, sidx.t, value),
      py: `torch.scatter(x0, ${dim}, ${sidx.py}, ${value})`,
    });
    const aidx = longLit(randIdx(numel(ishape), shape[d], false), ishape);
    const addSrc = ishape.map((s) => s + (rng.bool(0.3) ? 1 : 0));
    const dtype = rng.pick<DType>(["float32", "float64"]);
    cases.push({
      name: `scatter_add ${js(shape)} ${dim} ${js(ishape)}`,
      inputs: [floatSpec(shape, dtype), floatSpec(addSrc, dtype)],
      ts: (x, s) => torch.scatterAdd(x, dim, aidx.t, s),
      py: `torch.scatter_add(x0, ${dim}, ${aidx.py}, x1)`,
      noGrad: js(addSrc) !== js(ishape),
    });
  }
  return cases;
}

function selectAddMaskCases(): DiffCase[] {
  const cases: DiffCase[] = [];
  for (let k = 0; k < 35; k++) {
    const shape = rng.shape(rng.int(1, 3), 1, 4);
    const nd = shape.length;
    const d = rng.int(0, nd - 1);
    const dim = spellDim(d, nd);
    const n = rng.int(0, 5);
    const idx = longLit(randIdx(n, shape[d], false), [n]);
    cases.push({
      name: `index_select ${js(shape)} ${dim} ${idx.py}`,
      inputs: [floatSpec(shape)],
      ts: (x) => torch.indexSelect(x, dim, idx.t).square(),
      py: `torch.index_select(x0, ${dim}, ${idx.py}).square()`,
    });
    const srcShape = shape.map((s, i) => (i === d ? n : s));
    const alpha = rng.pick([1, 2, -0.5]);
    const dtype = rng.pick<DType>(["float32", "float64"]);
    cases.push({
      name: `index_add ${js(shape)} ${dim} ${idx.py} alpha ${alpha}`,
      inputs: [floatSpec(shape, dtype), floatSpec(srcShape, dtype)],
      ts: (x, s) => torch.indexAdd(x, dim, idx.t, s, { alpha }),
      py: `torch.index_add(x0, ${dim}, ${idx.py}, x1, alpha=${alpha})`,
    });
    const mshape = shape.map((s) => (rng.bool(0.3) ? 1 : s)).slice(rng.int(0, nd - 1));
    const mask = boolLit(mshape);
    const fill = rng.int(-4, 4) / 4;
    cases.push({
      name: `masked_fill ${js(shape)} mask ${js(mshape)} ${fill}`,
      inputs: [floatSpec(shape)],
      ts: (x) => torch.maskedFill(x, mask.t, fill),
      py: `x0.masked_fill(${mask.py}, ${fill})`,
    });
    cases.push({
      name: `masked_fill tensor value ${js(shape)} mask ${js(mshape)}`,
      inputs: [floatSpec(shape, "float64"), { shape: [], dtype: "float64" }],
      ts: (x, v) => torch.maskedFill(x, mask.t, v).mul(x),
      py: `x0.masked_fill(${mask.py}, x1) * x0`,
    });
    const bigMask = boolLit([rng.int(1, 2), ...shape.map((s) => (rng.bool(0.3) ? 1 : s))]);
    cases.push({
      name: `masked_select ${js(shape)} broadcast mask`,
      inputs: [floatSpec(shape)],
      ts: (x) => torch.maskedSelect(x, bigMask.t),
      py: `torch.masked_select(x0, ${bigMask.py})`,
    });
    const ints = { shape, dtype: "int64" as DType, layout: rng.pick(LAYOUTS) };
    cases.push({
      name: `int64 index_select/masked_fill ${js(shape)}`,
      inputs: [ints],
      ts: (x) => [torch.indexSelect(x, dim, idx.t), torch.maskedFill(x, mask.t, 2.5), torch.nonzero(x.gt(0))],
      py: `(torch.index_select(x0, ${dim}, ${idx.py}), x0.masked_fill(${mask.py}, 2.5), torch.nonzero(x0 > 0))`,
    });
  }
  return cases;
}

function joiningCases(): DiffCase[] {
  const cases: DiffCase[] = [];
  for (let k = 0; k < 40; k++) {
    const shape = rng.shape(rng.int(1, 4), 1, 3);
    const nd = shape.length;
    const d = rng.int(0, nd - 1);
    const dim = spellDim(d, nd);
    const count = rng.int(1, 4);
    const specs = Array.from({ length: count }, () => {
      const s = shape.slice();
      s[d] = rng.int(0, 3);
      return floatSpec(s);
    });
    const names = specs.map((_, i) => `x${i}`);
    cases.push({
      name: `cat ${specs.map((s) => js(s.shape) + s.dtype).join(" ")} dim ${dim}`,
      inputs: specs,
      ts: (...xs) => torch.cat(xs, dim),
      py: `torch.cat([${names.join(", ")}], ${dim})`,
    });
    const sd = spellDim(rng.int(0, nd), nd + 1);
    const same = Array.from({ length: count }, () => floatSpec(shape));
    cases.push({
      name: `stack ${count}×${js(shape)} dim ${sd}`,
      inputs: same,
      ts: (...xs) => torch.stack(xs, sd),
      py: `torch.stack([${names.join(", ")}], ${sd})`,
    });
    const full = shape.slice();
    full[d] = rng.int(0, 6);
    const spec = floatSpec(full);
    const size = full[d];
    const splitSize = rng.int(size === 0 ? 0 : 1, 4);
    cases.push({
      name: `split ${js(full)} ${splitSize} dim ${dim}`,
      inputs: [spec],
      ts: (x) => torch.split(x, splitSize, dim),
      py: `torch.split(x0, ${splitSize}, ${dim})`,
    });
    const sections: number[] = [];
    let left = size;
    while (left > 0) {
      const s = rng.int(0, left);
      sections.push(s);
      left -= s;
    }
    if (sections.length === 0 || rng.bool(0.2)) sections.push(0);
    cases.push({
      name: `split ${js(full)} ${js(sections)} dim ${dim}`,
      inputs: [spec],
      ts: (x) => torch.split(x, sections, dim).map((p) => p.exp()),
      py: `[p.exp() for p in torch.split(x0, ${js(sections)}, ${dim})]`,
    });
    const chunks = rng.int(1, 5);
    cases.push({
      name: `chunk ${js(full)} ${chunks} dim ${dim}`,
      inputs: [spec],
      ts: (x) => torch.chunk(x, chunks, dim),
      py: `torch.chunk(x0, ${chunks}, ${dim})`,
    });
    cases.push({
      name: `unbind ${js(full)} dim ${dim}`,
      inputs: [spec],
      ts: (x) => torch.unbind(x, dim).map((p) => p.mul(2)),
      py: `[p * 2 for p in torch.unbind(x0, ${dim})]`,
    });
  }
  cases.push({
    name: "cat skips legacy 1-d empty tensors",
    inputs: [floatSpec([2, 3]), { shape: [0] }, floatSpec([1, 3])],
    ts: (a, b, c) => torch.cat([a, b, c]),
    py: "torch.cat([x0, x1, x2])",
  });
  return cases;
}

function padCases(): DiffCase[] {
  const cases: DiffCase[] = [];
  for (let k = 0; k < 60; k++) {
    const mode = rng.pick<torch.PadMode>(["constant", "constant", "reflect", "replicate", "circular"]);
    const kdims = rng.int(1, mode === "constant" ? 3 : 3);
    const batched = mode === "circular" ? true : rng.bool();
    const nd = mode === "constant" ? rng.int(kdims, 4) : kdims + (batched ? 2 : 1);
    const shape = Array.from({ length: nd }, () => rng.int(1, 4));
    const pads: number[] = [];
    for (let i = 0; i < kdims; i++) {
      const L = shape[nd - 1 - i];
      let l: number;
      let r: number;
      do {
        if (mode === "reflect") [l, r] = [rng.int(-(L - 1), L - 1), rng.int(-(L - 1), L - 1)];
        else if (mode === "circular") [l, r] = [rng.int(-1, L), rng.int(-1, L)];
        else [l, r] = [rng.int(-2, 3), rng.int(-2, 3)];
        // Crops must fit the input (PyTorch crops first), and circular needs something left to wrap. A circular
        // pad longer than what the crop leaves makes PyTorch (1.13 and 2.x) copy uninitialized memory: skipped.
      } while (
        L + l + r < (mode === "constant" ? 0 : 1) ||
        Math.max(-l, 0) + Math.max(-r, 0) >= L + (mode === "constant" ? 1 : 0) ||
        (mode === "circular" && (l > L + Math.min(r, 0) || r > L + Math.min(l, 0)))
      );
      pads.push(l, r);
    }
    // constant_pad_nd refuses an empty padded dim when any pad grows (pure cropping may empty one).
    const growing = pads.some((p) => p > 0);
    if (mode === "constant" && growing && pads.some((_, i) => i % 2 === 0 && shape[nd - 1 - i / 2] + pads[i] + pads[i + 1] === 0)) {
      cases.push({
        name: `pad ${js(shape)} ${js(pads)} empties a dim while growing another`,
        inputs: [floatSpec(shape)],
        ts: (x) => torch.pad(x, pads),
        py: `F.pad(x0, ${js(pads)})`,
        expectError: /resulted in a negative output size/,
      });
      continue;
    }
    const value = rng.int(-2, 2) / 2;
    const pyValue = mode === "constant" ? `, value=${value}` : "";
    cases.push({
      name: `pad ${js(shape)} ${js(pads)} ${mode}${mode === "constant" ? " " + value : ""}`,
      inputs: [floatSpec(shape)],
      // Every other case goes through nn.functional.pad (the same function), keyword arguments as options.
      ts: cases.length % 2 === 0
        ? (x) => (mode === "constant" ? torch.pad(x, pads, "constant", value) : torch.pad(x, pads, mode))
        : (x) => torch.nn.functional.pad(x, pads, { mode, value: mode === "constant" ? value : null }),
      py: `F.pad(x0, ${js(pads)}, mode="${mode}"${pyValue})`,
    });
  }
  return cases;
}

function errorCases(): DiffCase[] {
  const x = floatSpec([3, 4]);
  const big = longLit([0, 5], [1, 2]);
  return [
    { name: "gather out of range", inputs: [x], ts: (a) => torch.gather(a, 1, big.t), py: `torch.gather(x0, 1, ${big.py})`, expectError: /index 5 is out of bounds for dimension 1 with size 4/ },
    { name: "index out of range", inputs: [x], ts: (a) => a.index(5), py: "x0[5]", expectError: /index 5 is out of bounds for dimension 0 with size 3/ },
    { name: "advanced index out of range", inputs: [x], ts: (a) => a.index(":", longLit([4], [1]).t), py: "x0[:, torch.tensor([4])]", expectError: /index 4 is out of bounds for dimension 1 with size 4/ },
    { name: "cat sizes", inputs: [x, floatSpec([4, 4])], ts: (a, b) => torch.cat([a, b], 1), py: "torch.cat([x0, x1], 1)", expectError: /Sizes of tensors must match except in dimension 1/ },
    { name: "stack sizes", inputs: [x, floatSpec([3, 5])], ts: (a, b) => torch.stack([a, b]), py: "torch.stack([x0, x1])", expectError: /stack expects each tensor to be equal size/ },
    { name: "split sizes", inputs: [x], ts: (a) => torch.split(a, [1, 1]), py: "torch.split(x0, [1, 1])", expectError: /split_with_sizes expects split_sizes to sum exactly to 3/ },
    { name: "constant pad crops more than the input", inputs: [floatSpec([3, 1])], ts: (a) => torch.pad(a, [-2, 2]), py: "F.pad(x0, [-2, 2])", expectError: /crops 2 elements from dimension 1 of size 1/ },
    { name: "reflect pad too large", inputs: [x], ts: (a) => torch.pad(a, [4, 0], "reflect"), py: 'F.pad(x0, [4, 0], mode="reflect")', expectError: /Padding size should be less than the corresponding input dimension/ },
    { name: "mask shape", inputs: [x], ts: (a) => a.index(boolLit([2]).t), py: "x0[torch.tensor([True, False])]", expectError: /The shape of the mask \[2\] at index 0 does not match/ },
    { name: "index_select range", inputs: [x], ts: (a) => torch.indexSelect(a, 0, longLit([3], [1]).t), py: "torch.index_select(x0, 0, torch.tensor([3]))", expectError: /index out of range in self/ },
  ];
}

describe("indexing and joining match PyTorch", () => {
  it("narrow / select / slice", async () => {
    expectClean(await runDifferential("views", viewCases()), 100);
  });
  it("basic indexing", async () => {
    expectClean(await runDifferential("basic-index", basicIndexCases()), 50);
  });
  it("advanced indexing", async () => {
    expectClean(await runDifferential("advanced-index", advancedIndexCases()), 60);
  });
  it("setitem / index_put", async () => {
    expectClean(await runDifferential("index-put", indexPutCases()), 40);
  });
  it("gather / scatter / scatter_add", async () => {
    expectClean(await runDifferential("gather-scatter", gatherScatterCases()), 120);
  });
  it("index_select / index_add / masked_fill / masked_select", async () => {
    expectClean(await runDifferential("select-add-mask", selectAddMaskCases()), 150);
  });
  it("cat / stack / split / chunk / unbind", async () => {
    expectClean(await runDifferential("joining", joiningCases()), 200);
  });
  it("pad", async () => {
    expectClean(await runDifferential("pad", padCases()), 60);
  });
  it("errors", async () => {
    expectClean(await runDifferential("indexing-errors", errorCases()), 10);
  });
});
