/** The workloads in torch-ts, written as a user would: nn modules, a loss, `backward()`, `optim.SGD`. */
import * as torch from "../src/index.js";
import { nn, optim, type Tensor } from "../src/index.js";
import { emit, guard, measure } from "./measure.js";
import type { ChildConfig } from "./workloads.js";

/**
 * Every torch-ts backend the benchmark measures, by `torch.backends.use` name, in run order: the portable
 * reference first, then the native (oneDNN) one, which `torch-ts/node` makes the default on Node, then the
 * portable WebAssembly SIMD one.
 */
export const TORCH_TS_BACKENDS = ["js", "native", "wasm"] as const;

/** Activates `name`; returns why it cannot run, or null. */
export async function activate(name: string): Promise<string | null> {
  if (name === "native" || name === "wasm") {
    // Loading the Node entry registers the native backend and the wasm kernels; TORCH_TS_BACKEND=js keeps it from choosing.
    process.env.TORCH_TS_BACKEND = "js";
    await import("../src/node.js");
    const why = name === "native" ? torch.backends.native.unavailableReason() : torch.backends.wasm.unavailableReason();
    if (why !== null) return why;
  } else if (name !== "js") {
    return `no torch-ts backend named '${name}' (known: ${TORCH_TS_BACKENDS.join(", ")})`;
  }
  torch.backends.use(name);
  return null;
}

export function cifarCnn(): nn.Module {
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

export function lenet(): nn.Module {
  return new nn.Sequential(
    new nn.Conv2d(1, 6, 5, { padding: 2 }),
    new nn.Sigmoid(),
    new nn.AvgPool2d(2),
    new nn.Conv2d(6, 16, 5),
    new nn.Sigmoid(),
    new nn.AvgPool2d(2),
    new nn.Flatten(),
    new nn.Linear(400, 120),
    new nn.Sigmoid(),
    new nn.Linear(120, 84),
    new nn.Sigmoid(),
    new nn.Linear(84, 10),
  );
}

/** One training step as in the tutorial: zero_grad, forward, CrossEntropyLoss, backward, step. */
export function trainStep(model: nn.Module, x: Tensor, y: Tensor): () => void {
  const opt = new optim.SGD(model.parameters(), { lr: 0.01 });
  const lossFn = new nn.CrossEntropyLoss();
  return () => {
    opt.zeroGrad();
    (lossFn(model(x), y) as Tensor).backward();
    opt.step();
  };
}

/** Forward and backward with `sum()` as the loss; gradients are reset so each iteration does the same work. */
function fwdBwd(module: nn.Module, x: Tensor): () => void {
  return () => {
    x.grad = null;
    module.zeroGrad();
    (module(x) as Tensor).sum().backward();
  };
}

function forwardOnly(module: nn.Module, x: Tensor): () => void {
  return () => {
    torch.noGrad(() => module(x));
  };
}

/** The step function of each case, built lazily so a filtered run allocates only what it times. */
function buildCase(key: string): () => void {
  const rg = { requiresGrad: true };
  switch (key) {
    case "W1.fwd":
      return forwardOnly(new nn.Conv2d(3, 6, 3), torch.randn([64, 3, 32, 32]));
    case "W1.fwdbwd":
      return fwdBwd(new nn.Conv2d(3, 6, 3), torch.randn([64, 3, 32, 32], rg));
    case "W2.fwd":
      return forwardOnly(new nn.MaxPool2d(3), torch.randn([64, 3, 32, 32]));
    case "W2.fwdbwd":
      return fwdBwd(new nn.MaxPool2d(3), torch.randn([64, 3, 32, 32], rg));
    case "W3.fwd":
      return forwardOnly(new nn.AvgPool2d(2, { stride: 2 }), torch.randn([64, 3, 32, 32]));
    case "W4.fwdbwd":
      return fwdBwd(new nn.Linear(3072, 10), torch.randn([64, 3072], rg));
    case "W5.step":
      return trainStep(cifarCnn(), torch.randn([64, 3, 32, 32]), torch.randint(0, 10, [64]));
    case "W6.step":
      return trainStep(lenet(), torch.randn([64, 1, 28, 28]), torch.randint(0, 10, [64]));
    case "W7.gemm": {
      const a = torch.randn([1024, 1024]);
      const b = torch.randn([1024, 1024]);
      return () => {
        torch.matmul(a, b);
      };
    }
    case "W8.b1":
      return forwardOnly(cifarCnn(), torch.randn([1, 3, 32, 32]));
    case "W8.b256":
      return forwardOnly(cifarCnn(), torch.randn([256, 3, 32, 32]));
    default:
      throw new Error(`torch-ts bench: unknown case '${key}'`);
  }
}

/** Runs the configured cases on one torch-ts backend in this process, reporting through `emit`. */
export async function runTorchTs(backendName: string, config: ChildConfig): Promise<void> {
  const system = `torch-ts:${backendName}`;
  const absent = await activate(backendName);
  if (absent !== null) return emit({ type: "absent", system, detail: absent });
  torch.manualSeed(0);
  if (backendName === "wasm") {
    // Start the worker threads (one per core by default) and give them time to become ready.
    torch.setNumThreads(torch.getNumThreads());
    await new Promise((r) => setTimeout(r, 300));
  }
  const threads =
    backendName === "native"
      ? `${torch.getNumThreads()} (OpenMP)`
      : backendName === "wasm"
        ? `${torch.getNumThreads()} (the caller and worker threads)`
        : "1 (JavaScript main thread)";
  const info: Record<string, string> = { backend: torch.backend().name, threads };
  if (backendName === "native") info.onednn = torch.backends.native.info()?.onednn ?? "unknown";
  emit({ type: "info", system, info });
  for (const key of config.cases) {
    emit({ type: "start", key });
    emit({ type: "result", result: guard(key, () => measure(key, buildCase(key), config.policy)) });
  }
}
