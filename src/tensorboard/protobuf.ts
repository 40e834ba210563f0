/**
 * The subset of the protocol-buffers wire format that event files need: varints (int32/int64/uint/bool/enum),
 * fixed64 doubles, fixed32 floats, length-delimited bytes/strings/messages and packed repeated numbers.
 *
 * Why our own ~200 lines instead of `@bufbuild/protobuf` or `protobufjs`: the package may not take new
 * dependencies, the schema is a handful of stable messages whose field numbers are written down in
 * `schema.ts`, and a generated-code library would still need the `.proto` files vendored plus a build step.
 * What we give up — reflection, JSON mapping, unknown-field round trips — no event-file user needs.
 *
 * Wire format reference: https://protobuf.dev/programming-guides/encoding/ (little-endian fixed-width
 * numbers; negative int32/int64 varints are sign-extended to 10 bytes).
 */

/** Wire types (the low three bits of a field key). Groups (3, 4) are deprecated and not used by TensorBoard. */
export const WireType = { VARINT: 0, I64: 1, LEN: 2, SGROUP: 3, EGROUP: 4, I32: 5 } as const;

const TEXT_ENCODER = new TextEncoder();
const TEXT_DECODER = new TextDecoder("utf-8");

/** UTF-8 bytes of a string (protobuf `string` fields are UTF-8). */
export function utf8(s: string): Uint8Array {
  return TEXT_ENCODER.encode(s);
}

/** True when proto3 implicit presence omits this double: only +0.0 (-0.0 has a non-zero bit pattern and is written). */
export function isDefaultDouble(v: number): boolean {
  return v === 0 && 1 / v > 0;
}

/** Serializes one message. Fields are written in the order the caller writes them (write them by field number). */
export class ProtoWriter {
  private buf: Uint8Array;
  private view: DataView;
  private pos = 0;

  constructor(initialCapacity = 64) {
    this.buf = new Uint8Array(initialCapacity);
    this.view = new DataView(this.buf.buffer);
  }

  /** The bytes written so far (a copy-free view; do not keep it across further writes). */
  finish(): Uint8Array {
    return this.buf.subarray(0, this.pos);
  }

  get length(): number {
    return this.pos;
  }

  private reserve(n: number): void {
    if (this.pos + n <= this.buf.length) return;
    let cap = this.buf.length * 2;
    while (cap < this.pos + n) cap *= 2;
    const next = new Uint8Array(cap);
    next.set(this.buf.subarray(0, this.pos));
    this.buf = next;
    this.view = new DataView(next.buffer);
  }

  /** A raw unsigned varint (no key). `v` must be an integer in [0, 2^53) or a bigint in [0, 2^64). */
  rawVarint(v: number | bigint): this {
    if (typeof v === "bigint") {
      if (v < 0n || v >= 1n << 64n) throw new RangeError(`protobuf: varint out of range: ${v}`);
      this.reserve(10);
      while (v >= 0x80n) {
        this.buf[this.pos++] = Number(v & 0x7fn) | 0x80;
        v >>= 7n;
      }
      this.buf[this.pos++] = Number(v);
      return this;
    }
    if (!Number.isSafeInteger(v) || v < 0) throw new RangeError(`protobuf: varint must be a non-negative safe integer, got ${v}`);
    this.reserve(8);
    while (v >= 0x80) {
      this.buf[this.pos++] = (v % 0x80) | 0x80;
      v = Math.floor(v / 0x80);
    }
    this.buf[this.pos++] = v;
    return this;
  }

  /** The key of a field: `(field << 3) | wireType`. */
  key(field: number, wireType: number): this {
    if (!Number.isInteger(field) || field < 1 || field > 0x1fffffff) throw new RangeError(`protobuf: invalid field number ${field}`);
    return this.rawVarint(field * 8 + wireType);
  }

  /** `uint32`/`uint64`/`enum` (non-negative) field. */
  uint(field: number, v: number): this {
    return this.key(field, WireType.VARINT).rawVarint(v);
  }

  /** `int32`/`int64`/`enum` field; negative values are sign-extended to 64 bits (10 bytes), as protobuf does. */
  int(field: number, v: number): this {
    if (!Number.isSafeInteger(v)) throw new RangeError(`protobuf: int field ${field} must be a safe integer, got ${v}`);
    this.key(field, WireType.VARINT);
    return v >= 0 ? this.rawVarint(v) : this.rawVarint(BigInt.asUintN(64, BigInt(v)));
  }

  bool(field: number, v: boolean): this {
    return this.key(field, WireType.VARINT).rawVarint(v ? 1 : 0);
  }

  /** `double` field (fixed64, IEEE-754 little-endian; NaN and ±Infinity are written as such). */
  double(field: number, v: number): this {
    this.key(field, WireType.I64);
    this.reserve(8);
    this.view.setFloat64(this.pos, v, true);
    this.pos += 8;
    return this;
  }

  /** `float` field (fixed32): the value is rounded to float32 as a C cast would. */
  float(field: number, v: number): this {
    this.key(field, WireType.I32);
    this.reserve(4);
    this.view.setFloat32(this.pos, v, true);
    this.pos += 4;
    return this;
  }

  /** `bytes` field (also: an already-serialized sub-message). */
  bytes(field: number, data: Uint8Array): this {
    this.key(field, WireType.LEN).rawVarint(data.length);
    this.reserve(data.length);
    this.buf.set(data, this.pos);
    this.pos += data.length;
    return this;
  }

  string(field: number, s: string): this {
    return this.bytes(field, utf8(s));
  }

  /** Sub-message field: `build` writes the nested fields into a fresh writer. */
  message(field: number, build: (w: ProtoWriter) => void): this {
    const sub = new ProtoWriter();
    build(sub);
    return this.bytes(field, sub.finish());
  }

  /** `repeated double [packed=true]`; an empty list writes nothing (as protobuf does). */
  packedDoubles(field: number, values: ArrayLike<number>): this {
    if (values.length === 0) return this;
    this.key(field, WireType.LEN).rawVarint(values.length * 8);
    this.reserve(values.length * 8);
    for (let i = 0; i < values.length; i++, this.pos += 8) this.view.setFloat64(this.pos, values[i], true);
    return this;
  }

  /** `repeated float [packed=true]`. */
  packedFloats(field: number, values: ArrayLike<number>): this {
    if (values.length === 0) return this;
    this.key(field, WireType.LEN).rawVarint(values.length * 4);
    this.reserve(values.length * 4);
    for (let i = 0; i < values.length; i++, this.pos += 4) this.view.setFloat32(this.pos, values[i], true);
    return this;
  }

  /** `repeated int32/int64/bool/enum [packed=true]` (negative values take 10 bytes each). */
  packedInts(field: number, values: ArrayLike<number>): this {
    if (values.length === 0) return this;
    const sub = new ProtoWriter(values.length * 2);
    for (let i = 0; i < values.length; i++) {
      const v = values[i];
      if (!Number.isSafeInteger(v)) throw new RangeError(`protobuf: packed int field ${field} must hold safe integers, got ${v}`);
      if (v >= 0) sub.rawVarint(v);
      else sub.rawVarint(BigInt.asUintN(64, BigInt(v)));
    }
    return this.bytes(field, sub.finish());
  }
}

/** A malformed protobuf message; `offset` is the byte position (within the buffer given to the reader). */
export class ProtoDecodeError extends Error {
  constructor(
    message: string,
    readonly offset: number,
  ) {
    super(message);
    this.name = "ProtoDecodeError";
  }
}

/**
 * Reads one message's fields in order. Usage: `while (r.next()) switch (r.field) { case 1: x = r.double(); break;
 * default: r.skip(); }` — every field must be consumed (read or skipped) before the next `next()`.
 */
export class ProtoReader {
  private pos: number;
  private readonly view: DataView;
  /** Field number of the current field (valid after `next()` returned true). */
  field = 0;
  /** Wire type of the current field. */
  wireType = 0;
  /** Byte position of the current field's key. */
  fieldOffset = 0;

  constructor(
    readonly buf: Uint8Array,
    start = 0,
    readonly end = buf.length,
  ) {
    this.pos = start;
    this.view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  }

  /** Advances to the next field; false at the end of the message. */
  next(): boolean {
    if (this.pos >= this.end) return false;
    this.fieldOffset = this.pos;
    const key = this.rawVarint();
    this.field = Math.floor(key / 8);
    this.wireType = key % 8;
    if (this.field === 0) throw new ProtoDecodeError(`protobuf: invalid field number 0 at byte ${this.fieldOffset}`, this.fieldOffset);
    return true;
  }

  private fail(what: string): never {
    throw new ProtoDecodeError(`protobuf: ${what} at byte ${this.fieldOffset} (field ${this.field})`, this.fieldOffset);
  }

  private expectWire(w: number, type: string): void {
    if (this.wireType !== w) this.fail(`field ${this.field} has wire type ${this.wireType}, expected ${w} for ${type}`);
  }

  /** A varint as a number (exact below 2^53; above, use `rawVarintBig`). */
  rawVarint(): number {
    let result = 0;
    let mul = 1;
    for (let i = 0; i < 10; i++) {
      if (this.pos >= this.end) this.fail("truncated varint");
      const b = this.buf[this.pos++];
      result += (b & 0x7f) * mul;
      if (b < 0x80) return result;
      mul *= 128;
    }
    this.fail("varint longer than 10 bytes");
  }

  /** A varint as an unsigned 64-bit bigint. */
  rawVarintBig(): bigint {
    let result = 0n;
    let shift = 0n;
    for (let i = 0; i < 10; i++) {
      if (this.pos >= this.end) this.fail("truncated varint");
      const b = this.buf[this.pos++];
      result |= BigInt(b & 0x7f) << shift;
      if (b < 0x80) return BigInt.asUintN(64, result);
      shift += 7n;
    }
    this.fail("varint longer than 10 bytes");
  }

  /** `uint32`/`uint64`/`enum` (a number; exact below 2^53). */
  uint(): number {
    this.expectWire(WireType.VARINT, "an unsigned integer");
    return this.rawVarint();
  }

  /** `int32`/`int64` (two's complement over 64 bits; exact for |v| < 2^53). */
  int(): number {
    this.expectWire(WireType.VARINT, "an integer");
    const start = this.pos;
    const v = this.rawVarint();
    if (v < 2 ** 53) return v;
    this.pos = start;
    return Number(BigInt.asIntN(64, this.rawVarintBig()));
  }

  bool(): boolean {
    this.expectWire(WireType.VARINT, "a bool");
    return this.rawVarint() !== 0;
  }

  double(): number {
    this.expectWire(WireType.I64, "a double");
    if (this.pos + 8 > this.end) this.fail("truncated double");
    const v = this.view.getFloat64(this.pos, true);
    this.pos += 8;
    return v;
  }

  float(): number {
    this.expectWire(WireType.I32, "a float");
    if (this.pos + 4 > this.end) this.fail("truncated float");
    const v = this.view.getFloat32(this.pos, true);
    this.pos += 4;
    return v;
  }

  /** A length-delimited field's payload (a view into the buffer, no copy). */
  bytes(): Uint8Array {
    this.expectWire(WireType.LEN, "bytes, a string or a message");
    const len = this.rawVarint();
    if (this.pos + len > this.end) this.fail(`length ${len} runs past the end of the message (${this.end - this.pos} bytes left)`);
    const out = this.buf.subarray(this.pos, this.pos + len);
    this.pos += len;
    return out;
  }

  string(): string {
    return TEXT_DECODER.decode(this.bytes());
  }

  /** A sub-message: a reader over its payload (offsets stay relative to the same buffer). */
  message(): ProtoReader {
    const b = this.bytes();
    return new ProtoReader(this.buf, b.byteOffset - this.buf.byteOffset, b.byteOffset - this.buf.byteOffset + b.length);
  }

  /** `repeated double`, packed (one LEN field) or not (one I64 field per element); appends to `out`. */
  repeatedDouble(out: number[]): void {
    if (this.wireType === WireType.I64) {
      out.push(this.double());
      return;
    }
    const b = this.bytes();
    if (b.length % 8 !== 0) this.fail(`packed doubles of ${b.length} bytes (not a multiple of 8)`);
    const dv = new DataView(b.buffer, b.byteOffset, b.length);
    for (let i = 0; i < b.length; i += 8) out.push(dv.getFloat64(i, true));
  }

  /** `repeated float`, packed or not. */
  repeatedFloat(out: number[]): void {
    if (this.wireType === WireType.I32) {
      out.push(this.float());
      return;
    }
    const b = this.bytes();
    if (b.length % 4 !== 0) this.fail(`packed floats of ${b.length} bytes (not a multiple of 4)`);
    const dv = new DataView(b.buffer, b.byteOffset, b.length);
    for (let i = 0; i < b.length; i += 4) out.push(dv.getFloat32(i, true));
  }

  /** `repeated int32/int64/uint*` (signed when `signed`), packed or not. */
  repeatedInt(out: number[], signed = true): void {
    if (this.wireType === WireType.VARINT) {
      out.push(signed ? this.int() : this.uint());
      return;
    }
    const sub = this.message();
    while (sub.pos < sub.end) {
      const start = sub.pos;
      const v = sub.rawVarint();
      if (v < 2 ** 53 || !signed) out.push(v);
      else {
        sub.pos = start;
        out.push(Number(BigInt.asIntN(64, sub.rawVarintBig())));
      }
    }
  }

  /** Skips the current field's value. */
  skip(): void {
    switch (this.wireType) {
      case WireType.VARINT:
        this.rawVarint();
        return;
      case WireType.I64:
        if (this.pos + 8 > this.end) this.fail("truncated fixed64");
        this.pos += 8;
        return;
      case WireType.LEN:
        this.bytes();
        return;
      case WireType.I32:
        if (this.pos + 4 > this.end) this.fail("truncated fixed32");
        this.pos += 4;
        return;
      default:
        this.fail(`unsupported wire type ${this.wireType}`);
    }
  }
}
