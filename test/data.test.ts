import { describe, expect, it } from "vitest";
import * as torch from "../src/index.js";

const { DataLoader, TensorDataset, Subset, ConcatDataset, randomSplit, BatchSampler, SequentialSampler, RandomSampler, WeightedRandomSampler, defaultCollate } =
  torch.utils.data;

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
