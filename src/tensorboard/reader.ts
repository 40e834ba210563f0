/**
 * Reading event files back: TFRecord framing with both CRCs verified, then the `Event` protos.
 */
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { decodeEvent, type Event, type TensorProto } from "./messages.js";
import { ProtoDecodeError } from "./protobuf.js";
import { EventFileError, type RecordProblem, splitRecords } from "./record.js";
import { TFDataType } from "./schema.js";

/** An event and the byte offset of its record in the file. */
export interface ReadEvent extends Event {
  offset: number;
}

/** The events of one file and, if reading stopped at a torn final record, where and why. */
export interface EventFileContents {
  path: string;
  events: ReadEvent[];
  /** Set when the file ends inside a record (still being written, or the writer died): reading stopped there. */
  torn: RecordProblem | null;
}

/**
 * Parses the bytes of an event file. A torn tail is reported in `torn` (TensorBoard stops there too); a
 * corrupt record (CRC mismatch) or an undecodable Event throws `EventFileError` with its byte offset.
 */
export function parseEventFile(bytes: Uint8Array, path = "<buffer>"): EventFileContents {
  const { records, problem } = splitRecords(bytes);
  if (problem && problem.kind === "corrupt") throw new EventFileError(`readEvents: ${path}: ${problem.message}`, problem.offset, path);
  const events: ReadEvent[] = [];
  for (const rec of records) {
    let e: Event;
    try {
      e = decodeEvent(rec.data);
    } catch (err) {
      if (!(err instanceof ProtoDecodeError)) throw err;
      const at = rec.offset + 12 + err.offset;
      throw new EventFileError(`readEvents: ${path}: record at byte ${rec.offset} is not a valid Event (${err.message}, file byte ${at})`, rec.offset, path);
    }
    events.push({ offset: rec.offset, ...e });
  }
  return { path, events, torn: problem };
}

/**
 * Reads an event file: every event with its wall time, step and payload (summary values with their
 * `simpleValue` / `image` / `histo` / `tensor` and plugin metadata).
 *
 * @example
 * const [file] = findEventFiles("runs/exp1");
 * const { events, torn } = readEvents(file); // torn: null unless the file ends inside a record
 * const losses = events.flatMap((e) => e.summary?.value.filter((v) => v.tag === "loss").map((v) => [e.step, v.simpleValue]) ?? []);
 */
export function readEvents(path: string): EventFileContents {
  let bytes: Uint8Array;
  try {
    bytes = readFileSync(path);
  } catch (e) {
    throw new Error(`readEvents: cannot read '${path}': ${(e as Error).message}`);
  }
  return parseEventFile(bytes, path);
}

/** Every event file under `logdir` (recursively; TensorBoard's rule: 'tfevents' in the file name), sorted. */
export function findEventFiles(logdir: string): string[] {
  const out: string[] = [];
  const walk = (dir: string): void => {
    for (const name of readdirSync(dir).sort()) {
      const p = join(dir, name);
      const st = statSync(p);
      if (st.isDirectory()) walk(p);
      else if (name.includes("tfevents")) out.push(p);
    }
  };
  walk(logdir);
  return out;
}

/**
 * The values of a `TensorProto` as a flat array: numbers for numeric dtypes (from the typed `*_val` list or
 * `tensor_content`), strings (UTF-8) for DT_STRING, booleans for DT_BOOL.
 */
export function tensorProtoValues(t: TensorProto): number[] | string[] | boolean[] {
  const content = t.tensorContent;
  const dv = new DataView(content.buffer, content.byteOffset, content.byteLength);
  const fromContent = (size: number, get: (o: number) => number): number[] => {
    const out: number[] = [];
    for (let o = 0; o + size <= content.length; o += size) out.push(get(o));
    return out;
  };
  switch (t.dtype) {
    case TFDataType.DT_STRING: {
      const dec = new TextDecoder();
      return t.stringVal.map((b) => dec.decode(b));
    }
    case TFDataType.DT_FLOAT:
      return content.length ? fromContent(4, (o) => dv.getFloat32(o, true)) : t.floatVal;
    case TFDataType.DT_DOUBLE:
      return content.length ? fromContent(8, (o) => dv.getFloat64(o, true)) : t.doubleVal;
    case TFDataType.DT_INT32:
    case TFDataType.DT_INT16:
    case TFDataType.DT_INT8:
    case TFDataType.DT_UINT8:
      if (content.length) {
        if (t.dtype === TFDataType.DT_INT32) return fromContent(4, (o) => dv.getInt32(o, true));
        if (t.dtype === TFDataType.DT_INT16) return fromContent(2, (o) => dv.getInt16(o, true));
        if (t.dtype === TFDataType.DT_INT8) return fromContent(1, (o) => dv.getInt8(o));
        return fromContent(1, (o) => dv.getUint8(o));
      }
      return t.intVal;
    case TFDataType.DT_INT64:
      return content.length ? fromContent(8, (o) => Number(dv.getBigInt64(o, true))) : t.int64Val;
    case TFDataType.DT_BOOL:
      return content.length ? Array.from(content, (b) => b !== 0) : t.boolVal;
    default:
      throw new Error(`tensorProtoValues: unsupported dtype ${t.dtype}`);
  }
}
