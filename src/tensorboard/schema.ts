/**
 * Field numbers and enum values of the TensorBoard protos that event files use (package `tensorboard`,
 * tensorflow/tensorboard `tensorboard/compat/proto/{event,summary,histogram,tensor,tensor_shape,types}.proto`,
 * `tensorboard/plugins/hparams/{api,plugin_data}.proto`, `tensorboard/plugins/text/plugin_data.proto`, and
 * `google/protobuf/struct.proto`). These numbers are the file format: never renumber.
 */

/** `Event` (event.proto). `fileVersion` … `metaGraphDef` form the oneof `what`. */
export const EventField = {
  wallTime: 1, // double
  step: 2, // int64
  fileVersion: 3, // string, "brain.Event:2"
  graphDef: 4, // bytes
  summary: 5, // Summary
  logMessage: 6, // LogMessage (deprecated)
  sessionLog: 7, // SessionLog
  taggedRunMetadata: 8, // TaggedRunMetadata
  metaGraphDef: 9, // bytes
  sourceMetadata: 10, // SourceMetadata
} as const;

/** `SourceMetadata` (event.proto). */
export const SourceMetadataField = { writer: 1 } as const;

/** `SessionLog` (event.proto). */
export const SessionLogField = { status: 1, checkpointPath: 2, msg: 3 } as const;

/** `SessionLog.SessionStatus`. */
export const SessionStatus = { STATUS_UNSPECIFIED: 0, START: 1, STOP: 2, CHECKPOINT: 3 } as const;

/** `LogMessage` (event.proto, deprecated). */
export const LogMessageField = { level: 1, message: 2 } as const;

/** `TaggedRunMetadata` (event.proto). */
export const TaggedRunMetadataField = { tag: 1, runMetadata: 2 } as const;

/** `Summary` (summary.proto). */
export const SummaryField = { value: 1 } as const;

/** `Summary.Value`; `simpleValue` … `tensor` form the oneof `value`. */
export const SummaryValueField = {
  tag: 1, // string
  simpleValue: 2, // float (fixed32)
  obsoleteOldStyleHistogram: 3, // bytes
  image: 4, // Summary.Image
  histo: 5, // HistogramProto
  audio: 6, // Summary.Audio
  nodeName: 7, // string (deprecated)
  tensor: 8, // TensorProto
  metadata: 9, // SummaryMetadata
} as const;

/** `Summary.Image`. */
export const SummaryImageField = { height: 1, width: 2, colorspace: 3, encodedImageString: 4 } as const;

/** `Summary.Image.colorspace` values (the channel count of the encoded image, except 5 and 6). */
export const Colorspace = { GRAY: 1, GRAY_ALPHA: 2, RGB: 3, RGBA: 4, DIGITAL_YUV: 5, BGRA: 6 } as const;

/** `Summary.Audio`. */
export const SummaryAudioField = { sampleRate: 1, numChannels: 2, lengthFrames: 3, encodedAudioString: 4, contentType: 5 } as const;

/** `SummaryMetadata`. */
export const SummaryMetadataField = { pluginData: 1, displayName: 2, summaryDescription: 3, dataClass: 4 } as const;

/** `SummaryMetadata.PluginData`. */
export const PluginDataField = { pluginName: 1, content: 2 } as const;

/** `DataClass`. */
export const DataClass = { DATA_CLASS_UNKNOWN: 0, DATA_CLASS_SCALAR: 1, DATA_CLASS_TENSOR: 2, DATA_CLASS_BLOB_SEQUENCE: 3 } as const;

/** `HistogramProto` (histogram.proto). Bucket i covers (bucketLimit[i-1], bucketLimit[i]]; bucket 0 starts at -DBL_MAX. */
export const HistogramField = { min: 1, max: 2, num: 3, sum: 4, sumSquares: 5, bucketLimit: 6, bucket: 7 } as const;

/** `TensorProto` (tensor.proto). */
export const TensorProtoField = {
  dtype: 1,
  tensorShape: 2,
  versionNumber: 3,
  tensorContent: 4,
  floatVal: 5,
  doubleVal: 6,
  intVal: 7,
  stringVal: 8,
  scomplexVal: 9,
  int64Val: 10,
  boolVal: 11,
  dcomplexVal: 12,
  halfVal: 13,
  uint32Val: 16,
  uint64Val: 17,
} as const;

/** `TensorShapeProto` (tensor_shape.proto). */
export const TensorShapeField = { dim: 2, unknownRank: 3 } as const;

/** `TensorShapeProto.Dim`. */
export const TensorShapeDimField = { size: 1, name: 2 } as const;

/** `DataType` (types.proto), the values event files use. */
export const TFDataType = {
  DT_INVALID: 0,
  DT_FLOAT: 1,
  DT_DOUBLE: 2,
  DT_INT32: 3,
  DT_UINT8: 4,
  DT_INT16: 5,
  DT_INT8: 6,
  DT_STRING: 7,
  DT_COMPLEX64: 8,
  DT_INT64: 9,
  DT_BOOL: 10,
  DT_UINT16: 17,
  DT_COMPLEX128: 18,
  DT_HALF: 19,
  DT_UINT32: 22,
  DT_UINT64: 23,
} as const;

/** `GraphDef` (graph.proto). */
export const GraphDefField = { node: 1, library: 2, version: 3, versions: 4 } as const;

/** `NodeDef` (node_def.proto); `attr` is `map<string, AttrValue>`. */
export const NodeDefField = { name: 1, op: 2, input: 3, device: 4, attr: 5 } as const;

/** `AttrValue` (attr_value.proto); every field is a member of the oneof `value`. */
export const AttrValueField = { list: 1, s: 2, i: 3, f: 4, b: 5, type: 6, shape: 7, tensor: 8, placeholder: 9, func: 10 } as const;

/** `AttrValue.ListValue`. */
export const AttrValueListField = { s: 2, i: 3, f: 4, b: 5, type: 6, shape: 7, tensor: 8, func: 9 } as const;

/** `VersionDef` (versions.proto). */
export const VersionDefField = { producer: 1, minConsumer: 2, badConsumers: 3 } as const;

/** `RunMetadata` (config.proto), `StepStats` and `DeviceStepStats` (step_stats.proto): what PyTorch fills in. */
export const RunMetadataField = { stepStats: 1, costGraph: 2, partitionGraphs: 3 } as const;
export const StepStatsField = { devStats: 1 } as const;
export const DeviceStepStatsField = { device: 1, nodeStats: 2 } as const;

/** `PrCurvePluginData` (plugins/pr_curve/plugin_data.proto). */
export const PrCurvePluginDataField = { version: 1, numThresholds: 2 } as const;

/** `TextPluginData` (plugins/text/plugin_data.proto). */
export const TextPluginDataField = { version: 1 } as const;

/** `HParamsPluginData` (plugins/hparams/plugin_data.proto); `experiment` … `sessionEndInfo` form the oneof `data`. */
export const HParamsPluginDataField = { version: 1, experiment: 2, sessionStartInfo: 3, sessionEndInfo: 4 } as const;

/** `SessionStartInfo` (hparams). `hparams` is `map<string, google.protobuf.Value>`. */
export const SessionStartInfoField = { hparams: 1, modelUri: 2, monitorUrl: 3, groupName: 4, startTimeSecs: 5 } as const;

/** `SessionEndInfo` (hparams). */
export const SessionEndInfoField = { status: 1, endTimeSecs: 2 } as const;

/** `Experiment` (plugins/hparams/api.proto). */
export const ExperimentField = { description: 1, user: 2, timeCreatedSecs: 3, hparamInfos: 4, metricInfos: 5, name: 6 } as const;

/** `HParamInfo` (hparams api); `domainDiscrete`/`domainInterval` form the oneof `domain`. */
export const HParamInfoField = { name: 1, displayName: 2, description: 3, type: 4, domainDiscrete: 5, domainInterval: 6 } as const;

/** `MetricInfo` (hparams api). */
export const MetricInfoField = { name: 1, displayName: 3, description: 4, datasetType: 5 } as const;

/** `MetricName` (hparams api). */
export const MetricNameField = { group: 1, tag: 2 } as const;

/** `hparams.DataType`. */
export const HParamDataType = { DATA_TYPE_UNSET: 0, DATA_TYPE_STRING: 1, DATA_TYPE_BOOL: 2, DATA_TYPE_FLOAT64: 3 } as const;

/** `hparams.Status`. */
export const HParamStatus = { STATUS_UNKNOWN: 0, STATUS_SUCCESS: 1, STATUS_FAILURE: 2, STATUS_RUNNING: 3 } as const;

/** A protobuf `map<K, V>` entry is a message with these two fields. */
export const MapEntryField = { key: 1, value: 2 } as const;

/** `google.protobuf.Value` (struct.proto); the fields form the oneof `kind`. */
export const StructValueField = { nullValue: 1, numberValue: 2, stringValue: 3, boolValue: 4, structValue: 5, listValue: 6 } as const;

/** `google.protobuf.ListValue`. */
export const ListValueField = { values: 1 } as const;

/** `google.protobuf.Struct`. */
export const StructField = { fields: 1 } as const;

/** The hparams plugin's constants (tensorboard `plugins/hparams/metadata.py`). */
export const HPARAMS = {
  PLUGIN_NAME: "hparams",
  PLUGIN_DATA_VERSION: 0,
  EXPERIMENT_TAG: "_hparams_/experiment",
  SESSION_START_INFO_TAG: "_hparams_/session_start_info",
  SESSION_END_INFO_TAG: "_hparams_/session_end_info",
} as const;

/** `Event.file_version` of every event file TensorBoard reads today. */
export const FILE_VERSION = "brain.Event:2";
