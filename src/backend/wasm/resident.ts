import type { LongLivedUse } from "../backend.js";
import type { WasmHeap } from "./heap.js";

/**
 * Storage inside the kernels' (shared) memory for tensors that live long and are read by every call: the
 * weights and biases of Conv and Linear layers, and tensors made from values (torch.tensor, rand, randn;
 * see long-lived.ts). `heap.put` hands the kernels such a
 * tensor where it lies instead of copying it in: a batch-1 inference of W5's model read 580 KB of weights
 * into memory on every call (copies into shared memory run at ~33 GB/s here, ~18 µs of its ~0.38 ms).
 *
 * Blocks are carved from chunks reserved below the per-call area (heap.reserve) and are given back when the
 * garbage collector has collected their Float32Array (a FinalizationRegistry: this runs only between event
 * loop turns, which suits parameters; per-step activations could pile up in a synchronous loop). Chunks
 * are never returned, and the arena stops at `CAP_BYTES`: later tensors get ordinary storage. Tensors
 * made from values may be made anew every step of a synchronous loop, so they share a smaller budget,
 * `INPUT_BUDGET_BYTES`, and cannot crowd out the layers built after them.
 *
 * Only shared memory: growing memory that is not shared detaches every view of it.
 */

const CHUNK_BYTES = 4 * 1024 * 1024;
const CAP_BYTES = 256 * 1024 * 1024;
const INPUT_BUDGET_BYTES = 64 * 1024 * 1024;
/** Smaller tensors made from values keep ordinary storage: their copy costs under a microsecond, and they would fragment the arena. */
const INPUT_MIN_BYTES = 16 * 1024;

interface Block {
  ptr: number;
  bytes: number;
}

/** A block handed out, as the registry returns it. */
interface Held extends Block {
  use: LongLivedUse;
}

export class ResidentArena {
  private readonly heap: WasmHeap;
  /** Free blocks in address order. */
  private readonly free: Block[] = [];
  private reserved = 0;
  /** Bytes held by live "input" tensors. */
  private inputBytes = 0;
  private readonly registry = new FinalizationRegistry<Held>((b) => {
    if (b.use === "input") this.inputBytes -= b.bytes;
    this.release(b);
  });

  constructor(heap: WasmHeap) {
    this.heap = heap;
  }

  /** Whether the memory is shared (views survive its growth): the arena is usable at all. */
  get usable(): boolean {
    return typeof SharedArrayBuffer !== "undefined" && this.heap.ex.memory.buffer instanceof SharedArrayBuffer;
  }

  /** `n` zero-filled float32 elements in the kernels' memory, or null (not shared, the arena or the budget of `use` full). */
  alloc(n: number, use: LongLivedUse): Float32Array | null {
    if (n <= 0 || !this.usable) return null;
    const bytes = (4 * n + 15) & ~15;
    if (use === "input" && (bytes < INPUT_MIN_BYTES || this.inputBytes + bytes > INPUT_BUDGET_BYTES)) return null;
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
    this.registry.register(view, { ptr, bytes, use });
    if (use === "input") this.inputBytes += bytes;
    return view;
  }

  /** Returns a block to the free list, merged with free neighbours. */
  private release(b: Block): void {
    let i = 0;
    while (i < this.free.length && this.free[i].ptr < b.ptr) i++;
    this.free.splice(i, 0, { ptr: b.ptr, bytes: b.bytes });
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
