/**
 * On Node, kernel outputs (which kernels write whole) get uninitialized memory, as `torch.empty` does in
 * PyTorch: zero-filling a megabyte costs 30-40 µs, as much as a small convolution. Imported by the Node
 * entry; browsers keep zero-filled storage.
 */
import { Buffer } from "node:buffer";
import { setUninitializedAllocator } from "./dtype.js";

setUninitializedAllocator((bytes) => Buffer.allocUnsafeSlow(bytes).buffer as ArrayBuffer);
