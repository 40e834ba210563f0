/**
 * The hparams plugin's payloads (`SummaryMetadata.plugin_data.content` of the `_hparams_/*` tags):
 * `HParamsPluginData` with an `Experiment`, a `SessionStartInfo` or a `SessionEndInfo`, as PyTorch's
 * `summary.hparams` writes them. Field numbers in `schema.ts`.
 */
import { ProtoReader, ProtoWriter } from "./protobuf.js";
import {
  ExperimentField,
  HParamInfoField,
  HParamsPluginDataField,
  ListValueField,
  MapEntryField,
  MetricInfoField,
  MetricNameField,
  SessionEndInfoField,
  SessionStartInfoField,
  StructField,
  StructValueField,
} from "./schema.js";

/** `google.protobuf.Value`: exactly one kind is set. */
export type StructValue =
  | { nullValue: 0 }
  | { numberValue: number }
  | { stringValue: string }
  | { boolValue: boolean }
  | { structValue: Record<string, StructValue> }
  | { listValue: StructValue[] };

export interface HParamInfo {
  name: string;
  displayName: string;
  description: string;
  type: number;
  domainDiscrete?: StructValue[];
  domainInterval?: { minValue: number; maxValue: number };
}

export interface MetricInfo {
  name: { group: string; tag: string };
  displayName: string;
  description: string;
  datasetType: number;
}

export interface Experiment {
  name: string;
  description: string;
  user: string;
  timeCreatedSecs: number;
  hparamInfos: HParamInfo[];
  metricInfos: MetricInfo[];
}

export interface SessionStartInfo {
  hparams: Record<string, StructValue>;
  modelUri: string;
  monitorUrl: string;
  groupName: string;
  startTimeSecs: number;
}

export interface SessionEndInfo {
  status: number;
  endTimeSecs: number;
}

export interface HParamsPluginData {
  version: number;
  experiment?: Experiment;
  sessionStartInfo?: SessionStartInfo;
  sessionEndInfo?: SessionEndInfo;
}

// ---- encoding ---------------------------------------------------------------------------------------------

export function writeStructValue(w: ProtoWriter, v: StructValue): void {
  // Members of the oneof `kind`: written even when zero/empty, since presence selects the kind.
  if ("nullValue" in v) w.uint(StructValueField.nullValue, 0);
  else if ("numberValue" in v) w.double(StructValueField.numberValue, v.numberValue);
  else if ("stringValue" in v) w.string(StructValueField.stringValue, v.stringValue);
  else if ("boolValue" in v) w.bool(StructValueField.boolValue, v.boolValue);
  else if ("structValue" in v) {
    const fields = v.structValue;
    w.message(StructValueField.structValue, (sw) => {
      for (const [k, x] of Object.entries(fields)) sw.message(StructField.fields, (ew) => writeMapEntry(ew, k, x));
    });
  } else {
    const list = v.listValue;
    w.message(StructValueField.listValue, (lw) => {
      for (const x of list) lw.message(ListValueField.values, (vw) => writeStructValue(vw, x));
    });
  }
}

/** A map entry writes its key and value unconditionally (as protobuf's serializers do). */
function writeMapEntry(w: ProtoWriter, key: string, value: StructValue): void {
  w.string(MapEntryField.key, key);
  w.message(MapEntryField.value, (vw) => writeStructValue(vw, value));
}

function writeHParamInfo(w: ProtoWriter, h: Partial<HParamInfo>): void {
  if (h.name) w.string(HParamInfoField.name, h.name);
  if (h.displayName) w.string(HParamInfoField.displayName, h.displayName);
  if (h.description) w.string(HParamInfoField.description, h.description);
  if (h.type) w.uint(HParamInfoField.type, h.type);
  if (h.domainDiscrete) {
    const list = h.domainDiscrete;
    w.message(HParamInfoField.domainDiscrete, (lw) => {
      for (const x of list) lw.message(ListValueField.values, (vw) => writeStructValue(vw, x));
    });
  }
  if (h.domainInterval) {
    const { minValue, maxValue } = h.domainInterval;
    w.message(HParamInfoField.domainInterval, (iw) => {
      if (minValue) iw.double(1, minValue);
      if (maxValue) iw.double(2, maxValue);
    });
  }
}

/** What `encodeHParamsPluginData` takes for an experiment: every field optional. */
export interface ExperimentInit {
  name?: string;
  description?: string;
  user?: string;
  timeCreatedSecs?: number;
  hparamInfos?: Partial<HParamInfo>[];
  metricInfos?: { name?: { group?: string; tag?: string }; displayName?: string; description?: string; datasetType?: number }[];
}

function writeExperiment(w: ProtoWriter, e: ExperimentInit): void {
  if (e.description) w.string(ExperimentField.description, e.description);
  if (e.user) w.string(ExperimentField.user, e.user);
  if (e.timeCreatedSecs) w.double(ExperimentField.timeCreatedSecs, e.timeCreatedSecs);
  for (const h of e.hparamInfos ?? []) w.message(ExperimentField.hparamInfos, (hw) => writeHParamInfo(hw, h));
  for (const m of e.metricInfos ?? []) {
    w.message(ExperimentField.metricInfos, (mw) => {
      mw.message(MetricInfoField.name, (nw) => {
        if (m.name?.group) nw.string(MetricNameField.group, m.name.group);
        if (m.name?.tag) nw.string(MetricNameField.tag, m.name.tag);
      });
      if (m.displayName) mw.string(MetricInfoField.displayName, m.displayName);
      if (m.description) mw.string(MetricInfoField.description, m.description);
      if (m.datasetType) mw.uint(MetricInfoField.datasetType, m.datasetType);
    });
  }
  if (e.name) w.string(ExperimentField.name, e.name);
}

/** Serializes `HParamsPluginData` (set exactly one of `experiment`, `sessionStartInfo`, `sessionEndInfo`). */
export function encodeHParamsPluginData(d: {
  version?: number;
  experiment?: ExperimentInit;
  sessionStartInfo?: Partial<SessionStartInfo>;
  sessionEndInfo?: Partial<SessionEndInfo>;
}): Uint8Array {
  const w = new ProtoWriter();
  if (d.version) w.int(HParamsPluginDataField.version, d.version);
  if (d.experiment) w.message(HParamsPluginDataField.experiment, (ew) => writeExperiment(ew, d.experiment!));
  if (d.sessionStartInfo) {
    const s = d.sessionStartInfo;
    w.message(HParamsPluginDataField.sessionStartInfo, (sw) => {
      for (const [k, v] of Object.entries(s.hparams ?? {})) sw.message(SessionStartInfoField.hparams, (ew) => writeMapEntry(ew, k, v));
      if (s.modelUri) sw.string(SessionStartInfoField.modelUri, s.modelUri);
      if (s.monitorUrl) sw.string(SessionStartInfoField.monitorUrl, s.monitorUrl);
      if (s.groupName) sw.string(SessionStartInfoField.groupName, s.groupName);
      if (s.startTimeSecs) sw.double(SessionStartInfoField.startTimeSecs, s.startTimeSecs);
    });
  }
  if (d.sessionEndInfo) {
    const s = d.sessionEndInfo;
    w.message(HParamsPluginDataField.sessionEndInfo, (sw) => {
      if (s.status) sw.uint(SessionEndInfoField.status, s.status);
      if (s.endTimeSecs) sw.double(SessionEndInfoField.endTimeSecs, s.endTimeSecs);
    });
  }
  return w.finish().slice();
}

// ---- decoding ---------------------------------------------------------------------------------------------

function readMapEntry(r: ProtoReader): [string, StructValue] {
  let key = "";
  let value: StructValue = { nullValue: 0 };
  while (r.next()) {
    if (r.field === MapEntryField.key) key = r.string();
    else if (r.field === MapEntryField.value) value = readStructValue(r.message());
    else r.skip();
  }
  return [key, value];
}

function readListValue(r: ProtoReader): StructValue[] {
  const out: StructValue[] = [];
  while (r.next()) {
    if (r.field === ListValueField.values) out.push(readStructValue(r.message()));
    else r.skip();
  }
  return out;
}

export function readStructValue(r: ProtoReader): StructValue {
  let v: StructValue = { nullValue: 0 };
  while (r.next()) {
    switch (r.field) {
      case StructValueField.nullValue: r.uint(); v = { nullValue: 0 }; break;
      case StructValueField.numberValue: v = { numberValue: r.double() }; break;
      case StructValueField.stringValue: v = { stringValue: r.string() }; break;
      case StructValueField.boolValue: v = { boolValue: r.bool() }; break;
      case StructValueField.structValue: {
        const sr = r.message();
        const fields: Record<string, StructValue> = {};
        while (sr.next()) {
          if (sr.field === StructField.fields) {
            const [k, x] = readMapEntry(sr.message());
            fields[k] = x;
          } else sr.skip();
        }
        v = { structValue: fields };
        break;
      }
      case StructValueField.listValue: v = { listValue: readListValue(r.message()) }; break;
      default: r.skip();
    }
  }
  return v;
}

function readHParamInfo(r: ProtoReader): HParamInfo {
  const h: HParamInfo = { name: "", displayName: "", description: "", type: 0 };
  while (r.next()) {
    switch (r.field) {
      case HParamInfoField.name: h.name = r.string(); break;
      case HParamInfoField.displayName: h.displayName = r.string(); break;
      case HParamInfoField.description: h.description = r.string(); break;
      case HParamInfoField.type: h.type = r.int(); break;
      case HParamInfoField.domainDiscrete: delete h.domainInterval; h.domainDiscrete = readListValue(r.message()); break;
      case HParamInfoField.domainInterval: {
        const ir = r.message();
        const iv = { minValue: 0, maxValue: 0 };
        while (ir.next()) {
          if (ir.field === 1) iv.minValue = ir.double();
          else if (ir.field === 2) iv.maxValue = ir.double();
          else ir.skip();
        }
        delete h.domainDiscrete;
        h.domainInterval = iv;
        break;
      }
      default: r.skip();
    }
  }
  return h;
}

function readMetricInfo(r: ProtoReader): MetricInfo {
  const m: MetricInfo = { name: { group: "", tag: "" }, displayName: "", description: "", datasetType: 0 };
  while (r.next()) {
    switch (r.field) {
      case MetricInfoField.name: {
        const nr = r.message();
        while (nr.next()) {
          if (nr.field === MetricNameField.group) m.name.group = nr.string();
          else if (nr.field === MetricNameField.tag) m.name.tag = nr.string();
          else nr.skip();
        }
        break;
      }
      case MetricInfoField.displayName: m.displayName = r.string(); break;
      case MetricInfoField.description: m.description = r.string(); break;
      case MetricInfoField.datasetType: m.datasetType = r.int(); break;
      default: r.skip();
    }
  }
  return m;
}

/** Parses the `content` of an hparams plugin summary. */
export function decodeHParamsPluginData(content: Uint8Array): HParamsPluginData {
  const r = new ProtoReader(content);
  const d: HParamsPluginData = { version: 0 };
  while (r.next()) {
    switch (r.field) {
      case HParamsPluginDataField.version: d.version = r.int(); break;
      case HParamsPluginDataField.experiment: {
        const er = r.message();
        const e: Experiment = { name: "", description: "", user: "", timeCreatedSecs: 0, hparamInfos: [], metricInfos: [] };
        while (er.next()) {
          switch (er.field) {
            case ExperimentField.name: e.name = er.string(); break;
            case ExperimentField.description: e.description = er.string(); break;
            case ExperimentField.user: e.user = er.string(); break;
            case ExperimentField.timeCreatedSecs: e.timeCreatedSecs = er.double(); break;
            case ExperimentField.hparamInfos: e.hparamInfos.push(readHParamInfo(er.message())); break;
            case ExperimentField.metricInfos: e.metricInfos.push(readMetricInfo(er.message())); break;
            default: er.skip();
          }
        }
        delete d.sessionStartInfo;
        delete d.sessionEndInfo;
        d.experiment = e;
        break;
      }
      case HParamsPluginDataField.sessionStartInfo: {
        const sr = r.message();
        const s: SessionStartInfo = { hparams: {}, modelUri: "", monitorUrl: "", groupName: "", startTimeSecs: 0 };
        while (sr.next()) {
          switch (sr.field) {
            case SessionStartInfoField.hparams: {
              const [k, v] = readMapEntry(sr.message());
              s.hparams[k] = v;
              break;
            }
            case SessionStartInfoField.modelUri: s.modelUri = sr.string(); break;
            case SessionStartInfoField.monitorUrl: s.monitorUrl = sr.string(); break;
            case SessionStartInfoField.groupName: s.groupName = sr.string(); break;
            case SessionStartInfoField.startTimeSecs: s.startTimeSecs = sr.double(); break;
            default: sr.skip();
          }
        }
        delete d.experiment;
        delete d.sessionEndInfo;
        d.sessionStartInfo = s;
        break;
      }
      case HParamsPluginDataField.sessionEndInfo: {
        const sr = r.message();
        const s: SessionEndInfo = { status: 0, endTimeSecs: 0 };
        while (sr.next()) {
          if (sr.field === SessionEndInfoField.status) s.status = sr.int();
          else if (sr.field === SessionEndInfoField.endTimeSecs) s.endTimeSecs = sr.double();
          else sr.skip();
        }
        delete d.experiment;
        delete d.sessionStartInfo;
        d.sessionEndInfo = s;
        break;
      }
      default: r.skip();
    }
  }
  return d;
}
