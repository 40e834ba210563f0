/**
 * Threads for the wasm GEMM: `torch.setNumThreads(n)` on the wasm backend keeps n − 1 workers, each with its
 * own instance of kernels.wasm (own linear memory, own packing buffers) and one SharedArrayBuffer through
 * which the calling thread hands it a block of rows: A rows, B and (when β ≠ 0) C rows, dense. The caller
 * computes the first block itself, then waits on Atomics for the others.
 *
 * Results do not depend on the thread count: blocks are whole multiples of the 4-row micro-tile, at least
 * 4 rows, so every element of C is the same sequence of float32 operations as on one thread. A block whose
 * worker is not ready yet (workers start asynchronously), was retired, or reported an error, is computed by
 * the caller: the answer is the same, only later.
 *
 * Workers come from a spawner: `torch-ts/node` registers worker_threads; browsers get Web Workers from a
 * Blob URL where the page is cross-origin isolated (SharedArrayBuffer needs COOP/COEP). Browsers forbid
 * Atomics.wait on the main thread, so the caller spins on Atomics.load there.
 */

/** A started worker, as the spawner returns it. */
export interface WorkerHandle {
  terminate(): void;
}

/** Starts a worker running `body` (a JavaScript function expression) applied to `data`. */
export type SpawnWorker = (body: string, data: WorkerData) => WorkerHandle;

/** What a worker receives: the compiled kernels and its own shared buffer (control words, then data). */
export interface WorkerData {
  module: WebAssembly.Module;
  sab: SharedArrayBuffer;
}

/** Int32 control words at the start of each worker's buffer. */
const SEQ = 0; // bumped by the caller per job
const DONE = 1; // set by the worker to the job's SEQ when finished
const STATUS = 2; // 0 ok, 1 the job threw; 2 ready (set once at start)
const READY = 3; // 1 once the worker instantiated the kernels
const M_ = 4;
const N_ = 5;
const K_ = 6;
const ALPHA = 7; // float32
const BETA = 8; // float32
const QUIT = 9;
const HEADER_BYTES = 64;

/**
 * The worker's loop, as source (it runs where this module's imports do not exist). Waits for SEQ to change,
 * copies the job into its kernels' memory, runs sgemm on dense operands, copies C back, publishes DONE.
 */
const WORKER_BODY = `function (d) {
  const ctrl = new Int32Array(d.sab, 0, ${HEADER_BYTES / 4});
  const fctrl = new Float32Array(d.sab, 0, ${HEADER_BYTES / 4});
  const ex = new WebAssembly.Instance(d.module, {}).exports;
  const base = (ex.__heap_base.value + 15) & ~15;
  Atomics.store(ctrl, ${READY}, 1);
  let seen = 0;
  for (;;) {
    Atomics.wait(ctrl, ${SEQ}, seen);
    seen = Atomics.load(ctrl, ${SEQ});
    if (ctrl[${QUIT}] === 1) return;
    let status = 0;
    try {
      const M = ctrl[${M_}], N = ctrl[${N_}], K = ctrl[${K_}], alpha = fctrl[${ALPHA}], beta = fctrl[${BETA}];
      const n = M * K + K * N + M * N;
      const need = base + 4 * n;
      const have = ex.memory.buffer.byteLength;
      if (need > have) ex.memory.grow(Math.ceil((need - have) / 65536));
      const data = new Float32Array(d.sab, ${HEADER_BYTES}, n);
      const mem = new Float32Array(ex.memory.buffer);
      mem.set(beta !== 0 ? data : data.subarray(0, M * K + K * N), base >> 2);
      const c = base + 4 * (M * K + K * N);
      ex.sgemm(M, N, K, alpha, base, K, 1, base + 4 * M * K, N, 1, beta, c, N, 1);
      data.set(mem.subarray(c >> 2, (c >> 2) + M * N), M * K + K * N);
    } catch (e) {
      status = 1;
    }
    ctrl[${STATUS}] = status;
    Atomics.store(ctrl, ${DONE}, seen);
    Atomics.notify(ctrl, ${DONE});
  }
}`;

let spawner: SpawnWorker | null = null;

/** @internal Registers how to start workers (`torch-ts/node`: worker_threads). */
export function provideWorkerSpawner(s: SpawnWorker | null): void {
  spawner = s;
}

let browserSpawn: SpawnWorker | null | undefined;

/** Web Workers from a Blob URL, where SharedArrayBuffer exists (a cross-origin isolated page). */
function browserSpawner(): SpawnWorker | null {
  if (browserSpawn === undefined) browserSpawn = makeBrowserSpawner();
  return browserSpawn;
}

function makeBrowserSpawner(): SpawnWorker | null {
  const g = globalThis as unknown as { Worker?: new (url: string) => { postMessage(d: unknown): void; terminate(): void }; Blob?: typeof Blob; URL?: typeof URL };
  if (typeof g.Worker !== "function" || typeof g.Blob !== "function" || typeof SharedArrayBuffer !== "function") return null;
  const url = URL.createObjectURL(new Blob([`self.onmessage = (e) => (${WORKER_BODY})(e.data);`], { type: "text/javascript" }));
  return (_body, data) => {
    const w = new g.Worker!(url);
    w.postMessage(data);
    return w;
  };
}

/** Whether Atomics.wait may block this thread (not a browser's main thread). */
let canBlock: boolean | null = null;

function waitDone(ctrl: Int32Array, seq: number): void {
  if (canBlock !== false) {
    try {
      while (Atomics.load(ctrl, DONE) !== seq) Atomics.wait(ctrl, DONE, Atomics.load(ctrl, DONE));
      canBlock = true;
      return;
    } catch {
      canBlock = false;
    }
  }
  while (Atomics.load(ctrl, DONE) !== seq) {
    // Spin: a browser's main thread may not block (the job is at least ~2^18 flops, tens of microseconds).
  }
}

class PoolWorker {
  readonly handle: WorkerHandle;
  readonly sab: SharedArrayBuffer;
  readonly ctrl: Int32Array;
  readonly fctrl: Float32Array;
  private seq = 0;

  constructor(spawn: SpawnWorker, module: WebAssembly.Module, floats: number) {
    this.sab = new SharedArrayBuffer(HEADER_BYTES + 4 * floats);
    this.ctrl = new Int32Array(this.sab, 0, HEADER_BYTES / 4);
    this.fctrl = new Float32Array(this.sab, 0, HEADER_BYTES / 4);
    this.handle = spawn(WORKER_BODY, { module, sab: this.sab });
  }

  get capacity(): number {
    return (this.sab.byteLength - HEADER_BYTES) / 4;
  }

  get ready(): boolean {
    return Atomics.load(this.ctrl, READY) === 1;
  }

  /** The dense data area: A [M, K], then B [K, N], then C [M, N]. */
  data(n: number): Float32Array {
    return new Float32Array(this.sab, HEADER_BYTES, n);
  }

  start(M: number, N: number, K: number, alpha: number, beta: number): number {
    const c = this.ctrl;
    c[M_] = M;
    c[N_] = N;
    c[K_] = K;
    this.fctrl[ALPHA] = alpha;
    this.fctrl[BETA] = beta;
    this.seq = (this.seq + 1) | 0 || 1;
    Atomics.store(c, SEQ, this.seq);
    Atomics.notify(c, SEQ);
    return this.seq;
  }

  /** Waits for the job; false when the worker reported an error (the caller then computes the block). */
  finish(seq: number): boolean {
    waitDone(this.ctrl, seq);
    return this.ctrl[STATUS] === 0;
  }

  retire(): void {
    this.ctrl[QUIT] = 1;
    Atomics.store(this.ctrl, SEQ, (this.seq + 1) | 0 || 1);
    Atomics.notify(this.ctrl, SEQ);
    this.handle.terminate();
  }
}

/** Smallest job worth splitting (2·M·N·K flops): below it, handing over costs more than it saves. */
export const MIN_SPLIT_MNK = 1 << 18;
/** Rows per block are a multiple of the micro-tile height, so each thread's C elements are computed as on one thread. */
const MR = 4;
/** The most threads the wasm backend accepts. */
export const MAX_THREADS = 64;

/** A block of rows handed to a worker, or computed by the caller. */
export interface RowBlock {
  m0: number;
  m1: number;
}

/** The row blocks of an M-row product on `threads` threads (first block: the caller's). */
export function rowBlocks(M: number, threads: number): RowBlock[] {
  const per = Math.max(MR, Math.ceil(M / threads / MR) * MR);
  const out: RowBlock[] = [];
  for (let m0 = 0; m0 < M; m0 += per) out.push({ m0, m1: Math.min(M, m0 + per) });
  // A last block under MR rows would take sgemm's small-matrix path: fold it into the one before.
  if (out.length > 1 && out[out.length - 1].m1 - out[out.length - 1].m0 < MR) {
    const last = out.pop()!;
    out[out.length - 1].m1 = last.m1;
  }
  return out;
}

/** The workers of one wasm backend; thread count 1 means none. */
export class WasmPool {
  private readonly module: WebAssembly.Module | null;
  private workers: PoolWorker[] = [];
  private threads = 1;

  constructor(module: WebAssembly.Module | null) {
    this.module = module;
  }

  get numThreads(): number {
    return this.threads;
  }

  setNumThreads(n: number): void {
    if (!Number.isInteger(n) || n < 1 || n > MAX_THREADS) {
      throw new RangeError(`set_num_threads: the wasm backend takes 1 to ${MAX_THREADS} threads, but got ${n}`);
    }
    this.threads = n;
    while (this.workers.length > n - 1) this.workers.pop()!.retire();
  }

  /** Whether products are split at all: more than one thread, and a way to start workers. */
  get active(): boolean {
    return this.threads > 1 && this.module !== null && (spawner ?? browserSpawner()) !== null;
  }

  /**
   * Worker `i` (0-based) with room for `floats` data floats, started or replaced as needed; null when it
   * is not ready yet (just started), so that the caller computes that block.
   */
  worker(i: number, floats: number): PoolWorker | null {
    const spawn = spawner ?? browserSpawner();
    if (spawn === null || this.module === null) return null;
    let w: PoolWorker | undefined = this.workers[i];
    if (w !== undefined && w.capacity < floats) {
      w.retire();
      w = undefined;
    }
    if (w === undefined) {
      // Room grows geometrically so that a workload of slowly growing shapes restarts a worker rarely.
      w = new PoolWorker(spawn, this.module, Math.max(floats, 2 * (this.workers[i]?.capacity ?? 0), 1 << 16));
      this.workers[i] = w;
    }
    return w.ready ? w : null;
  }

  /** Ends every worker (the backend is being replaced). */
  close(): void {
    for (const w of this.workers) w.retire();
    this.workers = [];
  }
}

export type { PoolWorker };
