/**
 * Storage the autograd engine knows to be dead, handed out again by the allocators in dtype.ts.
 *
 * Why: a training step allocates its activations and gradients afresh (W6, LeNet at batch 64: 58 arrays,
 * 8 MB per step). Each ArrayBuffer counts as V8 external memory, and once a full GC has promoted one
 * step's buffers, later steps' buffers can only be freed by full GCs too: a process can settle into a full
 * GC every two or three steps (measured: 58 mark-compacts in 225 LeNet steps, against 2 in a process whose
 * heap started out differently), and each freed buffer comes back as fresh pages that fault in. PyTorch
 * frees an intermediate gradient as soon as the node that consumed it has run (its refcount drops) and
 * its caching allocator reuses the block; the engine does the same here for the gradients only it can
 * reach (see `run` in autograd/engine.ts), and nothing else is ever recycled.
 *
 * The free buffers are kept by exact byte length, at most `CAP_BYTES` in all (the oldest sizes are dropped
 * first), so the process's memory stays bounded.
 */

/**
 * Smaller buffers are cheaper to allocate zero-filled than to reuse or track: clearing 4096 floats is about
 * a microsecond; clearing a megabyte is 30-40 µs, as much as a small convolution.
 */
export const REUSE_MIN_BYTES = 16384;
const CAP_BYTES = 64 * 1024 * 1024;

/** Free buffers by byte length; Map order is the order in which each length was first freed. */
const free = new Map<number, ArrayBuffer[]>();
let held = 0;

/** Buffers allocated since the outermost `trackAllocations` began; null when not tracking. */
let fresh: WeakSet<ArrayBuffer> | null = null;
let depth = 0;

/** A free buffer of exactly `bytes` bytes (contents undefined), or null. */
export function takeFree(bytes: number): ArrayBuffer | null {
  const list = free.get(bytes);
  if (list === undefined) return null;
  const ab = list.pop()!;
  if (list.length === 0) free.delete(bytes);
  held -= bytes;
  return ab;
}

/** Records a buffer just allocated or reused (only buffers seen here may be recycled). */
export function noteAllocated(ab: ArrayBuffer): void {
  fresh?.add(ab);
}

/** Runs `fn`, recording the buffers it allocates; nests (the outermost call owns the record). */
export function trackAllocations(fn: () => void): void {
  if (depth++ === 0) fresh = new WeakSet();
  try {
    fn();
  } finally {
    if (--depth === 0) fresh = null;
  }
}

/** Whether `ab` was allocated inside the current `trackAllocations`. */
export function allocatedWhileTracking(ab: ArrayBufferLike): boolean {
  return fresh !== null && ab instanceof ArrayBuffer && fresh.has(ab);
}

/** Makes `ab` available to the allocators. The caller guarantees that nothing can read or write it any more. */
export function recycle(ab: ArrayBuffer): void {
  const bytes = ab.byteLength;
  if (bytes < REUSE_MIN_BYTES || bytes > CAP_BYTES) return;
  for (const [size, list] of free) {
    if (held + bytes <= CAP_BYTES) break;
    held -= size * list.length;
    free.delete(size);
  }
  let list = free.get(bytes);
  if (list === undefined) free.set(bytes, (list = []));
  list.push(ab);
  held += bytes;
}

/** @internal for tests: bytes held free now. */
export function heldBytes(): number {
  return held;
}
