import { describe, expect, it } from "vitest";
import { spawnSync } from "node:child_process";
import * as torch from "../src/index.js";

const { nn } = torch;

/** The CIFAR-10 model of the seeds' tutorial series (WORKLOADS.md W5), in both libraries. */
const PY_MODEL = `nn.Sequential(
    nn.Conv2d(3, 32, 5, padding=2), nn.MaxPool2d(2),
    nn.Conv2d(32, 32, 5, padding=2), nn.MaxPool2d(2),
    nn.Conv2d(32, 64, 5, padding=2), nn.MaxPool2d(2),
    nn.Flatten(), nn.Linear(1024, 64), nn.Linear(64, 10))`;

function tsModel(): torch.nn.Sequential {
  return new nn.Sequential(
    new nn.Conv2d(3, 32, 5, { padding: 2 }),
    new nn.MaxPool2d(2),
    new nn.Conv2d(32, 32, 5, { padding: 2 }),
    new nn.MaxPool2d(2),
    new nn.Conv2d(32, 64, 5, { padding: 2 }),
    new nn.MaxPool2d(2),
    new nn.Flatten(),
    new nn.Linear(1024, 64),
    new nn.Linear(64, 10),
  );
}

interface PyResult {
  repr: string;
  state: Record<string, { shape: number[]; data: number[] }>;
  input: number[];
  output: number[];
}

function pytorch(seed: number): PyResult {
  const py = `
import json, torch
from torch import nn
torch.manual_seed(${seed})
model = ${PY_MODEL}
x = torch.randn(2, 3, 32, 32)
with torch.no_grad():
    y = model(x)
print(json.dumps({"repr": repr(model),
  "state": {k: {"shape": list(v.shape), "data": v.flatten().tolist()} for k, v in model.state_dict().items()},
  "input": x.flatten().tolist(), "output": y.flatten().tolist()}))`;
  const r = spawnSync("/usr/bin/python3", ["-c", py], { encoding: "utf8", maxBuffer: 64 << 20 });
  if (r.status !== 0) throw new Error(`PyTorch failed (apt-get install -y python3-torch): ${r.stderr}`);
  return JSON.parse(r.stdout);
}

describe("a whole model against PyTorch", () => {
  const ref = pytorch(0);

  it("prints exactly as PyTorch's repr", () => {
    expect(tsModel().toString()).toBe(ref.repr);
  });

  it("initializes the same parameters from the same seed", () => {
    torch.manualSeed(0);
    const sd = tsModel().stateDict();
    expect(Object.keys(sd)).toEqual(Object.keys(ref.state));
    for (const [k, v] of Object.entries(ref.state)) {
      expect(sd[k].shape, k).toEqual(v.shape);
      const ours = sd[k].toTypedArray();
      const bad = v.data.findIndex((want, i) => !(Math.abs(ours[i] - want) <= 1e-6 * Math.max(1, Math.abs(want))));
      expect(bad, `${k}[${bad}]: ${ours[bad]} vs PyTorch ${v.data[bad]}`).toBe(-1);
    }
    // The input PyTorch drew next comes from the same stream.
    const x = torch.randn(2, 3, 32, 32).toTypedArray();
    ref.input.slice(0, 50).forEach((want, i) => expect(x[i]).toBeCloseTo(want, 5));
  });

  it("loads PyTorch's state dict and computes the same outputs", () => {
    const model = tsModel();
    const sd: Record<string, torch.Tensor> = {};
    for (const [k, v] of Object.entries(ref.state)) {
      sd[k] = torch.tensor(Float32Array.from(v.data)).reshape(v.shape);
    }
    const report = model.loadStateDict(sd, { strict: true });
    expect(report.missingKeys).toEqual([]);
    const x = torch.tensor(Float32Array.from(ref.input)).reshape(2, 3, 32, 32);
    const y = torch.noGrad(() => model(x)).toTypedArray();
    expect(y.length).toBe(ref.output.length);
    // float32 through 3 convs and 2 linears: summation order differs from PyTorch's, so compare at 1e-4.
    ref.output.forEach((want, i) => expect(Math.abs(y[i] - want)).toBeLessThanOrEqual(1e-4 + 1e-4 * Math.abs(want)));
  });
});
