/**
 * Threads for the wasm kernels: `torch.setNumThreads(n)` on the wasm backend keeps n − 1 workers. Every
 * worker instantiates kernels-mt.wasm over the caller's own shared linear memory, with its own shadow stack
 * (the kernels' packing buffers are stack locals), so a job is just a kernel call on addresses the caller
 * already staged: nothing is copied to or from a worker. The caller runs the first job itself and waits
 * on Atomics for the others.
 *
 * Results depend on the thread count only where the op says so: the caller splits work into as many jobs
 * as threads are set, whether or not every worker is ready, and computes itself the job of a worker that
 * is not ready yet (workers start asynchronously), was retired, or whose job threw. The answer is the same,
 * only later.
 *
 * Workers come from a spawner: `torch-ts/node` registers worker_threads; browsers get Web Workers from a
 * Blob URL where the page is cross-origin isolated (shared memory needs COOP/COEP). Browsers forbid
 * Atomics.wait on the main thread, so the caller spins on Atomics.load there.
 *
 * Both sides poll for a moment before they sleep, as OpenMP's threads do: waking a thread blocked in
 * Atomics.wait costs tens of microseconds on a VM (the idle vCPU must be woken by the host), which is as
 * long as a batch-1 convolution's half. A worker polls for the next job for WORKER_POLL_MS after each job
 * (the next split op of a forward pass usually comes sooner), the caller polls for a worker's result for
 * CALLER_POLL_MS. Measured on 2 vCPUs: LeNet training step 8.2 → 6.5 ms, batch-1 CIFAR CNN 0.51 → 0.36 ms.
 *
 * A worker that dies (killed, out of memory, process.exit) cannot tell anyone, and the caller, blocked in
 * Atomics.wait, cannot receive its exit event. So on Node the workers' parent is a supervisor thread whose
 * event loop stays free: on a worker's exit it runs WORKER_EXITED, which marks the worker dead in shared
 * memory and wakes the caller. The op then fails with an error naming the kernel and the worker, after the
 * other workers finished; the next op starts a new worker in its place. (Web Workers have no exit event:
 * a browser's spawner cannot report a killed worker.)
 */
import type { WasmExports, WasmHeap } from "./heap.js";

/** A started worker, as the spawner returns it. */
export interface WorkerHandle {
  terminate(): void;
}

/** Starts a worker running `body` (a JavaScript function expression) applied to `data`. */
export type SpawnWorker = (body: string, data: WorkerData) => WorkerHandle;

/** The kernels a job may call, by index in this list. */
export const JOB_KERNELS = ["sgemm", "conv_forward", "conv_backward_input", "conv_backward_weight", "map_relu", "map_sigmoid", "map_sigmoid_backward", "max_pool", "max_pool_values", "max_pool_scatter_add", "avg_pool", "avg_pool_backward", "channel_sums"] as const;
export type JobKernel = (typeof JOB_KERNELS)[number];

/** One kernel call: its export and its arguments (addresses in the shared memory, sizes, scalars). */
export interface Job {
  kernel: JobKernel;
  args: number[];
}

/** What a worker receives: the compiled kernels, the shared memory, its stack and its control words. */
export interface WorkerData {
  module: WebAssembly.Module;
  memory: WebAssembly.Memory;
  ctrl: SharedArrayBuffer;
  stackTop: number;
}

/** Int32 control words of each worker, then (from byte ARGS_AT) the job's arguments as float64. */
const SEQ = 0; // bumped by the caller per job (1 to 2^30, wrapping)
const DONE = 1; // set by the worker to the job's SEQ when finished; DIED when the worker exited
const STATUS = 2; // 0 ok, 1 the job threw
const READY = 3; // 1 once the worker instantiated the kernels
const QUIT = 4;
const KERNEL = 5;
const EXIT_CODE = 7; // the exit code of a worker that died
const DIED = -1;
const ARGS_AT = 64;
const MAX_ARGS = 16;
const CTRL_BYTES = ARGS_AT + 8 * MAX_ARGS;

/** How long a worker polls for its next job before it sleeps, and the caller for a worker's result. */
const WORKER_POLL_MS = 0.25;
const CALLER_POLL_MS = 0.5;
/**
 * Polls read the clock once per this many loads: Node's performance.now() allocates (process.hrtime's
 * array), and a clock read per load made each worker collect its young generation every ~15 ms of
 * batch-1 inference, pausing the job it was about to take.
 */
const CLOCK_EVERY = 64;

/** Each worker's shadow stack: the kernels need ~1.1 MiB (GEMM packing buffers); the build gives 2 MiB. */
export const STACK_BYTES = 2 << 20;

/**
 * The worker's loop, as source (it runs where this module's imports do not exist): instantiate the kernels
 * over the shared memory, move the stack pointer to this worker's stack, then wait for SEQ to change, call
 * the job's kernel, publish DONE.
 */
const WORKER_BODY = `function (d) {
  const ctrl = new Int32Array(d.ctrl, 0, ${ARGS_AT / 4});
  const args = new Float64Array(d.ctrl, ${ARGS_AT}, ${MAX_ARGS});
  const ex = new WebAssembly.Instance(d.module, { env: { memory: d.memory } }).exports;
  ex.__stack_pointer.value = d.stackTop;
  const kernels = ${JSON.stringify(JOB_KERNELS)}.map((name) => ex[name]);
  Atomics.store(ctrl, ${READY}, 1);
  let seen = 0;
  for (;;) {
    const until = performance.now() + ${WORKER_POLL_MS};
    for (let i = 1; Atomics.load(ctrl, ${SEQ}) === seen; i++) if ((i & ${CLOCK_EVERY - 1}) === 0 && performance.now() >= until) break;
    Atomics.wait(ctrl, ${SEQ}, seen);
    seen = Atomics.load(ctrl, ${SEQ});
    if (ctrl[${QUIT}] === 1) return;
    let status = 0;
    try {
      // Every argument slot is passed (a kernel ignores the ones past its own): no array per job.
      kernels[ctrl[${KERNEL}]](${Array.from({ length: MAX_ARGS }, (_, i) => `args[${i}]`).join(", ")});
    } catch (e) {
      status = 1;
    }
    ctrl[${STATUS}] = status;
    Atomics.store(ctrl, ${DONE}, seen);
    Atomics.notify(ctrl, ${DONE});
  }
}`;

/**
 * What a spawner runs (as source, in the thread that owns the worker) when a worker exits: marks it dead
 * in its control words and wakes a caller waiting for its job. Called with WorkerData.ctrl and the code.
 */
export const WORKER_EXITED = `function (sab, code) {
  const ctrl = new Int32Array(sab, 0, ${ARGS_AT / 4});
  ctrl[${EXIT_CODE}] = code;
  Atomics.store(ctrl, ${DONE}, ${DIED});
  Atomics.notify(ctrl, ${DONE});
}`;

let spawner: SpawnWorker | null = null;

/** @internal Registers how to start workers (`torch-ts/node`: worker_threads). */
export function provideWorkerSpawner(s: SpawnWorker | null): void {
  spawner = s;
}

let defaultThreads = 1;

/** @internal The thread count a new wasm backend starts with (`torch-ts/node`: the cores available). */
export function provideDefaultThreads(n: number): void {
  defaultThreads = Math.max(1, Math.min(MAX_THREADS, Math.floor(n)));
}

let browserSpawn: SpawnWorker | null | undefined;

/** Web Workers from a Blob URL, where shared memory exists (a cross-origin isolated page). */
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

/** The cores a browser reports, for the default thread count of cross-origin isolated pages. */
function browserCores(): number {
  const g = globalThis as unknown as { navigator?: { hardwareConcurrency?: number }; crossOriginIsolated?: boolean };
  return g.crossOriginIsolated === true ? (g.navigator?.hardwareConcurrency ?? 1) : 1;
}

/** Whether Atomics.wait may block this thread (not a browser's main thread). */
let canBlock: boolean | null = null;

/** Waits until the job `seq` is done or the worker died; returns DONE's final value. */
function waitDone(ctrl: Int32Array, seq: number): number {
  let d = Atomics.load(ctrl, DONE);
  const until = performance.now() + CALLER_POLL_MS;
  for (let i = 1; d !== seq && d !== DIED; i++) {
    if ((i & (CLOCK_EVERY - 1)) === 0 && performance.now() >= until) break;
    d = Atomics.load(ctrl, DONE);
  }
  if (canBlock !== false) {
    try {
      for (; d !== seq && d !== DIED; d = Atomics.load(ctrl, DONE)) Atomics.wait(ctrl, DONE, d);
      canBlock = true;
      return d;
    } catch {
      canBlock = false;
    }
  }
  // Spin: a browser's main thread may not block (jobs are split only above ~2^18 multiply-adds).
  while (d !== seq && d !== DIED) d = Atomics.load(ctrl, DONE);
  return d;
}

class PoolWorker {
  readonly handle: WorkerHandle;
  readonly ctrl: Int32Array;
  private readonly args: Float64Array;
  private seq = 0;

  constructor(spawn: SpawnWorker, module: WebAssembly.Module, memory: WebAssembly.Memory, stackTop: number) {
    const sab = new SharedArrayBuffer(CTRL_BYTES);
    this.ctrl = new Int32Array(sab, 0, ARGS_AT / 4);
    this.args = new Float64Array(sab, ARGS_AT, MAX_ARGS);
    this.handle = spawn(WORKER_BODY, { module, memory, ctrl: sab, stackTop });
  }

  get ready(): boolean {
    return Atomics.load(this.ctrl, READY) === 1 && !this.dead;
  }

  /** Whether the worker exited (its spawner reported it). */
  get dead(): boolean {
    return Atomics.load(this.ctrl, DONE) === DIED;
  }

  get exitCode(): number {
    return this.ctrl[EXIT_CODE];
  }

  /** Jobs this worker finished (the number of the last). */
  get jobsDone(): number {
    return Atomics.load(this.ctrl, DONE);
  }

  start(job: Job): number {
    this.args.set(job.args);
    this.ctrl[KERNEL] = JOB_KERNELS.indexOf(job.kernel);
    this.seq = this.seq >= 1 << 30 ? 1 : this.seq + 1;
    Atomics.store(this.ctrl, SEQ, this.seq);
    Atomics.notify(this.ctrl, SEQ);
    return this.seq;
  }

  /** Waits for the job: "ok", "threw" (the caller then runs the job) or "died". */
  finish(seq: number): "ok" | "threw" | "died" {
    if (waitDone(this.ctrl, seq) === DIED) return "died";
    return this.ctrl[STATUS] === 0 ? "ok" : "threw";
  }

  retire(): void {
    this.ctrl[QUIT] = 1;
    Atomics.store(this.ctrl, SEQ, this.seq >= 1 << 30 ? 1 : this.seq + 1);
    Atomics.notify(this.ctrl, SEQ);
    this.handle.terminate();
  }
}

/** The most threads the wasm backend accepts. */
export const MAX_THREADS = 64;

/**
 * The workers of one wasm backend over its heap's shared memory; thread count 1 means none. With the
 * single-threaded kernels (memory not shared: a page that is not cross-origin isolated) it stays inactive.
 */
export class WasmPool {
  private readonly module: WebAssembly.Module | null;
  private readonly heap: WasmHeap | null;
  private workers: PoolWorker[] = [];
  /** Stack tops reserved in the heap, one per worker slot, kept when a slot's worker is replaced. */
  private readonly stacks: number[] = [];
  private threads: number;

  constructor(module: WebAssembly.Module | null, heap: WasmHeap | null) {
    this.module = module;
    this.heap = heap;
    this.threads = this.shared ? Math.max(defaultThreads, browserCores()) : 1;
    if (this.threads > MAX_THREADS) this.threads = MAX_THREADS;
  }

  private get shared(): boolean {
    return this.module !== null && this.heap !== null && typeof SharedArrayBuffer === "function" && this.heap.ex.memory.buffer instanceof SharedArrayBuffer;
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
    // Start the workers now: they take a few tens of milliseconds to become ready.
    this.prepare();
  }

  /** Whether work is split at all: more than one thread, shared memory, and a way to start workers. */
  get active(): boolean {
    return this.threads > 1 && this.shared && (spawner ?? browserSpawner()) !== null;
  }

  /**
   * The number of jobs to split an op into (1 when inactive), starting any missing worker. Call it before
   * the op stages anything: a new worker's stack is reserved at the bottom of the heap.
   */
  prepare(): number {
    if (!this.active) return 1;
    const spawn = (spawner ?? browserSpawner())!;
    for (let i = 0; i < this.threads - 1; i++) {
      const w = this.workers[i];
      if (w !== undefined && !w.dead) continue;
      // A dead worker's thread has ended: its replacement takes over its stack.
      if (this.stacks[i] === undefined) this.stacks[i] = this.heap!.reserve(STACK_BYTES) + STACK_BYTES;
      this.workers[i] = new PoolWorker(spawn, this.module!, this.heap!.ex.memory, this.stacks[i]);
    }
    return this.threads;
  }

  /**
   * Runs the jobs (at most one per thread), the first on the caller, the others on ready workers; a job
   * whose worker is not ready or threw runs on the caller. Returns when all are done; throws, once every
   * other job finished, when a worker died during its job.
   */
  run(jobs: readonly Job[]): void {
    const ex = this.heap!.ex;
    const started: Array<{ w: PoolWorker; i: number; seq: number; job: Job }> = [];
    const mine: Job[] = [jobs[0]];
    for (let i = 1; i < jobs.length; i++) {
      const w = this.workers[i - 1];
      if (w !== undefined && w.ready) started.push({ w, i, seq: w.start(jobs[i]), job: jobs[i] });
      else mine.push(jobs[i]);
    }
    let failed: { error: unknown } | null = null;
    try {
      for (const job of mine) call(ex, job);
    } catch (error) {
      failed = { error };
    }
    // Never return (or throw) while a worker may still write into memory the next op will reuse.
    let died: { i: number; code: number; job: Job } | null = null;
    for (const { w, i, seq, job } of started) {
      const r = w.finish(seq);
      if (r === "threw" && failed === null) call(ex, job);
      else if (r === "died" && died === null) died = { i, code: w.exitCode, job };
    }
    if (died !== null) {
      throw new Error(
        `wasm ${died.job.kernel}: worker thread ${died.i} of ${this.threads - 1} died during its part of the op ` +
          `(exit code ${died.code}); the op's result is lost. The next op starts a new worker in its place.`,
      );
    }
    if (failed !== null) throw failed.error;
  }

  /** @internal Worker `i` (0-based), for tests: null when not started or not ready. */
  worker(i: number): PoolWorker | null {
    const w = this.workers[i];
    return w !== undefined && w.ready ? w : null;
  }

  /** Ends every worker (the backend is being replaced). */
  close(): void {
    for (const w of this.workers) w.retire();
    this.workers = [];
  }
}

function call(ex: WasmExports, job: Job): void {
  (ex[job.kernel] as (...a: number[]) => void)(...job.args);
}

/** Runs an op's jobs: split across `pool` when there are several, else the one job on the calling thread. */
export function runJobs(ex: WasmExports, pool: WasmPool | null, jobs: readonly Job[]): void {
  if (jobs.length > 1) pool!.run(jobs);
  else call(ex, jobs[0]);
}

/** Splits [0, n) into at most `parts` contiguous ranges as even as possible, `align`-multiples but the last. */
export function splitRange(n: number, parts: number, align = 1): Array<[number, number]> {
  const per = Math.max(align, Math.ceil(n / parts / align) * align);
  const out: Array<[number, number]> = [];
  for (let a = 0; a < n; a += per) out.push([a, Math.min(n, a + per)]);
  return out;
}

export type { PoolWorker };
