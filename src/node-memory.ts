/**
 * On Node, kernel outputs (which kernels write whole) get uninitialized memory, as `torch.empty` does in
 * PyTorch: zero-filling a megabyte costs 30-40 µs, as much as a small convolution. Imported by the Node
 * entry; browsers keep zero-filled storage.
 */
import { Buffer } from "node:buffer";
import { setUninitializedAllocator } from "./dtype.js";

setUninitializedAllocator((bytes) => Buffer.allocUnsafeSlow(bytes).buffer as ArrayBuffer);

/**
 * Tensor storage is malloc'd (Node's ArrayBuffer allocator) and freed in batches by the garbage collector.
 * glibc returns the top of its heap to the kernel whenever more than its trim threshold lies free there,
 * and that threshold starts at 128 KiB: after each collection a loop that allocates megabyte tensors
 * faults its memory back in page by page (measured on a 2-vCPU VM: ~1.7 µs a page; W1's 3→6 channel
 * convolution forward at batch 64, whose output is 1.4 MB, took 1.05 ms instead of 0.57). glibc raises the
 * threshold to twice a freed mmap'd chunk's size, up to 32 MiB chunks: one buffer of 31 MiB, allocated and
 * dropped here (never touched, so never resident), lets the heap keep up to 62 MiB free instead. Other
 * allocators ignore it.
 */
Buffer.allocUnsafeSlow(31 * 1024 * 1024);

/**
 * Tensor storage lies outside V8's heap, so the heap itself stays a few megabytes and V8 sizes its
 * old-generation limit from that. A training step's tensors die young, but each full collection promotes
 * those still in flight, and the next limit is overshot a few steps later: LeNet's step at batch 64 (W6,
 * ~4 MB of tensors a step) settled into a mark-compact every ~8 steps, its median 6.8-7.0 ms. Eight
 * megabytes of doubles kept on the heap (a flat array: nothing in it for the collector to trace) raise
 * that limit: 1 mark-compact in the same run, median 5.8 ms; 16 and 32 MB measured no better. Measured with
 * `--trace-gc` on Node 20 (V8 11.3) on a 2-vCPU VM.
 */
// Exported (not re-exported by the package) so the module keeps it reachable.
export const heapBallast: readonly number[] = new Array<number>(1 << 20).fill(0.5);
