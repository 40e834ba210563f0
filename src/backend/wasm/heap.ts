import type { View } from "../../tensor.js";
import { cpuBackend } from "../cpu/index.js";

/** What wasm/kernels.c exports (pointers are byte offsets into `memory`, strides are in elements). */
export interface WasmExports {
  memory: WebAssembly.Memory;
  __heap_base: WebAssembly.Global;
  sgemm(
    M: number, N: number, K: number, alpha: number,
    A: number, sam: number, sak: number,
    B: number, sbk: number, sbn: number,
    beta: number, C: number, scm: number, scn: number,
  ): void;
  conv_forward(p: number, x: number, w: number, bias: number, y: number, col: number): void;
  conv_backward_weight(p: number, x: number, gy: number, gw: number, col: number): void;
  conv_backward_input(p: number, gy: number, w: number, bias: number, gx: number, col: number): void;
  add_into(dst: number, src: number, n: number): void;
  channel_sums(x: number, N: number, C: number, L: number, c0: number, c1: number, out: number): void;
  max_pool(p: number, x: number, bounds: number, out: number, idx: number): void;
  max_pool_values(p: number, x: number, bounds: number, out: number): void;
  max_pool_scatter_add(g: number, idx: number, planes: number, m: number, L: number, gx: number): void;
  avg_pool(p: number, x: number, bounds: number, override: number, out: number): void;
  avg_pool_backward(p: number, grad: number, bounds: number, override: number, gradInput: number): void;
  map_relu(x: number, y: number, n: number): void;
  map_sigmoid(x: number, y: number, n: number): void;
  map_sigmoid_backward(g: number, y: number, out: number, n: number): void;
}

/** A view's data inside wasm memory: the byte address of its element [0, …, 0] and its strides there. */
export interface Staged {
  ptr: number;
  strides: number[];
}

/** A copied span may exceed the view's element count by this factor before a dense gather is cheaper. */
const SPAN_SLACK = 2;

/**
 * A bump allocator over the module's memory, reset at the start of every kernel call (kernels are not
 * re-entrant). Memory grows on demand and is kept (wasm memory cannot shrink): the high-water mark of the
 * largest call stays allocated for the process's life. Below the per-call area lie the permanent
 * reservations (the worker threads' stacks).
 */
export class WasmHeap {
  readonly ex: WasmExports;
  private base: number;
  private top: number;
  private view: Float32Array;
  /** Every buffer object `memory.buffer` has returned (a new one after each growth), to know views into memory. */
  private readonly buffers = new WeakSet<ArrayBufferLike>();

  constructor(ex: WasmExports) {
    this.ex = ex;
    this.base = (ex.__heap_base.value as number + 15) & ~15;
    this.top = this.base;
    this.view = new Float32Array(ex.memory.buffer);
    this.buffers.add(this.view.buffer);
  }

  reset(): void {
    this.top = this.base;
  }

  /** Reserves `bytes` for the heap's life, below every later call's data; returns their address. */
  reserve(bytes: number): number {
    this.reset();
    const ptr = this.alloc(bytes / 4);
    this.base = this.top;
    return ptr;
  }

  /** The float32 view of all of memory; take it again after any `alloc` (growing detaches the old one). */
  get f32(): Float32Array {
    if (this.view.buffer !== this.ex.memory.buffer) {
      this.view = new Float32Array(this.ex.memory.buffer);
      this.buffers.add(this.view.buffer);
    }
    return this.view;
  }

  /** `n` float32 (or int32) slots, 16-byte aligned; returns their byte address. */
  alloc(n: number): number {
    const ptr = this.top;
    const end = ptr + 4 * Math.max(0, n);
    const have = this.ex.memory.buffer.byteLength;
    if (end > have) {
      if (end > 2 ** 32 - 65536) throw new RangeError(`the wasm backend needs ${end} bytes of memory, more than wasm32's 4 GiB`);
      this.ex.memory.grow(Math.ceil((end - have) / 65536));
    }
    this.top = (end + 15) & ~15;
    return ptr;
  }

  /**
   * A float32 view's data in memory for a kernel to read: where it lies when its storage is in memory
   * already (a resident tensor, resident.ts; shared memory only, so its view cannot have been detached),
   * else a copy (`putCopy`). `dense` asks for row-major strides.
   */
  put(v: View, dense = false): Staged {
    const b = v.buf;
    if (this.buffers.has(b.buffer) && b.buffer instanceof SharedArrayBuffer && (!dense || isDense(v))) {
      return { ptr: b.byteOffset + 4 * v.offset, strides: dense ? denseStrides(v.shape) : v.strides.slice() };
    }
    return this.putCopy(v, dense);
  }

  /**
   * Copies a float32 view into memory (a copy the kernel may also write): the storage span it covers in one `set` (strides kept), or, when
   * the span is much larger than the view (a narrow slice of a wide tensor), a dense row-major gather.
   * `dense` forces the gather unless the view is already row-major contiguous.
   */
  putCopy(v: View, dense = false): Staged {
    const n = numel(v.shape);
    if (n === 0) return { ptr: this.alloc(0), strides: v.strides.slice() };
    let hi = v.offset;
    for (let i = 0; i < v.shape.length; i++) hi += (v.shape[i] - 1) * v.strides[i];
    const span = hi - v.offset + 1;
    if ((!dense && span <= SPAN_SLACK * n + 1024) || (dense && isDense(v))) {
      const ptr = this.alloc(span);
      this.f32.set((v.buf as Float32Array).subarray(v.offset, hi + 1), ptr >> 2);
      return { ptr, strides: dense ? denseStrides(v.shape) : v.strides.slice() };
    }
    const ptr = this.alloc(n);
    const strides = denseStrides(v.shape);
    cpuBackend.copy(v, { buf: this.f32, dtype: "float32", shape: v.shape, strides, offset: ptr >> 2 });
    return { ptr, strides };
  }

  /** Copies `n` floats at `ptr` into a row-major contiguous float32 view. */
  take(ptr: number, out: View): void {
    const n = numel(out.shape);
    (out.buf as Float32Array).set(this.f32.subarray(ptr >> 2, (ptr >> 2) + n), out.offset);
  }
}

export function numel(shape: readonly number[]): number {
  let n = 1;
  for (const s of shape) n *= s;
  return n;
}

export function denseStrides(shape: readonly number[]): number[] {
  const s = new Array<number>(shape.length);
  for (let i = shape.length - 1, acc = 1; i >= 0; i--) {
    s[i] = acc;
    acc *= shape[i];
  }
  return s;
}

/** Whether a view is row-major contiguous (dims of extent 1 may have any stride). */
export function isDense(v: View): boolean {
  let expected = 1;
  for (let i = v.shape.length - 1; i >= 0; i--) {
    if (v.shape[i] !== 1 && v.strides[i] !== expected) return false;
    expected *= v.shape[i];
  }
  return true;
}

/** Whether every view is float32 with non-negative strides: what the wasm kernels take. */
export function allFloat32(...views: (View | null)[]): boolean {
  for (const v of views) {
    if (v === null) continue;
    if (v.dtype !== "float32") return false;
    for (const s of v.strides) if (s < 0) return false;
  }
  return true;
}
