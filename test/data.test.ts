import { spawnSync } from "node:child_process";
import { describe, expect, it, vi } from "vitest";
import * as torch from "../src/index.js";

const {
  DataLoader,
  TensorDataset,
  Subset,
  ConcatDataset,
  IterableDataset,
  randomSplit,
  BatchSampler,
  SequentialSampler,
  RandomSampler,
  SubsetRandomSampler,
  WeightedRandomSampler,
  defaultCollate,
} = torch.utils.data;

function pytorch(code: string): any {
  const r = spawnSync("/usr/bin/python3", ["-c", code], { encoding: "utf8" });
  if (r.status !== 0) throw new Error(`PyTorch failed (apt-get install -y python3-torch): ${r.stderr}`);
  return JSON.parse(r.stdout);
}

function range(n: number): torch.Tensor {
  return torch.tensor(Array.from({ length: n }, (_, i) => i));
}

describe("torch.utils.data", () => {
  it("TensorDataset + DataLoader batches in order, with the last partial batch", () => {
    const ds = new TensorDataset(range(10).float().view(10, 1), range(10));
    const loader = new DataLoader(ds, { batchSize: 4 });
    expect(loader.length).toBe(3);
    const batches = [...loader];
    expect(batches.map(([, y]) => y.tolist())).toEqual([[0, 1, 2, 3], [4, 5, 6, 7], [8, 9]]);
    expect(batches[0][0].shape).toEqual([4, 1]);
    expect(new DataLoader(ds, { batchSize: 4, dropLast: true }).length).toBe(2);
  });

  it("shuffles reproducibly with a seeded generator and covers every sample", () => {
    const ds = new TensorDataset(range(20));
    const order = (seed: number) => {
      const g = new torch.Generator().manualSeed(seed);
      return [...new DataLoader(ds, { batchSize: 5, shuffle: true, generator: g })].flatMap(([x]) => x.tolist());
    };
    const a = order(3);
    expect(order(3)).toEqual(a);
    expect(order(4)).not.toEqual(a);
    expect([...a].sort((p, q) => p - q)).toEqual(Array.from({ length: 20 }, (_, i) => i));
  });

  it("matches PyTorch's shuffle order for a seeded generator", async () => {
    // torch.Generator().manual_seed(0); list(RandomSampler(range(10), generator=g))
    const g = new torch.Generator().manualSeed(0);
    const ours = [...new RandomSampler({ length: 10 }, { generator: g })];
    const { spawnSync } = await import("node:child_process");
    const r = spawnSync("/usr/bin/python3", ["-c", "import torch\nfrom torch.utils.data import RandomSampler\ng=torch.Generator().manual_seed(0)\nprint(list(RandomSampler(range(10), generator=g)))"], { encoding: "utf8" });
    expect(r.status, r.stderr).toBe(0);
    expect(ours).toEqual(JSON.parse(r.stdout));
  });

  it("default collate follows PyTorch's rules", () => {
    const b = defaultCollate([
      [torch.ones(2), 1, 0.5, true, "a", { k: 2 }],
      [torch.zeros(2), 2, 1.5, false, "b", { k: 3 }],
    ]);
    expect(b[0].shape).toEqual([2, 2]);
    expect(b[1].dtype).toBe("int64");
    expect(b[2].dtype).toBe("float64");
    expect(b[3].dtype).toBe("bool");
    expect(b[4]).toEqual(["a", "b"]);
    expect(b[5].k.tolist()).toEqual([2, 3]);
    expect(() => defaultCollate([[1, 2], [1]])).toThrow("each element in list of batch should be of equal size");
  });

  it("samplers, subsets, concatenation and random splits", () => {
    expect([...new BatchSampler(new SequentialSampler({ length: 5 }), 2, false)]).toEqual([[0, 1], [2, 3], [4]]);
    const ds = new TensorDataset(range(10));
    const sub = new Subset(ds, [9, 0, 3]);
    expect(sub.length).toBe(3);
    expect(sub.getItem(0)[0].item()).toBe(9);
    const cat = new ConcatDataset([ds, sub]);
    expect(cat.length).toBe(13);
    expect(cat.getItem(12)[0].item()).toBe(3);
    const [a, b] = randomSplit(ds, [0.7, 0.3], new torch.Generator().manualSeed(1));
    expect([a.length, b.length]).toEqual([7, 3]);
    expect(new Set([...a.indices, ...b.indices]).size).toBe(10);
    const w = [...new WeightedRandomSampler([0, 0, 1], 5, true, new torch.Generator().manualSeed(0))];
    expect(w).toEqual([2, 2, 2, 2, 2]);
  });

  it("reports bad arguments with PyTorch's wording", () => {
    const ds = new TensorDataset(range(4));
    expect(() => new DataLoader(ds, { batchSize: 0 })).toThrow("batch_size should be a positive integer value, but got batch_size=0");
    expect(() => new DataLoader(ds, { shuffle: true, sampler: [0, 1] })).toThrow("sampler option is mutually exclusive with shuffle");
    expect(() => new DataLoader(ds, { batchSampler: [[0]], batchSize: 2 })).toThrow("batch_sampler option is mutually exclusive");
    expect(() => ds.getItem(4)).toThrow("index 4 is out of range for a dataset of size 4");
    expect(() => new TensorDataset(range(3), range(4))).toThrow("Size mismatch between tensors");
    expect(() => new DataLoader(ds, { numWorkers: -1 })).toThrow("num_workers option should be non-negative");
  });

  it("supports for await", async () => {
    const loader = new DataLoader(new TensorDataset(range(3)), { batchSize: 2 });
    const seen: number[] = [];
    for await (const [x] of loader) seen.push(...x.tolist());
    expect(seen).toEqual([0, 1, 2]);
  });
});

/** A stream of samples `[i, i²]` with no length, as an `IterableDataset` subclass in PyTorch. */
class Stream extends IterableDataset<[number, number]> {
  constructor(readonly n: number) {
    super();
  }
  *[Symbol.iterator](): Iterator<[number, number]> {
    for (let i = 0; i < this.n; i++) yield [i, i * i];
  }
}

describe("DataLoader without a dataset length, and without batching", () => {
  it("batches an IterableDataset in stream order; dropLast drops the short tail; it has no length", () => {
    const batches = [...new DataLoader(new Stream(7), { batchSize: 3 })].map(([a, b]) => [a.tolist(), b.tolist()]);
    expect(batches).toEqual([
      [[0, 1, 2], [0, 1, 4]],
      [[3, 4, 5], [9, 16, 25]],
      [[6], [36]],
    ]);
    expect([...new DataLoader(new Stream(7), { batchSize: 3, dropLast: true })].length).toBe(2);
    expect([...new DataLoader(new Stream(3), { batchSize: null })]).toEqual([[0, 0], [1, 1], [2, 4]]);
    expect(() => new DataLoader(new Stream(3)).length).toThrow("an IterableDataset has no length");
    expect(() => new DataLoader(new Stream(3), { shuffle: true })).toThrow("expected unspecified shuffle, sampler and batch_sampler options");
  });

  it("batchSize null passes each sample through collateFn by itself, as PyTorch (map-style and iterable)", () => {
    // PyTorch: DataLoader(ds, batch_size=None, collate_fn=f) yields f(ds[i]); without collate_fn the samples.
    const ds = new TensorDataset(range(3), range(3).mul(10));
    const conv = (s: unknown) => (s as torch.Tensor[]).map((t) => t.item());
    expect([...new DataLoader(ds, { batchSize: null, collateFn: conv as any })]).toEqual([[0, 0], [1, 10], [2, 20]]);
    expect([...new DataLoader(ds, { batchSize: null })].map((s) => s.map((t: torch.Tensor) => t.dim()))).toEqual([[0, 0], [0, 0], [0, 0]]);
    const sum = (s: unknown) => (s as number[])[0] + (s as number[])[1];
    expect([...new DataLoader(new Stream(4), { batchSize: null, collateFn: sum as any })]).toEqual([0, 2, 6, 12]);
  });
});

describe("samplers and randomSplit vs PyTorch (same seeds, same draws)", () => {
  const PY = String.raw`
import json, warnings, torch
from torch.utils.data import RandomSampler, SubsetRandomSampler, WeightedRandomSampler, BatchSampler, SequentialSampler, random_split
g = lambda s: torch.Generator().manual_seed(s)
R = {}
R["replacement"] = list(RandomSampler(range(7), replacement=True, num_samples=70, generator=g(1)))
R["numSamples"] = list(RandomSampler(range(5), num_samples=12, generator=g(2)))
R["subset"] = list(SubsetRandomSampler([10, 20, 30, 40, 50], generator=g(3)))
R["weighted"] = list(WeightedRandomSampler([0.1, 0.5, 0.2, 0.2], 20, replacement=True, generator=g(4)))
R["weightedNoReplacement"] = list(WeightedRandomSampler([0.1, 0.5, 0.2, 0.2, 1.0, 3.0], 4, replacement=False, generator=g(5)))
R["batchDrop"] = list(BatchSampler(SequentialSampler(range(10)), 3, True))
R["batchKeep"] = list(BatchSampler(SequentialSampler(range(10)), 3, False))
R["counts"] = [s.indices for s in random_split(range(10), [3, 7], generator=g(6))]
R["fractions"] = [s.indices for s in random_split(range(11), [0.5, 0.3, 0.2], generator=g(7))]
with warnings.catch_warnings(record=True) as w:
    warnings.simplefilter("always")
    R["zeroSplit"] = [s.indices for s in random_split(range(2), [0.1, 0.1, 0.8], generator=g(8))]
    R["zeroWarning"] = [str(x.message) for x in w]
def err(f):
    try:
        f()
    except Exception as e:
        return str(e)
R["errSum"] = err(lambda: random_split(range(10), [3, 6]))
R["errFraction"] = err(lambda: random_split(range(10), [0.5, 1.5, -1.0]))
R["errWeights"] = err(lambda: WeightedRandomSampler([[1.0, 2.0], [3.0, 4.0]], 2))
R["errNum"] = err(lambda: WeightedRandomSampler([1.0], 0))
print(json.dumps(R))`;
  const py = pytorch(PY);
  const g = (seed: number) => new torch.Generator().manualSeed(seed);

  it("RandomSampler with replacement and numSamples, SubsetRandomSampler, WeightedRandomSampler, BatchSampler", () => {
    expect([...new RandomSampler({ length: 7 }, { replacement: true, numSamples: 70, generator: g(1) })]).toEqual(py.replacement);
    expect([...new RandomSampler({ length: 5 }, { numSamples: 12, generator: g(2) })]).toEqual(py.numSamples);
    expect([...new SubsetRandomSampler([10, 20, 30, 40, 50], g(3))]).toEqual(py.subset);
    expect([...new WeightedRandomSampler([0.1, 0.5, 0.2, 0.2], 20, true, g(4))]).toEqual(py.weighted);
    expect([...new WeightedRandomSampler([0.1, 0.5, 0.2, 0.2, 1.0, 3.0], 4, false, g(5))]).toEqual(py.weightedNoReplacement);
    expect([...new BatchSampler(new SequentialSampler({ length: 10 }), 3, true)]).toEqual(py.batchDrop);
    expect([...new BatchSampler(new SequentialSampler({ length: 10 }), 3, false)]).toEqual(py.batchKeep);
    expect(new BatchSampler(new SequentialSampler({ length: 10 }), 3, true).length).toBe(py.batchDrop.length);
    expect(new BatchSampler(new SequentialSampler({ length: 10 }), 3, false).length).toBe(py.batchKeep.length);
  });

  it("randomSplit by counts and by fractions (remainder round-robin), warning on an empty split", () => {
    const ds = (n: number) => new TensorDataset(range(n));
    expect(randomSplit(ds(10), [3, 7], g(6)).map((s) => s.indices)).toEqual(py.counts);
    expect(randomSplit(ds(11), [0.5, 0.3, 0.2], g(7)).map((s) => s.indices)).toEqual(py.fractions);
    const warn = vi.spyOn(console, "warn").mockImplementation(() => {});
    try {
      expect(randomSplit(ds(2), [0.1, 0.1, 0.8], g(8)).map((s) => s.indices)).toEqual(py.zeroSplit);
      expect(warn.mock.calls.map((c) => c[0])).toEqual(py.zeroWarning.map((m: string) => `randomSplit: ${m}`));
    } finally {
      warn.mockRestore();
    }
  });

  it("errors with PyTorch's wording", () => {
    expect(() => randomSplit(new TensorDataset(range(10)), [3, 6])).toThrow(`randomSplit: ${py.errSum}`);
    expect(() => randomSplit(new TensorDataset(range(10)), [0.5, 1.5, -1.0])).toThrow(`randomSplit: ${py.errFraction}`);
    expect(() => new WeightedRandomSampler(torch.tensor([[1, 2], [3, 4]]), 2)).toThrow(`WeightedRandomSampler: ${py.errWeights}`);
    expect(() => new WeightedRandomSampler([1], 0)).toThrow(`WeightedRandomSampler: ${py.errNum}`);
  });
});
