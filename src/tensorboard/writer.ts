/**
 * `SummaryWriter`: PyTorch's `torch.utils.tensorboard.SummaryWriter` for torch-ts (Node-only).
 */
import { hostname } from "node:os";
import { join } from "node:path";
import type { Tensor } from "../tensor.js";
import type { Module } from "../nn/module.js";
import { EventFileWriter, wallTimeNow } from "./event-file-writer.js";
import { encodeGraphDef, encodeRunMetadata, moduleGraph } from "./graph.js";
import type { HistogramBins } from "./histogram.js";
import { describe } from "./image.js";
import type { Event, Init, Summary } from "./messages.js";
import { FILE_VERSION, SessionStatus } from "./schema.js";
import * as summary from "./summary.js";
import type { HParamValue, NumericLike } from "./summary.js";

/** Options of `new SummaryWriter(logDir?, options)` (PyTorch's keyword arguments). */
export interface SummaryWriterOptions {
  /** Directory of the run; also accepted as the first argument. Default `runs/<%b%d_%H-%M-%S>_<hostname><comment>`. */
  logDir?: string;
  /** Appended to the default log directory name (ignored when a log directory is given). */
  comment?: string;
  /**
   * Resume a crashed run: events with step ≥ `purgeStep` already in the log directory are hidden by
   * TensorBoard (written as PyTorch does: a `file_version` event and a `SessionLog.START`, both at that step).
   */
  purgeStep?: number | null;
  /** Pending events that trigger a write (default 10). */
  maxQueue?: number;
  /** Seconds between periodic flushes (default 120). */
  flushSecs?: number;
  /** Suffix of every event file name (default ""). */
  filenameSuffix?: string;
}

/** The keyword arguments shared by the `add*` methods; a plain number in their place is `walltime`. */
export interface AddOptions {
  /** Seconds since the epoch recorded with the event (default: now). */
  walltime?: number | null;
}

export interface ScalarOptions extends AddOptions {
  /** Write a `TensorProto` under the "scalars" plugin instead of `simple_value` (default false). */
  newStyle?: boolean;
  /** With `newStyle`, store a DT_DOUBLE instead of a DT_FLOAT (default false). */
  doublePrecision?: boolean;
}

export interface HistogramOptions extends AddOptions {
  /** 'tensorflow' (default: PyTorch's 1549 exponential edges), a numpy estimator name, a bin count, or edges. */
  bins?: HistogramBins;
  /** Merge adjacent bins until at most this many remain (PyTorch's `max_bins`). */
  maxBins?: number | null;
}

export interface ImageOptions extends AddOptions {
  /** Layout of the tensor: 'CHW' (addImage default), 'HWC', 'HW', or 'NCHW' (addImages default), 'NHWC'. */
  dataformats?: string;
}

export interface PrCurveOptions extends AddOptions {
  /** Thresholds of the curve, at most 127 (default 127). */
  numThresholds?: number;
  /** Weight of each example (one number, or one per label; default 1). */
  weights?: NumericLike | null;
}

export interface HparamsOptions {
  /** For each hparam, every value it can take (shown as a discrete domain by the hparams plugin). */
  hparamDomainDiscrete?: Record<string, readonly (number | string | boolean)[]> | null;
  /** Sub-directory of the run for these hparams (default: the current time in seconds, as `str(time.time())`). */
  runName?: string | null;
}

type Step = number | null | undefined;

function splitOptions<T extends AddOptions>(x: number | T | null | undefined): T {
  if (x === null || x === undefined) return {} as T;
  if (typeof x === "number") return { walltime: x } as T;
  return x;
}

const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
const pad2 = (n: number): string => String(n).padStart(2, "0");

/** PyTorch's default run directory: `runs/` + `strftime('%b%d_%H-%M-%S')` (local time) + `_<hostname><comment>`. */
export function defaultLogDir(comment = "", now: Date = new Date()): string {
  const stamp = `${MONTHS[now.getMonth()]}${pad2(now.getDate())}_${pad2(now.getHours())}-${pad2(now.getMinutes())}-${pad2(now.getSeconds())}`;
  return join("runs", `${stamp}_${hostname()}${comment}`);
}

function checkTag(op: string, tag: unknown): string {
  if (typeof tag !== "string") throw new TypeError(`${op}: tag must be a string, got ${describe(tag)}`);
  return tag;
}

/**
 * Writes TensorBoard event files, as `torch.utils.tensorboard.SummaryWriter`: same directory and file names,
 * same records, readable by TensorBoard and by `readEvents`.
 *
 * Events are buffered and written every `maxQueue` events, every `flushSecs` seconds, on `flush()`, on
 * `close()` and when the process exits normally. After `close()`, a further `add*` call opens a new event
 * file (as PyTorch's writer does).
 *
 * @example
 * const writer = new SummaryWriter("runs/exp1");
 * for (let step = 0; step < 100; step++) writer.addScalar("loss", 1 / (step + 1), step);
 * writer.close();
 */
export class SummaryWriter {
  readonly logDir: string;
  private purgeStep: number | null;
  readonly maxQueue: number;
  readonly flushSecs: number;
  readonly filenameSuffix: string;
  private fileWriter: EventFileWriter | null = null;
  private allWriters: Map<string, EventFileWriter> | null = null;
  private lastEventFile = "";

  constructor(logDir?: string | SummaryWriterOptions | null, options: SummaryWriterOptions = {}) {
    if (logDir !== null && typeof logDir === "object") {
      options = logDir;
      logDir = options.logDir;
    }
    if (logDir !== undefined && logDir !== null && typeof logDir !== "string") {
      throw new TypeError(`SummaryWriter: log_dir must be a string, got ${describe(logDir)}`);
    }
    this.logDir = logDir ? logDir : defaultLogDir(options.comment ?? "");
    this.purgeStep = options.purgeStep ?? null;
    this.maxQueue = options.maxQueue ?? 10;
    this.flushSecs = options.flushSecs ?? 120;
    this.filenameSuffix = options.filenameSuffix ?? "";
    this.getFileWriter();
  }

  /** The run directory. */
  getLogdir(): string {
    return this.logDir;
  }

  /** The main event file's path (the last one after `close()`; sub-runs of `addScalars`/`addHparams` have their own). */
  get eventFilePath(): string {
    return this.fileWriter?.path ?? this.lastEventFile;
  }

  /** The default writer, reopened (new file) if the writer was closed. */
  private getFileWriter(): EventFileWriter {
    if (this.allWriters === null || this.fileWriter === null) {
      this.fileWriter = new EventFileWriter(this.logDir, this.writerOptions());
      this.lastEventFile = this.fileWriter.path;
      this.allWriters = new Map([[this.fileWriter.getLogdir(), this.fileWriter]]);
      if (this.purgeStep !== null) {
        const step = toStep("SummaryWriter", this.purgeStep);
        this.fileWriter.addEvent({ wallTime: wallTimeNow(), step, fileVersion: FILE_VERSION });
        this.fileWriter.addEvent({ wallTime: wallTimeNow(), step, sessionLog: { status: SessionStatus.START } });
        this.purgeStep = null;
      }
    }
    return this.fileWriter;
  }

  private writerOptions(): { maxQueue: number; flushSecs: number; filenameSuffix: string } {
    return { maxQueue: this.maxQueue, flushSecs: this.flushSecs, filenameSuffix: this.filenameSuffix };
  }

  private addSummary(writer: EventFileWriter, s: Init<Summary>, globalStep: Step, walltime: number | null | undefined, op: string): void {
    const event: Init<Event> = { wallTime: walltime ?? wallTimeNow(), summary: s };
    if (globalStep !== null && globalStep !== undefined) event.step = toStep(op, globalStep);
    writer.addEvent(event);
  }

  /**
   * Logs one scalar (`simple_value`, a float32; NaN and ±Infinity are written as such).
   *
   * @param value a number, boolean, or one-element Tensor/array.
   * @param walltimeOrOptions walltime in seconds, or `{walltime, newStyle, doublePrecision}`.
   */
  addScalar(tag: string, value: NumericLike, globalStep?: Step, walltimeOrOptions?: number | ScalarOptions | null): void {
    checkTag("addScalar", tag);
    const o = splitOptions<ScalarOptions>(walltimeOrOptions);
    const s = summary.scalar(tag, value, { newStyle: o.newStyle, doublePrecision: o.doublePrecision });
    this.addSummary(this.getFileWriter(), s, globalStep, o.walltime, "addScalar");
  }

  /**
   * Logs several scalars in one chart: each `tag` goes to its own sub-run `<logDir>/<mainTag>_<tag>` (with
   * "/" in `mainTag` replaced by "_"), under the tag `mainTag` — PyTorch's layout.
   */
  addScalars(mainTag: string, tagScalarDict: Record<string, NumericLike>, globalStep?: Step, walltimeOrOptions?: number | AddOptions | null): void {
    checkTag("addScalars", mainTag);
    if (typeof tagScalarDict !== "object" || tagScalarDict === null) {
      throw new TypeError(`addScalars: tag_scalar_dict must be an object of tag → value, got ${describe(tagScalarDict)}`);
    }
    const walltime = splitOptions<AddOptions>(walltimeOrOptions).walltime ?? wallTimeNow();
    const fwLogdir = this.getFileWriter().getLogdir();
    for (const [tag, value] of Object.entries(tagScalarDict)) {
      const fwTag = `${fwLogdir}/${mainTag.replaceAll("/", "_")}_${tag}`;
      let fw = this.allWriters!.get(fwTag);
      if (!fw) {
        fw = new EventFileWriter(fwTag, this.writerOptions(), "addScalars");
        this.allWriters!.set(fwTag, fw);
      }
      this.addSummary(fw, summary.scalar(mainTag, value), globalStep, walltime, "addScalars");
    }
  }

  /** Logs a histogram of `values` (see `HistogramOptions.bins`; non-finite values fall outside every bin). */
  addHistogram(tag: string, values: NumericLike, globalStep?: Step, walltimeOrOptions?: number | HistogramOptions | null): void {
    checkTag("addHistogram", tag);
    const o = splitOptions<HistogramOptions>(walltimeOrOptions);
    const s = summary.histogram(tag, values, o.bins ?? "tensorflow", o.maxBins);
    this.addSummary(this.getFileWriter(), s, globalStep, o.walltime, "addHistogram");
  }

  /** Logs a histogram from precomputed statistics; `bucketLimits[i]` is the right edge of bucket i. */
  addHistogramRaw(
    tag: string,
    min: number,
    max: number,
    num: number,
    sum: number,
    sumSquares: number,
    bucketLimits: NumericLike,
    bucketCounts: NumericLike,
    globalStep?: Step,
    walltime?: number | null,
  ): void {
    checkTag("addHistogramRaw", tag);
    const s = summary.histogramRaw(tag, min, max, num, sum, sumSquares, bucketLimits, bucketCounts);
    this.addSummary(this.getFileWriter(), s, globalStep, walltime, "addHistogramRaw");
  }

  /**
   * Logs one image. uint8 tensors are taken as 0–255, every other dtype as 0–1 (scaled by 255, clipped,
   * truncated). 1-channel images become RGB; 2 (gray+alpha), 3 (RGB) and 4 (RGBA) channels are kept.
   *
   * Shape: `[C, H, W]` (default 'CHW'), `[H, W, C]` ('HWC') or `[H, W]` ('HW'), C ∈ {1, 2, 3, 4}.
   */
  addImage(tag: string, img: Tensor, globalStep?: Step, walltimeOrOptions?: number | ImageOptions | null): void {
    checkTag("addImage", tag);
    const o = splitOptions<ImageOptions>(walltimeOrOptions);
    const s = summary.image(tag, img, o.dataformats ?? "CHW", "addImage");
    this.addSummary(this.getFileWriter(), s, globalStep, o.walltime, "addImage");
  }

  /**
   * Logs a batch of images as one grid, as PyTorch does: `min(N, 8)` columns, no padding, black fill.
   *
   * Shape: `[N, C, H, W]` (default 'NCHW') or `[N, H, W, C]` ('NHWC'), C ∈ {1, 3}.
   */
  addImages(tag: string, imgs: Tensor, globalStep?: Step, walltimeOrOptions?: number | ImageOptions | null): void {
    checkTag("addImages", tag);
    const o = splitOptions<ImageOptions>(walltimeOrOptions);
    const s = summary.image(tag, imgs, o.dataformats ?? "NCHW", "addImages");
    this.addSummary(this.getFileWriter(), s, globalStep, o.walltime, "addImages");
  }

  /** Logs an already-encoded PNG (a rendered figure, a saved image) as is. */
  addEncodedImage(tag: string, png: Uint8Array, globalStep?: Step, walltime?: number | null): void {
    checkTag("addEncodedImage", tag);
    this.addSummary(this.getFileWriter(), summary.encodedImage(tag, png), globalStep, walltime, "addEncodedImage");
  }

  /** Logs text (rendered as Markdown by TensorBoard) under `<tag>/text_summary`. */
  addText(tag: string, textString: string, globalStep?: Step, walltime?: number | null): void {
    checkTag("addText", tag);
    this.addSummary(this.getFileWriter(), summary.text(tag, textString), globalStep, walltime, "addText");
  }

  /**
   * Logs a precision-recall curve for TensorBoard's pr_curves plugin: `labels` are the ground truth (0/1 or
   * booleans), `predictions` the probabilities in [0, 1] that each example is positive (others are left out).
   * A plain number in place of the options is `numThresholds`, PyTorch's next positional argument.
   *
   * @example
   * writer.addPrCurve("pr/cat", tensor([1, 0, 1, 1]), tensor([0.9, 0.4, 0.6, 0.2]), epoch);
   */
  addPrCurve(tag: string, labels: NumericLike, predictions: NumericLike, globalStep?: Step, numThresholdsOrOptions?: number | PrCurveOptions | null): void {
    checkTag("addPrCurve", tag);
    const o: PrCurveOptions = typeof numThresholdsOrOptions === "number" ? { numThresholds: numThresholdsOrOptions } : (numThresholdsOrOptions ?? {});
    const s = summary.prCurve(tag, labels, predictions, o.numThresholds, o.weights);
    this.addSummary(this.getFileWriter(), s, globalStep, o.walltime, "addPrCurve");
  }

  /** Logs a precision-recall curve from precomputed counts (one value per threshold in every argument). */
  addPrCurveRaw(
    tag: string,
    truePositiveCounts: NumericLike,
    falsePositiveCounts: NumericLike,
    trueNegativeCounts: NumericLike,
    falseNegativeCounts: NumericLike,
    precision: NumericLike,
    recall: NumericLike,
    globalStep?: Step,
    numThresholdsOrOptions?: number | Omit<PrCurveOptions, "weights"> | null,
  ): void {
    checkTag("addPrCurveRaw", tag);
    const o = typeof numThresholdsOrOptions === "number" ? { numThresholds: numThresholdsOrOptions } : (numThresholdsOrOptions ?? {});
    const s = summary.prCurveRaw(tag, truePositiveCounts, falsePositiveCounts, trueNegativeCounts, falseNegativeCounts, precision, recall, o.numThresholds);
    this.addSummary(this.getFileWriter(), s, globalStep, o.walltime, "addPrCurveRaw");
  }

  /**
   * Logs the model's graph for TensorBoard's graph plugin, as PyTorch does (a `graph_def` event, then the run
   * metadata tagged "step1"): the model runs once on `inputToModel` in eval mode, and each leaf module call
   * becomes a node named by its scope (`Net/Sequential[features]/Conv2d[0]`) with its output shape. PyTorch
   * traces aten ops inside the modules too; torch-ts has no tracer, so its nodes are the modules.
   *
   * @example
   * writer.addGraph(new nn.Sequential(new nn.Conv2d(1, 6, 5), new nn.ReLU()), torch.zeros(1, 1, 28, 28));
   */
  addGraph(model: Module, inputToModel: Tensor | readonly Tensor[], options: { verbose?: boolean; walltime?: number | null } = {}): void {
    if (typeof (model as { namedModules?: unknown } | null)?.namedModules !== "function") {
      throw new TypeError(`addGraph: model must be an nn.Module, got ${describe(model)}`);
    }
    const inputs = Array.isArray(inputToModel) ? (inputToModel as readonly Tensor[]) : [inputToModel as Tensor];
    const nodes = moduleGraph(model, inputs);
    if (options.verbose) {
      for (const n of nodes) process.stdout.write(`${n.name} = ${n.op}(${n.inputs.join(", ")})${n.outputShape ? ` : [${n.outputShape.join(", ")}]` : ""}\n`);
    }
    const fw = this.getFileWriter();
    const wallTime = options.walltime ?? wallTimeNow();
    fw.addEvent({ wallTime, graphDef: encodeGraphDef(nodes) });
    fw.addEvent({ wallTime, taggedRunMetadata: { tag: "step1", runMetadata: encodeRunMetadata() } });
  }

  /**
   * Logs hyperparameters and their final metrics for the hparams plugin. As PyTorch: writes to a new sub-run
   * `<logDir>/<runName>` the experiment, session start and session end summaries, then each metric as a
   * scalar without a step.
   */
  addHparams(hparamDict: Record<string, HParamValue>, metricDict: Record<string, NumericLike>, options: HparamsOptions = {}): void {
    const [exp, ssi, sei] = summary.hparams(hparamDict, metricDict, options.hparamDomainDiscrete);
    const runName = options.runName ? options.runName : String(wallTimeNow());
    const logdir = join(this.getFileWriter().getLogdir(), runName);
    const w = new SummaryWriter(logdir);
    try {
      const fw = w.getFileWriter();
      for (const s of [exp, ssi, sei]) w.addSummary(fw, s, null, null, "addHparams");
      for (const [k, v] of Object.entries(metricDict)) w.addScalar(k, v);
    } finally {
      w.close();
    }
  }

  /** Writes every pending event of this writer and its sub-runs to disk. */
  flush(): void {
    if (this.allWriters === null) return;
    for (const w of this.allWriters.values()) w.flush();
  }

  /** `using writer = new SummaryWriter(...)` closes it at the end of the block, as Python's `with SummaryWriter() as w:`. */
  [Symbol.dispose](): void {
    this.close();
  }

  /** Flushes and closes every event file. A later `add*` call opens a new one. */
  close(): void {
    if (this.allWriters === null) return;
    let first: unknown = null;
    for (const w of this.allWriters.values()) {
      try {
        w.close();
      } catch (e) {
        first ??= e;
      }
    }
    this.fileWriter = null;
    this.allWriters = null;
    if (first !== null) throw first;
  }
}

/** `int(step)`: truncation toward zero; NaN and ±Infinity are errors (as in Python). */
function toStep(op: string, step: number): number {
  if (typeof step !== "number") throw new TypeError(`${op}: global_step must be a number, got ${describe(step)}`);
  if (!Number.isFinite(step)) throw new Error(`${op}: cannot convert float ${step} to integer (global_step)`);
  const s = Math.trunc(step);
  if (!Number.isSafeInteger(s)) throw new RangeError(`${op}: global_step ${step} is beyond 2^53`);
  return s;
}
