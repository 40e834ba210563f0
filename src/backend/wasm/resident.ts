import type { WasmHeap } from "./heap.js";

/**
 * Storage inside the kernels' (shared) memory for tensors that live long and are read by every call: the
 * weights and biases of Conv and Linear layers (`Tensor.longLived`). `heap.put` hands the kernels such a
 * tensor where it lies instead of copying it in: a batch-1 inference of W5's model read 580 KB of weights
 * into memory on every call (copies into shared memory run at ~33 GB/s here, ~18 µs of its ~0.38 ms).
 *
 * Blocks are carved from chunks reserved below the per-call area (heap.reserve) and are given back when the
 * garbage collector has collected their Float32Array (a FinalizationRegistry: this runs only between event
 * loop turns, which suits parameters; per-step activations could pile up in a synchronous loop). Chunks
 * are never returned, and the arena stops at `CAP_BYTES`: later tensors get ordinary storage.
 *
 * Only shared memory: growing memory that is not shared detaches every view of it.
 */

const CHUNK_BYTES = 4 * 1024 * 1024;
const CAP_BYTES = 256 * 1024 * 1024;

interface Block {
  ptr: number;
  bytes: number;
}

export class ResidentArena {
  private readonly heap: WasmHeap;
  /** Free blocks in address order. */
  private readonly free: Block[] = [];
  private reserved = 0;
  private readonly registry = new FinalizationRegistry<Block>((b) => this.release(b));

  constructor(heap: WasmHeap) {
    this.heap = heap;
  }

  /** Whether the memory is shared (views survive its growth): the arena is usable at all. */
  get usable(): boolean {
    return typeof SharedArrayBuffer !== "undefined" && this.heap.ex.memory.buffer instanceof SharedArrayBuffer;
  }

  /** `n` zero-filled float32 elements in the kernels' memory, or null (not shared, or the arena is full). */
  alloc(n: number): Float32Array | null {
    if (n <= 0 || !this.usable) return null;
    const bytes = (4 * n + 15) & ~15;
    let i = this.free.findIndex((b) => b.bytes >= bytes);
    if (i < 0) {
      const chunk = Math.max(CHUNK_BYTES, bytes);
      if (this.reserved + chunk > CAP_BYTES) return null;
      this.reserved += chunk;
      this.release({ ptr: this.heap.reserve(chunk), bytes: chunk });
      i = this.free.findIndex((b) => b.bytes >= bytes);
    }
    const b = this.free[i];
    const ptr = b.ptr;
    if (b.bytes === bytes) this.free.splice(i, 1);
    else this.free[i] = { ptr: ptr + bytes, bytes: b.bytes - bytes };
    const view = new Float32Array(this.heap.f32.buffer, ptr, n).fill(0);
    this.registry.register(view, { ptr, bytes });
    return view;
  }

  /** Bytes of reserved chunks, and of free blocks in them (for tests). */
  stats(): { reserved: number; free: number } {
    return { reserved: this.reserved, free: this.free.reduce((s, b) => s + b.bytes, 0) };
  }

  /** Returns a block to the free list, merged with free neighbours. */
  private release(b: Block): void {
    let i = 0;
    while (i < this.free.length && this.free[i].ptr < b.ptr) i++;
    this.free.splice(i, 0, { ...b });
    const next = this.free[i + 1];
    if (next !== undefined && this.free[i].ptr + this.free[i].bytes === next.ptr) {
      this.free[i].bytes += next.bytes;
      this.free.splice(i + 1, 1);
    }
    const prev = this.free[i - 1];
    if (prev !== undefined && prev.ptr + prev.bytes === this.free[i].ptr) {
      prev.bytes += this.free[i].bytes;
      this.free.splice(i, 1);
    }
  }
}
