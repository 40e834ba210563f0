/**
 * The TensorBoard messages as TypeScript objects, with their encoders and decoders (field numbers in
 * `schema.ts`). Decoded messages carry proto3 defaults for absent scalars and leave absent sub-messages and
 * unset oneof members `undefined`; encoders take `Init<T>` (every field optional) and write fields in
 * field-number order, as the official serializers do, so the bytes match theirs.
 */
import { isDefaultDouble, ProtoReader, ProtoWriter } from "./protobuf.js";
import {
  EventField,
  HistogramField,
  LogMessageField,
  PluginDataField,
  SessionLogField,
  SourceMetadataField,
  SummaryAudioField,
  SummaryField,
  SummaryImageField,
  SummaryMetadataField,
  SummaryValueField,
  TaggedRunMetadataField,
  TensorProtoField,
  TensorShapeDimField,
  TensorShapeField,
} from "./schema.js";

/** Every field optional, recursively (byte arrays stay as they are): what the encoders accept. */
export type Init<T> = T extends Uint8Array
  ? T
  : T extends readonly (infer U)[]
    ? readonly Init<U>[]
    : T extends object
      ? { [K in keyof T]?: Init<T[K]> }
      : T;

/** `Summary.Image`: an encoded (PNG) image; `colorspace` is its channel count (1 gray … 4 RGBA). */
export interface SummaryImage {
  height: number;
  width: number;
  colorspace: number;
  encodedImageString: Uint8Array;
}

/** `Summary.Audio`. */
export interface SummaryAudio {
  sampleRate: number;
  numChannels: number;
  lengthFrames: number;
  encodedAudioString: Uint8Array;
  contentType: string;
}

/** `HistogramProto`: `bucket[i]` counts values in (bucketLimit[i-1], bucketLimit[i]]. */
export interface HistogramProto {
  min: number;
  max: number;
  num: number;
  sum: number;
  sumSquares: number;
  bucketLimit: number[];
  bucket: number[];
}

/** `TensorShapeProto`. */
export interface TensorShapeProto {
  dim: { size: number; name: string }[];
  unknownRank: boolean;
}

/** `TensorProto` (the value lists that event files use). */
export interface TensorProto {
  dtype: number;
  tensorShape?: TensorShapeProto;
  versionNumber: number;
  tensorContent: Uint8Array;
  halfVal: number[];
  floatVal: number[];
  doubleVal: number[];
  intVal: number[];
  stringVal: Uint8Array[];
  scomplexVal: number[];
  int64Val: number[];
  boolVal: boolean[];
  dcomplexVal: number[];
  uint32Val: number[];
  uint64Val: number[];
}

/** `SummaryMetadata.PluginData`: which TensorBoard plugin reads the value, and its plugin-specific bytes. */
export interface PluginData {
  pluginName: string;
  content: Uint8Array;
}

/** `SummaryMetadata`. */
export interface SummaryMetadata {
  pluginData?: PluginData;
  displayName: string;
  summaryDescription: string;
  dataClass: number;
}

/** `Summary.Value`: a tag and exactly one of the value kinds (none when only metadata is carried). */
export interface SummaryValue {
  tag: string;
  nodeName: string;
  metadata?: SummaryMetadata;
  simpleValue?: number;
  obsoleteOldStyleHistogram?: Uint8Array;
  image?: SummaryImage;
  histo?: HistogramProto;
  audio?: SummaryAudio;
  tensor?: TensorProto;
}

/** `Summary`. */
export interface Summary {
  value: SummaryValue[];
}

/** `SessionLog`. */
export interface SessionLog {
  status: number;
  checkpointPath: string;
  msg: string;
}

/** `Event`: a wall time, a step, and at most one payload (`fileVersion` … `metaGraphDef`). */
export interface Event {
  wallTime: number;
  step: number;
  fileVersion?: string;
  graphDef?: Uint8Array;
  summary?: Summary;
  logMessage?: { level: number; message: string };
  sessionLog?: SessionLog;
  taggedRunMetadata?: { tag: string; runMetadata: Uint8Array };
  metaGraphDef?: Uint8Array;
  sourceMetadata?: { writer: string };
}

// ---- encoders ---------------------------------------------------------------------------------------------

function writeDouble(w: ProtoWriter, field: number, v: number | undefined): void {
  if (v !== undefined && !isDefaultDouble(v)) w.double(field, v);
}
function writeInt(w: ProtoWriter, field: number, v: number | undefined): void {
  if (v) w.int(field, v);
}
function writeString(w: ProtoWriter, field: number, v: string | undefined): void {
  if (v) w.string(field, v);
}
function writeBytes(w: ProtoWriter, field: number, v: Uint8Array | undefined): void {
  if (v && v.length > 0) w.bytes(field, v);
}

export function writeHistogram(w: ProtoWriter, h: Init<HistogramProto>): void {
  writeDouble(w, HistogramField.min, h.min);
  writeDouble(w, HistogramField.max, h.max);
  writeDouble(w, HistogramField.num, h.num);
  writeDouble(w, HistogramField.sum, h.sum);
  writeDouble(w, HistogramField.sumSquares, h.sumSquares);
  if (h.bucketLimit) w.packedDoubles(HistogramField.bucketLimit, h.bucketLimit);
  if (h.bucket) w.packedDoubles(HistogramField.bucket, h.bucket);
}

export function writeImage(w: ProtoWriter, img: Init<SummaryImage>): void {
  writeInt(w, SummaryImageField.height, img.height);
  writeInt(w, SummaryImageField.width, img.width);
  writeInt(w, SummaryImageField.colorspace, img.colorspace);
  writeBytes(w, SummaryImageField.encodedImageString, img.encodedImageString);
}

export function writeAudio(w: ProtoWriter, a: Init<SummaryAudio>): void {
  if (a.sampleRate) w.float(SummaryAudioField.sampleRate, a.sampleRate);
  writeInt(w, SummaryAudioField.numChannels, a.numChannels);
  writeInt(w, SummaryAudioField.lengthFrames, a.lengthFrames);
  writeBytes(w, SummaryAudioField.encodedAudioString, a.encodedAudioString);
  writeString(w, SummaryAudioField.contentType, a.contentType);
}

export function writeTensorShape(w: ProtoWriter, s: Init<TensorShapeProto>): void {
  for (const d of s.dim ?? []) {
    w.message(TensorShapeField.dim, (dw) => {
      writeInt(dw, TensorShapeDimField.size, d.size);
      writeString(dw, TensorShapeDimField.name, d.name);
    });
  }
  if (s.unknownRank) w.bool(TensorShapeField.unknownRank, true);
}

export function writeTensor(w: ProtoWriter, t: Init<TensorProto>): void {
  writeInt(w, TensorProtoField.dtype, t.dtype);
  // A set sub-message is written even when empty (PyTorch's custom_scalars sets an empty shape).
  if (t.tensorShape) w.message(TensorProtoField.tensorShape, (sw) => writeTensorShape(sw, t.tensorShape!));
  writeInt(w, TensorProtoField.versionNumber, t.versionNumber);
  writeBytes(w, TensorProtoField.tensorContent, t.tensorContent);
  if (t.floatVal) w.packedFloats(TensorProtoField.floatVal, t.floatVal);
  if (t.doubleVal) w.packedDoubles(TensorProtoField.doubleVal, t.doubleVal);
  if (t.intVal) w.packedInts(TensorProtoField.intVal, t.intVal);
  for (const s of t.stringVal ?? []) w.bytes(TensorProtoField.stringVal, s);
  if (t.scomplexVal) w.packedFloats(TensorProtoField.scomplexVal, t.scomplexVal);
  if (t.int64Val) w.packedInts(TensorProtoField.int64Val, t.int64Val);
  if (t.boolVal) w.packedInts(TensorProtoField.boolVal, t.boolVal.map((b) => (b ? 1 : 0)));
  if (t.dcomplexVal) w.packedDoubles(TensorProtoField.dcomplexVal, t.dcomplexVal);
  if (t.halfVal) w.packedInts(TensorProtoField.halfVal, t.halfVal);
  if (t.uint32Val) w.packedInts(TensorProtoField.uint32Val, t.uint32Val);
  if (t.uint64Val) w.packedInts(TensorProtoField.uint64Val, t.uint64Val);
}

export function writeSummaryMetadata(w: ProtoWriter, m: Init<SummaryMetadata>): void {
  if (m.pluginData) {
    const pd = m.pluginData;
    w.message(SummaryMetadataField.pluginData, (pw) => {
      writeString(pw, PluginDataField.pluginName, pd.pluginName);
      writeBytes(pw, PluginDataField.content, pd.content);
    });
  }
  writeString(w, SummaryMetadataField.displayName, m.displayName);
  writeString(w, SummaryMetadataField.summaryDescription, m.summaryDescription);
  writeInt(w, SummaryMetadataField.dataClass, m.dataClass);
}

export function writeSummaryValue(w: ProtoWriter, v: Init<SummaryValue>): void {
  writeString(w, SummaryValueField.tag, v.tag);
  // simple_value sits in a oneof: presence selects the value kind, so 0.0 is written too.
  if (v.simpleValue !== undefined) w.float(SummaryValueField.simpleValue, v.simpleValue);
  if (v.obsoleteOldStyleHistogram !== undefined) w.bytes(SummaryValueField.obsoleteOldStyleHistogram, v.obsoleteOldStyleHistogram);
  if (v.image) w.message(SummaryValueField.image, (iw) => writeImage(iw, v.image!));
  if (v.histo) w.message(SummaryValueField.histo, (hw) => writeHistogram(hw, v.histo!));
  if (v.audio) w.message(SummaryValueField.audio, (aw) => writeAudio(aw, v.audio!));
  writeString(w, SummaryValueField.nodeName, v.nodeName);
  if (v.tensor) w.message(SummaryValueField.tensor, (tw) => writeTensor(tw, v.tensor!));
  if (v.metadata) w.message(SummaryValueField.metadata, (mw) => writeSummaryMetadata(mw, v.metadata!));
}

export function writeSummary(w: ProtoWriter, s: Init<Summary>): void {
  for (const v of s.value ?? []) w.message(SummaryField.value, (vw) => writeSummaryValue(vw, v));
}

/** Serializes a `Summary`. */
export function encodeSummary(s: Init<Summary>): Uint8Array {
  const w = new ProtoWriter();
  writeSummary(w, s);
  return w.finish();
}

/** Serializes an `Event` (proto3: zero `wallTime`/`step` and empty strings are omitted). */
export function encodeEvent(e: Init<Event>): Uint8Array {
  const w = new ProtoWriter(64);
  writeDouble(w, EventField.wallTime, e.wallTime);
  writeInt(w, EventField.step, e.step);
  if (e.fileVersion !== undefined) w.string(EventField.fileVersion, e.fileVersion);
  if (e.graphDef !== undefined) w.bytes(EventField.graphDef, e.graphDef);
  if (e.summary) w.message(EventField.summary, (sw) => writeSummary(sw, e.summary!));
  if (e.logMessage) {
    const lm = e.logMessage;
    w.message(EventField.logMessage, (lw) => {
      writeInt(lw, LogMessageField.level, lm.level);
      writeString(lw, LogMessageField.message, lm.message);
    });
  }
  if (e.sessionLog) {
    const sl = e.sessionLog;
    w.message(EventField.sessionLog, (lw) => {
      writeInt(lw, SessionLogField.status, sl.status);
      writeString(lw, SessionLogField.checkpointPath, sl.checkpointPath);
      writeString(lw, SessionLogField.msg, sl.msg);
    });
  }
  if (e.taggedRunMetadata) {
    const t = e.taggedRunMetadata;
    w.message(EventField.taggedRunMetadata, (tw) => {
      writeString(tw, TaggedRunMetadataField.tag, t.tag);
      writeBytes(tw, TaggedRunMetadataField.runMetadata, t.runMetadata);
    });
  }
  if (e.metaGraphDef !== undefined) w.bytes(EventField.metaGraphDef, e.metaGraphDef);
  if (e.sourceMetadata) {
    const sm = e.sourceMetadata;
    w.message(EventField.sourceMetadata, (mw) => writeString(mw, SourceMetadataField.writer, sm.writer));
  }
  return w.finish().slice();
}

// ---- decoders ---------------------------------------------------------------------------------------------

export function readHistogram(r: ProtoReader): HistogramProto {
  const h: HistogramProto = { min: 0, max: 0, num: 0, sum: 0, sumSquares: 0, bucketLimit: [], bucket: [] };
  while (r.next()) {
    switch (r.field) {
      case HistogramField.min: h.min = r.double(); break;
      case HistogramField.max: h.max = r.double(); break;
      case HistogramField.num: h.num = r.double(); break;
      case HistogramField.sum: h.sum = r.double(); break;
      case HistogramField.sumSquares: h.sumSquares = r.double(); break;
      case HistogramField.bucketLimit: r.repeatedDouble(h.bucketLimit); break;
      case HistogramField.bucket: r.repeatedDouble(h.bucket); break;
      default: r.skip();
    }
  }
  return h;
}

export function readImage(r: ProtoReader): SummaryImage {
  const img: SummaryImage = { height: 0, width: 0, colorspace: 0, encodedImageString: new Uint8Array(0) };
  while (r.next()) {
    switch (r.field) {
      case SummaryImageField.height: img.height = r.int(); break;
      case SummaryImageField.width: img.width = r.int(); break;
      case SummaryImageField.colorspace: img.colorspace = r.int(); break;
      case SummaryImageField.encodedImageString: img.encodedImageString = r.bytes(); break;
      default: r.skip();
    }
  }
  return img;
}

export function readAudio(r: ProtoReader): SummaryAudio {
  const a: SummaryAudio = { sampleRate: 0, numChannels: 0, lengthFrames: 0, encodedAudioString: new Uint8Array(0), contentType: "" };
  while (r.next()) {
    switch (r.field) {
      case SummaryAudioField.sampleRate: a.sampleRate = r.float(); break;
      case SummaryAudioField.numChannels: a.numChannels = r.int(); break;
      case SummaryAudioField.lengthFrames: a.lengthFrames = r.int(); break;
      case SummaryAudioField.encodedAudioString: a.encodedAudioString = r.bytes(); break;
      case SummaryAudioField.contentType: a.contentType = r.string(); break;
      default: r.skip();
    }
  }
  return a;
}

export function readTensorShape(r: ProtoReader): TensorShapeProto {
  const s: TensorShapeProto = { dim: [], unknownRank: false };
  while (r.next()) {
    if (r.field === TensorShapeField.dim) {
      const dr = r.message();
      const d = { size: 0, name: "" };
      while (dr.next()) {
        if (dr.field === TensorShapeDimField.size) d.size = dr.int();
        else if (dr.field === TensorShapeDimField.name) d.name = dr.string();
        else dr.skip();
      }
      s.dim.push(d);
    } else if (r.field === TensorShapeField.unknownRank) s.unknownRank = r.bool();
    else r.skip();
  }
  return s;
}

export function readTensor(r: ProtoReader): TensorProto {
  const t: TensorProto = {
    dtype: 0, versionNumber: 0, tensorContent: new Uint8Array(0), halfVal: [], floatVal: [], doubleVal: [], intVal: [],
    stringVal: [], scomplexVal: [], int64Val: [], boolVal: [], dcomplexVal: [], uint32Val: [], uint64Val: [],
  };
  const bools: number[] = [];
  while (r.next()) {
    switch (r.field) {
      case TensorProtoField.dtype: t.dtype = r.int(); break;
      case TensorProtoField.tensorShape: t.tensorShape = readTensorShape(r.message()); break;
      case TensorProtoField.versionNumber: t.versionNumber = r.int(); break;
      case TensorProtoField.tensorContent: t.tensorContent = r.bytes(); break;
      case TensorProtoField.floatVal: r.repeatedFloat(t.floatVal); break;
      case TensorProtoField.doubleVal: r.repeatedDouble(t.doubleVal); break;
      case TensorProtoField.intVal: r.repeatedInt(t.intVal); break;
      case TensorProtoField.stringVal: t.stringVal.push(r.bytes()); break;
      case TensorProtoField.scomplexVal: r.repeatedFloat(t.scomplexVal); break;
      case TensorProtoField.int64Val: r.repeatedInt(t.int64Val); break;
      case TensorProtoField.boolVal: r.repeatedInt(bools, false); break;
      case TensorProtoField.dcomplexVal: r.repeatedDouble(t.dcomplexVal); break;
      case TensorProtoField.halfVal: r.repeatedInt(t.halfVal); break;
      case TensorProtoField.uint32Val: r.repeatedInt(t.uint32Val, false); break;
      case TensorProtoField.uint64Val: r.repeatedInt(t.uint64Val, false); break;
      default: r.skip();
    }
  }
  t.boolVal = bools.map((b) => b !== 0);
  return t;
}

export function readSummaryMetadata(r: ProtoReader): SummaryMetadata {
  const m: SummaryMetadata = { displayName: "", summaryDescription: "", dataClass: 0 };
  while (r.next()) {
    switch (r.field) {
      case SummaryMetadataField.pluginData: {
        const pr = r.message();
        const pd: PluginData = { pluginName: "", content: new Uint8Array(0) };
        while (pr.next()) {
          if (pr.field === PluginDataField.pluginName) pd.pluginName = pr.string();
          else if (pr.field === PluginDataField.content) pd.content = pr.bytes();
          else pr.skip();
        }
        m.pluginData = pd;
        break;
      }
      case SummaryMetadataField.displayName: m.displayName = r.string(); break;
      case SummaryMetadataField.summaryDescription: m.summaryDescription = r.string(); break;
      case SummaryMetadataField.dataClass: m.dataClass = r.int(); break;
      default: r.skip();
    }
  }
  return m;
}

const VALUE_ONEOF = ["simpleValue", "obsoleteOldStyleHistogram", "image", "histo", "audio", "tensor"] as const;

export function readSummaryValue(r: ProtoReader): SummaryValue {
  const v: SummaryValue = { tag: "", nodeName: "" };
  // Protobuf oneof semantics: the last member on the wire wins.
  const setOneof = <K extends (typeof VALUE_ONEOF)[number]>(k: K, x: SummaryValue[K]): void => {
    for (const o of VALUE_ONEOF) delete v[o];
    v[k] = x;
  };
  while (r.next()) {
    switch (r.field) {
      case SummaryValueField.tag: v.tag = r.string(); break;
      case SummaryValueField.simpleValue: setOneof("simpleValue", r.float()); break;
      case SummaryValueField.obsoleteOldStyleHistogram: setOneof("obsoleteOldStyleHistogram", r.bytes()); break;
      case SummaryValueField.image: setOneof("image", readImage(r.message())); break;
      case SummaryValueField.histo: setOneof("histo", readHistogram(r.message())); break;
      case SummaryValueField.audio: setOneof("audio", readAudio(r.message())); break;
      case SummaryValueField.nodeName: v.nodeName = r.string(); break;
      case SummaryValueField.tensor: setOneof("tensor", readTensor(r.message())); break;
      case SummaryValueField.metadata: v.metadata = readSummaryMetadata(r.message()); break;
      default: r.skip();
    }
  }
  return v;
}

export function readSummary(r: ProtoReader): Summary {
  const s: Summary = { value: [] };
  while (r.next()) {
    if (r.field === SummaryField.value) s.value.push(readSummaryValue(r.message()));
    else r.skip();
  }
  return s;
}

/** Parses a `Summary`. */
export function decodeSummary(data: Uint8Array): Summary {
  return readSummary(new ProtoReader(data));
}

const EVENT_ONEOF = ["fileVersion", "graphDef", "summary", "logMessage", "sessionLog", "taggedRunMetadata", "metaGraphDef"] as const;

/** Parses an `Event`. Throws `ProtoDecodeError` (with the byte offset inside `data`) on malformed input. */
export function decodeEvent(data: Uint8Array): Event {
  const r = new ProtoReader(data);
  const e: Event = { wallTime: 0, step: 0 };
  const setOneof = <K extends (typeof EVENT_ONEOF)[number]>(k: K, x: Event[K]): void => {
    for (const o of EVENT_ONEOF) delete e[o];
    e[k] = x;
  };
  while (r.next()) {
    switch (r.field) {
      case EventField.wallTime: e.wallTime = r.double(); break;
      case EventField.step: e.step = r.int(); break;
      case EventField.fileVersion: setOneof("fileVersion", r.string()); break;
      case EventField.graphDef: setOneof("graphDef", r.bytes()); break;
      case EventField.summary: setOneof("summary", readSummary(r.message())); break;
      case EventField.logMessage: {
        const lr = r.message();
        const lm = { level: 0, message: "" };
        while (lr.next()) {
          if (lr.field === LogMessageField.level) lm.level = lr.int();
          else if (lr.field === LogMessageField.message) lm.message = lr.string();
          else lr.skip();
        }
        setOneof("logMessage", lm);
        break;
      }
      case EventField.sessionLog: {
        const sr = r.message();
        const sl: SessionLog = { status: 0, checkpointPath: "", msg: "" };
        while (sr.next()) {
          if (sr.field === SessionLogField.status) sl.status = sr.int();
          else if (sr.field === SessionLogField.checkpointPath) sl.checkpointPath = sr.string();
          else if (sr.field === SessionLogField.msg) sl.msg = sr.string();
          else sr.skip();
        }
        setOneof("sessionLog", sl);
        break;
      }
      case EventField.taggedRunMetadata: {
        const tr = r.message();
        const t: { tag: string; runMetadata: Uint8Array } = { tag: "", runMetadata: new Uint8Array(0) };
        while (tr.next()) {
          if (tr.field === TaggedRunMetadataField.tag) t.tag = tr.string();
          else if (tr.field === TaggedRunMetadataField.runMetadata) t.runMetadata = tr.bytes();
          else tr.skip();
        }
        setOneof("taggedRunMetadata", t);
        break;
      }
      case EventField.metaGraphDef: setOneof("metaGraphDef", r.bytes()); break;
      case EventField.sourceMetadata: {
        const mr = r.message();
        const sm = { writer: "" };
        while (mr.next()) {
          if (mr.field === SourceMetadataField.writer) sm.writer = mr.string();
          else mr.skip();
        }
        e.sourceMetadata = sm;
        break;
      }
      default: r.skip();
    }
  }
  return e;
}
