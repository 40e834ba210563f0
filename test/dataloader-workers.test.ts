/**
 * DataLoader with worker threads. Workers import real JavaScript, so the sources are first compiled (esbuild,
 * which vitest brings along) into a scratch folder; the loader, the datasets and the fixtures below all come
 * from that build, so tensors crossing threads meet one Tensor class.
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, readdirSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { buildSync } from "esbuild";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

type Torch = typeof import("../src/index.js");
type Node = typeof import("../src/node.js");
type Vision = typeof import("../src/vision/index.js");

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const SAMPLE = join(ROOT, "data", "fashion-mnist-sample");

/** Datasets the workers rebuild: each export is a factory. */
const FIXTURES = `
import * as torch from "./dist/index.js";
import { datasets, transforms, Image } from "./dist/vision/index.js";
const { Dataset, getWorkerInfo } = torch.utils.data;

export class Squares extends Dataset {
  constructor(n, opts = {}) { super(); this.n = n; this.opts = opts; this.token = Math.random(); }
  get length() { return this.n; }
  getItem(i) {
    if (this.opts.failAt === i) throw new RangeError("bad sample " + i);
    if (this.opts.exitAt === i) process.exit(3);
    // Blocks the worker 3 s (past the loader's timeout) without reading the clock.
    if (this.opts.sleepAt === i) Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 3000);
    return [torch.tensor([i, i * i], { dtype: "float32" }), i % 3];
  }
}
export function squares(n, opts) { return new Squares(n, opts); }
export default function (n) { return new Squares(n); }
export async function later(n) { await new Promise((r) => setTimeout(r, 20)); return new Squares(n); }
export function fashion(root, train) {
  const t = new transforms.Compose([new transforms.ToTensor(), new transforms.Normalize([0.286], [0.353])]);
  return new datasets.FashionMNIST(root, { train, transform: t });
}
/** Reports which worker loaded a sample, a draw from its default generator and which build of the dataset. */
export class Probe extends Dataset {
  constructor(n) { super(); this.n = n; this.token = Math.random(); this.info = getWorkerInfo(); }
  get length() { return this.n; }
  getItem(i) {
    const info = getWorkerInfo();
    return { index: i, worker: info ? info.id : -1, workers: info ? info.numWorkers : 0, seed: info ? String(info.seed) : "",
             rand: torch.rand([1]).item(), token: this.token, same: info ? info.dataset === this : false };
  }
}
export function probe(n) { return new Probe(n); }
export function images(n) {
  return new (class extends Dataset { get length() { return n; } getItem(i) { return new Image(1, 1, "L", Uint8Array.of(i)); } })();
}
export function sumCollate(samples) { return { total: samples.reduce((a, [x]) => a + x.sum().item(), 0), count: samples.length }; }
export function firstAndLabel([x, y]) { return { first: x.tolist()[0], label: y }; }
export function throwing() { throw new Error("no dataset here"); }
export function notADataset() { return 42; }
`;

let work: string;
let torch: Torch;
let node: Node;
let vision: Vision;
let fixtures: Record<string, any>;
let fixturesUrl: URL;

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), "torch-ts-workers-"));
  const files: string[] = [];
  const walk = (d: string): void => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const p = join(d, e.name);
      if (e.isDirectory()) walk(p);
      else if (p.endsWith(".ts") && !p.endsWith(".d.ts")) files.push(p);
    }
  };
  walk(join(ROOT, "src"));
  buildSync({ entryPoints: files, outdir: join(work, "dist"), outbase: join(ROOT, "src"), format: "esm", platform: "node", target: "node20", logLevel: "error" });
  writeFileSync(join(work, "package.json"), '{ "type": "module" }');
  symlinkSync(join(ROOT, "node_modules"), join(work, "node_modules"), "dir");
  writeFileSync(join(work, "fixtures.mjs"), FIXTURES);
  fixturesUrl = pathToFileURL(join(work, "fixtures.mjs"));
  // The scratch build has no native addon; choosing the js backend up front keeps "torch-ts/node" quiet about it.
  process.env.TORCH_TS_BACKEND ??= "js";
  torch = await import(pathToFileURL(join(work, "dist", "index.js")).href);
  node = await import(pathToFileURL(join(work, "dist", "node.js")).href);
  vision = await import(pathToFileURL(join(work, "dist", "vision", "index.js")).href);
  fixtures = await import(fixturesUrl.href);
}, 120_000);

afterAll(() => {
  if (work) rmSync(work, { recursive: true, force: true });
});

const source = (name: string, ...args: unknown[]) => node.workerDataset(fixturesUrl, { export: name, args });
const flat = (batches: unknown[]): unknown => JSON.parse(JSON.stringify(batches, (_k, v) => (v instanceof torch.Tensor ? { t: v.dtype, s: v.shape, v: v.tolist() } : v)));

async function collectAsync<B>(loader: AsyncIterable<B>): Promise<B[]> {
  const out: B[] = [];
  for await (const b of loader) out.push(b);
  return out;
}

describe("DataLoader with numWorkers > 0", () => {
  it("yields the same batches in the same order as numWorkers 0 (shuffled, any prefetchFactor, sync and async)", async () => {
    const ds = fixtures.squares(53);
    const inThread = (seed: number) => [...new torch.utils.data.DataLoader(ds, { batchSize: 7, shuffle: true, generator: new torch.Generator().manualSeed(seed) })];
    for (const [numWorkers, prefetchFactor] of [[1, 2], [2, 1], [3, 2], [2, 5]]) {
      const opts = { batchSize: 7, shuffle: true, numWorkers, prefetchFactor, workerDataset: source("squares", 53) };
      const sync = [...new torch.utils.data.DataLoader(ds, { ...opts, generator: new torch.Generator().manualSeed(5) })];
      expect(flat(sync), `numWorkers ${numWorkers}, prefetchFactor ${prefetchFactor}`).toEqual(flat(inThread(5)));
      const async = await collectAsync(new torch.utils.data.DataLoader(ds, { ...opts, generator: new torch.Generator().manualSeed(6) }));
      expect(flat(async)).toEqual(flat(inThread(6)));
    }
  });

  it("loads FashionMNIST with ToTensor + Normalize identically in workers", () => {
    const { FashionMNIST } = vision.datasets;
    expect(FashionMNIST).toBeDefined();
    const ds = fixtures.fashion(SAMPLE, false);
    const opts = { batchSize: 64, dropLast: true };
    const a = [...new torch.utils.data.DataLoader(ds, opts)];
    const b = [...new torch.utils.data.DataLoader(ds, { ...opts, numWorkers: 2, workerDataset: source("fashion", SAMPLE, false) })];
    expect(b.length).toBe(15);
    b.forEach(([x, y], k) => {
      expect(x.shape).toEqual([64, 1, 28, 28]);
      expect(x.dtype).toBe("float32");
      expect(y.dtype).toBe("int64");
      expect(Array.from(x.toTypedArray())).toEqual(Array.from(a[k][0].toTypedArray()));
      expect(y.tolist()).toEqual(a[k][1].tolist());
    });
  });

  it("batchSize null sends samples one by one; a named collate export replaces collateFn", () => {
    const ds = fixtures.squares(5);
    const one = [...new torch.utils.data.DataLoader(ds, { batchSize: null, numWorkers: 2, workerDataset: source("squares", 5) })];
    expect(one.map(([x, y]) => [x.tolist(), y])).toEqual([0, 1, 2, 3, 4].map((i) => [[i, i * i], i % 3]));
    const collated = [
      ...new torch.utils.data.DataLoader(ds, {
        batchSize: 2,
        collateFn: fixtures.sumCollate,
        numWorkers: 2,
        workerDataset: node.workerDataset(fixturesUrl, { export: "squares", args: [5], collate: "sumCollate" }),
      }),
    ];
    expect(collated).toEqual([...new torch.utils.data.DataLoader(ds, { batchSize: 2, collateFn: fixtures.sumCollate })]);
    // Without batching, a collate export converts each sample, as collateFn does in this thread (and in PyTorch).
    const perSample = [
      ...new torch.utils.data.DataLoader(ds, {
        batchSize: null,
        collateFn: fixtures.firstAndLabel,
        numWorkers: 2,
        workerDataset: node.workerDataset(fixturesUrl, { export: "squares", args: [5], collate: "firstAndLabel" }),
      }),
    ];
    expect(perSample).toEqual([0, 1, 2, 3, 4].map((i) => ({ first: i, label: i % 3 })));
    expect(perSample).toEqual([...new torch.utils.data.DataLoader(ds, { batchSize: null, collateFn: fixtures.firstAndLabel })]);
    const viaDefault = [...new torch.utils.data.DataLoader(ds, { batchSize: 5, numWorkers: 1, workerDataset: node.workerDataset(fixturesUrl, { args: [5] }) })];
    expect(viaDefault[0][0].shape).toEqual([5, 2]);
    const viaAsync = [...new torch.utils.data.DataLoader(ds, { batchSize: 5, numWorkers: 1, workerDataset: source("later", 5) })];
    expect(viaAsync[0][1].tolist()).toEqual([0, 1, 2, 0, 1]);
  });

  it("seeds worker w with baseSeed + w and deals batches round-robin, as PyTorch (compared with a real PyTorch DataLoader)", () => {
    const py = String.raw`
import json, torch
from torch.utils.data import DataLoader, Dataset, get_worker_info
class Probe(Dataset):
    def __len__(self): return 12
    def __getitem__(self, i):
        info = get_worker_info()
        return {"index": i, "worker": info.id, "seed": str(info.seed), "rand": torch.rand(1).item()}
loader = DataLoader(Probe(), batch_size=2, shuffle=True, num_workers=3, generator=torch.Generator().manual_seed(123))
out = [{k: (v.tolist() if torch.is_tensor(v) else v) for k, v in b.items()} for b in loader]
print(json.dumps(out))`;
    const r = spawnSync("/usr/bin/python3", ["-c", py], { encoding: "utf8" });
    if (r.status !== 0) throw new Error(`PyTorch failed: ${r.stderr}`);
    const want = JSON.parse(r.stdout);
    const loader = new torch.utils.data.DataLoader(fixtures.probe(12), {
      batchSize: 2,
      shuffle: true,
      numWorkers: 3,
      generator: new torch.Generator().manualSeed(123),
      workerDataset: source("probe", 12),
    });
    const got = [...loader].map((b: any) => ({ index: b.index.tolist(), worker: b.worker.tolist(), seed: b.seed, rand: b.rand.tolist() }));
    expect(got.map((b) => b.index)).toEqual(want.map((b: any) => b.index));
    expect(got.map((b) => b.worker)).toEqual(want.map((b: any) => b.worker));
    expect(got.map((b) => b.seed)).toEqual(want.map((b: any) => b.seed));
    got.forEach((b, k) => b.rand.forEach((v: number, j: number) => expect(v).toBeCloseTo(want[k].rand[j], 6)));
  });

  it("matches PyTorch's shuffled batches over several epochs, with and without a generator (base-seed draws included)", () => {
    const r = spawnSync(
      "/usr/bin/python3",
      [
        "-c",
        [
          "import json, torch",
          "g = torch.Generator().manual_seed(7)",
          "l = torch.utils.data.DataLoader(range(10), batch_size=4, shuffle=True, generator=g)",
          "a = [[b.tolist() for b in l] for _ in range(3)]",
          "torch.manual_seed(3)",
          "l = torch.utils.data.DataLoader(range(10), batch_size=4, shuffle=True)",
          "b = [[b.tolist() for b in l] for _ in range(3)]",
          "print(json.dumps([a, b, torch.rand(2).tolist()]))",
        ].join("\n"),
      ],
      { encoding: "utf8" },
    );
    if (r.status !== 0) throw new Error(`PyTorch failed: ${r.stderr}`);
    const [withGenerator, withDefault, after] = JSON.parse(r.stdout);
    const ds = new torch.utils.data.TensorDataset(torch.arange(10));
    const seeded = new torch.utils.data.DataLoader(ds, { batchSize: 4, shuffle: true, generator: new torch.Generator().manualSeed(7) });
    expect([0, 1, 2].map(() => [...seeded].map(([b]) => b.tolist()))).toEqual(withGenerator);
    // Without a generator: the default one, seeded by manualSeed, and left in PyTorch's state afterwards.
    torch.manualSeed(3);
    const plain = new torch.utils.data.DataLoader(ds, { batchSize: 4, shuffle: true });
    expect([0, 1, 2].map(() => [...plain].map(([b]) => b.tolist()))).toEqual(withDefault);
    expect(torch.rand(2).tolist()).toEqual(after.map(Math.fround));
  });

  it("getWorkerInfo gives each worker its id, seed and dataset; persistent workers keep their dataset between epochs", () => {
    expect(torch.utils.data.getWorkerInfo()).toBeNull();
    const ds = fixtures.probe(8);
    const tokens = (persistentWorkers: boolean) => {
      const loader = new torch.utils.data.DataLoader(ds, { batchSize: 2, numWorkers: 2, persistentWorkers, workerDataset: source("probe", 8) });
      const epochs = [0, 1].map(() => [...loader]);
      loader.shutdownWorkers();
      for (const b of epochs[0]) {
        expect(b.workers.tolist()).toEqual([2, 2]);
        expect(b.same.tolist()).toEqual([true, true]);
      }
      return epochs.map((e) => new Set(e.flatMap((b: any) => b.token.tolist())));
    };
    const [p0, p1] = tokens(true);
    expect(p0.size).toBe(2);
    expect([...p1]).toEqual([...p0]);
    const [f0, f1] = tokens(false);
    expect([...f1].some((t) => f0.has(t))).toBe(false);
  });

  it("a failing sample fails the iteration with the worker's error, sync and async", async () => {
    const ds = fixtures.squares(20);
    const loader = new torch.utils.data.DataLoader(ds, { batchSize: 4, numWorkers: 2, workerDataset: source("squares", 20, { failAt: 9 }) });
    const seen: number[][] = [];
    expect(() => {
      for (const [x] of loader) seen.push(x.index(":", 0).tolist());
    }).toThrow(/^Caught RangeError in DataLoader worker 0\.\nOriginal RangeError: bad sample 9\n\s+at /);
    expect(seen).toEqual([[0, 1, 2, 3], [4, 5, 6, 7]]);
    await expect(collectAsync(loader)).rejects.toThrow("Caught RangeError in DataLoader worker 0.\nOriginal RangeError: bad sample 9");
  });

  it("a worker that dies fails the iteration clearly, sync and async", async () => {
    const ds = fixtures.squares(20);
    const loader = new torch.utils.data.DataLoader(ds, { batchSize: 4, numWorkers: 2, workerDataset: source("squares", 20, { exitAt: 6 }) });
    expect(() => [...loader]).toThrow(/^DataLoader worker 1 \(thread \d+\) exited unexpectedly with exit code 3$/);
    await expect(collectAsync(loader)).rejects.toThrow(/DataLoader worker 1 \(thread \d+\) exited unexpectedly with exit code 3/);
  });

  it("fails on factories that cannot build the dataset, and on a different dataset length", () => {
    const run = (ws: ReturnType<typeof source>, n = 4) => [...new torch.utils.data.DataLoader(fixtures.squares(n), { batchSize: 2, numWorkers: 1, workerDataset: ws })];
    expect(() => run(source("throwing"))).toThrow(`Caught Error in DataLoader worker 0 while building its dataset (${fixturesUrl.href}#throwing).\nOriginal Error: no dataset here`);
    expect(() => run(source("nope"))).toThrow(`has no function export "nope" (exports: `);
    expect(() => run(source("notADataset"))).toThrow("#notADataset returned number, not a map-style Dataset (getItem, length)");
    expect(() => run(source("squares", 5))).toThrow(
      `DataLoader worker 0: ${fixturesUrl.href}#squares built a dataset of length 5, but the DataLoader's dataset has length 4; the factory must rebuild the same dataset`,
    );
    const ws = node.workerDataset(fixturesUrl, { export: "squares", args: [4], collate: "missingCollate" });
    expect(() => run(ws)).toThrow('has no function export "missingCollate" to collate with');
  });

  it("refuses batches that cannot cross threads, naming the class", () => {
    const loader = new torch.utils.data.DataLoader(fixtures.images(3), { batchSize: null, numWorkers: 1, workerDataset: source("images", 3) });
    expect(() => [...loader]).toThrow("DataLoader: a batch holds a Image, which cannot be sent between threads");
  });

  it("times out as DataLoader(timeout=…)", () => {
    const loader = new torch.utils.data.DataLoader(fixtures.squares(8), { batchSize: 2, numWorkers: 1, timeout: 0.3, workerDataset: source("squares", 8, { sleepAt: 0 }) });
    expect(() => [...loader]).toThrow("DataLoader timed out after 0.3 seconds");
  });

  it("validates the options with PyTorch's wording", () => {
    const ds = fixtures.squares(4);
    const { DataLoader } = torch.utils.data;
    expect(() => new DataLoader(ds, { numWorkers: 2 })).toThrow("DataLoader: numWorkers > 0 needs the workerDataset option");
    expect(() => new DataLoader(ds, { prefetchFactor: 3 })).toThrow("prefetch_factor option could only be specified in multiprocessing");
    expect(() => new DataLoader(ds, { numWorkers: 1, prefetchFactor: 0, workerDataset: source("squares", 4) })).toThrow("prefetchFactor must be a positive integer, got 0");
    expect(() => new DataLoader(ds, { timeout: -1 })).toThrow("timeout option should be non-negative");
    expect(() => new DataLoader(ds, { persistentWorkers: true })).toThrow("persistent_workers option needs num_workers > 0");
    expect(() => new DataLoader(ds, { numWorkers: 1, workerDataset: source("squares", 4), collateFn: (s: unknown[]) => s })).toThrow(
      'name it in workerDataset(…, { collate: "exportName" })',
    );
    class Stream extends torch.utils.data.IterableDataset<number> {
      *[Symbol.iterator]() {
        yield 1;
      }
    }
    expect(() => new DataLoader(new Stream(), { numWorkers: 1, workerDataset: source("squares", 4) })).toThrow("not supported for an IterableDataset");
    expect(() => node.workerDataset("fixtures.mjs")).toThrow('expected a file path or URL for the dataset module, got "fixtures.mjs"');
    expect(() => node.workerDataset(join(work, "missing.mjs"))).toThrow(`workerDataset: ${join(work, "missing.mjs")} does not exist`);
    expect(() => node.workerDataset(fixturesUrl, { args: [() => 1] })).toThrow("args must be structured-cloneable");
    expect(node.workerDataset(join(work, "fixtures.mjs")).module).toBe(fixturesUrl.href);
  });

  it("load() builds the same dataset in this thread", async () => {
    const ds = await source("squares", 6).load<{ length: number; getItem(i: number): [any, number] }>();
    expect(ds.length).toBe(6);
    expect(ds.getItem(5)[0].tolist()).toEqual([5, 25]);
  });

  it("never keeps the process alive: finished, abandoned and failed iterations exit promptly", () => {
    const script = `
import * as torch from "./dist/index.js";
import { workerDataset } from "./dist/node.js";
import { squares } from "./fixtures.mjs";
const url = new URL("./fixtures.mjs", import.meta.url);
const { DataLoader } = torch.utils.data;
const make = (opts, extra = {}) => new DataLoader(squares(40), { batchSize: 4, numWorkers: 2, workerDataset: workerDataset(url, { export: "squares", args: [40, opts] }), ...extra });
let n = 0;
for (const b of make({})) n++;
for (const b of make({})) break;
const it = make({})[Symbol.iterator](); it.next();            // abandoned without return()
const persistent = make({}, { persistentWorkers: true }); for (const b of persistent) n++;   // never shut down
try { for (const b of make({ failAt: 13 })) n++; } catch (e) { console.log(e.message.split("\\n")[0]); }
for await (const b of make({})) { n++; break; }
console.log("done", n);`;
    writeFileSync(join(work, "exit.mjs"), script);
    const r = spawnSync(process.execPath, [join(work, "exit.mjs")], { encoding: "utf8", timeout: 30_000 });
    expect(r.signal, `the process hung: ${r.stderr}`).toBeNull();
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toBe("Caught RangeError in DataLoader worker 1.\ndone 24\n");
  });
});
