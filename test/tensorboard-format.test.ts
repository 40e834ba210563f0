/**
 * Byte-level tests of the event-file format: CRC-32C and its mask, the protobuf subset, the messages and
 * the TFRecord framing, against the vectors of shared/reference/tensorboard-format.md and hand-derived bytes.
 */
import { describe, expect, it } from "vitest";
import {
  crc32c,
  decodeEvent,
  decodeHParamsPluginData,
  decodeSummary,
  encodeEvent,
  encodeHParamsPluginData,
  encodeSummary,
  EventField,
  EventFileError,
  frameRecord,
  HistogramField,
  maskCrc,
  maskedCrc32c,
  parseEventFile,
  ProtoDecodeError,
  ProtoReader,
  ProtoWriter,
  splitRecords,
  SummaryImageField,
  SummaryValueField,
  TensorProtoField,
  tensorProtoValues,
  TFDataType,
  unmaskCrc,
  WireType,
} from "../src/tensorboard/index.js";

const hex = (b: Uint8Array): string => Buffer.from(b).toString("hex");
const bytes = (s: string): Uint8Array => Uint8Array.from(Buffer.from(s.replace(/\s+/g, ""), "hex"));
const ascii = (s: string): Uint8Array => new TextEncoder().encode(s);

// The reference's two events and their records (shared/reference/tensorboard-format.md §3.2).
const EVENT1 = "09 000000000000f03f 1a 0d 627261696e2e4576656e743a32";
const RECORD1 = `1800000000000000 a37f4b22 ${EVENT1} 86bf577a`;
const EVENT2 = "09000000000000f03f 1005 2a0d 0a0b 0a046c6f7373 150000003f";

describe("CRC-32C", () => {
  it("has the Castagnoli check value, not zlib's", () => {
    expect(crc32c(ascii("123456789"))).toBe(0xe3069283);
    expect(crc32c(new Uint8Array(0))).toBe(0);
    // RFC 3720 (iSCSI) B.4 vectors.
    expect(crc32c(new Uint8Array(32))).toBe(0x8a9136aa);
    expect(crc32c(new Uint8Array(32).fill(0xff))).toBe(0x62a8ab43);
    expect(crc32c(Uint8Array.from({ length: 32 }, (_, i) => i))).toBe(0x46dd794e);
  });

  it("masks as ((x >>> 15) | (x << 17)) + 0xA282EAD8 and unmasks back", () => {
    expect(maskCrc(0)).toBe(0xa282ead8);
    expect(maskCrc(0x00008000)).toBe((1 + 0xa282ead8) >>> 0);
    expect(maskCrc(0x00000001)).toBe((0x20000 + 0xa282ead8) >>> 0);
    // Wraps modulo 2^32.
    expect(maskCrc(0xffffffff)).toBe((0xffffffff + 0xa282ead8) % 2 ** 32);
    for (const x of [0, 1, 0xe3069283, 0xffffffff, 0x80000000, 0x12345678]) expect(unmaskCrc(maskCrc(x))).toBe(x);
  });

  it("gives the reference's masked CRCs for the record headers and payloads", () => {
    expect(maskedCrc32c(bytes("1800000000000000"))).toBe(0x224b7fa3);
    expect(maskedCrc32c(bytes(EVENT1))).toBe(0x7a57bf86);
    expect(maskedCrc32c(bytes("1a00000000000000"))).toBe(0x2dd89b12);
    expect(maskedCrc32c(bytes(EVENT2))).toBe(0xf98f6d1e);
  });
});

describe("protobuf writer", () => {
  it("writes varints (1, 2 and 10 bytes; negatives sign-extended to 64 bits)", () => {
    const w = new ProtoWriter(1); // also exercises growth
    w.uint(1, 0).uint(1, 1).uint(1, 127).uint(1, 128).uint(1, 300).uint(1, 2 ** 53 - 1).int(2, -1).int(2, -2).bool(3, true);
    expect(hex(w.finish())).toBe(
      "0800" + "0801" + "087f" + "088001" + "08ac02" + "08ffffffffffffff0f" + "10ffffffffffffffffff01" + "10feffffffffffffffff01" + "1801",
    );
    expect(() => new ProtoWriter().uint(1, -1)).toThrow(RangeError);
    expect(() => new ProtoWriter().uint(1, 1.5)).toThrow("protobuf: varint must be a non-negative safe integer, got 1.5");
    expect(() => new ProtoWriter().int(1, 2 ** 60)).toThrow("protobuf: int field 1 must be a safe integer");
    expect(() => new ProtoWriter().uint(0, 1)).toThrow("protobuf: invalid field number 0");
  });

  it("writes keys as (field << 3) | wire type, multi-byte for large field numbers", () => {
    expect(hex(new ProtoWriter().key(1, WireType.I64).finish())).toBe("09");
    expect(hex(new ProtoWriter().key(16, WireType.VARINT).finish())).toBe("8001");
    expect(hex(new ProtoWriter().key(2 ** 29 - 1, WireType.I32).finish())).toBe("fdffffff0f");
  });

  it("writes doubles and floats little-endian, including NaN, ±Infinity and -0", () => {
    const w = new ProtoWriter();
    w.double(1, 1.0).double(1, -0).double(1, Infinity).double(1, NaN).float(2, 0.5).float(2, -Infinity).float(2, NaN).float(2, 0.1);
    expect(hex(w.finish())).toBe(
      "09000000000000f03f" + "090000000000000080" + "09000000000000f07f" + "09000000000000f87f" + "150000003f" + "15000080ff" + "150000c07f" + "15cdcccc3d",
    );
  });

  it("writes strings as UTF-8, bytes and sub-messages length-delimited", () => {
    const w = new ProtoWriter();
    w.string(1, "é").bytes(2, Uint8Array.of(1, 2)).message(3, (m) => m.uint(1, 5)).message(4, () => {});
    expect(hex(w.finish())).toBe("0a02c3a9" + "12020102" + "1a020805" + "2200");
  });

  it("packs repeated doubles, floats and ints, and omits empty lists", () => {
    const w = new ProtoWriter();
    w.packedDoubles(6, [1, -2]).packedFloats(5, [1]).packedInts(7, [1, -1, 300]).packedDoubles(6, []).packedFloats(5, []).packedInts(7, []);
    expect(hex(w.finish())).toBe("3210000000000000f03f00000000000000c0" + "2a040000803f" + "3a0d01ffffffffffffffffff01ac02");
  });
});

describe("protobuf reader", () => {
  it("reads back what the writer wrote, field by field", () => {
    const w = new ProtoWriter();
    w.int(1, -5).double(2, 2.5).float(3, 0.25).string(4, "tag/ü").bool(5, true).int(6, 2 ** 53 - 1).int(7, -(2 ** 40));
    const r = new ProtoReader(w.finish());
    const got: unknown[] = [];
    while (r.next()) {
      switch (r.field) {
        case 1: got.push(r.int()); break;
        case 2: got.push(r.double()); break;
        case 3: got.push(r.float()); break;
        case 4: got.push(r.string()); break;
        case 5: got.push(r.bool()); break;
        default: got.push(r.int());
      }
    }
    expect(got).toEqual([-5, 2.5, 0.25, "tag/ü", true, 2 ** 53 - 1, -(2 ** 40)]);
  });

  it("accepts repeated numbers packed and unpacked", () => {
    const w = new ProtoWriter();
    w.packedDoubles(1, [1, 2]).double(1, 3).packedFloats(2, [0.5]).float(2, 0.25).packedInts(3, [-1, 7]).int(3, 9);
    const r = new ProtoReader(w.finish());
    const d: number[] = [];
    const f: number[] = [];
    const i: number[] = [];
    while (r.next()) {
      if (r.field === 1) r.repeatedDouble(d);
      else if (r.field === 2) r.repeatedFloat(f);
      else r.repeatedInt(i);
    }
    expect([d, f, i]).toEqual([[1, 2, 3], [0.5, 0.25], [-1, 7, 9]]);
  });

  it("skips unknown fields of every wire type", () => {
    const w = new ProtoWriter();
    w.uint(9, 300).double(10, 1).string(11, "x").float(12, 1).uint(1, 42);
    const r = new ProtoReader(w.finish());
    let v = -1;
    while (r.next()) {
      if (r.field === 1) v = r.uint();
      else r.skip();
    }
    expect(v).toBe(42);
  });

  it("reports malformed input with the byte offset", () => {
    const fail = (b: Uint8Array, read: (r: ProtoReader) => void): ProtoDecodeError => {
      try {
        const r = new ProtoReader(b);
        while (r.next()) read(r);
      } catch (e) {
        expect(e).toBeInstanceOf(ProtoDecodeError);
        return e as ProtoDecodeError;
      }
      throw new Error("expected a ProtoDecodeError");
    };
    let e = fail(bytes("0801 0a05 6162"), (r) => r.skip());
    expect(e.message).toBe("protobuf: length 5 runs past the end of the message (2 bytes left) at byte 2 (field 1)");
    expect(e.offset).toBe(2);
    e = fail(bytes("08 ff"), (r) => r.skip());
    expect(e.message).toMatch(/truncated varint at byte 0/);
    e = fail(bytes("0800 09 0000"), (r) => r.skip());
    expect([e.message, e.offset]).toEqual(["protobuf: truncated fixed64 at byte 2 (field 1)", 2]);
    e = fail(bytes("0b"), (r) => r.skip());
    expect(e.message).toMatch(/unsupported wire type 3/);
    e = fail(bytes("00"), (r) => r.skip());
    expect(e.message).toBe("protobuf: invalid field number 0 at byte 0");
    e = fail(bytes("0801"), (r) => r.double());
    expect(e.message).toBe("protobuf: field 1 has wire type 0, expected 1 for a double at byte 0 (field 1)");
  });
});

describe("messages", () => {
  it("encodes the reference events byte for byte", () => {
    expect(hex(encodeEvent({ wallTime: 1.0, fileVersion: "brain.Event:2" }))).toBe(EVENT1.replace(/ /g, ""));
    expect(hex(encodeEvent({ wallTime: 1.0, step: 5, summary: { value: [{ tag: "loss", simpleValue: 0.5 }] } }))).toBe(EVENT2.replace(/ /g, ""));
  });

  it("writes simple_value 0.0 (oneof presence) but omits zero wall_time/step (proto3 defaults)", () => {
    expect(hex(encodeEvent({ wallTime: 0, step: 0, summary: { value: [{ tag: "z", simpleValue: 0 }] } }))).toBe("2a0a0a080a017a1500000000");
    // -0.0 is not the default bit pattern: written, as protobuf does.
    expect(hex(encodeEvent({ wallTime: -0 }))).toBe("090000000000000080");
    expect(hex(encodeEvent({ step: -1 }))).toBe("10ffffffffffffffffff01");
  });

  it("orders fields by number and nests image, histogram, tensor and metadata as the .proto says", () => {
    const s = encodeSummary({
      value: [
        { tag: "i", image: { height: 2, width: 3, colorspace: 3, encodedImageString: Uint8Array.of(9) } },
        { tag: "h", histo: { min: -1, max: 1, num: 2, sum: 0, sumSquares: 2, bucketLimit: [0, 1], bucket: [1, 1] } },
        { tag: "t", tensor: { dtype: TFDataType.DT_STRING, tensorShape: { dim: [{ size: 1 }] }, stringVal: [ascii("a")] }, metadata: { pluginData: { pluginName: "text" } } },
      ],
    });
    const image = `0a01 69 22 09 0802 1003 1803 2201 09`.replace(/ /g, "");
    const histo = `0a01 68 2a 48 09 000000000000f0bf 11 000000000000f03f 19 0000000000000040 29 0000000000000040 32 10 0000000000000000 000000000000f03f 3a 10 000000000000f03f 000000000000f03f`.replace(/ /g, "");
    const tensor = `0a01 74 42 0b 0807 1204 1202 0801 4201 61 4a 08 0a06 0a04 74657874`.replace(/ /g, "");
    expect(hex(s)).toBe(`0a${(image.length / 2).toString(16).padStart(2, "0")}${image}0a${(histo.length / 2).toString(16)}${histo}0a${(tensor.length / 2).toString(16).padStart(2, "0")}${tensor}`);
    expect(SummaryValueField.image * 8 + WireType.LEN).toBe(0x22);
    expect(SummaryValueField.histo * 8 + WireType.LEN).toBe(0x2a);
    expect(SummaryValueField.tensor * 8 + WireType.LEN).toBe(0x42);
    expect(SummaryValueField.metadata * 8 + WireType.LEN).toBe(0x4a);
    expect(HistogramField.bucketLimit * 8 + WireType.LEN).toBe(0x32);
    expect(SummaryImageField.encodedImageString * 8 + WireType.LEN).toBe(0x22);
    expect(TensorProtoField.stringVal * 8 + WireType.LEN).toBe(0x42);
    expect(EventField.summary * 8 + WireType.LEN).toBe(0x2a);
  });

  it("decodes what it encodes, with proto3 defaults filled in", () => {
    const ev = {
      wallTime: 1700000000.25,
      step: 123456789012,
      summary: {
        value: [
          { tag: "a", simpleValue: NaN },
          { tag: "b", histo: { min: 0, max: 3, num: 4, sum: 6, sumSquares: 14, bucketLimit: [1, 2, 3], bucket: [1, 1, 2] } },
          { tag: "c", tensor: { dtype: TFDataType.DT_FLOAT, floatVal: [0.5, -2] }, metadata: { pluginData: { pluginName: "scalars" }, displayName: "C" } },
        ],
      },
      sourceMetadata: { writer: "w" },
    };
    const back = decodeEvent(encodeEvent(ev));
    expect(back.wallTime).toBe(1700000000.25);
    expect(back.step).toBe(123456789012);
    expect(back.sourceMetadata).toEqual({ writer: "w" });
    const [a, b, c] = back.summary!.value;
    expect(a.simpleValue).toBeNaN();
    expect(b.histo).toEqual(ev.summary.value[1].histo);
    expect(c.tensor!.floatVal).toEqual([0.5, -2]);
    expect(tensorProtoValues(c.tensor!)).toEqual([0.5, -2]);
    expect(c.metadata).toEqual({ pluginData: { pluginName: "scalars", content: new Uint8Array(0) }, displayName: "C", summaryDescription: "", dataClass: 0 });
    expect(decodeEvent(new Uint8Array(0))).toEqual({ wallTime: 0, step: 0 });
  });

  it("keeps the last member of a oneof, as protobuf does", () => {
    const w = new ProtoWriter();
    w.string(3, "v").message(7, (m) => m.uint(1, 1));
    const e = decodeEvent(w.finish());
    expect(e.fileVersion).toBeUndefined();
    expect(e.sessionLog).toEqual({ status: 1, checkpointPath: "", msg: "" });
    const v = decodeSummary(bytes("0a0a 0a0178 2200 150000803f")).value[0];
    expect(v.tag).toBe("x");
    expect(v.simpleValue).toBe(1);
    expect(v.image).toBeUndefined();
    const w2 = decodeSummary(bytes("0a0a 0a0178 150000803f 2200")).value[0];
    expect(w2.simpleValue).toBeUndefined();
    expect(w2.image).toEqual({ height: 0, width: 0, colorspace: 0, encodedImageString: new Uint8Array(0) });
  });

  it("round-trips the hparams plugin data", () => {
    const content = encodeHParamsPluginData({
      sessionStartInfo: { hparams: { lr: { numberValue: 0 }, opt: { stringValue: "" }, on: { boolValue: false } } },
    });
    // Oneof members of google.protobuf.Value are written even when zero/empty.
    expect(hex(content)).toBe(
      "1a26" + "0a0f0a026c72120911" + "0000000000000000" + "0a090a036f707412021a00" + "0a080a026f6e12022000",
    );
    expect(decodeHParamsPluginData(content).sessionStartInfo!.hparams).toEqual({
      lr: { numberValue: 0 },
      opt: { stringValue: "" },
      on: { boolValue: false },
    });
    expect(hex(encodeHParamsPluginData({ sessionEndInfo: { status: 1 } }))).toBe("22020801");
    expect(hex(encodeHParamsPluginData({ experiment: {} }))).toBe("1200");
  });
});

describe("TFRecord framing", () => {
  it("frames the reference event byte for byte", () => {
    expect(hex(frameRecord(bytes(EVENT1)))).toBe(RECORD1.replace(/ /g, ""));
    const r2 = frameRecord(bytes(EVENT2));
    expect(hex(r2.subarray(0, 12))).toBe("1a00000000000000129bd82d");
    expect(hex(r2.subarray(r2.length - 4))).toBe("1e6d8ff9");
  });

  it("splits records and verifies both CRCs", () => {
    const file = new Uint8Array([...frameRecord(bytes(EVENT1)), ...frameRecord(bytes(EVENT2)), ...frameRecord(new Uint8Array(0))]);
    const { records, problem } = splitRecords(file);
    expect(problem).toBeNull();
    expect(records.map((r) => [r.offset, hex(r.data)])).toEqual([
      [0, EVENT1.replace(/ /g, "")],
      [40, EVENT2.replace(/ /g, "")],
      [82, ""],
    ]);
    const parsed = parseEventFile(file);
    expect(parsed.events.map((e) => [e.offset, e.step, e.fileVersion ?? e.summary?.value[0].tag ?? null])).toEqual([
      [0, 0, "brain.Event:2"],
      [40, 5, "loss"],
      [82, 0, null],
    ]);
  });

  it("flags a torn tail at every cut point and keeps the events before it", () => {
    const rec1 = frameRecord(bytes(EVENT1));
    const rec2 = frameRecord(bytes(EVENT2));
    const file = new Uint8Array([...rec1, ...rec2]);
    for (let cut = rec1.length + 1; cut < file.length; cut++) {
      const { events, torn } = parseEventFile(file.subarray(0, cut), "f");
      expect(torn?.kind, `cut ${cut}`).toBe("torn");
      expect(torn?.offset).toBe(rec1.length);
      // Data complete but the trailing CRC missing: TensorBoard's reader still returns the event.
      expect(events.length, `cut ${cut}`).toBe(cut >= rec1.length + 12 + 26 ? 2 : 1);
    }
    expect(parseEventFile(file.subarray(0, rec1.length + 5)).torn?.message).toBe("truncated record header at byte 40: 5 of 12 bytes");
    expect(parseEventFile(file.subarray(0, rec1.length + 20)).torn?.message).toBe("truncated record at byte 40: 8 of 26 data bytes");
    expect(parseEventFile(file.subarray(0, file.length - 1)).torn?.message).toBe("record at byte 40 is missing its data CRC (3 of 4 bytes)");
  });

  it("throws on a corrupt record with its byte offset", () => {
    const file = new Uint8Array([...frameRecord(bytes(EVENT1)), ...frameRecord(bytes(EVENT2))]);
    const data = file.slice();
    data[40 + 12 + 3] ^= 0x10;
    expect(() => parseEventFile(data, "x.tfevents")).toThrow(/readEvents: x\.tfevents: corrupt record at byte 40: data CRC 0x[0-9a-f]{8} != computed 0x[0-9a-f]{8}/);
    const len = file.slice();
    len[40] = 0x1b;
    try {
      parseEventFile(len, "y");
      throw new Error("expected an EventFileError");
    } catch (e) {
      expect(e).toBeInstanceOf(EventFileError);
      expect((e as EventFileError).offset).toBe(40);
      expect((e as Error).message).toMatch(/corrupt record at byte 40: length CRC/);
    }
    // A record whose CRCs match but whose payload is not an Event.
    const junk = frameRecord(bytes("1a05"));
    expect(() => parseEventFile(new Uint8Array([...frameRecord(bytes(EVENT1)), ...junk]), "z")).toThrow(
      "readEvents: z: record at byte 40 is not a valid Event (protobuf: length 5 runs past the end of the message (0 bytes left) at byte 0 (field 3), file byte 52)",
    );
    const wrongWire = frameRecord(bytes("1001 0a00"));
    expect(() => parseEventFile(new Uint8Array([...frameRecord(bytes(EVENT1)), ...wrongWire]), "z")).toThrow(
      "readEvents: z: record at byte 40 is not a valid Event (protobuf: field 1 has wire type 2, expected 1 for a double at byte 2 (field 1), file byte 54)",
    );
  });
});
