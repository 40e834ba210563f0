/**
 * TFRecord framing, the container of event files (tensorflow/tensorboard `summary/writer/record_writer.py`):
 *
 *     uint64 length | uint32 masked_crc32c(length bytes) | data[length] | uint32 masked_crc32c(data)
 *
 * all little-endian.
 */
import { maskedCrc32c } from "./crc32c.js";

/** Bytes of framing around each record: 8 (length) + 4 (length CRC) + 4 (data CRC). */
export const RECORD_OVERHEAD = 16;

/** Frames one record. */
export function frameRecord(data: Uint8Array): Uint8Array {
  const out = new Uint8Array(data.length + RECORD_OVERHEAD);
  const dv = new DataView(out.buffer);
  // Lengths above 2^32 are not produced by a JS writer (a Uint8Array cannot be that large in practice).
  dv.setUint32(0, data.length >>> 0, true);
  dv.setUint32(4, Math.floor(data.length / 2 ** 32), true);
  dv.setUint32(8, maskedCrc32c(out, 0, 8), true);
  out.set(data, 12);
  dv.setUint32(12 + data.length, maskedCrc32c(data), true);
  return out;
}

/** One record found in a buffer: its payload and the byte offset of its length field. */
export interface RawRecord {
  offset: number;
  data: Uint8Array;
}

/**
 * Why reading stopped early. `torn`: the file ends inside a record (a writer still writing, or killed) —
 * TensorBoard stops there and retries later. `corrupt`: a complete record fails its CRC.
 */
export interface RecordProblem {
  kind: "torn" | "corrupt";
  /** Byte offset of the record's length field. */
  offset: number;
  message: string;
}

/** A record whose CRC does not match, or whose payload is not a valid message. */
export class EventFileError extends Error {
  constructor(
    message: string,
    readonly offset: number,
    readonly path?: string,
  ) {
    super(message);
    this.name = "EventFileError";
  }
}

/**
 * Splits a TFRecord stream into records, verifying both CRCs of each.
 *
 * Stops at the first problem and reports it in `problem`: a torn tail (fewer bytes left than the record
 * needs) or a corrupt record (CRC mismatch). As TensorBoard's reader does, a final record whose data is
 * complete but whose trailing CRC is missing is returned (and flagged torn).
 */
export function splitRecords(buf: Uint8Array): { records: RawRecord[]; problem: RecordProblem | null } {
  const dv = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  const records: RawRecord[] = [];
  let pos = 0;
  while (pos < buf.length) {
    const left = buf.length - pos;
    if (left < 12) {
      return { records, problem: { kind: "torn", offset: pos, message: `truncated record header at byte ${pos}: ${left} of 12 bytes` } };
    }
    const lenCrc = dv.getUint32(pos + 8, true);
    const wantLenCrc = maskedCrc32c(buf, pos, pos + 8);
    if (lenCrc !== wantLenCrc) {
      return {
        records,
        problem: {
          kind: "corrupt",
          offset: pos,
          message: `corrupt record at byte ${pos}: length CRC 0x${hex(lenCrc)} != computed 0x${hex(wantLenCrc)}`,
        },
      };
    }
    const len = dv.getUint32(pos, true) + dv.getUint32(pos + 4, true) * 2 ** 32;
    const dataStart = pos + 12;
    if (buf.length - dataStart < len) {
      return {
        records,
        problem: { kind: "torn", offset: pos, message: `truncated record at byte ${pos}: ${buf.length - dataStart} of ${len} data bytes` },
      };
    }
    const data = buf.subarray(dataStart, dataStart + len);
    const crcAt = dataStart + len;
    if (buf.length - crcAt < 4) {
      records.push({ offset: pos, data });
      return {
        records,
        problem: { kind: "torn", offset: pos, message: `record at byte ${pos} is missing its data CRC (${buf.length - crcAt} of 4 bytes)` },
      };
    }
    const dataCrc = dv.getUint32(crcAt, true);
    const wantDataCrc = maskedCrc32c(data);
    if (dataCrc !== wantDataCrc) {
      return {
        records,
        problem: {
          kind: "corrupt",
          offset: pos,
          message: `corrupt record at byte ${pos}: data CRC 0x${hex(dataCrc)} != computed 0x${hex(wantDataCrc)}`,
        },
      };
    }
    records.push({ offset: pos, data });
    pos = crcAt + 4;
  }
  return { records, problem: null };
}

function hex(x: number): string {
  return x.toString(16).padStart(8, "0");
}
