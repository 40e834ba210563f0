/**
 * Browser smoke test: the built core (dist/index.js, plain ES modules) and its WebAssembly kernels, served
 * over loopback HTTP, run a small CNN training step (test/browser/cnn-step.mjs) in headless Chromium (Debian's
 * chromium driven by playwright-core); the page must use the wasm backend and its losses, gradients and
 * updated parameters must equal Node's for the same backend, bit for bit:
 * the page and Node run the same JavaScript and the same kernels-mt.wasm, WebAssembly float arithmetic is exact
 * IEEE 754 (no relaxed SIMD, no contraction into FMA), and V8's Math.exp/log are the same fdlibm port in Node
 * and in Chromium. Against the js backend (which accumulates dot products in double where wasm accumulates in
 * float32) every value agrees within γ_K of its tensor's largest magnitude, K = 256 the longest reduction
 * of the step (the convolution's weight gradient over N·H·W = 4·8·8).
 *
 * Needs `npm run build` first (dist/; the CI builds before it tests) and Chromium at /usr/bin/chromium: either
 * missing is a failure, never a skip. Where the kernels were not built because clang or wasm-ld is absent, the
 * browser step runs on the js backend (the fallback a user gets) and the test says so. With the kernels, the
 * page (cross-origin isolated, so it loads the threaded build kernels-mt.wasm over shared memory) also runs
 * the wasm GEMM and a convolution on two threads (a Web Worker) and checks they equal one thread bit for bit.
 */
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from "node:fs";
import { createServer, type Server } from "node:http";
import { tmpdir } from "node:os";
import { extname, join, resolve, sep } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { type BrowserContext, chromium, type Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { CnnStepResult } from "./browser/cnn-step.mjs";

type Torch = typeof import("../src/index.js");

const ROOT = fileURLToPath(new URL("..", import.meta.url));
/** The built core; TORCH_TS_DIST points at another build (e.g. a copy without kernels.wasm). */
const DIST = resolve(process.env.TORCH_TS_DIST ?? join(ROOT, "dist"));
const DIST_INDEX = join(DIST, "index.js");
const KERNELS = join(DIST, "backend", "wasm", "kernels.wasm");
/** The threaded build, which a cross-origin isolated page (as this one) loads. */
const KERNELS_MT = join(DIST, "backend", "wasm", "kernels-mt.wasm");
const STEP_DIR = join(ROOT, "test", "browser");
const STEP = join(STEP_DIR, "cnn-step.mjs");
const CHROMIUM = process.env.TORCH_TS_CHROMIUM ?? "/usr/bin/chromium";

const runs = (cmd: string): boolean => spawnSync(cmd, ["--version"], { stdio: "ignore" }).status === 0;
const HAVE_TOOLCHAIN = runs(process.env.CLANG || "clang") && runs("wasm-ld");
const HAVE_KERNELS = existsSync(KERNELS);
/** The backend the page must end up on: wasm, or js where the kernels cannot be built here. */
const EXPECTED = HAVE_KERNELS ? "wasm" : "js";
if (!HAVE_KERNELS && !HAVE_TOOLCHAIN) {
  console.warn(`browser-wasm: ${KERNELS} was not built (no clang/wasm-ld): the browser step runs on the js backend`);
}

/** float32's unit roundoff and Higham's γ_n = n·u / (1 − n·u), the relative bound of an n-term dot product. */
const U = 2 ** -24;
const gamma = (n: number): number => (n * U) / (1 - n * U);
const K_MAX = 4 * 8 * 8;

const MIME: Record<string, string> = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".mjs": "text/javascript; charset=utf-8",
  ".map": "application/json",
  ".wasm": "application/wasm",
};

/**
 * Serves the build at /dist/ and test/browser/ (nothing else), plus an empty page at /. Cross-origin
 * isolated (COOP/COEP), as a page that wants SharedArrayBuffer must be.
 */
function serve(): Promise<{ server: Server; origin: string }> {
  const mounts: Array<[string, string]> = [["/dist/", DIST + sep], ["/test/browser/", STEP_DIR + sep]];
  const server = createServer((req, res) => {
    const headers = { "Cross-Origin-Opener-Policy": "same-origin", "Cross-Origin-Embedder-Policy": "require-corp", "Cache-Control": "no-store" };
    const path = decodeURIComponent(new URL(req.url ?? "/", "http://localhost").pathname);
    if (path === "/") {
      res.writeHead(200, { ...headers, "Content-Type": MIME[".html"] });
      res.end('<!doctype html><link rel="icon" href="data:,"><title>torch-ts browser smoke test</title>');
      return;
    }
    const mount = mounts.find(([prefix]) => path.startsWith(prefix));
    const file = mount ? resolve(mount[1], "." + path.slice(mount[0].length - 1)) : "";
    if (!mount || !file.startsWith(mount[1]) || !existsSync(file) || !statSync(file).isFile()) {
      res.writeHead(404, { ...headers, "Content-Type": "text/plain" });
      res.end(`not found: ${path}`);
      return;
    }
    res.writeHead(200, { ...headers, "Content-Type": MIME[extname(file)] ?? "application/octet-stream" });
    res.end(readFileSync(file));
  });
  return new Promise((ok, fail) => {
    server.once("error", fail);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      if (address === null || typeof address === "string") return fail(new Error("browser-wasm: no TCP address"));
      ok({ server, origin: `http://127.0.0.1:${address.port}` });
    });
  });
}

interface PageRun {
  loaded: boolean;
  reason: string | null;
  crossOriginIsolated: boolean;
  wasm: CnnStepResult;
  js: CnnStepResult;
  /** The two-thread GEMM check (wasm kernels only): worker started, jobs it finished, equal to one thread. */
  threads: { shared: boolean; ready: boolean; jobs: number; equal: boolean; defaultThreads: number; numThreads: number } | null;
}

/** What the page runs: imports the core, loads the kernels the way a browser must, steps on wasm, then on js. */
const PAGE_SCRIPT = `(async () => {
  const torch = await import("/dist/index.js");
  const { cnnStep } = await import("/test/browser/cnn-step.mjs");
  const loaded = await torch.backends.wasm.load();
  const reason = torch.backends.wasm.unavailableReason();
  torch.backends.use("wasm");
  const wasm = cnnStep(torch);
  torch.backends.use("js");
  const js = cnnStep(torch);
  let threads = null;
  if (loaded) {
    // The GEMM and a convolution on two threads: a Web Worker from a Blob URL over the page's shared
    // memory, the main thread spinning (it may not block).
    const { WasmPool } = await import("/dist/backend/wasm/workers.js");
    const { wasmLinalgKernels } = await import("/dist/backend/wasm/gemm.js");
    const { wasmConvKernels } = await import("/dist/backend/wasm/conv.js");
    const { WasmHeap } = await import("/dist/backend/wasm/heap.js");
    const registry = await import("/dist/backend/wasm/registry.js");
    const [M, N, K] = [130, 70, 470]; // above the split threshold (MIN_SPLIT_MNK)
    const heap = new WasmHeap(registry.wasmExports());
    const pool = new WasmPool(registry.wasmModule(), heap);
    pool.setNumThreads(2);
    pool.prepare();
    for (let i = 0; i < 500 && pool.worker(0) === null; i++) await new Promise((r) => setTimeout(r, 10));
    const fill = (n, seed) => {
      const v = new Float32Array(n);
      for (let i = 0, s = seed; i < n; i++) v[i] = (s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 31 - 1;
      return v;
    };
    const dense = (buf, shape) => {
      const strides = shape.map((_, i) => shape.slice(i + 1).reduce((a, b) => a * b, 1));
      return { buf, dtype: "float32", shape, strides, offset: 0 };
    };
    const size = (shape) => shape.reduce((a, b) => a * b, 1);
    const a = dense(fill(M * K, 1), [1, M, K]);
    const b = dense(fill(K * N, 2), [1, K, N]);
    const one = dense(new Float32Array(M * N), [1, M, N]);
    const two = dense(new Float32Array(M * N), [1, M, N]);
    wasmLinalgKernels(new WasmHeap(registry.wasmExports())).gemm(a, b, one, 1, 0);
    wasmLinalgKernels(heap, pool).gemm(a, b, two, 1, 0);
    const equalGemm = one.buf.every((x, i) => Object.is(x, two.buf[i]));
    const xs = [4, 3, 32, 32], ws = [16, 3, 5, 5], ys = [4, 16, 28, 28];
    const geom = { stride: [1, 1], padding: [0, 0], dilation: [1, 1], groups: 1 };
    const x = dense(fill(size(xs), 3), xs), w = dense(fill(size(ws), 4), ws);
    const y1 = dense(new Float32Array(size(ys)), ys), y2 = dense(new Float32Array(size(ys)), ys);
    wasmConvKernels(new WasmHeap(registry.wasmExports())).convForward(x, w, null, y1, geom);
    wasmConvKernels(heap, pool).convForward(x, w, null, y2, geom);
    const w0 = pool.worker(0);
    threads = {
      shared: registry.wasmExports().memory.buffer instanceof SharedArrayBuffer,
      ready: w0 !== null,
      jobs: w0 === null ? 0 : w0.jobsDone,
      equal: equalGemm && y1.buf.every((v, i) => Object.is(v, y2.buf[i])),
    };
    pool.close();
    torch.backends.use("wasm");
    threads.defaultThreads = torch.getNumThreads();
    torch.setNumThreads(2);
    threads.numThreads = torch.getNumThreads();
    torch.setNumThreads(1);
  }
  return { loaded, reason, crossOriginIsolated: self.crossOriginIsolated, wasm, js, threads };
})()`;

/** Asserts |a − b| ≤ γ_K · max|b| for every value of each tensor (and each loss on its own). */
function expectCloseF32(a: CnnStepResult, b: CnnStepResult): void {
  const tol = gamma(K_MAX);
  const check = (x: number[], y: number[], what: string): void => {
    expect(x.length, what).toBe(y.length);
    const scale = Math.max(...y.map(Math.abs));
    for (let i = 0; i < y.length; i++) {
      const d = Math.abs(x[i] - y[i]);
      if (!(d <= tol * scale)) throw new Error(`${what}[${i}]: wasm ${x[i]} vs js ${y[i]} (|diff| ${d} > γ_${K_MAX}·${scale})`);
    }
  };
  a.losses.forEach((l, i) => check([l], [b.losses[i]], `losses[${i}]`));
  check([a.finalLoss], [b.finalLoss], "finalLoss");
  a.grads.forEach((g, i) => check(g, b.grads[i], `grads[${i}]`));
  a.params.forEach((p, i) => check(p, b.params[i], `params[${i}]`));
}

describe("browser smoke test: a CNN training step in headless Chromium", () => {
  let tmp: string | undefined;
  let server: Server | undefined;
  let context: BrowserContext | undefined;
  let page: Page;
  let browser: PageRun;
  const node: { wasm?: CnnStepResult; js?: CnnStepResult; loaded?: boolean } = {};
  const pageErrors: string[] = [];

  beforeAll(async () => {
    if (!existsSync(DIST_INDEX)) throw new Error(`browser-wasm: ${DIST_INDEX} is missing: run 'npm run build' first (the test serves dist/)`);
    if (!HAVE_KERNELS && HAVE_TOOLCHAIN) {
      throw new Error(`browser-wasm: clang and wasm-ld are installed but ${KERNELS} is missing: run 'npm run build'`);
    }
    if (!existsSync(CHROMIUM)) throw new Error(`browser-wasm: ${CHROMIUM} not found: install Chromium (Debian: apt-get install chromium)`);

    // Node runs the same built core and the same kernels-mt.wasm, loaded the way the page loads them (bytes).
    const torch = (await import(pathToFileURL(DIST_INDEX).href)) as Torch;
    const { cnnStep } = (await import(pathToFileURL(STEP).href)) as typeof import("./browser/cnn-step.mjs");
    node.loaded = HAVE_KERNELS && (await torch.backends.wasm.load(readFileSync(KERNELS_MT)));
    if (HAVE_KERNELS) torch.backends.use("wasm");
    node.wasm = cnnStep(torch);
    torch.backends.use("js");
    node.js = cnnStep(torch);

    const served = await serve();
    server = served.server;
    tmp = mkdtempSync(join(tmpdir(), "torch-ts-browser-wasm-"));
    context = await chromium.launchPersistentContext(join(tmp, "profile"), {
      executablePath: CHROMIUM,
      headless: true,
      args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"],
    });
    page = context.pages()[0] ?? (await context.newPage());
    page.on("pageerror", (e) => pageErrors.push(`pageerror: ${e.message}`));
    page.on("console", (m) => {
      if (m.type() === "error" || m.type() === "warning") pageErrors.push(`console.${m.type()}: ${m.text()}`);
    });
    await page.goto(`${served.origin}/`);
    browser = (await page.evaluate(PAGE_SCRIPT)) as PageRun;
  }, 120_000);

  afterAll(async () => {
    await context?.close();
    await new Promise<void>((ok) => (server ? server.close(() => ok()) : ok()));
    if (tmp) rmSync(tmp, { recursive: true, force: true });
  });

  it(`the page loaded the kernels and ran on the ${EXPECTED} backend`, () => {
    expect(node.wasm!.backend).toBe(EXPECTED);
    expect(browser.wasm.backend).toBe(EXPECTED);
    expect(browser.js.backend).toBe("js");
    expect(browser.wasm.dtype).toBe("float32");
    if (HAVE_KERNELS) {
      expect(browser.loaded, String(browser.reason)).toBe(true);
      expect(browser.reason).toBeNull();
    } else {
      // The page fetched kernels-mt.wasm beside the core and got a 404: the reason says so.
      expect(browser.loaded).toBe(false);
      expect(browser.reason).toMatch(/kernels-mt\.wasm did not load: Error: HTTP 404/);
    }
    expect(browser.crossOriginIsolated).toBe(true);
    // Without kernels: the failed fetch and the one-time fallback notice, nothing else.
    const expected = HAVE_KERNELS
      ? []
      : [
          "console.error: Failed to load resource: the server responded with a status of 404 (Not Found)",
          `console.warning: torch-ts: the wasm backend is unavailable (${browser.reason}); using the js backend`,
        ];
    expect(pageErrors).toEqual(expected);
  });

  it(HAVE_KERNELS ? "the wasm GEMM and a convolution on two threads (a Web Worker) equal one thread bit for bit" : "without kernels there is no threaded GEMM to check", () => {
    // An isolated page gets the threaded kernels and one thread per core (the browser's hardwareConcurrency).
    const cores = HAVE_KERNELS ? browser.threads!.defaultThreads : 0;
    expect(cores).toBeGreaterThanOrEqual(1);
    expect(browser.threads).toEqual(HAVE_KERNELS ? { shared: true, ready: true, jobs: 2, equal: true, defaultThreads: cores, numThreads: 2 } : null);
  });

  it(`equals Node's step on the ${EXPECTED} backend bit for bit (losses, gradients, updated parameters)`, () => {
    expect(browser.wasm).toEqual(node.wasm);
    // The step trains: the loss falls.
    expect(browser.wasm.finalLoss).toBeLessThan(browser.wasm.losses[0]);
  });

  it("equals Node's step on the js backend bit for bit", () => {
    expect(browser.js).toEqual(node.js);
  });

  const vsJs = HAVE_KERNELS
    ? `wasm agrees with the js reference within float32's dot-product bound γ_${K_MAX}`
    : "without kernels, use('wasm') ran exactly the js backend's step";
  it(vsJs, () => {
    if (!HAVE_KERNELS) return expect(browser.wasm).toEqual(browser.js);
    expectCloseF32(browser.wasm, browser.js);
    expectCloseF32(node.wasm!, node.js!);
  });
});
