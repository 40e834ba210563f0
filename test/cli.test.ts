/**
 * The CLI's commands (train, visualize, plot-activations, summary, start's pieces), the built-in models, the
 * progress bar and the plot renderer. Training, the layers and the activation curves are checked against
 * PyTorch running the same recipe on the same data; bad input against the messages users get.
 */
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import * as torch from "../src/index.js";
import { load, save } from "../src/node.js";
import { main } from "../src/cli/main.js";
import { formatDuration, ProgressBar } from "../src/cli/progress.js";
import { niceTicks, renderPlotRaster, renderPlotSvg } from "../src/cli/plot.js";
import { ACTIVATION_NAMES, ACTIVATIONS, activationCurve, GRADIENT_COLOR, OUTPUT_COLOR } from "../src/cli/commands/plot-activations.js";
import { summarize } from "../src/cli/commands/summary.js";
import { CifarCNN, createModel, LeNet } from "../src/models/index.js";
import { findEventFiles, readEvents, type ReadEvent } from "../src/tensorboard/index.js";
import { decodePng } from "../src/vision/png.js";
import { Capture, PY_PRELUDE, pytorchTrain, python, SAMPLE } from "./cli-fixtures.js";

let tmp: string;
beforeAll(() => {
  tmp = mkdtempSync(join(tmpdir(), "torch-ts-cli-"));
});
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

let dirCounter = 0;
const fresh = (name: string): string => join(tmp, `${name}-${dirCounter++}`);

async function cli(argv: string[], opts: { onStdout?: (text: string, abort: () => void) => void } = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  const stop = new AbortController();
  const out = new Capture();
  const err = new Capture();
  if (opts.onStdout) {
    const write = out.write.bind(out);
    out.write = (chunk: string) => {
      write(chunk);
      opts.onStdout!(out.text, () => stop.abort());
      return true;
    };
  }
  const code = await main(argv, { stdout: out, stderr: err, signal: stop.signal });
  return { code, stdout: out.text, stderr: err.text };
}

const eventsOf = (dir: string): ReadEvent[] => findEventFiles(dir).flatMap((f) => readEvents(f).events);
const scalars = (events: ReadEvent[], tag: string): Array<[number, number]> =>
  events.flatMap((e) => (e.summary?.value ?? []).filter((v) => v.tag === tag && v.simpleValue !== undefined).map((v) => [e.step, v.simpleValue!] as [number, number]));
const imageTags = (events: ReadEvent[]): string[] => [...new Set(events.flatMap((e) => (e.summary?.value ?? []).filter((v) => v.image).map((v) => v.tag)))].sort();

function checkpointInfo(path: string): Record<string, any> {
  const bytes = readFileSync(path);
  const meta = torch.loadSafetensorsMetadata(new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength))!;
  return JSON.parse(meta.torch_ts);
}

describe("progress bar", () => {
  it("formats durations", () => {
    expect([formatDuration(0), formatDuration(59.4), formatDuration(61), formatDuration(3725), formatDuration(NaN), formatDuration(-1)]).toEqual([
      "0:00",
      "0:59",
      "1:01",
      "1:02:05",
      "--:--",
      "--:--",
    ]);
  });

  it("prints a plain line every tenth when not on a terminal", () => {
    const out = new Capture();
    let t = 0;
    const bar = new ProgressBar({ total: 20, label: "epoch 1/2", stream: out, now: () => t });
    for (let i = 0; i < 20; i++) {
      t += 100;
      bar.step({ loss: 1, correct: i % 2, images: 4 });
    }
    const last = bar.finish("  test acc 50.0%");
    const lines = out.text.trimEnd().split("\n");
    expect(lines).toHaveLength(10);
    // 2 steps of 4 images in 0.2 s: 40 img/s; 18 steps left at 0.1 s each.
    expect(lines[0]).toBe("epoch 1/2   10%   2/20  loss 1.0000  acc 12.5%  40 img/s  ETA 0:02");
    expect(last).toBe("epoch 1/2  100%  20/20  loss 1.0000  acc 12.5%  40 img/s  in 0:02  test acc 50.0%");
    expect(out.text).not.toMatch(/\r/);
    expect(bar.totals()).toMatchObject({ steps: 20, images: 80, loss: 1, accuracy: 10 / 80 });
  });

  it("redraws one line in place on a terminal, at most every redrawMs", () => {
    const out = new Capture();
    out.isTTY = true;
    let t = 0;
    const bar = new ProgressBar({ total: 100, label: "e", stream: out, now: () => t, redrawMs: 1000 });
    for (let i = 0; i < 100; i++) {
      t += 50;
      bar.step({ loss: 0.5, correct: 4, images: 4 });
    }
    bar.finish();
    const draws = out.text.split("\r").filter((s) => s);
    // 5 s of steps, one redraw per second, plus the final step and the finish.
    expect(draws.length).toBeGreaterThanOrEqual(5);
    expect(draws.length).toBeLessThanOrEqual(8);
    expect(draws.at(-1)).toMatch(/^e {2}\[█{24}\] {2}100% {2}100\/100 {2}loss 0\.5000 {2}acc 100\.0% {2}80 img\/s {2}in 0:05\s*\n$/);
  });

  it("rejects a bad total", () => {
    expect(() => new ProgressBar({ total: -1, label: "", stream: new Capture() })).toThrow(/total must be a non-negative integer, got -1/);
  });
});

describe("plot renderer", () => {
  const xs = Array.from({ length: 201 }, (_, i) => -10 + i / 10);
  const sig = xs.map((x) => 1 / (1 + Math.exp(-x)));
  const spec = {
    title: "Sigmoid <&>",
    series: [
      { label: "output", x: xs, y: sig, color: "#1f77b4" },
      { label: "gradient", x: xs, y: sig.map((s) => s * (1 - s)), color: "#d62728" },
    ],
  };

  it("chooses 1-2-5 ticks", () => {
    expect(niceTicks(-10, 10)).toEqual([-10, -5, 0, 5, 10]);
    expect(niceTicks(0, 1)).toEqual([0, 0.2, 0.4, 0.6, 0.8, 1]);
    expect(niceTicks(0, 0.25)).toEqual([0, 0.05, 0.1, 0.15, 0.2, 0.25]);
    expect(niceTicks(3, 3)).toEqual([2.6, 2.8, 3, 3.2, 3.4]);
    expect(() => niceTicks(0, Infinity)).toThrow(/range must be finite/);
  });

  it("draws SVG with one polyline per series, a legend and an escaped title", () => {
    const svg = renderPlotSvg(spec);
    expect(svg.match(/<polyline /g)).toHaveLength(2);
    expect(svg).toContain('stroke="#1f77b4"');
    expect(svg).toContain('stroke="#d62728"');
    expect(svg).toContain(">output</text>");
    expect(svg).toContain(">gradient</text>");
    expect(svg).toContain("Sigmoid &lt;&amp;&gt;");
    expect(svg.startsWith("<svg ")).toBe(true);
    const withGap = renderPlotSvg({ series: [{ label: "a", x: [0, 1, 2, 3, 4], y: [0, 1, NaN, 1, 0], color: "#000000" }] });
    expect(withGap.match(/<polyline /g)).toHaveLength(2);
  });

  it("rasterizes the same layout: the curve passes through its points in its colour", () => {
    const img = renderPlotRaster(spec);
    expect([img.width, img.height, img.channels, img.data.length]).toEqual([640, 480, 3, 640 * 480 * 3]);
    // Axes: x in [-10, 10] over pixels 72..616, y in [0, 1] over 44..424. sigmoid(0) = 0.5 at (344, 234).
    const near = (x: number, y: number, rgb: number[]): boolean => {
      for (let dy = -2; dy <= 2; dy++) {
        for (let dx = -2; dx <= 2; dx++) {
          const o = ((y + dy) * 640 + x + dx) * 3;
          if (img.data[o] === rgb[0] && img.data[o + 1] === rgb[1] && img.data[o + 2] === rgb[2]) return true;
        }
      }
      return false;
    };
    expect(near(344, 234, [0x1f, 0x77, 0xb4])).toBe(true);
    expect(near(344, Math.round(44 + (1 - 0.25) * 380), [0xd6, 0x27, 0x28])).toBe(true);
    expect(near(200, 100, [0x1f, 0x77, 0xb4])).toBe(false);
  });

  it("says what is wrong with a bad plot", () => {
    expect(() => renderPlotSvg({ series: [] })).toThrow(/at least one series/);
    expect(() => renderPlotSvg({ series: [{ label: "a", x: [1, 2], y: [1], color: "#000000" }] })).toThrow(/'a' has 2 x values but 1 y values/);
    expect(() => renderPlotSvg({ series: [{ label: "a", x: [1], y: [1], color: "blue" }] })).toThrow(/color must be #rrggbb, got 'blue'/);
    expect(() => renderPlotSvg({ series: [{ label: "a", x: [NaN], y: [1], color: "#000000" }] })).toThrow(/no finite x values/);
    expect(() => renderPlotSvg({ ...spec, width: 10 })).toThrow(/at least 200 × 150/);
  });
});

describe("built-in models", () => {
  it("have PyTorch's parameters, state-dict keys and outputs for the same seed", () => {
    const cases: Array<[() => torch.nn.Module, number[], string]> = [
      [() => new LeNet(), [2, 1, 28, 28], "lenet()"],
      [() => new LeNet({ inChannels: 3, imageSize: 32 }), [2, 3, 32, 32], "lenet(3, 32)"],
      [() => new CifarCNN(), [2, 3, 32, 32], "cnn()"],
      [() => new CifarCNN({ inChannels: 1, imageSize: 28 }), [2, 1, 28, 28], "cnn(1, 28)"],
    ];
    const refs = JSON.parse(
      python(`${PY_PRELUDE}
out = []
for make, shape in [${cases.map(([, shape, py]) => `(lambda: ${py}, ${JSON.stringify(shape)})`).join(", ")}]:
    torch.manual_seed(7)
    m = make()
    x = torch.rand(shape)
    out.append({"keys": [[k, list(v.shape)] for k, v in m.state_dict().items()], "y": m(x).flatten().tolist(), "n": sum(p.numel() for p in m.parameters())})
print(json.dumps(out))
`),
    ) as Array<{ keys: [string, number[]][]; y: number[]; n: number }>;
    cases.forEach(([make, shape], c) => {
      torch.manualSeed(7);
      const model = make();
      const y = torch.noGrad(() => model(torch.rand(shape)) as torch.Tensor);
      const ref = refs[c];
      expect(Object.entries(model.stateDict()).map(([k, v]) => [k, v.shape])).toEqual(ref.keys);
      expect(model.parameters().reduce((a, p) => a + p.numel(), 0)).toBe(ref.n);
      Array.from(y.toTypedArray() as Float32Array).forEach((v, i) => expect(v).toBeCloseTo(ref.y[i], 5));
    });
  });

  it("say which inputs are too small and which names exist", () => {
    expect(() => new LeNet({ imageSize: 8 })).toThrow(/LeNet: images of 8×8 are too small/);
    expect(() => new CifarCNN({ imageSize: 4 })).toThrow(/CifarCNN: images of 4×4 are too small/);
    expect(() => new LeNet({ inChannels: 0 })).toThrow(/inChannels must be a positive integer, got 0/);
    expect(() => createModel("resnet")).toThrow(/unknown model 'resnet'; valid choices: lenet, cnn/);
  });
});

describe("summary", () => {
  it("prints torchinfo's table for LeNet, with PyTorch's shapes and counts", async () => {
    const r = await cli(["summary"]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("├─Conv2d: 1-1                           [1, 6, 28, 28]           156            122,304");
    expect(r.stdout).toContain("└─Linear: 1-12                          [1, 10]                  850            850");
    expect(r.stdout).toContain("Total params: 61,706\nTrainable params: 61,706\nNon-trainable params: 0\nTotal mult-adds (M): 0.42");
    expect(r.stdout).toContain("Params size (MB): 0.25");
    expect(r.stdout).toContain("  0 Conv2d     H_out = ⌊(28 + 2·2 − 1·(5 − 1) − 1) / 1 + 1⌋ = 28");
    expect(r.stdout).toContain("  5 AvgPool2d  H_out = ⌊(10 + 2·0 − 2) / 2⌋ + 1 = 5");
  });

  it("matches PyTorch forward hooks layer by layer, and torchinfo's mult-adds and memory rules", () => {
    for (const [model, shape, py] of [
      [new LeNet(), [1, 1, 28, 28], "lenet()"],
      [new CifarCNN(), [64, 3, 32, 32], "cnn()"],
    ] as const) {
      const s = summarize(model, [...shape]);
      const ref = JSON.parse(
        python(`${PY_PRELUDE}
m = ${py}
rows = []
def hook(mod, inp, out):
    n = sum(p.numel() for p in mod.parameters(recurse=False))
    macs = 0
    for name, p in mod.named_parameters(recurse=False):
        if "Conv" in type(mod).__name__:
            macs += p.numel() * out.shape[0] * int(np.prod(out.shape[2:]))
        else:
            macs += out.shape[0] * p.numel()
    rows.append([type(mod).__name__, list(out.shape), n, macs])
for mod in m:
    mod.register_forward_hook(hook)
with torch.no_grad():
    m(torch.zeros(${JSON.stringify(shape)}))
fb = sum(np.prod(r[1]) * 4 * 2 for r in rows if r[2] > 0)
print(json.dumps({"rows": rows, "fb": int(fb)}))
`),
      ) as { rows: [string, number[], number, number][]; fb: number };
      const leaves = s.rows.filter((r) => r.depth === 1).map((r) => [r.className, r.outputShape, r.params, r.macs]);
      expect(leaves).toEqual(ref.rows);
      expect(s.forwardBackwardBytes).toBe(ref.fb);
      expect(s.totalMacs).toBe(ref.rows.reduce((a, r) => a + r[3], 0));
    }
  });

  it("summarizes the CIFAR-10 CNN for a batch and a checkpoint's model", async () => {
    const r = await cli(["summary", "--model", "cnn", "--dataset", "cifar10", "--batch-size", "64"]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^cnn for cifar10 \(3×32×32\)\n/);
    expect(r.stdout).toContain("Total params: 145,578");
    expect(r.stdout).toContain("Input size (MB): 0.79");
    const path = join(fresh("sum"), "c.safetensors");
    mkdirSync(join(path, ".."), { recursive: true });
    save(new CifarCNN({ inChannels: 1, imageSize: 28 }).stateDict(), path);
    const bare = await cli(["summary", "--checkpoint", path, "--model", "cnn"]);
    expect(bare.code).toBe(0);
    expect(bare.stdout).toContain("a state dict without torch-ts metadata");
    expect(bare.stdout).toContain("Total params: 115,306");
    const wrong = await cli(["summary", "--checkpoint", path]);
    expect(wrong.code).toBe(1);
    expect(wrong.stderr).toMatch(/does not say which model it holds \(no torch_ts metadata\); pass --model \(lenet, cnn\)/);
  });

  it("rejects bad shapes and names", async () => {
    const bad = await cli(["summary", "--input-size", "1,x"]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/--input-size expects positive integers separated by commas, e\.g\. 1,1,28,28; got '1,x'/);
    const unfit = await cli(["summary", "--input-size", "1,1,32,32"]);
    expect(unfit.code).toBe(1);
    expect(unfit.stderr).toMatch(/the model does not accept an input of shape \[1, 1, 32, 32\]:/);
    const model = await cli(["summary", "--model", "vgg"]);
    expect(model.code).toBe(2);
    expect(model.stderr).toMatch(/--model: unknown value 'vgg'; valid choices: lenet, cnn/);
  });
});

describe("plot-activations", () => {
  it("matches PyTorch's activations and autograd gradients", () => {
    // 120 points of [-6, 6] miss the kinks (0, ±0.5, ±1, ±3, 6): there PyTorch's vectorized and scalar loops
    // disagree (hardswish'(3) is 1 in a SIMD lane, 1.5 in the scalar tail).
    const ours = Object.fromEntries(ACTIVATION_NAMES.map((n) => [n, activationCurve(ACTIVATIONS[n](), -6, 6, 120)]));
    const ref = JSON.parse(
      python(`${PY_PRELUDE}
mods = {"sigmoid": nn.Sigmoid(), "tanh": nn.Tanh(), "relu": nn.ReLU(), "leaky_relu": nn.LeakyReLU(), "prelu": nn.PReLU(),
    "rrelu": nn.RReLU().eval(), "elu": nn.ELU(), "selu": nn.SELU(), "celu": nn.CELU(), "gelu": nn.GELU(), "silu": nn.SiLU(),
    "mish": nn.Mish(), "softplus": nn.Softplus(), "softsign": nn.Softsign(), "hardtanh": nn.Hardtanh(), "relu6": nn.ReLU6(),
    "hardsigmoid": nn.Hardsigmoid(), "hardswish": nn.Hardswish(), "logsigmoid": nn.LogSigmoid(), "tanhshrink": nn.Tanhshrink(),
    "softshrink": nn.Softshrink(), "hardshrink": nn.Hardshrink()}
out = {}
for name, m in mods.items():
    x = torch.linspace(-6, 6, 120, requires_grad=True)
    y = m(x)
    y.sum().backward()
    out[name] = {"y": y.tolist(), "g": x.grad.tolist()}
print(json.dumps(out))
`),
    ) as Record<string, { y: number[]; g: number[] }>;
    expect(Object.keys(ref).sort()).toEqual([...ACTIVATION_NAMES].sort());
    for (const name of ACTIVATION_NAMES) {
      const c = ours[name];
      for (let i = 0; i < 120; i++) {
        expect(c.y[i], `${name}(x[${i}])`).toBeCloseTo(ref[name].y[i], 5);
        expect(c.grad[i], `${name}'(x[${i}])`).toBeCloseTo(ref[name].g[i], 5);
      }
    }
  });

  it("writes a PNG and an SVG per activation, output in blue and gradient in red", async () => {
    const out = fresh("acts");
    const logdir = fresh("acts-log");
    const r = await cli(["plot-activations", "--activations", "sigmoid,relu", "--out", out, "--width", "320", "--height", "240", "--logdir", logdir]);
    expect(r.code).toBe(0);
    expect(readdirSync(out).sort()).toEqual(["relu.png", "relu.svg", "sigmoid.png", "sigmoid.svg"]);
    const png = decodePng(readFileSync(join(out, "sigmoid.png")));
    expect([png.width, png.height, png.channels]).toEqual([320, 240, 3]);
    const colours = new Set<string>();
    for (let i = 0; i < png.data.length; i += 3) colours.add(`#${[0, 1, 2].map((k) => png.data[i + k].toString(16).padStart(2, "0")).join("")}`);
    expect(colours.has(OUTPUT_COLOR)).toBe(true);
    expect(colours.has(GRADIENT_COLOR)).toBe(true);
    const svg = readFileSync(join(out, "relu.svg"), "utf8");
    expect(svg).toContain(`stroke="${OUTPUT_COLOR}"`);
    expect(svg).toContain(`stroke="${GRADIENT_COLOR}"`);
    expect(svg).toContain(">ReLU()</text>");
    expect(imageTags(eventsOf(logdir))).toEqual(["activations/relu", "activations/sigmoid"]);
  });

  it("lists the valid names on a bad one", async () => {
    const r = await cli(["plot-activations", "--activations", "sigmoid,swishy"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--activations: unknown value 'swishy'; valid choices: sigmoid, tanh, relu, .*, hardshrink, all/);
    const range = await cli(["plot-activations", "--min", "1", "--max", "1"]);
    expect(range.code).toBe(2);
    expect(range.stderr).toMatch(/--min must be smaller than --max, got 1 and 1/);
  });
});

describe("train", () => {
  const recipe = { batchSize: 32, trainSamples: 320, testSamples: 200 };
  const trainArgs = (extra: string[]): string[] => [
    "train",
    "--data",
    SAMPLE,
    "--batch-size",
    String(recipe.batchSize),
    "--train-samples",
    String(recipe.trainSamples),
    "--test-samples",
    String(recipe.testSamples),
    ...extra,
  ];
  let twoEpochs: { logdir: string; ckpt: string; stdout: string };

  beforeAll(async () => {
    const logdir = fresh("train2");
    const r = await cli(trainArgs(["--epochs", "2", "--lr", "0.003", "--logdir", logdir]));
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    twoEpochs = { logdir, ckpt: join(logdir, "checkpoint.safetensors"), stdout: r.stdout };
  }, 300_000);

  it("trains as PyTorch does with the same recipe, and reports it", async () => {
    const ref = await pytorchTrain({ root: SAMPLE, model: "lenet", optimizer: "adam", lr: 0.003, epochs: 2, seed: 0, ...recipe });
    const events = eventsOf(twoEpochs.logdir);
    const losses = scalars(events, "train/loss");
    expect(losses.map(([s]) => s)).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
    losses.forEach(([, v], i) => expect(v).toBeCloseTo(ref.losses[i], 4));
    const accs = scalars(events, "epoch/test_accuracy");
    expect(accs.map(([s]) => s)).toEqual([1, 2]);
    accs.forEach(([, v], i) => expect(v).toBeCloseTo(ref.accuracies[i], 6));
    scalars(events, "epoch/test_loss").forEach(([, v], i) => expect(v).toBeCloseTo(ref.testLosses[i], 4));
    expect(twoEpochs.stdout).toMatch(/^training lenet \(61,706 parameters\) on fashion-mnist from the shipped sample: 320 training \/ 200 test images \(1×28×28\), adam lr=0.003, batch 32, seed 0\n/);
    expect(twoEpochs.stdout).toMatch(/epoch 1\/2 {2}100% {2}10\/10 {2}loss \d\.\d{4} {2}acc \d+\.\d% {2}\d+ img\/s {2}in \d:\d\d {2}test acc \d+\.\d%\n/);
    expect(twoEpochs.stdout).toContain(`test accuracy: ${(ref.accuracies[1] * 100).toFixed(1)}% on 200 test images after 2 epoch(s)`);
    expect(twoEpochs.stdout).toMatch(/open the board with: npx torch-ts board --logdir /);
  });

  it("logs sample images, weight and gradient histograms and hyperparameters", () => {
    const events = eventsOf(twoEpochs.logdir);
    expect(imageTags(events)).toEqual(["train/samples"]);
    const img = events.flatMap((e) => e.summary?.value ?? []).find((v) => v.tag === "train/samples")!.image!;
    expect([img.width, img.height]).toEqual([8 * 28, 4 * 28]);
    const histoSteps = events.flatMap((e) => (e.summary?.value ?? []).filter((v) => v.tag === "weights/0.weight" && v.histo).map(() => e.step));
    expect(histoSteps).toEqual([1, 2]);
    expect(events.some((e) => e.summary?.value.some((v) => v.tag === "grads/11.bias" && v.histo))).toBe(true);
    expect(existsSync(join(twoEpochs.logdir, "hparams"))).toBe(true);
    expect(scalars(eventsOf(join(twoEpochs.logdir, "hparams")), "hparam/test_accuracy")).toHaveLength(1);
  });

  it("writes a checkpoint with what rebuilds the model, and the optimizer state beside it", () => {
    const info = checkpointInfo(twoEpochs.ckpt);
    expect(info).toMatchObject({ model: "lenet", dataset: "fashion-mnist", inChannels: 1, imageSize: 28, numClasses: 10, epoch: 2, globalStep: 20, interrupted: false, optimizer: "adam", lr: 0.003, batchSize: 32, seed: 0 });
    expect(info.classes[9]).toBe("Ankle boot");
    expect(Object.keys(load(twoEpochs.ckpt)).sort()).toEqual(Object.keys(new LeNet().stateDict()).sort());
    expect(Object.keys(load(join(twoEpochs.logdir, "checkpoint.optim.safetensors")))).toContain("state.0.exp_avg");
    expect(readdirSync(twoEpochs.logdir).filter((f) => f.endsWith(".tmp"))).toEqual([]);
  });

  it("resumes exactly: one epoch, then --resume to two, gives the two-epoch weights", async () => {
    const logdir = fresh("resume");
    const first = await cli(trainArgs(["--epochs", "1", "--lr", "0.003", "--logdir", logdir]));
    expect(first.code).toBe(0);
    const ckpt = join(logdir, "checkpoint.safetensors");
    const second = await cli(["train", "--resume", ckpt, "--epochs", "2", "--data", SAMPLE, "--train-samples", "320", "--test-samples", "200"]);
    expect(second.stderr).toBe("");
    expect(second.code).toBe(0);
    expect(second.stdout).toMatch(/^resuming \S+ at epoch 2: training lenet/);
    expect(second.stdout).toContain("adam lr=0.003, batch 32");
    const a = load(ckpt);
    const b = load(twoEpochs.ckpt);
    for (const k of Object.keys(b)) expect(Array.from(a[k].toTypedArray()), k).toEqual(Array.from(b[k].toTypedArray()));
    expect(scalars(eventsOf(logdir), "epoch/test_accuracy").map(([s]) => s)).toEqual([1, 2]);
    const again = await cli(["train", "--resume", ckpt, "--epochs", "2", "--data", SAMPLE]);
    expect(again.code).toBe(2);
    expect(again.stderr).toMatch(/has already trained 2 epoch\(s\); pass --epochs greater than 2 to train more/);
  }, 300_000);

  it("trains the CNN with SGD as PyTorch does", async () => {
    const logdir = fresh("cnn");
    const r = await cli(["train", "--model", "cnn", "--optimizer", "sgd", "--lr", "0.01", "--data", SAMPLE, "--batch-size", "16", "--train-samples", "64", "--test-samples", "64", "--epochs", "1", "--logdir", logdir]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("training cnn (115,306 parameters)");
    const ref = await pytorchTrain({ root: SAMPLE, model: "cnn", optimizer: "sgd", lr: 0.01, momentum: 0.9, batchSize: 16, epochs: 1, seed: 0, trainSamples: 64, testSamples: 64 });
    scalars(eventsOf(logdir), "train/loss").forEach(([, v], i) => expect(v).toBeCloseTo(ref.losses[i], 4));
  }, 300_000);

  it("trains on CIFAR-format data", async () => {
    const root = fresh("cifar");
    const dir = join(root, "cifar-10-batches-bin");
    mkdirSync(dir, { recursive: true });
    const gen = new torch.Generator().manualSeed(3);
    const records = (n: number): Uint8Array => {
      const px = torch.randint(0, 256, [n, 3073], { generator: gen }).toTypedArray();
      const bytes = Uint8Array.from(px as ArrayLike<number>);
      for (let i = 0; i < n; i++) bytes[i * 3073] %= 10;
      return bytes;
    };
    for (let i = 1; i <= 5; i++) writeFileSync(join(dir, `data_batch_${i}.bin`), records(8));
    writeFileSync(join(dir, "test_batch.bin"), records(8));
    writeFileSync(join(dir, "batches.meta.txt"), "airplane\nautomobile\nbird\ncat\ndeer\ndog\nfrog\nhorse\nship\ntruck\n");
    const logdir = fresh("cifar-run");
    const r = await cli(["train", "--dataset", "cifar10", "--data", root, "--model", "cnn", "--batch-size", "20", "--epochs", "1", "--logdir", logdir]);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("on cifar10 from");
    expect(r.stdout).toContain("40 training / 8 test images (3×32×32)");
    expect(checkpointInfo(join(logdir, "checkpoint.safetensors"))).toMatchObject({ model: "cnn", dataset: "cifar10", inChannels: 3, imageSize: 32, classes: expect.arrayContaining(["truck"]) });
    const noData = await cli(["train", "--dataset", "cifar10"]);
    expect(noData.code).toBe(2);
    expect(noData.stderr).toMatch(/--dataset cifar10 needs --data DIR: a directory holding cifar-10-batches-py\/ \(the python version\) or cifar-10-batches-bin\//);
  }, 300_000);

  it("saves a checkpoint and stops on Ctrl-C, and resumes from it", async () => {
    const logdir = fresh("interrupt");
    const r = await cli(trainArgs(["--epochs", "2", "--logdir", logdir]), {
      onStdout: (text, abort) => {
        if (/epoch 1\/2 +\d+%/.test(text)) abort();
      },
    });
    expect(r.code).toBe(130);
    expect(r.stdout).toMatch(/epoch 1\/2 .*\(interrupted\)\n\ninterrupted: checkpoint saved to \S+checkpoint\.safetensors \(0 epoch\(s\) complete, step (\d+)\)\nresume with: torch-ts train --resume \S+ --epochs 2\n$/);
    const ckpt = join(logdir, "checkpoint.safetensors");
    const info = checkpointInfo(ckpt);
    expect(info).toMatchObject({ epoch: 0, interrupted: true });
    expect(info.globalStep).toBeGreaterThan(0);
    expect(info.globalStep).toBeLessThan(10);
    const resumed = await cli(["train", "--resume", ckpt, "--data", SAMPLE, "--train-samples", "320", "--test-samples", "200", "--epochs", "1"]);
    expect(resumed.code).toBe(0);
    expect(resumed.stdout).toMatch(/^resuming \S+ at epoch 1:/);
    expect(checkpointInfo(ckpt)).toMatchObject({ epoch: 1, interrupted: false, globalStep: info.globalStep + 10 });
  }, 300_000);

  it("writes nothing when stopped before the first step", async () => {
    const logdir = fresh("early");
    const r = await cli(trainArgs(["--logdir", logdir]), { onStdout: (text, abort) => text.startsWith("training") && abort() });
    expect(r.code).toBe(130);
    expect(r.stdout).toMatch(/\ninterrupted before the first step: no checkpoint written\n$/);
    expect(existsSync(join(logdir, "checkpoint.safetensors"))).toBe(false);
  });

  it("lists the valid choices for a bad --model, --dataset or --optimizer", async () => {
    for (const [flag, value, choices] of [
      ["--model", "resnet", "lenet, cnn"],
      ["--dataset", "mnist", "fashion-mnist, cifar10"],
      ["--optimizer", "rmsprop", "adam, sgd"],
    ]) {
      const r = await cli(["train", flag, value]);
      expect(r.code).toBe(2);
      expect(r.stderr).toContain(`${flag}: unknown value '${value}'; valid choices: ${choices}`);
      expect(r.stderr).toContain("Run 'torch-ts train --help' for usage.");
    }
    const flag = await cli(["train", "--epoch", "2"]);
    expect(flag.code).toBe(2);
    expect(flag.stderr).toMatch(/unknown option '--epoch' \(did you mean --epochs\?\); valid options: --model, --dataset, --data, --epochs/);
    const zero = await cli(["train", "--epochs", "0"]);
    expect(zero.code).toBe(2);
  });

  it("says what is wrong with a missing or corrupt dataset", async () => {
    const missing = await cli(["train", "--data", join(tmp, "nowhere")]);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/--data: '\S+nowhere' does not exist; expected a directory holding train-images-idx3-ubyte\(\.gz\), train-labels-idx1-ubyte\(\.gz\)/);
    expect(missing.stderr).not.toMatch(/\n\s+at /);
    const corrupt = fresh("corrupt");
    mkdirSync(corrupt);
    for (const f of ["train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz", "t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz"]) {
      writeFileSync(join(corrupt, f), "not gzip");
    }
    const bad = await cli(["train", "--data", corrupt]);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/cannot read FashionMNIST \(training split\) from '\S+': FashionMNIST: \S+train-images-idx3-ubyte\.gz: corrupted gzip data/);
    const empty = fresh("empty");
    mkdirSync(empty);
    const none = await cli(["train", "--data", empty]);
    expect(none.code).toBe(1);
    expect(none.stderr).toMatch(/cannot read FashionMNIST \(training split\) from '\S+': FashionMNIST: missing train-images-idx3-ubyte\(\.gz\)/);
    // What to put there, in CLI terms (the dataset classes' `download: true` advice is for library users).
    for (const r of [bad, none]) {
      expect(r.stderr).toMatch(/\. --data must be a directory holding train-images-idx3-ubyte\(\.gz\), train-labels-idx1-ubyte\(\.gz\), t10k-images-idx3-ubyte\(\.gz\) and t10k-labels-idx1-ubyte\(\.gz\)\n$/);
      expect(r.stderr).not.toContain("download");
    }
    const cifar = await cli(["train", "--dataset", "cifar10", "--data", empty]);
    expect(cifar.code).toBe(1);
    expect(cifar.stderr).toMatch(/cannot read CIFAR10 \(training split\) from '\S+': CIFAR10: Dataset not found or corrupted: \S+cifar-10-batches-py does not exist\. --data must be a directory holding cifar-10-batches-py\/ \(the python version\) or cifar-10-batches-bin\/ \(the binary version\)\n$/);
    expect(cifar.stderr).not.toContain("download");
  });

  it("refuses an unwritable logdir or checkpoint path before training", async () => {
    const file = join(tmp, "a-file");
    writeFileSync(file, "");
    const logdir = await cli(trainArgs(["--logdir", join(file, "run")]));
    expect(logdir.code).toBe(1);
    expect(logdir.stderr).toMatch(/^torch-ts train: --logdir: cannot write to '\S+a-file\/run': ENOTDIR/);
    const out = await cli(trainArgs(["--logdir", fresh("ok"), "--out", join(file, "x.safetensors")]));
    expect(out.code).toBe(1);
    expect(out.stderr).toMatch(/^torch-ts train: --out: cannot write to '\S+a-file': /);
    expect(out.stdout).toBe("");
  });

  it("reports a checkpoint from another model clearly", async () => {
    const cnnLog = fresh("cnn-ckpt");
    const cnn = await cli(["train", "--model", "cnn", "--data", SAMPLE, "--train-samples", "16", "--test-samples", "16", "--batch-size", "16", "--epochs", "1", "--logdir", cnnLog]);
    expect(cnn.code).toBe(0);
    const ckpt = join(cnnLog, "checkpoint.safetensors");
    const other = await cli(["train", "--resume", ckpt, "--model", "lenet", "--epochs", "2", "--data", SAMPLE]);
    expect(other.code).toBe(1);
    expect(other.stderr).toMatch(
      /--resume: checkpoint '\S+' does not match: it was trained with model cnn, not lenet\. Checkpoint: --model cnn --dataset fashion-mnist \(1×28×28, 10 classes, epoch 1\)\./,
    );
    const bare = join(fresh("bare"), "weights.safetensors");
    mkdirSync(join(bare, ".."), { recursive: true });
    save(new CifarCNN({ inChannels: 1, imageSize: 28 }).stateDict(), bare);
    const noMeta = await cli(["summary", "--checkpoint", bare, "--model", "lenet"]);
    expect(noMeta.code).toBe(1);
    expect(noMeta.stderr).toMatch(/--checkpoint: checkpoint '\S+' does not fit model lenet for 1×28×28 inputs and 10 classes:\nError\(s\) in loading state_dict for LeNet:\n\tMissing key\(s\) in state_dict: "3\.weight"/);
    const corrupt = join(tmp, "corrupt.safetensors");
    writeFileSync(corrupt, "garbage that is not a checkpoint");
    const bad = await cli(["train", "--resume", corrupt]);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/--resume: cannot read checkpoint '\S+corrupt\.safetensors': /);
    const missing = await cli(["train", "--resume", join(tmp, "nope.safetensors")]);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/--resume: '\S+nope\.safetensors' does not exist/);
    const vis = await cli(["visualize", "--dataset", "fashion-mnist", "--data", SAMPLE, "--checkpoint", ckpt, "--logdir", fresh("v")]);
    expect(vis.code).toBe(0);
  }, 300_000);
});

describe("visualize", () => {
  it("computes the seeds' layers as PyTorch does and writes them to TensorBoard and PNG", async () => {
    const logdir = fresh("vis");
    const r = await cli(["visualize", "--data", SAMPLE, "--batch-size", "12", "--batches", "2", "--seed", "3", "--logdir", logdir]);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("  maxpool      MaxPool2d(kernel_size=3, stride=3, padding=0, dilation=1, ceil_mode=False)\n               [12, 1, 28, 28] → [12, 1, 9, 9]   H_out = ⌊(28 − 3) / 3 + 1⌋ = 9");
    const tags = ["input", "conv", "conv_relu", "sigmoid", "maxpool", "avgpool", "maxunpool"];
    const events = eventsOf(logdir);
    expect(imageTags(events)).toEqual([...tags].sort());
    for (const t of tags) {
      const steps = events.flatMap((e) => (e.summary?.value ?? []).filter((v) => v.tag === t).map(() => e.step));
      expect(steps, t).toEqual([0, 1]);
    }
    const pngDir = join(logdir, "images");
    const ref = JSON.parse(
      python(
        `${PY_PRELUDE}
import torchvision
x, _ = fashion(sys.argv[1], "t10k", 24, normalize=False)
torch.manual_seed(3)
conv = nn.Conv2d(1, 6, 3, 1, 0)
pool2 = nn.MaxPool2d((2, 2), stride=(2, 2), return_indices=True)
unpool = nn.MaxUnpool2d((2, 2), stride=(2, 2))
def maxunpool(b):
    y, i = pool2(b)
    return unpool(y, i)
layers = {"input": lambda b: b, "conv": lambda b: torch.reshape(conv(b), (-1, 3, 26, 26)), "conv_relu": lambda b: torch.reshape(nn.ReLU()(conv(b)), (-1, 3, 26, 26)),
    "sigmoid": nn.Sigmoid(), "maxpool": nn.MaxPool2d(kernel_size=3, ceil_mode=False), "avgpool": nn.AvgPool2d((2, 2), stride=(2, 2)), "maxunpool": maxunpool}
out = {}
with torch.no_grad():
    for step in range(2):
        b = x[step * 12:(step + 1) * 12]
        for tag, f in layers.items():
            grid = torchvision.utils.make_grid(f(b))
            out[f"{tag}_{step}"] = grid.mul(255).add_(0.5).clamp_(0, 255).permute(1, 2, 0).to(torch.uint8).flatten().tolist()
print(json.dumps(out))
`,
        [SAMPLE],
      ),
    ) as Record<string, number[]>;
    for (const [name, pixels] of Object.entries(ref)) {
      const png = decodePng(readFileSync(join(pngDir, `${name}.png`)));
      expect(png.data.length, name).toBe(pixels.length);
      let off = 0;
      for (let i = 0; i < pixels.length; i++) if (Math.abs(png.data[i] - pixels[i]) > 1) off++;
      expect(off, `${name}: pixels more than one level away from torchvision's save_image`).toBe(0);
    }
  });

  it("says what is wrong with bad input", async () => {
    const ds = await cli(["visualize", "--dataset", "imagenet"]);
    expect(ds.code).toBe(2);
    expect(ds.stderr).toMatch(/--dataset: unknown value 'imagenet'; valid choices: fashion-mnist, cifar10/);
    const file = join(tmp, "vis-file");
    writeFileSync(file, "");
    const log = await cli(["visualize", "--data", SAMPLE, "--logdir", join(file, "x"), "--out", fresh("png")]);
    expect(log.code).toBe(1);
    expect(log.stderr).toMatch(/--logdir: cannot write TensorBoard logs to '\S+vis-file\/x'/);
    // A state dict without torch-ts metadata (as PyTorch saves one): the advice to pass --model can be followed.
    const plain = join(tmp, "plain-lenet.safetensors");
    save(createModel("lenet", { inChannels: 1, imageSize: 28 }).stateDict(), plain);
    const unnamed = await cli(["visualize", "--data", SAMPLE, "--checkpoint", plain, "--logdir", fresh("v")]);
    expect(unnamed.code).toBe(1);
    expect(unnamed.stderr).toMatch(/--checkpoint: checkpoint '\S+plain-lenet\.safetensors' does not say which model it holds \(no torch_ts metadata\); pass --model \(lenet, cnn\)/);
    const named = await cli(["visualize", "--data", SAMPLE, "--batches", "1", "--batch-size", "4", "--checkpoint", plain, "--model", "lenet", "--logdir", fresh("v")]);
    expect(named.stderr).toBe("");
    expect(named.code).toBe(0);
    expect(named.stdout).toMatch(/trained_conv Conv2d\(1, 6, kernel_size=\(5, 5\)/);
    const wrong = await cli(["visualize", "--data", SAMPLE, "--checkpoint", plain, "--model", "cnn", "--logdir", fresh("v")]);
    expect(wrong.code).toBe(1);
    expect(wrong.stderr).toMatch(/does not fit model cnn for 1×28×28 inputs/);
    const bad = await cli(["visualize", "--checkpoint", plain, "--model", "resnet"]);
    expect([bad.code, bad.stderr.split("\n")[0]]).toEqual([2, "torch-ts visualize: --model: unknown value 'resnet'; valid choices: lenet, cnn"]);
    const alone = await cli(["visualize", "--model", "lenet"]);
    expect([alone.code, alone.stderr.split("\n")[0]]).toEqual([2, "torch-ts visualize: --model names the model in --checkpoint; pass --checkpoint too"]);
  });
});

describe("help", () => {
  it("documents every command's options", async () => {
    for (const [cmd, flags] of [
      ["train", ["--model <lenet|cnn>", "--dataset <fashion-mnist|cifar10>", "--resume <file>", "--epochs <number>", "(default: 3)"]],
      ["visualize", ["--batches <number>", "--checkpoint <file>", "MaxUnpool2d"]],
      ["plot-activations", ["--activations <a,b,...>", "blue: output, red: gradient"]],
      ["summary", ["--input-size <N,C,H,W>", "--checkpoint <file>"]],
      ["start", ["--data <dir>", "npm start"]],
    ] as const) {
      const r = await cli([cmd, "--help"]);
      expect(r.code).toBe(0);
      for (const f of flags) expect(r.stdout, `${cmd}: ${f}`).toContain(f);
    }
    const all = await cli(["--help"]);
    for (const c of ["start", "train", "visualize", "plot-activations", "summary", "board"]) expect(all.stdout).toMatch(new RegExp(`\\n  ${c} +\\S`));
  });
});
