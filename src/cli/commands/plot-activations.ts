/**
 * `torch-ts plot-activations`: each activation function and its gradient, drawn as the seeds' figures do
 * (output in blue, gradient in red), to PNG and SVG. The gradient comes from autograd, not from a formula:
 * `y = act(x); y.sum().backward(); x.grad`.
 */
import "../../index.js";
import { mkdirSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import type { Module } from "../../nn/module.js";
import * as nn from "../../nn/modules/index.js";
import { linspace } from "../../ops/creation.js";
import { SummaryWriter } from "../../tensorboard/writer.js";
import type { Tensor } from "../../tensor.js";
import { CliError, defineCommand, UsageError } from "../command.js";
import { renderPlotPng, renderPlotSvg } from "../plot.js";
import { displayPath } from "./train.js";

/** The activation modules by the name the command takes, built with PyTorch's defaults. */
export const ACTIVATIONS: Readonly<Record<string, () => Module>> = {
  sigmoid: () => new nn.Sigmoid(),
  tanh: () => new nn.Tanh(),
  relu: () => new nn.ReLU(),
  leaky_relu: () => new nn.LeakyReLU(),
  prelu: () => new nn.PReLU(),
  // In eval mode RReLU uses the fixed slope (lower + upper) / 2; a training-mode curve would be noise.
  rrelu: () => new nn.RReLU().eval(),
  elu: () => new nn.ELU(),
  selu: () => new nn.SELU(),
  celu: () => new nn.CELU(),
  gelu: () => new nn.GELU(),
  silu: () => new nn.SiLU(),
  mish: () => new nn.Mish(),
  softplus: () => new nn.Softplus(),
  softsign: () => new nn.Softsign(),
  hardtanh: () => new nn.Hardtanh(),
  relu6: () => new nn.ReLU6(),
  hardsigmoid: () => new nn.Hardsigmoid(),
  hardswish: () => new nn.Hardswish(),
  logsigmoid: () => new nn.LogSigmoid(),
  tanhshrink: () => new nn.Tanhshrink(),
  softshrink: () => new nn.Softshrink(),
  hardshrink: () => new nn.Hardshrink(),
};

export const ACTIVATION_NAMES: readonly string[] = Object.keys(ACTIVATIONS);
/** The seeds' three, plus the ReLU variants they list. */
export const DEFAULT_ACTIVATIONS = ["sigmoid", "tanh", "relu", "leaky_relu", "prelu", "rrelu", "elu", "silu"];

/** `act(x)` and `d act / dx` at `points` evenly spaced x in [lo, hi], by autograd. */
export function activationCurve(act: Module, lo: number, hi: number, points: number): { x: Float64Array; y: Float64Array; grad: Float64Array } {
  const x = linspace(lo, hi, points).requiresGrad_();
  const y = act(x) as Tensor;
  y.sum().backward();
  return {
    x: Float64Array.from(x.detach().toTypedArray() as ArrayLike<number>),
    y: Float64Array.from(y.detach().toTypedArray() as ArrayLike<number>),
    grad: Float64Array.from(x.grad!.toTypedArray() as ArrayLike<number>),
  };
}

export const OUTPUT_COLOR = "#1f77b4";
export const GRADIENT_COLOR = "#d62728";

export const plotActivations = defineCommand({
  name: "plot-activations",
  summary: "draw activation functions and their gradients (blue: output, red: gradient) to PNG and SVG",
  description: [
    `Activations: ${ACTIVATION_NAMES.join(", ")}.`,
    `Default: ${DEFAULT_ACTIVATIONS.join(", ")}. Each module is built with PyTorch's defaults (LeakyReLU`,
    "slope 0.01, PReLU 0.25, RReLU in eval mode) and run in float32; the gradient is autograd's. Writes",
    "<out>/<name>.png and <out>/<name>.svg, and with --logdir adds the PNGs to a TensorBoard run.",
  ].join("\n"),
  flags: {
    activations: { type: "string", valueName: "a,b,...", description: `comma-separated names, or 'all' (default: ${DEFAULT_ACTIVATIONS.join(",")})` },
    out: { type: "string", valueName: "dir", description: "output directory", default: "activations" },
    min: { type: "number", description: "smallest x", default: -10 },
    max: { type: "number", description: "largest x", default: 10 },
    points: { type: "number", description: "samples along x", default: 401, integer: true, min: 2, max: 100000 },
    width: { type: "number", description: "image width in pixels", default: 640, integer: true, min: 200, max: 8192 },
    height: { type: "number", description: "image height in pixels", default: 480, integer: true, min: 150, max: 8192 },
    logdir: { type: "string", valueName: "dir", description: "also log the plots as images to this TensorBoard run" },
  },
  examples: ["torch-ts plot-activations", "torch-ts plot-activations --activations sigmoid,tanh --min -5 --max 5 --out figures"],
  async run({ flags }, ctx) {
    const names = flags.activations === undefined ? DEFAULT_ACTIVATIONS : flags.activations === "all" ? ACTIVATION_NAMES : flags.activations.split(",").map((s) => s.trim()).filter((s) => s);
    const unknown = names.filter((n) => !ACTIVATION_NAMES.includes(n));
    if (unknown.length || names.length === 0) {
      throw new UsageError(`--activations: unknown ${unknown.length ? `value '${unknown.join("', '")}'` : "empty list"}; valid choices: ${ACTIVATION_NAMES.join(", ")}, all`);
    }
    if (!(flags.min < flags.max)) throw new UsageError(`--min must be smaller than --max, got ${flags.min} and ${flags.max}`);
    const dir = resolve(flags.out);
    try {
      mkdirSync(dir, { recursive: true });
    } catch (e) {
      throw new CliError(`--out: cannot write to '${flags.out}': ${(e as Error).message}`);
    }
    let writer: SummaryWriter | null = null;
    if (flags.logdir !== undefined) {
      try {
        writer = new SummaryWriter(flags.logdir);
      } catch (e) {
        throw new CliError(`--logdir: cannot write TensorBoard logs to '${flags.logdir}': ${(e as Error).message}`);
      }
    }
    try {
      for (const name of names) {
        const act = ACTIVATIONS[name]();
        const c = activationCurve(act, flags.min, flags.max, flags.points);
        const spec = {
          title: String(act),
          xLabel: "x",
          yLabel: "y, dy/dx",
          width: flags.width,
          height: flags.height,
          series: [
            { label: "output", x: c.x, y: c.y, color: OUTPUT_COLOR },
            { label: "gradient", x: c.x, y: c.grad, color: GRADIENT_COLOR },
          ],
        };
        const png = renderPlotPng(spec);
        writeFileSync(join(dir, `${name}.png`), png);
        writeFileSync(join(dir, `${name}.svg`), renderPlotSvg(spec));
        writer?.addEncodedImage(`activations/${name}`, png, 0);
        ctx.stdout.write(`${name.padEnd(12)} ${displayPath(join(dir, `${name}.png`))}, ${displayPath(join(dir, `${name}.svg`))}\n`);
      }
    } finally {
      writer?.close();
    }
  },
});
