/**
 * PyTorch's `torch.utils.tensorboard.summary` functions: each builds the `Summary` that a `SummaryWriter`
 * method wraps in an `Event`. Same tags, same value kinds, same plugin metadata, so TensorBoard (and any tool
 * that reads PyTorch's runs) sees identical data.
 */
import { Tensor } from "../tensor.js";
import { pngInfo } from "../vision/png.js";
import { encodeHParamsPluginData, type HParamInfo, type StructValue } from "./hparams.js";
import { type HistogramBins, makeHistogram } from "./histogram.js";
import { describe, makeImage } from "./image.js";
import { computeCurve, MAX_PR_THRESHOLDS } from "./pr-curve.js";
import type { Init, Summary, SummaryValue } from "./messages.js";
import { ProtoWriter, utf8 } from "./protobuf.js";
import { HParamDataType, HParamStatus, HPARAMS, PrCurvePluginDataField, TFDataType } from "./schema.js";

/** Something that holds numbers: a Tensor, a number or boolean, or an (optionally nested) array of numbers. */
export type NumericLike = Tensor | number | boolean | ArrayLike<number> | readonly NumericLike[];

/** The values of `x` flattened to float64 (`make_np(x).astype(float).reshape(-1)`). */
export function toFloat64(op: string, x: NumericLike): Float64Array {
  if (x instanceof Tensor) return Float64Array.from(x.toTypedArray());
  if (typeof x === "number") return Float64Array.of(x);
  if (typeof x === "boolean") return Float64Array.of(x ? 1 : 0);
  if (ArrayBuffer.isView(x) && !(x instanceof DataView)) return Float64Array.from(x as unknown as ArrayLike<number>);
  if (Array.isArray(x)) {
    const flat = (x as unknown[]).flat(Infinity);
    for (const v of flat) {
      if (typeof v !== "number" && typeof v !== "boolean") throw new TypeError(`${op}: expected numbers, got an array holding ${describe(v)}`);
    }
    return Float64Array.from(flat as number[]);
  }
  throw new TypeError(`${op}: expected a Tensor, a number or an array of numbers, got ${describe(x)}`);
}

/** `float(make_np(value).squeeze())`: the one element of a number, boolean, one-element array or Tensor. */
export function scalarValue(op: string, value: NumericLike): number {
  if (typeof value === "number") return value;
  if (typeof value === "boolean") return value ? 1 : 0;
  const shape = value instanceof Tensor ? value.shape : null;
  const flat = toFloat64(op, value);
  if (flat.length !== 1) {
    const ndim = shape ? shape.filter((d) => d !== 1).length : 1;
    throw new Error(`${op}: Tensor should contain one element (0 dimensions). Was given size: ${flat.length} and ${ndim} dimensions.`);
  }
  return flat[0];
}

/**
 * `summary.scalar`: `simple_value` (a float32, as TensorBoard stores scalars), or with `newStyle` a
 * `TensorProto` (DT_FLOAT, or DT_DOUBLE with `doublePrecision`) under the "scalars" plugin.
 */
export function scalar(name: string, value: NumericLike, options: { newStyle?: boolean; doublePrecision?: boolean } = {}): Init<Summary> {
  const v = scalarValue("addScalar", value);
  if (!options.newStyle) return { value: [{ tag: name, simpleValue: v }] };
  const tensor = options.doublePrecision ? { dtype: TFDataType.DT_DOUBLE, doubleVal: [v] } : { dtype: TFDataType.DT_FLOAT, floatVal: [v] };
  return { value: [{ tag: name, tensor, metadata: { pluginData: { pluginName: "scalars" } } }] };
}

/** `summary.histogram`: the values' histogram as an old-style `histo` (see `makeHistogram`). */
export function histogram(name: string, values: NumericLike, bins: HistogramBins = "tensorflow", maxBins?: number | null): Init<Summary> {
  const histo = makeHistogram(toFloat64("addHistogram", values), bins, maxBins, "addHistogram");
  return { value: [{ tag: name, histo }] };
}

/** `summary.histogram_raw`: a histogram from precomputed statistics (`bucketLimits` are right edges). */
export function histogramRaw(
  name: string,
  min: number,
  max: number,
  num: number,
  sum: number,
  sumSquares: number,
  bucketLimits: NumericLike,
  bucketCounts: NumericLike,
): Init<Summary> {
  const limits = Array.from(toFloat64("addHistogramRaw", bucketLimits));
  const counts = Array.from(toFloat64("addHistogramRaw", bucketCounts));
  if (limits.length !== counts.length) {
    throw new Error(`addHistogramRaw: len(bucket_limits) != len(bucket_counts), see the document (got ${limits.length} and ${counts.length})`);
  }
  return { value: [{ tag: name, histo: { min, max, num, sum, sumSquares, bucketLimit: limits, bucket: counts } }] };
}

/** `summary.image`: a tensor laid out as `dataformats` → grid (4-D) → scaled → PNG. */
export function image(tag: string, tensor: Tensor, dataformats = "NCHW", op = "addImages"): Init<Summary> {
  return { value: [{ tag, image: makeImage(op, tensor, dataformats, tag) }] };
}

const PNG_COLORSPACE: Record<number, number> = { 0: 1, 2: 3, 3: 3, 4: 2, 6: 4 };

/** An already-encoded PNG as a `Summary.Image` (size and colorspace read from its header). */
export function encodedImage(tag: string, png: Uint8Array): Init<Summary> {
  if (!(png instanceof Uint8Array)) throw new TypeError(`addEncodedImage: expected PNG bytes (a Uint8Array), got ${describe(png)}`);
  let info;
  try {
    info = pngInfo(png);
  } catch (e) {
    throw new Error(`addEncodedImage: ${(e as Error).message.replace(/^decodePng: /, "")}`);
  }
  const colorspace = PNG_COLORSPACE[info.colorType];
  if (colorspace === undefined) throw new Error(`addEncodedImage: invalid PNG color type ${info.colorType}`);
  return { value: [{ tag, image: { height: info.height, width: info.width, colorspace, encodedImageString: png } }] };
}

/**
 * `summary.text`: the text plugin's encoding — tag `<tag>/text_summary`, plugin "text" (empty
 * `TextPluginData`, version 0), a DT_STRING tensor of shape [1] holding the UTF-8 bytes.
 */
export function text(tag: string, textString: string): Init<Summary> {
  if (typeof textString !== "string") throw new TypeError(`addText: text_string must be a string, got ${describe(textString)}`);
  return {
    value: [
      {
        tag: `${tag}/text_summary`,
        metadata: { pluginData: { pluginName: "text", content: new Uint8Array(0) } },
        tensor: { dtype: TFDataType.DT_STRING, tensorShape: { dim: [{ size: 1 }] }, stringVal: [utf8(textString)] },
      },
    ],
  };
}

/** A hyperparameter value as `add_hparams` takes it; `null`/`undefined` entries are skipped (Python's None). */
export type HParamValue = number | string | boolean | Tensor | null | undefined;

function pluginSummary(tag: string, content: Uint8Array): Init<Summary> {
  const v: Init<SummaryValue> = { tag, metadata: { pluginData: { pluginName: HPARAMS.PLUGIN_NAME, content } } };
  return { value: [v] };
}

/**
 * `summary.hparams`: the three summaries of the hparams plugin — the experiment (hparam and metric names),
 * the session start info (the values) and the session end info (STATUS_SUCCESS).
 */
export function hparams(
  hparamDict: Record<string, HParamValue>,
  metricDict: Record<string, unknown>,
  hparamDomainDiscrete?: Record<string, readonly (number | string | boolean)[]> | null,
): [Init<Summary>, Init<Summary>, Init<Summary>] {
  const isDict = (d: unknown): boolean => typeof d === "object" && d !== null && !Array.isArray(d) && !(d instanceof Tensor);
  if (!isDict(hparamDict)) throw new TypeError("addHparams: parameter: hparam_dict should be a dictionary, nothing logged.");
  if (!isDict(metricDict)) throw new TypeError("addHparams: parameter: metric_dict should be a dictionary, nothing logged.");
  const domains = hparamDomainDiscrete ?? {};
  if (!isDict(domains)) throw new TypeError("addHparams: parameter: hparam_domain_discrete should be a dictionary, nothing logged.");
  for (const [k, v] of Object.entries(domains)) {
    const hv = hparamDict[k];
    if (!(k in hparamDict) || !Array.isArray(v) || !v.every((d) => typeof d === typeof hv)) {
      throw new TypeError(`addHparams: parameter: hparam_domain_discrete[${k}] should be a list of same type as hparam_dict[${k}].`);
    }
  }
  const hps: Partial<HParamInfo>[] = [];
  const values: Record<string, StructValue> = {};
  for (const [k, v] of Object.entries(hparamDict)) {
    if (v === null || v === undefined) continue;
    // PyTorch tests `isinstance(v, int)` before `bool`, and Python's bools are ints: booleans are logged as
    // numbers 0/1 of type FLOAT64. Kept so runs from both libraries compare equal.
    if (typeof v === "number" || typeof v === "boolean") {
      values[k] = { numberValue: Number(v) };
      const dd = domains[k];
      hps.push({ name: k, type: HParamDataType.DATA_TYPE_FLOAT64, domainDiscrete: dd ? dd.map((d) => ({ numberValue: Number(d) })) : undefined });
    } else if (typeof v === "string") {
      values[k] = { stringValue: v };
      const dd = domains[k];
      hps.push({ name: k, type: HParamDataType.DATA_TYPE_STRING, domainDiscrete: dd ? dd.map((d) => ({ stringValue: String(d) })) : undefined });
    } else if (v instanceof Tensor) {
      const flat = toFloat64("addHparams", v);
      if (flat.length === 0) throw new Error(`addHparams: hparam '${k}' is an empty Tensor`);
      values[k] = { numberValue: flat[0] };
      hps.push({ name: k, type: HParamDataType.DATA_TYPE_FLOAT64 });
    } else {
      throw new Error(`addHparams: value should be one of int, float, str, bool, or torch.Tensor (hparam '${k}' is ${describe(v)})`);
    }
  }
  const version = HPARAMS.PLUGIN_DATA_VERSION;
  const ssi = pluginSummary(HPARAMS.SESSION_START_INFO_TAG, encodeHParamsPluginData({ version, sessionStartInfo: { hparams: values } }));
  const metricInfos = Object.keys(metricDict).map((tag) => ({ name: { group: "", tag } }));
  const exp = pluginSummary(HPARAMS.EXPERIMENT_TAG, encodeHParamsPluginData({ version, experiment: { hparamInfos: hps, metricInfos } }));
  const sei = pluginSummary(
    HPARAMS.SESSION_END_INFO_TAG,
    encodeHParamsPluginData({ version, sessionEndInfo: { status: HParamStatus.STATUS_SUCCESS } }),
  );
  return [exp, ssi, sei];
}

function checkThresholds(op: string, numThresholds: number): number {
  if (typeof numThresholds !== "number" || !Number.isInteger(numThresholds) || numThresholds < 1) {
    throw new Error(`${op}: num_thresholds must be a positive integer, got ${typeof numThresholds === "number" ? numThresholds : describe(numThresholds)}`);
  }
  return Math.min(numThresholds, MAX_PR_THRESHOLDS);
}

/** The pr_curves summary: plugin data `PrCurvePluginData{version: 0, num_thresholds}`, a DT_FLOAT tensor [6, T]. */
function prCurveSummary(tag: string, rows: ArrayLike<number>[], numThresholds: number): Init<Summary> {
  const content = new ProtoWriter().uint(PrCurvePluginDataField.numThresholds, numThresholds).finish();
  const floatVal = rows.flatMap((r) => Array.from(r));
  return {
    value: [
      {
        tag,
        metadata: { pluginData: { pluginName: "pr_curves", content } },
        tensor: { dtype: TFDataType.DT_FLOAT, floatVal, tensorShape: { dim: [{ size: rows.length }, { size: rows[0]?.length ?? 0 }] } },
      },
    ],
  };
}

/**
 * `summary.pr_curve`: a precision-recall curve of binary `labels` against `predictions` in [0, 1] at
 * `numThresholds` (at most 127) thresholds, for TensorBoard's pr_curves plugin (see `computeCurve`).
 */
export function prCurve(tag: string, labels: NumericLike, predictions: NumericLike, numThresholds = MAX_PR_THRESHOLDS, weights?: NumericLike | null): Init<Summary> {
  const op = "addPrCurve";
  const n = checkThresholds(op, numThresholds);
  const f32 = (predictions instanceof Tensor && predictions.dtype === "float32") || predictions instanceof Float32Array;
  const w = weights === null || weights === undefined ? 1 : typeof weights === "number" ? weights : toFloat64(op, weights);
  const rows = computeCurve(toFloat64(op, labels), toFloat64(op, predictions), n, w, f32, op);
  return prCurveSummary(tag, rows, n);
}

/**
 * `summary.pr_curve_raw`: a PR curve from precomputed counts, each argument one value per threshold.
 * `numThresholds` (at most 127) is only recorded in the plugin data, as PyTorch does.
 */
export function prCurveRaw(
  tag: string,
  truePositiveCounts: NumericLike,
  falsePositiveCounts: NumericLike,
  trueNegativeCounts: NumericLike,
  falseNegativeCounts: NumericLike,
  precision: NumericLike,
  recall: NumericLike,
  numThresholds = MAX_PR_THRESHOLDS,
): Init<Summary> {
  const op = "addPrCurveRaw";
  const n = checkThresholds(op, numThresholds);
  const names = ["true_positive_counts", "false_positive_counts", "true_negative_counts", "false_negative_counts", "precision", "recall"];
  const rows = [truePositiveCounts, falsePositiveCounts, trueNegativeCounts, falseNegativeCounts, precision, recall].map((x) => toFloat64(op, x));
  rows.forEach((r, i) => {
    if (r.length !== rows[0].length) {
      throw new Error(`${op}: all input arrays must have the same shape: ${names[0]} has ${rows[0].length} values, ${names[i]} ${r.length}`);
    }
  });
  return prCurveSummary(tag, rows, n);
}
