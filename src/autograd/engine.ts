import { Tensor } from "../tensor.js";
import { AccumulateGrad, type Node } from "./node.js";
import { enableGrad, noGrad } from "./grad-mode.js";
import { add } from "../ops/elementwise.js";
import { zeros } from "../ops/creation.js";
import { to } from "../ops/cast.js";
import { shapeEquals, formatShape } from "../layout.js";
import { backend } from "../backend/backend.js";
import { allocatedWhileTracking, recycle, trackAllocations } from "../storage-reuse.js";

export interface BackwardOptions {
  /** Keep saved tensors so backward can run through the graph again. Defaults to `createGraph`. */
  retainGraph?: boolean;
  /** Record the backward pass itself, for higher-order gradients. */
  createGraph?: boolean;
}

/** Where the engine delivers the gradient arriving at one (node, output) pair. */
type Sink = (grad: Tensor) => void;

/**
 * Runs the backward pass from `roots` seeded with `seeds`. Nodes run once all their consumers have
 * delivered, so every gradient is complete when used (PyTorch's dependency counting).
 */
function run(
  roots: Tensor[],
  seeds: Tensor[],
  opts: { retainGraph: boolean; createGraph: boolean; accumulate: boolean },
  captures?: Map<Node, Map<number, Sink>>,
): void {
  const deps = new Map<Node, number>();
  const stack: Node[] = [];
  const seen = new Set<Node>();
  for (const r of roots) {
    const e = r._edge();
    if (e && !seen.has(e.node)) {
      seen.add(e.node);
      stack.push(e.node);
    }
  }
  while (stack.length) {
    const n = stack.pop()!;
    for (const e of n.next) {
      if (!e) continue;
      deps.set(e.node, (deps.get(e.node) ?? 0) + 1);
      if (!seen.has(e.node)) {
        seen.add(e.node);
        stack.push(e.node);
      }
    }
  }

  const buffers = new Map<Node, Array<Tensor | null>>();
  // How many buffers each gradient tensor was delivered to (sums made here are fresh: absent). A leaf may
  // take a gradient as its .grad without a copy only when nothing else can see it (PyTorch checks the
  // refcount); weak, so that counting keeps no gradient alive.
  const deliveries = new WeakMap<Tensor, number>();
  // The same count per ArrayBuffer, whatever tensors view it: whether a consumed gradient's storage may be
  // recycled (`releaseConsumed`).
  const carried = new WeakMap<ArrayBufferLike, number>();
  const deliver = (node: Node, nr: number, g: Tensor): void => {
    deliveries.set(g, (deliveries.get(g) ?? 0) + 1);
    carried.set(g.buf.buffer, (carried.get(g.buf.buffer) ?? 0) + 1);
    let buf = buffers.get(node);
    if (!buf) buffers.set(node, (buf = new Array(node.outputMeta.length || 1).fill(null)));
    buf[nr] = buf[nr] === null ? g : add(buf[nr]!, g);
  };
  for (let i = 0; i < roots.length; i++) {
    const e = roots[i]._edge();
    if (!e) continue;
    // The caller's gradient (or ones for a scalar) is never taken over.
    deliveries.set(seeds[i], Infinity);
    carried.set(seeds[i].buf.buffer, Infinity);
    deliver(e.node, e.outputNr, seeds[i]);
  }
  const unshared = (g: Tensor): boolean => (deliveries.get(g) ?? 1) === 1;

  const ready: Node[] = [];
  for (const r of roots) {
    const e = r._edge();
    if (e && !deps.get(e.node) && !ready.includes(e.node)) ready.push(e.node);
  }

  const body = (): void => {
    while (ready.length) {
      const node = ready.pop()!;
      const buf = buffers.get(node) ?? [];
      buffers.delete(node);
      const sinks = captures?.get(node);
      if (sinks) {
        for (const [nr, sink] of sinks) if (buf[nr]) sink(buf[nr]!);
      }
      if (node instanceof AccumulateGrad) {
        if (opts.accumulate && buf[0]) accumulateInto(node.variable, buf[0], opts.createGraph, unshared(buf[0]));
      } else {
        if (node.retained && opts.accumulate) {
          // The node's backward still reads these buffers: retained gradients are copies.
          for (const [nr, t] of node.retained) if (buf[nr]) accumulateInto(t, buf[nr]!, opts.createGraph, false);
        }
        const grads = node.outputMeta.map((m, i) => buf[i] ?? zeros(m.shape, { dtype: m.dtype }));
        const out = node.apply(grads);
        if (!opts.retainGraph) node.release();
        if (!opts.createGraph && !sinks) releaseConsumed(grads, out, carried);
        for (let i = 0; i < node.next.length; i++) {
          const e = node.next[i];
          const g = out[i];
          if (!e || !g) continue;
          const meta = e.node.outputMeta[e.outputNr];
          if (meta && !shapeEquals(meta.shape, g.shape)) {
            throw new Error(
              `Function ${node.name} returned an invalid gradient at index ${i} - got ${formatShape(g.shape)} but ` +
                `expected shape compatible with ${formatShape(meta.shape)}`,
            );
          }
          // As PyTorch's validate_outputs: a gradient always has its input's dtype (float32 input, float64 math).
          deliver(e.node, e.outputNr, meta && meta.dtype !== g.dtype ? to(g, meta.dtype) : g);
        }
      }
      for (const e of node.next) {
        if (!e) continue;
        const left = deps.get(e.node)! - 1;
        deps.set(e.node, left);
        if (left === 0) ready.push(e.node);
      }
    }
  };
  if (opts.createGraph) enableGrad(body);
  else trackAllocations(() => noGrad(body));
}

/**
 * Recycles the storage of the gradients a node has just consumed when only the engine could reach it:
 * allocated during this backward pass (so no cache, forward tensor or caller's seed), delivered once to one
 * node (so no other buffer or leaf holds it), its ArrayBuffer whole (no other tensor lives in it), and not
 * passed on by the node (views and pass-through gradients share the buffer). A gradient captured for
 * `autograd.grad` is kept, and a graph-building pass keeps everything; retained gradients are copies.
 */
function releaseConsumed(grads: Tensor[], out: Array<Tensor | null>, carried: WeakMap<ArrayBufferLike, number>): void {
  for (const g of grads) {
    const ab = g.buf.buffer;
    if (!allocatedWhileTracking(ab) || (carried.get(ab) ?? 1) !== 1) continue;
    if (g.buf.byteOffset !== 0 || g.buf.byteLength !== ab.byteLength) continue;
    if (out.some((o) => o !== null && o.buf.buffer === ab)) continue;
    // A later gradient may reuse the buffer in this same pass: it starts uncounted.
    carried.delete(ab);
    recycle(ab as ArrayBuffer);
  }
}

/**
 * Adds `g` into `t.grad`. On first write the gradient is copied unless `unshared` (delivered to this leaf
 * alone) and it owns its whole storage: never alias a gradient that another tensor may also receive.
 */
function accumulateInto(t: Tensor, g: Tensor, createGraph: boolean, unshared: boolean): void {
  const grad = createGraph ? g : g.detach();
  if (t.grad === null) {
    t.grad = createGraph ? grad : unshared && ownsStorage(g) ? grad : cloneDetached(grad);
  } else {
    t.grad = createGraph ? add(t.grad, grad) : noGrad(() => add(t.grad!, grad));
  }
}

/** A dense tensor that is no view: no other tensor reads or writes its storage. */
function ownsStorage(g: Tensor): boolean {
  return g._base === null && g.offset === 0 && g.buf.length === g.numel() && g.isContiguous();
}

function cloneDetached(g: Tensor): Tensor {
  const out = Tensor.empty(g.shape, g.dtype);
  // The backend's strided copy: gradients often arrive as transposed or expanded views.
  backend().copy(g, out);
  return out;
}

function checkRoots(outputs: Tensor[], grads: Array<Tensor | null | undefined>, op: string): Tensor[] {
  return outputs.map((o, i) => {
    if (!o.requiresGrad) {
      throw new Error(`${op}: element ${i} of tensors does not require grad and does not have a grad_fn`);
    }
    const g = grads[i];
    if (g === null || g === undefined) {
      if (o.numel() !== 1) throw new Error(`${op}: grad can be implicitly created only for scalar outputs`);
      const one = Tensor.empty(o.shape, o.dtype);
      one.buf[0] = 1;
      return one;
    }
    if (!shapeEquals(g.shape, o.shape)) {
      throw new Error(
        `${op}: Mismatch in shape: grad_output[${i}] has a shape of ${formatShape(g.shape)} and output[${i}] ` +
          `has a shape of ${formatShape(o.shape)}.`,
      );
    }
    return g;
  });
}

/** `tensor.backward(gradient?, {retainGraph, createGraph})`: accumulates into the leaves' `.grad`. */
export function backward(
  tensors: Tensor | Tensor[],
  gradTensors?: Tensor | Array<Tensor | null> | null,
  opts: BackwardOptions = {},
): void {
  const outs = Array.isArray(tensors) ? tensors : [tensors];
  const gs = gradTensors == null ? [] : Array.isArray(gradTensors) ? gradTensors : [gradTensors];
  const seeds = checkRoots(outs, gs, "backward");
  const createGraph = opts.createGraph ?? false;
  run(outs, seeds, { retainGraph: opts.retainGraph ?? createGraph, createGraph, accumulate: true });
}

export interface GradOptions extends BackwardOptions {
  /** Return null (instead of raising) for inputs the outputs do not depend on. */
  allowUnused?: boolean;
}

/** `torch.autograd.grad(outputs, inputs, gradOutputs?)`: gradients of outputs w.r.t. inputs, no `.grad` writes. */
export function grad(
  outputs: Tensor | Tensor[],
  inputs: Tensor | Tensor[],
  gradOutputs?: Tensor | Array<Tensor | null> | null,
  opts: GradOptions = {},
): Array<Tensor | null> {
  const outs = Array.isArray(outputs) ? outputs : [outputs];
  const ins = Array.isArray(inputs) ? inputs : [inputs];
  const gs = gradOutputs == null ? [] : Array.isArray(gradOutputs) ? gradOutputs : [gradOutputs];
  const seeds = checkRoots(outs, gs, "grad");
  const result: Array<Tensor | null> = ins.map(() => null);
  const captures = new Map<Node, Map<number, Sink>>();
  ins.forEach((t, i) => {
    const e = t._edge();
    if (!e) throw new Error(`grad: One of the differentiated Tensors (index ${i}) does not require grad`);
    let m = captures.get(e.node);
    if (!m) captures.set(e.node, (m = new Map()));
    const prev = m.get(e.outputNr);
    m.set(e.outputNr, (g) => {
      result[i] = g;
      prev?.(g);
    });
  });
  const createGraph = opts.createGraph ?? false;
  run(outs, seeds, { retainGraph: opts.retainGraph ?? createGraph, createGraph, accumulate: false }, captures);
  return result.map((r, i) => {
    if (r === null && !opts.allowUnused) {
      throw new Error(
        `grad: One of the differentiated Tensors (index ${i}) appears to not have been used in the graph. ` +
          "Set allowUnused: true if this is the desired behavior.",
      );
    }
    return r === null ? null : createGraph ? r : r.detach();
  });
}
