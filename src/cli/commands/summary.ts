/**
 * `torch-ts summary`: a model's layer table, as `torchinfo.summary(model, input_size)` prints it (its 1.8
 * layout and rules: mult-adds count weights and biases, the forward/backward size counts twice the outputs
 * of leaf layers that have parameters), plus each convolution's and pooling's output size worked out with
 * the seeds' formula.
 */
import "../../index.js";
import { resolve } from "node:path";
import { noGrad } from "../../autograd/grad-mode.js";
import { elementSize } from "../../dtype.js";
import { convOutputSize, poolOutputSize } from "../../layout.js";
import { createModel, MODEL_NAMES, MODELS } from "../../models/index.js";
import type { Module } from "../../nn/module.js";
import { AvgPool2d, Conv2d, MaxPool2d } from "../../nn/modules/index.js";
import { zeros } from "../../ops/creation.js";
import { Tensor } from "../../tensor.js";
import { CliError, defineCommand, UsageError } from "../command.js";
import { geometry, modelFromCheckpoint, readCheckpoint } from "../checkpoint.js";
import { datasetSpec, DATASET_NAMES } from "../data.js";
import { displayPath } from "./train.js";

/** One row of the table. */
export interface LayerRow {
  /** Dotted name in the model ("" for the model itself). */
  name: string;
  className: string;
  depth: number;
  /** Running index among the rows of the same depth (torchinfo's `depth-idx`). */
  depthIndex: number;
  isLeaf: boolean;
  /** Shape of the layer's output in the forward pass ([] when it did not run). */
  outputShape: number[];
  /** Parameters of this layer alone (leaves) or not held by any child (containers). */
  params: number;
  trainable: number;
  paramBytes: number;
  macs: number;
  /** The seeds' output-size formula worked out, for Conv2d and pooling layers. */
  formula: string | null;
}

export interface ModelSummary {
  rows: LayerRow[];
  inputShape: number[];
  totalParams: number;
  trainableParams: number;
  totalMacs: number;
  inputBytes: number;
  /** Twice (values and gradients) the output bytes of leaf layers with parameters. */
  forwardBackwardBytes: number;
  paramBytes: number;
}

const prod = (xs: readonly number[]): number => xs.reduce((a, b) => a * b, 1);
const pair = (v: number | readonly number[]): number => (typeof v === "number" ? v : v[0]);

/** The seeds' formula for the height of a Conv2d's or 2-d pooling's output, with the numbers filled in. */
export function sizeFormula(m: Module, h: number): string | null {
  if (m instanceof Conv2d) {
    if (typeof m.padding === "string") return null;
    const [k, s, p, d] = [m.kernelSize[0], m.stride[0], m.padding[0], m.dilation[0]];
    return `H_out = ⌊(${h} + 2·${p} − ${d}·(${k} − 1) − 1) / ${s} + 1⌋ = ${convOutputSize(h, k, s, p, d)}`;
  }
  if (m instanceof MaxPool2d || m instanceof AvgPool2d) {
    const mm = m as unknown as { kernelSize: number | number[]; stride: number | number[]; padding: number | number[]; dilation?: number | number[]; ceilMode: boolean };
    const [k, s, p, d] = [pair(mm.kernelSize), pair(mm.stride), pair(mm.padding), pair(mm.dilation ?? 1)];
    const round = mm.ceilMode ? "⌈" : "⌊";
    const close = mm.ceilMode ? "⌉" : "⌋";
    const dil = d === 1 ? `${k}` : `${d}·(${k} − 1) − 1`;
    return `H_out = ${round}(${h} + 2·${p} − ${dil}) / ${s}${close} + 1 = ${poolOutputSize(h, k, s, p, d, mm.ceilMode)}`;
  }
  return null;
}

/**
 * Runs `model` once on zeros of `inputShape` (without autograd) and collects the table.
 *
 * @example
 * summarize(new LeNet(), [1, 1, 28, 28]).totalParams // 61706
 */
export function summarize(model: Module, inputShape: number[]): ModelSummary {
  const modules = model.namedModules();
  const outputs = new Map<Module, number[]>();
  const inputs = new Map<Module, number[]>();
  const handles = modules.map(([, m]) =>
    m.registerForwardHook((mod, args, out) => {
      if (out instanceof Tensor && !outputs.has(mod)) outputs.set(mod, out.shape);
      const a = args[0];
      if (a instanceof Tensor && !inputs.has(mod)) inputs.set(mod, a.shape);
    }),
  );
  const wasTraining = model.training;
  try {
    model.eval();
    noGrad(() => model(zeros(inputShape)));
  } finally {
    for (const h of handles) h.remove();
    model.train(wasTraining);
  }
  const depthCounters: number[] = [];
  const rows: LayerRow[] = modules.map(([name, m]) => {
    const depth = name === "" ? 0 : name.split(".").length;
    depthCounters[depth] = (depthCounters[depth] ?? 0) + 1;
    const own = m.namedParameters("", false);
    const isLeaf = m.children().length === 0;
    const params = own.reduce((a, [, p]) => a + p.numel(), 0);
    const outputShape = outputs.get(m) ?? [];
    let macs = 0;
    for (const [pname, p] of own) {
      if (pname !== "weight" && pname !== "bias") continue;
      // torchinfo: a convolution's weight and bias are applied at every output position (batch × spatial).
      macs += m.constructor.name.includes("Conv") ? p.numel() * prod([outputShape[0], ...outputShape.slice(2)]) : (outputShape[0] ?? 0) * p.numel();
    }
    const inShape = inputs.get(m);
    return {
      name,
      className: m._getName(),
      depth,
      depthIndex: depthCounters[depth],
      isLeaf,
      outputShape,
      params,
      trainable: own.filter(([, p]) => p.requiresGrad).reduce((a, [, p]) => a + p.numel(), 0),
      paramBytes: own.reduce((a, [, p]) => a + p.numel() * elementSize(p.dtype), 0),
      macs,
      formula: inShape && inShape.length === 4 ? sizeFormula(m, inShape[2]) : null,
    };
  });
  const leaves = rows.filter((r) => r.isLeaf);
  const totalParams = rows.reduce((a, r) => a + r.params, 0);
  return {
    rows,
    inputShape,
    totalParams,
    trainableParams: rows.reduce((a, r) => a + r.trainable, 0),
    totalMacs: leaves.reduce((a, r) => a + r.macs, 0),
    inputBytes: prod(inputShape) * 4,
    forwardBackwardBytes: leaves.filter((r) => r.params > 0).reduce((a, r) => a + prod(r.outputShape) * 4 * 2, 0),
    paramBytes: rows.reduce((a, r) => a + r.paramBytes, 0),
  };
}

const num = (n: number): string => n.toLocaleString("en-US");
const mb = (bytes: number): string => (bytes / 1e6).toFixed(2);

/** The table as torchinfo prints it (column widths 40/25/15/15), then the formulas. */
export function formatSummary(s: ModelSummary): string {
  const cols = [40, 25, 15, 15];
  const width = cols.reduce((a, b) => a + b, 0);
  const line = (cells: string[]): string => cells.map((c, i) => (i === cells.length - 1 ? c : c.padEnd(cols[i]))).join("").trimEnd();
  const divider = "=".repeat(width);
  const out = [divider, line(["Layer (type:depth-idx)", "Output Shape", "Param #", "Mult-Adds"]), divider];
  s.rows.forEach((r, i) => {
    // Tree prefix: "├─" for children, "└─" for the last child of its parent, "│    " for each open ancestor.
    let prefix = "";
    if (r.depth > 0) {
      const next = s.rows.slice(i + 1).find((x) => x.depth <= r.depth);
      const last = next === undefined || next.depth < r.depth;
      prefix = `${"│    ".repeat(r.depth - 1)}${last ? "└─" : "├─"}`;
    }
    const label = `${prefix}${r.className}${r.depth > 0 ? `: ${r.depth}-${r.depthIndex}` : ""}`;
    const shape = r.outputShape.length ? `[${r.outputShape.join(", ")}]` : "--";
    out.push(line([label, shape, r.params ? num(r.params) : "--", r.isLeaf && r.macs ? num(r.macs) : "--"]));
  });
  out.push(
    divider,
    `Total params: ${num(s.totalParams)}`,
    `Trainable params: ${num(s.trainableParams)}`,
    `Non-trainable params: ${num(s.totalParams - s.trainableParams)}`,
    `Total mult-adds (M): ${(s.totalMacs / 1e6).toFixed(2)}`,
    divider,
    `Input size (MB): ${mb(s.inputBytes)}`,
    `Forward/backward pass size (MB): ${mb(s.forwardBackwardBytes)}`,
    `Params size (MB): ${mb(s.paramBytes)}`,
    `Estimated Total Size (MB): ${mb(s.inputBytes + s.forwardBackwardBytes + s.paramBytes)}`,
    divider,
  );
  const formulas = s.rows.filter((r) => r.formula);
  if (formulas.length) {
    out.push("Output sizes (H_out; W_out alike):");
    const w = Math.max(...formulas.map((r) => `${r.name} ${r.className}`.length));
    for (const r of formulas) out.push(`  ${`${r.name} ${r.className}`.padEnd(w)}  ${r.formula}`);
  }
  return `${out.join("\n")}\n`;
}

function parseShape(raw: string): number[] {
  const dims = raw.split(/[,x× ]+/).filter((d) => d !== "").map(Number);
  if (dims.length < 2 || !dims.every((d) => Number.isInteger(d) && d > 0)) {
    throw new UsageError(`--input-size expects positive integers separated by commas, e.g. 1,1,28,28; got '${raw}'`);
  }
  return dims;
}

export const summary = defineCommand({
  name: "summary",
  summary: "print a model's layers with output shapes, parameter counts, mult-adds and memory (like torchinfo)",
  description: [
    "Built-in models (--model):",
    ...MODEL_NAMES.map((n) => `  ${n.padEnd(6)} ${MODELS[n].description}`),
    "The input geometry comes from --dataset (fashion-mnist: 1×28×28, cifar10: 3×32×32) or --input-size;",
    "with --checkpoint, the model and geometry are the checkpoint's. The model runs once on zeros to record",
    "every layer's output shape; each Conv2d and pooling layer's size is also worked out with the formula",
    "H_out = ⌊(H_in + 2·padding − dilation·(kernel_size − 1) − 1) / stride + 1⌋.",
  ].join("\n"),
  flags: {
    model: { type: "string", valueName: MODEL_NAMES.join("|"), description: "built-in model (default: lenet, or the checkpoint's)" },
    dataset: { type: "string", valueName: DATASET_NAMES.join("|"), description: "input geometry and class count of this dataset (default: fashion-mnist)" },
    inputSize: { type: "string", valueName: "N,C,H,W", description: "input shape, overriding --dataset's and --batch-size" },
    batchSize: { type: "number", description: "batch size of the input", default: 1, integer: true, min: 1 },
    checkpoint: { type: "string", valueName: "file", description: "summarize the model saved in this checkpoint" },
  },
  examples: ["torch-ts summary", "torch-ts summary --model cnn --dataset cifar10 --batch-size 64", "torch-ts summary --checkpoint runs/exp/checkpoint.safetensors"],
  async run({ flags }, ctx) {
    if (flags.model !== undefined && !MODEL_NAMES.includes(flags.model)) {
      throw new UsageError(`--model: unknown value '${flags.model}'; valid choices: ${MODEL_NAMES.join(", ")}`);
    }
    const spec = datasetSpec(flags.dataset ?? "fashion-mnist");
    let model: Module;
    let channels = spec.inChannels;
    let size = spec.imageSize;
    let title: string;
    if (flags.checkpoint !== undefined) {
      const ckpt = readCheckpoint(flags.checkpoint);
      model = modelFromCheckpoint(flags.checkpoint, ckpt, {
        model: flags.model,
        dataset: flags.dataset,
        ...(ckpt.info ? {} : { inChannels: spec.inChannels, imageSize: spec.imageSize }),
      });
      const i = ckpt.info;
      if (i) [channels, size] = [i.inChannels, i.imageSize];
      const acc = i?.testAccuracy != null ? `, test accuracy ${(i.testAccuracy * 100).toFixed(1)}%` : "";
      title = `${displayPath(resolve(flags.checkpoint))}: ${i ? `${i.model} trained on ${i.dataset} (${geometry(i)}), ${i.epoch} epoch(s)${acc}` : "a state dict without torch-ts metadata"}`;
    } else {
      const name = flags.model ?? "lenet";
      model = createModel(name, { inChannels: spec.inChannels, imageSize: spec.imageSize });
      title = `${name} for ${spec.name} (${geometry(spec)})`;
    }
    const shape = flags.inputSize !== undefined ? parseShape(flags.inputSize) : [flags.batchSize, channels, size, size];
    let s: ModelSummary;
    try {
      s = summarize(model, shape);
    } catch (e) {
      throw new CliError(`the model does not accept an input of shape [${shape.join(", ")}]: ${(e as Error).message}`);
    }
    ctx.stdout.write(`${title}\n${formatSummary(s)}`);
  },
});
