/**
 * `torch-ts/tensorboard`: PyTorch's `torch.utils.tensorboard` (a `SummaryWriter` whose event files TensorBoard
 * reads) plus a reader for event files. Node-only (file system, process exit hook): import it as
 * `import { SummaryWriter } from "torch-ts/tensorboard"`; the core entry point does not load it.
 */
export { SummaryWriter, defaultLogDir } from "./writer.js";
export type { AddOptions, HistogramOptions, HparamsOptions, ImageOptions, PrCurveOptions, ScalarOptions, SummaryWriterOptions } from "./writer.js";
export { EventFileWriter, WRITER_NAME } from "./event-file-writer.js";
export type { EventFileWriterOptions } from "./event-file-writer.js";
export { readEvents, parseEventFile, findEventFiles, tensorProtoValues } from "./reader.js";
export type { EventFileContents, ReadEvent } from "./reader.js";
export { EventFileError, frameRecord, splitRecords, RECORD_OVERHEAD } from "./record.js";
export type { RawRecord, RecordProblem } from "./record.js";
export { crc32c, maskCrc, unmaskCrc, maskedCrc32c } from "./crc32c.js";
export { ProtoReader, ProtoWriter, ProtoDecodeError, WireType } from "./protobuf.js";
export { encodeEvent, decodeEvent, encodeSummary, decodeSummary } from "./messages.js";
export type {
  Event,
  HistogramProto,
  Init,
  PluginData,
  SessionLog,
  Summary,
  SummaryAudio,
  SummaryImage,
  SummaryMetadata,
  SummaryValue,
  TensorProto,
  TensorShapeProto,
} from "./messages.js";
export { decodeHParamsPluginData, encodeHParamsPluginData } from "./hparams.js";
export type { Experiment, HParamInfo, HParamsPluginData, MetricInfo, SessionEndInfo, SessionStartInfo, StructValue } from "./hparams.js";
export { defaultBins, makeHistogram, numpyHistogram } from "./histogram.js";
export type { HistogramBins } from "./histogram.js";
export { computeCurve, MAX_PR_THRESHOLDS } from "./pr-curve.js";
export { encodeGraphDef, encodeRunMetadata, GRAPH_PRODUCER, moduleGraph } from "./graph.js";
export type { GraphNode } from "./graph.js";
export * as summary from "./summary.js";
export type { HParamValue, NumericLike } from "./summary.js";
export * from "./schema.js";
