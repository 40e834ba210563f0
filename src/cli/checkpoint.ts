/**
 * The CLI's checkpoints: the model's state dict as safetensors (loadable in PyTorch with
 * `model.load_state_dict(safetensors.torch.load_file(path))`), with what rebuilds the model recorded in the
 * header's metadata, and the optimizer's state in a second file beside it (`x.safetensors` →
 * `x.optim.safetensors`) so the model file stays a plain state dict. Both are written atomically by `save`.
 */
import { existsSync, readFileSync } from "node:fs";
import type { Module } from "../nn/module.js";
import type { Optimizer, OptimizerStateDict } from "../optim/optimizer.js";
import { loadSafetensors, loadSafetensorsMetadata } from "../serialization/index.js";
import { load, save } from "../serialization/node.js";
import { Tensor } from "../tensor.js";
import { createModel, MODEL_NAMES } from "../models/index.js";
import { CliError } from "./command.js";

/** What a CLI checkpoint records about its model and run (metadata key `torch_ts`, as JSON). */
export interface CheckpointInfo {
  /** Built-in model name (`MODELS`). */
  model: string;
  dataset: string;
  inChannels: number;
  imageSize: number;
  numClasses: number;
  classes: string[];
  /** The normalization the model was trained with (`Normalize(mean, std)` after `ToTensor`). */
  mean: number[];
  std: number[];
  /** Epochs completed. */
  epoch: number;
  /** Optimizer steps taken. */
  globalStep: number;
  /** Written on Ctrl-C in the middle of an epoch (that epoch is not counted in `epoch`). */
  interrupted: boolean;
  optimizer: string;
  lr: number;
  /** SGD's momentum (recorded for Adam too, unused there). */
  momentum: number;
  batchSize: number;
  seed: number;
  /** Test accuracy after the last completed epoch, if any. */
  testAccuracy: number | null;
  logdir: string;
}

const META_KEY = "torch_ts";

/** The optimizer file that goes with checkpoint `path`. */
export function optimizerStatePath(path: string): string {
  return path.endsWith(".safetensors") ? `${path.slice(0, -".safetensors".length)}.optim.safetensors` : `${path}.optim`;
}

/** `C×H×W` of a checkpoint's model, for messages. */
export const geometry = (i: Pick<CheckpointInfo, "inChannels" | "imageSize">): string => `${i.inChannels}×${i.imageSize}×${i.imageSize}`;

/**
 * Writes the model (with `info` in the metadata) and, when given, the optimizer state. Each file goes to a
 * temporary name first and is renamed into place, so an interruption leaves the previous checkpoint intact.
 */
export function writeCheckpoint(path: string, model: Module, info: CheckpointInfo, optimizer?: Optimizer<any, any>): void {
  const metadata = { format: "pt", [META_KEY]: JSON.stringify(info) };
  if (optimizer) {
    const sd = optimizer.stateDict();
    const tensors: Record<string, Tensor> = {};
    const values: Record<string, Record<string, unknown>> = {};
    for (const [i, s] of Object.entries(sd.state)) {
      for (const [k, v] of Object.entries(s)) {
        if (v instanceof Tensor) tensors[`state.${i}.${k}`] = v;
        else (values[i] ??= {})[k] = v;
      }
    }
    save(tensors, optimizerStatePath(path), {
      metadata: {
        optimizer: optimizer.constructor.name,
        param_groups: JSON.stringify(sd.param_groups),
        state_values: JSON.stringify(values),
        global_step: String(info.globalStep),
      },
    });
  }
  // The model file last: a checkpoint whose optimizer file is newer than it is never read as a pair.
  save(model.stateDict(), path, { metadata });
}

/** A checkpoint's tensors and, when the CLI wrote it, its `CheckpointInfo`. */
export interface ReadCheckpoint {
  state: Record<string, Tensor>;
  info: CheckpointInfo | null;
}

/** Reads a checkpoint (safetensors or PyTorch `.pt`); a missing or corrupt file is a `CliError` naming it. */
export function readCheckpoint(path: string, flag = "--checkpoint"): ReadCheckpoint {
  if (!existsSync(path)) throw new CliError(`${flag}: '${path}' does not exist`);
  let state: Record<string, Tensor>;
  let info: CheckpointInfo | null = null;
  try {
    state = load(path);
    const bytes = readFileSync(path);
    const meta = bytes[8] === 0x7b ? loadSafetensorsMetadata(bytes, path) : null;
    if (meta && typeof meta[META_KEY] === "string") info = JSON.parse(meta[META_KEY]) as CheckpointInfo;
  } catch (e) {
    throw new CliError(`${flag}: cannot read checkpoint '${path}': ${(e as Error).message.replace(/^load: /, "")}`);
  }
  if (info && !MODEL_NAMES.includes(info.model)) {
    throw new CliError(`${flag}: checkpoint '${path}' is for a model named '${info.model}', which this version does not know (built-in models: ${MODEL_NAMES.join(", ")})`);
  }
  return { state, info };
}

/** What the caller wants the checkpoint's model to be; undefined fields are taken from the checkpoint. */
export interface ModelRequest {
  model?: string;
  dataset?: string;
  inChannels?: number;
  imageSize?: number;
  numClasses?: number;
}

/**
 * Builds the model a checkpoint holds and loads its weights. When the request names a model or dataset the
 * checkpoint was not trained for, or the weights do not fit, the error says what the checkpoint holds and
 * what was asked for.
 */
export function modelFromCheckpoint(path: string, ckpt: ReadCheckpoint, want: ModelRequest, flag = "--checkpoint"): Module {
  const { info } = ckpt;
  if (info) {
    const problems: string[] = [];
    if (want.model !== undefined && want.model !== info.model) problems.push(`model ${info.model}, not ${want.model}`);
    if (want.dataset !== undefined && want.dataset !== info.dataset) problems.push(`dataset ${info.dataset}, not ${want.dataset}`);
    if (want.inChannels !== undefined && (want.inChannels !== info.inChannels || want.imageSize !== info.imageSize)) {
      problems.push(`inputs ${geometry(info)}, not ${want.inChannels}×${want.imageSize}×${want.imageSize}`);
    }
    if (problems.length) {
      throw new CliError(
        `${flag}: checkpoint '${path}' does not match: it was trained with ${problems.join(", ")}. ` +
          `Checkpoint: --model ${info.model} --dataset ${info.dataset} (${geometry(info)}, ${info.numClasses} classes, epoch ${info.epoch}).`,
      );
    }
  }
  const name = info?.model ?? want.model;
  if (name === undefined) {
    throw new CliError(`${flag}: checkpoint '${path}' does not say which model it holds (no torch_ts metadata); pass --model (${MODEL_NAMES.join(", ")})`);
  }
  const geo = {
    inChannels: info?.inChannels ?? want.inChannels,
    imageSize: info?.imageSize ?? want.imageSize,
    numClasses: info?.numClasses ?? want.numClasses,
  };
  const model = createModel(name, geo);
  try {
    model.loadStateDict(ckpt.state);
  } catch (e) {
    const what = `${name} for ${geo.inChannels}×${geo.imageSize}×${geo.imageSize} inputs and ${geo.numClasses ?? 10} classes`;
    throw new CliError(`${flag}: checkpoint '${path}' does not fit model ${what}:\n${(e as Error).message}`);
  }
  return model;
}

/** The optimizer state saved beside checkpoint `path`, or null when there is none (or it is from another optimizer). */
export function readOptimizerState(path: string, optimizerClass: string): { state: OptimizerStateDict; globalStep: number } | null {
  const file = optimizerStatePath(path);
  if (!existsSync(file)) return null;
  let bytes: Uint8Array;
  let meta: Record<string, string> | null;
  let tensors: Record<string, Tensor>;
  try {
    bytes = readFileSync(file);
    meta = loadSafetensorsMetadata(bytes, file);
    tensors = loadSafetensors(bytes, file);
  } catch (e) {
    throw new CliError(`cannot read optimizer state '${file}': ${(e as Error).message}`);
  }
  if (!meta || meta.optimizer !== optimizerClass) return null;
  const state: Record<number, Record<string, unknown>> = {};
  for (const [i, values] of Object.entries(JSON.parse(meta.state_values ?? "{}") as Record<string, Record<string, unknown>>)) {
    state[Number(i)] = { ...values };
  }
  for (const [key, t] of Object.entries(tensors)) {
    const m = /^state\.(\d+)\.(.+)$/.exec(key);
    if (m) (state[Number(m[1])] ??= {})[m[2]] = t;
  }
  return { state: { state, param_groups: JSON.parse(meta.param_groups ?? "[]") }, globalStep: Number(meta.global_step ?? NaN) };
}
