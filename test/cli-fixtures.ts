/**
 * Shared by the CLI, examples and quick-start tests: running real PyTorch (`/usr/bin/python3`) on the same
 * data and recipe as torch-ts, copying the working tree as a fresh clone, and capturing the CLI's output.
 */
import { execFile, execFileSync } from "node:child_process";
import { cpSync, existsSync, mkdirSync, mkdtempSync, symlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

export const REPO = fileURLToPath(new URL("..", import.meta.url));
export const SAMPLE = join(REPO, "data", "fashion-mnist-sample");
export const PYTHON = process.env.TORCH_TS_ORACLE_PYTHON ?? "/usr/bin/python3";

export interface PythonOptions {
  cwd?: string;
  env?: Record<string, string>;
  timeoutMs?: number;
}

function pythonOptions(opts: PythonOptions) {
  return {
    cwd: opts.cwd,
    encoding: "utf8" as const,
    timeout: opts.timeoutMs ?? 300_000,
    maxBuffer: 256 * 1024 * 1024,
    env: { ...process.env, OPENBLAS_CORETYPE: process.env.OPENBLAS_CORETYPE ?? "SKYLAKEX", ...opts.env },
  };
}

function pythonError(e: unknown): Error {
  const err = e as { stderr?: string; message: string };
  if (/No module named 'torch'/.test(err.stderr ?? "") || !existsSync(PYTHON)) {
    return new Error(`PyTorch is needed for this test: apt-get install python3-torch python3-torchvision (${PYTHON})`);
  }
  return new Error(`python failed: ${err.stderr || err.message}`);
}

/** Runs a short Python program with PyTorch and returns its stdout; a missing PyTorch fails with the install command. */
export function python(code: string, args: string[] = [], opts: PythonOptions = {}): string {
  try {
    return execFileSync(PYTHON, ["-c", code, ...args], pythonOptions(opts));
  } catch (e) {
    throw pythonError(e);
  }
}

/**
 * `python` without blocking the event loop, for programs that run for long (a blocked test worker misses
 * vitest's heartbeats).
 */
export function pythonAsync(code: string, args: string[] = [], opts: PythonOptions = {}): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(PYTHON, ["-c", code, ...args], pythonOptions(opts), (e, stdout, stderr) => {
      if (e) reject(pythonError(Object.assign(e, { stderr })));
      else resolve(stdout);
    });
  });
}

/** Python helpers: IDX reading, safetensors reading (no `safetensors` package needed), the two models. */
export const PY_PRELUDE = String.raw`
import gzip, json, struct, sys
import numpy as np
import torch
from torch import nn
torch.set_num_threads(2)

def read_idx(path):
    b = gzip.open(path).read() if path.endswith(".gz") else open(path, "rb").read()
    nd = b[3]
    dims = [int.from_bytes(b[4 + 4 * i:8 + 4 * i], "big") for i in range(nd)]
    return np.frombuffer(b, dtype=np.uint8, offset=4 + 4 * nd).reshape(dims).copy()

def fashion(root, split, n=None, normalize=True):
    x = torch.tensor(read_idx(f"{root}/{split}-images-idx3-ubyte.gz")).unsqueeze(1).float().div(255)
    if normalize:
        x = (x - torch.tensor([0.286])) / torch.tensor([0.353])
    y = torch.tensor(read_idx(f"{root}/{split}-labels-idx1-ubyte.gz")).long()
    return (x[:n], y[:n]) if n else (x, y)

def read_safetensors(path):
    b = open(path, "rb").read()
    n = struct.unpack("<Q", b[:8])[0]
    header = json.loads(b[8:8 + n])
    out = {}
    kinds = {"F32": np.float32, "F64": np.float64, "I64": np.int64, "I32": np.int32, "U8": np.uint8}
    for k, v in header.items():
        if k == "__metadata__":
            continue
        s, e = v["data_offsets"]
        out[k] = torch.tensor(np.frombuffer(b[8 + n + s:8 + n + e], dtype=kinds[v["dtype"]]).reshape(v["shape"]).copy())
    return out, header.get("__metadata__", {})

def lenet(c=1, size=28, classes=10):
    s = ((size + 4 - 4) // 2 - 4) // 2
    return nn.Sequential(nn.Conv2d(c, 6, 5, padding=2), nn.Sigmoid(), nn.AvgPool2d(2), nn.Conv2d(6, 16, 5), nn.Sigmoid(),
        nn.AvgPool2d(2), nn.Flatten(), nn.Linear(16 * s * s, 120), nn.Sigmoid(), nn.Linear(120, 84), nn.Sigmoid(), nn.Linear(84, classes))

def cnn(c=3, size=32, classes=10):
    s = size // 2 // 2 // 2
    return nn.Sequential(nn.Conv2d(c, 32, 5, padding=2), nn.MaxPool2d(2), nn.Conv2d(32, 32, 5, padding=2), nn.MaxPool2d(2),
        nn.Conv2d(32, 64, 5, padding=2), nn.MaxPool2d(2), nn.Flatten(), nn.Linear(64 * s * s, 64), nn.Linear(64, classes))
`;

/**
 * `torch-ts train`'s recipe in PyTorch: `manual_seed(seed)` then the model; per epoch a generator seeded
 * `seed·1000 + epoch` shuffles; cross-entropy; test accuracy over batches of 256. Prints JSON
 * `{losses: [...per step], accuracies: [...per epoch], testLosses: [...]}`.
 */
export const PY_TRAIN_TWIN = `${PY_PRELUDE}
args = json.loads(sys.argv[1])
xtr, ytr = fashion(args["root"], "train", args.get("trainSamples"))
xte, yte = fashion(args["root"], "t10k", args.get("testSamples"))
torch.manual_seed(args["seed"])
model = lenet() if args["model"] == "lenet" else cnn(1, 28)
if args["optimizer"] == "adam":
    opt = torch.optim.Adam(model.parameters(), lr=args["lr"])
else:
    opt = torch.optim.SGD(model.parameters(), lr=args["lr"], momentum=args["momentum"])
train = torch.utils.data.TensorDataset(xtr, ytr)
losses, accs, test_losses = [], [], []
for epoch in range(1, args["epochs"] + 1):
    g = torch.Generator()
    g.manual_seed(args["seed"] * 1000 + epoch)
    model.train()
    for x, y in torch.utils.data.DataLoader(train, batch_size=args["batchSize"], shuffle=True, generator=g):
        loss = nn.functional.cross_entropy(model(x), y)
        opt.zero_grad()
        loss.backward()
        opt.step()
        losses.append(loss.item())
    model.eval()
    correct, total, lsum = 0, 0, 0.0
    with torch.no_grad():
        for i in range(0, len(yte), 256):
            out = model(xte[i:i + 256])
            lsum += nn.functional.cross_entropy(out, yte[i:i + 256], reduction="sum").item()
            correct += (out.argmax(1) == yte[i:i + 256]).sum().item()
            total += len(yte[i:i + 256])
    accs.append(correct / total)
    test_losses.append(lsum / total)
print(json.dumps({"losses": losses, "accuracies": accs, "testLosses": test_losses}))
`;

export interface TwinResult {
  losses: number[];
  accuracies: number[];
  testLosses: number[];
}

/** Runs `PY_TRAIN_TWIN` with the given recipe. */
export async function pytorchTrain(recipe: {
  root: string;
  model: "lenet" | "cnn";
  optimizer: "adam" | "sgd";
  lr: number;
  momentum?: number;
  batchSize: number;
  epochs: number;
  seed: number;
  trainSamples?: number;
  testSamples?: number;
}): Promise<TwinResult> {
  return JSON.parse(await pythonAsync(PY_TRAIN_TWIN, [JSON.stringify({ momentum: 0.9, ...recipe })])) as TwinResult;
}

/** A stream that collects what is written to it. */
export class Capture {
  text = "";
  isTTY = false;
  write(chunk: string): boolean {
    this.text += chunk;
    return true;
  }
}

/**
 * A fresh clone of the working tree in a temporary directory: every tracked and untracked (not ignored)
 * file as it is now, with `node_modules` linked from the repository (a clone cannot see uncommitted work).
 */
export function freshCopy(prefix = "torch-ts-clone-"): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  const files = execFileSync("git", ["ls-files", "-co", "--exclude-standard", "-z"], { cwd: REPO, encoding: "utf8" }).split("\0").filter((f) => f);
  for (const f of files) {
    const from = join(REPO, f);
    if (!existsSync(from)) continue; // deleted in the working tree, still in the index
    mkdirSync(dirname(join(dir, f)), { recursive: true });
    cpSync(from, join(dir, f));
  }
  symlinkSync(join(REPO, "node_modules"), join(dir, "node_modules"), "dir");
  return dir;
}
