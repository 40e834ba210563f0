/**
 * Checkpoints without PyTorch: safetensors layout (the reference implementation's byte-exact cases), round
 * trips of every dtype and layout, corruption, the inflater against zlib, the zip reader and unpickler on
 * hand-built archives, and the Node save/load on paths. PyTorch-made and PyTorch-read files are in
 * diff-serialization.test.ts.
 */
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { constants, crc32 as zlibCrc32, deflateRawSync } from "node:zlib";
import { afterAll, describe, expect, it } from "vitest";
import * as torch from "../src/index.js";
import { load, save } from "../src/node.js";
import { inflateRaw } from "../src/serialization/inflate.js";
import { type PyValue, unpickle } from "../src/serialization/pickle.js";
import { crc32 } from "../src/serialization/pt-zip.js";
import { Rng } from "./oracle/rng.js";

const tmp = mkdtempSync(join(tmpdir(), "torch-ts-ser-"));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const enc = (s: string): Uint8Array => new TextEncoder().encode(s);
const dec = (b: Uint8Array): string => new TextDecoder().decode(b);

/** The JSON header of safetensors bytes, as text (padding included). */
function headerText(bytes: Uint8Array): string {
  const n = new DataView(bytes.buffer, bytes.byteOffset).getUint32(0, true);
  return dec(bytes.subarray(8, 8 + n));
}

/** Safetensors bytes from a header object (or raw header text) and a data section. */
function craft(header: object | string, data: Uint8Array = new Uint8Array(0)): Uint8Array {
  const json = enc(typeof header === "string" ? header : JSON.stringify(header));
  const out = new Uint8Array(8 + json.length + data.length);
  new DataView(out.buffer).setUint32(0, json.length, true);
  out.set(json, 8);
  out.set(data, 8 + json.length);
  return out;
}

function f32Bytes(values: number[]): Uint8Array {
  return new Uint8Array(new Float32Array(values).buffer);
}

function expectSameTensor(a: torch.Tensor, b: torch.Tensor): void {
  expect(a.dtype).toBe(b.dtype);
  expect(a.shape).toEqual(b.shape);
  const x = Array.from(a.toTypedArray());
  const y = Array.from(b.toTypedArray());
  expect(x.length).toBe(y.length);
  for (let i = 0; i < x.length; i++) if (!Object.is(x[i], y[i])) expect([i, x[i]]).toEqual([i, y[i]]);
}

describe("safetensors layout (the reference implementation's test vectors)", () => {
  it("writes a single F32 tensor byte for byte as safetensors does", () => {
    const t = torch.tensor([0, 1, 2, 3, 4, 5], { dtype: "float32" }).reshape([1, 2, 3]);
    const out = torch.saveSafetensors({ "attn.0": t });
    const header = '{"attn.0":{"dtype":"F32","shape":[1,2,3],"data_offsets":[0,24]}}';
    expect(header.length).toBe(64); // already a multiple of 8: no padding
    const expected = new Uint8Array([64, 0, 0, 0, 0, 0, 0, 0, ...enc(header), ...f32Bytes([0, 1, 2, 3, 4, 5])]);
    expect(Array.from(out)).toEqual(Array.from(expected));
  });

  it("pads the header with spaces so the data starts 8-byte aligned", () => {
    const t = torch.tensor([0, 1, 2, 3, 4, 5], { dtype: "float32" }).reshape([1, 1, 2, 3]);
    const out = torch.saveSafetensors({ attn0: t });
    const header = '{"attn0":{"dtype":"F32","shape":[1,1,2,3],"data_offsets":[0,24]}}';
    expect(header.length).toBe(65);
    const expected = new Uint8Array([72, 0, 0, 0, 0, 0, 0, 0, ...enc(header + " ".repeat(7)), ...f32Bytes([0, 1, 2, 3, 4, 5])]);
    expect(Array.from(out)).toEqual(Array.from(expected));
  });

  it("writes empty dicts with and without metadata as safetensors does", () => {
    expect(Array.from(torch.saveSafetensors({}))).toEqual([8, 0, 0, 0, 0, 0, 0, 0, ...enc("{}      ")]);
    const withMeta = torch.saveSafetensors({}, { framework: "pt" });
    expect(Array.from(withMeta)).toEqual([40, 0, 0, 0, 0, 0, 0, 0, ...enc('{"__metadata__":{"framework":"pt"}}     ')]);
    expect(torch.loadSafetensors(withMeta)).toEqual({});
    expect(torch.loadSafetensorsMetadata(withMeta)).toEqual({ framework: "pt" });
    expect(torch.loadSafetensorsMetadata(torch.saveSafetensors({}))).toBeNull();
  });

  it("orders tensors by descending dtype alignment, then by name, with packed offsets", () => {
    const sd = {
      b: torch.tensor([true, false]),
      a: torch.tensor([1, 2], { dtype: "uint8" }),
      z32: torch.tensor([1], { dtype: "int32" }),
      y: torch.tensor([1.5], { dtype: "float32" }),
      x: torch.tensor([2.5], { dtype: "float64" }),
      w: torch.tensor([7], { dtype: "int64" }),
      c: torch.tensor([3], { dtype: "int64" }),
    };
    const header = JSON.parse(headerText(torch.saveSafetensors(sd, { k: "v" })));
    expect(Object.keys(header)).toEqual(["__metadata__", "c", "w", "x", "y", "z32", "a", "b"]);
    expect(header.c).toEqual({ dtype: "I64", shape: [1], data_offsets: [0, 8] });
    expect(header.x.data_offsets).toEqual([16, 24]);
    expect(header.b).toEqual({ dtype: "BOOL", shape: [2], data_offsets: [34, 36] });
  });

  it("sorts names by code point (UTF-8 byte order), not UTF-16 units", () => {
    const one = torch.tensor([1], { dtype: "float32" });
    const header = JSON.parse(headerText(torch.saveSafetensors({ "😀": one, "\uffff": one, é: one, z: one })));
    expect(Object.keys(header)).toEqual(["z", "é", "\uffff", "😀"]);
  });
});

describe("safetensors round trips", () => {
  it("keeps every dtype and special value exactly", () => {
    const sd: Record<string, torch.Tensor> = {
      f32: torch.tensor([0, -0, 1.5, NaN, Infinity, -Infinity, 1e-45, 3.4028234663852886e38, 0.1], { dtype: "float32" }),
      f64: torch.tensor([[Number.MIN_VALUE, -0], [Number.MAX_VALUE, NaN], [0.1, -Infinity]], { dtype: "float64" }),
      i32: torch.tensor([-2147483648, 2147483647, 0, -1], { dtype: "int32" }),
      i64: torch.tensor([Number.MAX_SAFE_INTEGER, -Number.MAX_SAFE_INTEGER, -1, 0, 2 ** 32, -(2 ** 32) - 1], { dtype: "int64" }),
      u8: torch.tensor([0, 255, 128], { dtype: "uint8" }),
      bool: torch.tensor([[true, false], [false, true]]),
      scalar: torch.tensor(3.25, { dtype: "float64" }),
      empty: torch.zeros([2, 0, 3]),
    };
    const back = torch.loadSafetensors(torch.saveSafetensors(sd));
    expect(Object.keys(back)).toEqual(Object.keys(sd).sort());
    for (const k of Object.keys(sd)) expectSameTensor(back[k], sd[k]);
    expect(back.i64.tolist()).toEqual([Number.MAX_SAFE_INTEGER, -Number.MAX_SAFE_INTEGER, -1, 0, 2 ** 32, -(2 ** 32) - 1]);
  });

  it("writes int64 as real two's-complement int64", () => {
    const bytes = torch.saveSafetensors({ n: torch.tensor([-2, 2 ** 40 + 3], { dtype: "int64" }) });
    const data = bytes.subarray(bytes.length - 16);
    const ints = new BigInt64Array(new Uint8Array(data).buffer);
    expect(Array.from(ints)).toEqual([-2n, 2n ** 40n + 3n]);
  });

  it("writes non-contiguous tensors contiguous and shared storage as separate copies", () => {
    const base = torch.tensor([[1, 2, 3, 4], [5, 6, 7, 8], [9, 10, 11, 12]], { dtype: "float32" });
    const sd = {
      t: base.t(),
      row: base.select(0, 1),
      col: base.select(1, 2),
      step: base.flatten().narrow(0, 2, 6).view([2, 3]),
      expanded: torch.tensor([1, 2], { dtype: "float32" }).view([2, 1]).expand([2, 3]),
      same: base,
    };
    expect(sd.t.isContiguous()).toBe(false);
    const bytes = torch.saveSafetensors(sd);
    const back = torch.loadSafetensors(bytes);
    for (const [k, v] of Object.entries(sd)) expectSameTensor(back[k], v.contiguous());
    expect(back.t.isContiguous()).toBe(true);
    expect(back.t.buf).not.toBe(back.same.buf);
    back.same.buf[0] = 100;
    expect(back.t._get([0, 0])).toBe(1);
    expect(bytes.length).toBe(8 + headerText(bytes).length + 4 * (12 + 4 + 3 + 6 + 6 + 12));
  });

  it("keeps names that are object-prototype keys, Map input and metadata", () => {
    const sd = new Map<string, torch.Tensor>([
      ["__proto__", torch.tensor([1], { dtype: "float32" })],
      ["constructor", torch.tensor([2], { dtype: "float32" })],
    ]);
    const bytes = torch.saveSafetensors(sd, { epoch: "3", note: "ünïcode" });
    const back = torch.loadSafetensors(bytes);
    expect(Object.keys(back)).toEqual(["__proto__", "constructor"]);
    expect(Object.getPrototypeOf(back)).toBe(Object.prototype);
    expect(back["__proto__"].tolist()).toEqual([1]);
    expect(torch.loadSafetensorsMetadata(bytes)).toEqual({ epoch: "3", note: "ünïcode" });
  });

  it("round-trips a module's state dict, parameters and an int64 buffer, through loadStateDict", () => {
    class Net extends torch.nn.Module {
      constructor() {
        super();
        this.registerParameter("weight", new torch.nn.Parameter(torch.randn([3, 4])));
        this.registerBuffer("num_batches_tracked", torch.tensor(7, { dtype: "int64" }));
        this.registerBuffer("scratch", torch.zeros([2]), { persistent: false });
      }
    }
    const a = new Net();
    const bytes = torch.saveSafetensors(a.stateDict());
    expect(Object.keys(torch.loadSafetensors(bytes))).toEqual(["num_batches_tracked", "weight"]);
    const b = new Net();
    b.loadStateDict(torch.loadSafetensors(bytes));
    expectSameTensor(b.stateDict().weight, a.stateDict().weight);
    expect(b.stateDict().num_batches_tracked.tolist()).toBe(7);
    expect(b.stateDict().num_batches_tracked.dtype).toBe("int64");
  });
});

describe("safetensors errors", () => {
  const good = torch.saveSafetensors({ w: torch.tensor([[1, 2], [3, 4]], { dtype: "float32" }), n: torch.tensor([5], { dtype: "int64" }) });

  it("rejects what cannot be saved, naming the key", () => {
    expect(() => torch.saveSafetensors({ state: {} as any })).toThrow('saveSafetensors: value of "state" is a nested object, not a Tensor');
    expect(() => torch.saveSafetensors({ epoch: 3 as any })).toThrow('value of "epoch" is number, not a Tensor');
    expect(() => torch.saveSafetensors(new torch.nn.Module() as any)).toThrow("got a module or optimizer; save its state dict instead");
    expect(() => torch.saveSafetensors(torch.ones([1]) as any)).toThrow("expected a state dict (an object or Map of names to tensors), got a Tensor");
    expect(() => torch.saveSafetensors({ __metadata__: torch.ones([1]) })).toThrow('"__metadata__" is reserved');
    expect(() => torch.saveSafetensors({ w: torch.ones([1]) }, { epoch: 3 as any })).toThrow('metadata values must be strings, got number for "epoch"');
  });

  it("rejects truncation at every length with an Error that names the problem", () => {
    for (let n = 0; n < good.length; n++) {
      let err: unknown = null;
      try {
        torch.loadSafetensors(good.subarray(0, n), "model.safetensors");
      } catch (e) {
        err = e;
      }
      expect(err, `length ${n}`).toBeInstanceOf(Error);
      expect((err as Error).message).toMatch(/^loadSafetensors: 'model\.safetensors': /);
    }
    expect(() => torch.loadSafetensors(good.subarray(0, 5))).toThrow("file is truncated: 5 bytes");
    expect(() => torch.loadSafetensors(good.subarray(0, 20))).toThrow(/header length \d+ exceeds the file size \(12 bytes/);
    expect(() => torch.loadSafetensors(good.subarray(0, good.length - 1))).toThrow(/extend beyond the data section \(23 bytes\): the file is truncated/);
  });

  it("never fails with anything but its own Error when a header byte is flipped", () => {
    const n = headerText(good).length;
    for (let i = 8; i < 8 + n; i++) {
      for (const flip of [0x01, 0x20, 0x80]) {
        const bad = good.slice();
        bad[i] ^= flip;
        try {
          const out = torch.loadSafetensors(bad);
          // A flip inside a name or a same-size reshape can leave a valid file: it must still hold all the data.
          expect(Object.values(out).reduce((s, t) => s + t.numel(), 0)).toBeGreaterThan(0);
        } catch (e) {
          expect(e).toBeInstanceOf(Error);
          expect((e as Error).message).toMatch(/^loadSafetensors: /);
        }
      }
    }
  });

  it("names each header problem", () => {
    const data = f32Bytes([1, 2]);
    const entry = (o: object): object => ({ w: { dtype: "F32", shape: [2], data_offsets: [0, 8], ...o } });
    const cases: Array<[Uint8Array, string | RegExp]> = [
      [craft("{oops", data), "header is not valid JSON"],
      [craft("[1,2]", data), "header must be a JSON object, got an array"],
      [craft(entry({ dtype: "F16" }), data), 'tensor "w": dtype F16 is not supported by torch-ts (supported: F32, F64, I32, I64, U8, BOOL)'],
      [craft(entry({ dtype: "Q7" }), data), 'tensor "w": unknown dtype "Q7"'],
      [craft(entry({ shape: [3] }), data), "data_offsets [0, 8] span 8 bytes, but shape [3] of F32 needs 12"],
      [craft(entry({ shape: [-2] }), data), "shape must be an array of non-negative integers, got [-2]"],
      [craft(entry({ data_offsets: [8, 0] }), data), "data_offsets must be [begin, end] with 0 <= begin <= end, got [8,0]"],
      [craft(entry({ data_offsets: [4, 12] }), data), "extend beyond the data section (8 bytes)"],
      [craft(entry({ data_offsets: [4, 12] }), f32Bytes([1, 2, 3])), "leave a gap of 4 bytes"],
      [craft(entry({}), f32Bytes([1, 2, 3])), "4 bytes after the last tensor's data"],
      [
        craft({ a: { dtype: "F32", shape: [2], data_offsets: [0, 8] }, b: { dtype: "F32", shape: [1], data_offsets: [4, 8] } }, data),
        'tensor "b" data_offsets [4, 8] overlap tensor "a" [0, 8]',
      ],
      [craft({ __metadata__: { epoch: 3 } }), '"__metadata__" value of "epoch" must be a string, got 3'],
      [craft({ w: 5 }), 'tensor "w": entry must be an object'],
    ];
    for (const [bytes, message] of cases) expect(() => torch.loadSafetensors(bytes, "m.st")).toThrow(message);
    const badUtf8 = craft("{}  ");
    badUtf8[9] = 0xff;
    expect(() => torch.loadSafetensors(badUtf8)).toThrow("header is not valid UTF-8");
  });

  it("refuses int64 values a double cannot hold, naming the tensor and the value", () => {
    const i64 = (v: bigint): Uint8Array => new Uint8Array(new BigInt64Array([v]).buffer);
    const hdr = { n: { dtype: "I64", shape: [1], data_offsets: [0, 8] } };
    expect(torch.loadSafetensors(craft(hdr, i64(2n ** 53n - 1n))).n.tolist()).toEqual([2 ** 53 - 1]);
    expect(torch.loadSafetensors(craft(hdr, i64(-(2n ** 53n) + 1n))).n.tolist()).toEqual([-(2 ** 53) + 1]);
    expect(() => torch.loadSafetensors(craft(hdr, i64(2n ** 53n)), "x.st")).toThrow(
      "loadSafetensors: 'x.st': tensor \"n\": int64 element 0 is 9007199254740992, which torch-ts cannot represent",
    );
    expect(() => torch.loadSafetensors(craft(hdr, i64(-(2n ** 53n))))).toThrow("is -9007199254740992");
    expect(() => torch.loadSafetensors(craft(hdr, i64(-(2n ** 63n))))).toThrow("is -9223372036854775808");
  });

  it("normalizes bool bytes and accepts tensors listed out of offset order", () => {
    const bytes = craft(
      { b: { dtype: "BOOL", shape: [3], data_offsets: [4, 7] }, a: { dtype: "F32", shape: [1], data_offsets: [0, 4] } },
      new Uint8Array([0, 0, 0x80, 0x3f, 0, 2, 1]),
    );
    const out = torch.loadSafetensors(bytes);
    expect(out.a.tolist()).toEqual([1]);
    expect(out.b.tolist()).toEqual([false, true, true]);
  });
});

describe("inflate", () => {
  const rng = new Rng(11);
  const samples: Uint8Array[] = [
    new Uint8Array(0),
    new Uint8Array(70000).map(() => rng.int(0, 255)),
    new Uint8Array(100000).map((_, i) => (i % 251) ^ (i >> 9)),
    enc("the quick brown fox jumps over the lazy dog ".repeat(2000)),
    new Float32Array(20000).map(() => Math.round(rng.normal() * 4) / 4) as unknown as Uint8Array,
  ].map((s) => new Uint8Array(s.buffer, s.byteOffset, s.byteLength));

  it("matches zlib for every level and strategy", () => {
    const strategies = [constants.Z_DEFAULT_STRATEGY, constants.Z_FIXED, constants.Z_HUFFMAN_ONLY, constants.Z_RLE, constants.Z_FILTERED];
    let checked = 0;
    for (const s of samples) {
      for (const level of [0, 1, 6, 9]) {
        for (const strategy of strategies) {
          const z = deflateRawSync(s, { level, strategy });
          const out = inflateRaw(new Uint8Array(z), s.length);
          expect(Buffer.from(out).equals(Buffer.from(s))).toBe(true);
          checked++;
        }
      }
    }
    expect(checked).toBe(samples.length * 4 * 5);
  });

  it("rejects truncated, corrupt and wrongly sized streams", () => {
    const s = samples[3];
    const z = new Uint8Array(deflateRawSync(s));
    expect(() => inflateRaw(z.subarray(0, z.length >> 1), s.length)).toThrow(/invalid deflate data/);
    expect(() => inflateRaw(z, s.length - 1)).toThrow("more than the expected");
    expect(() => inflateRaw(z, s.length + 1)).toThrow(`${s.length} bytes inflated, ${s.length + 1} expected`);
    expect(() => inflateRaw(new Uint8Array([0x07]), 10)).toThrow("invalid block type 3");
    expect(() => inflateRaw(new Uint8Array([0x01, 0x05, 0x00, 0x00, 0x00]), 5)).toThrow("stored block length check failed");
    // A flipped bit either breaks the stream (an Error of ours) or decodes to other bytes of the same size,
    // which the zip reader's CRC-32 then catches.
    let threw = 0;
    for (let i = 0; i < 200; i++) {
      const bad = z.slice();
      bad[(i * 7919) % bad.length] ^= 1 << i % 8;
      try {
        expect(inflateRaw(bad, s.length).length).toBe(s.length);
      } catch (e) {
        expect((e as Error).message).toMatch(/^invalid deflate data: /);
        threw++;
      }
    }
    expect(threw).toBeGreaterThan(0);
  });

  it("computes zip's CRC-32", () => {
    expect(crc32(enc("123456789"))).toBe(0xcbf43926);
    for (const s of samples) expect(crc32(s)).toBe(zlibCrc32(s));
  });
});

/** A minimal pickle assembler for hand-built state dicts. */
class Pickle {
  private bytes: number[] = [0x80, 2];
  private op(...b: number[]): this {
    this.bytes.push(...b);
    return this;
  }
  global(module: string, name: string): this {
    return this.op(0x63, ...enc(`${module}\n${name}\n`));
  }
  str(s: string): this {
    const b = enc(s);
    return this.op(0x58, b.length & 255, (b.length >> 8) & 255, 0, 0, ...b);
  }
  int(n: number): this {
    return this.op(0x4a, ...new Uint8Array(new Int32Array([n]).buffer));
  }
  mark(): this {
    return this.op(0x28);
  }
  tuple(): this {
    return this.op(0x74);
  }
  raw(...b: number[]): this {
    return this.op(...b);
  }
  /** `_rebuild_tensor_v2(('storage', <type>, key, 'cpu', numel), offset, size, stride, False, OrderedDict())`. */
  tensor(storage: string, key: string, numel: number, offset: number, size: number[], stride: number[]): this {
    this.global("torch._utils", "_rebuild_tensor_v2").mark();
    this.mark().str("storage").global("torch", storage).str(key).str("cpu").int(numel).tuple().op(0x51);
    this.int(offset).mark();
    for (const s of size) this.int(s);
    this.tuple().mark();
    for (const s of stride) this.int(s);
    this.tuple().op(0x89).global("collections", "OrderedDict").op(0x29, 0x52).tuple().op(0x52);
    return this;
  }
  done(): Uint8Array {
    return new Uint8Array([...this.bytes, 0x2e]);
  }
}

interface ZipItem {
  name: string;
  data: Uint8Array;
  deflate?: boolean;
  crc?: number;
}

/** Writes a zip archive; with `zip64`, sizes and offsets go through zip64 extra fields and records. */
function makeZip(items: ZipItem[], zip64 = false): Uint8Array {
  const parts: Uint8Array[] = [];
  const central: Uint8Array[] = [];
  let offset = 0;
  const u16 = (v: number): number[] => [v & 255, (v >> 8) & 255];
  const u32 = (v: number): number[] => [v & 255, (v >> 8) & 255, (v >> 16) & 255, (v >>> 24) & 255];
  const u64 = (v: number): number[] => [...u32(v % 2 ** 32), ...u32(Math.floor(v / 2 ** 32))];
  for (const it of items) {
    const name = enc(it.name);
    const body = it.deflate ? new Uint8Array(deflateRawSync(it.data)) : it.data;
    const crc = it.crc ?? crc32(it.data);
    const method = it.deflate ? 8 : 0;
    const local = [...u32(0x04034b50), ...u16(20), ...u16(0), ...u16(method), ...u32(0), ...u32(crc), ...u32(body.length), ...u32(it.data.length), ...u16(name.length), ...u16(0)];
    parts.push(new Uint8Array([...local, ...name]), body);
    const big = 0xffffffff;
    const extra = zip64 ? [...u16(1), ...u16(24), ...u64(it.data.length), ...u64(body.length), ...u64(offset)] : [];
    central.push(
      new Uint8Array([
        ...u32(0x02014b50), ...u16(45), ...u16(45), ...u16(0), ...u16(method), ...u32(0), ...u32(crc),
        ...u32(zip64 ? big : body.length), ...u32(zip64 ? big : it.data.length), ...u16(name.length), ...u16(extra.length),
        ...u16(0), ...u16(0), ...u16(0), ...u32(0), ...u32(zip64 ? big : offset), ...name, ...extra,
      ]),
    );
    offset += local.length + name.length + body.length;
  }
  const cdSize = central.reduce((s, c) => s + c.length, 0);
  const tail: number[] = [];
  if (zip64) {
    const rec = offset + cdSize;
    tail.push(...u32(0x06064b50), ...u64(44), ...u16(45), ...u16(45), ...u32(0), ...u32(0), ...u64(items.length), ...u64(items.length), ...u64(cdSize), ...u64(offset));
    tail.push(...u32(0x07064b50), ...u32(0), ...u64(rec), ...u32(1));
  }
  tail.push(...u32(0x06054b50), ...u16(0), ...u16(0), ...u16(zip64 ? 0xffff : items.length), ...u16(zip64 ? 0xffff : items.length));
  tail.push(...u32(zip64 ? 0xffffffff : cdSize), ...u32(zip64 ? 0xffffffff : offset), ...u16(0));
  const all = [...parts, ...central, new Uint8Array(tail)];
  const out = new Uint8Array(all.reduce((s, p) => s + p.length, 0));
  let p = 0;
  for (const a of all) {
    out.set(a, p);
    p += a.length;
  }
  return out;
}

/** A hand-built checkpoint: w = 2x2 float32 transposed view at offset 1 of a 5-element storage, n = int64 scalar. */
function handBuiltPt(opts: { zip64?: boolean; deflate?: boolean; pkl?: Uint8Array; drop?: string; crcOf?: string } = {}): Uint8Array {
  const pkl =
    opts.pkl ??
    new Pickle()
      .global("collections", "OrderedDict")
      .raw(0x29, 0x52, 0x71, 0)
      .mark()
      .str("w")
      .tensor("FloatStorage", "0", 5, 1, [2, 2], [1, 2])
      .str("n")
      .tensor("LongStorage", "1", 1, 0, [], [])
      .raw(0x75)
      .done();
  const items: ZipItem[] = [
    { name: "ckpt/data.pkl", data: pkl },
    { name: "ckpt/data/0", data: f32Bytes([9, 1, 2, 3, 4]) },
    { name: "ckpt/data/1", data: new Uint8Array(new BigInt64Array([-42n]).buffer) },
    { name: "ckpt/version", data: enc("3\n") },
  ]
    .filter((i) => i.name !== opts.drop)
    .map((i) => ({ ...i, deflate: opts.deflate, crc: i.name === opts.crcOf ? 1234 : undefined }));
  return makeZip(items, opts.zip64);
}

describe("PyTorch zip checkpoints (hand-built archives)", () => {
  it("rebuilds tensors with their storage offset and strides, from stored, deflated and zip64 archives", () => {
    for (const variant of [{}, { deflate: true }, { zip64: true }, { zip64: true, deflate: true }]) {
      const sd = torch.loadPt(handBuiltPt(variant));
      expect(Object.keys(sd)).toEqual(["w", "n"]);
      expect(sd.w.tolist()).toEqual([[1, 3], [2, 4]]);
      expect(sd.w.strides).toEqual([1, 2]);
      expect(sd.w.offset).toBe(1);
      expect(sd.n.dtype).toBe("int64");
      expect(sd.n.shape).toEqual([]);
      expect(sd.n.item()).toBe(-42);
    }
  });

  it("names missing entries, CRC failures, truncation and the legacy format", () => {
    expect(() => torch.loadPt(handBuiltPt({ drop: "ckpt/data/0" }), "m.pt")).toThrow("loadPt: 'm.pt': zip entry 'ckpt/data/0' (storage of 'w') is missing");
    expect(() => torch.loadPt(handBuiltPt({ drop: "ckpt/data.pkl" }))).toThrow(
      "no '<archive>/data.pkl' entry, so this zip is not a torch.save checkpoint (entries: 'ckpt/data/0', 'ckpt/data/1', 'ckpt/version')",
    );
    expect(() => torch.loadPt(handBuiltPt({ crcOf: "ckpt/data/1" }))).toThrow("zip entry 'ckpt/data/1' fails its CRC-32 check: the file is corrupt");
    const good = handBuiltPt();
    for (let n = 0; n < good.length; n += 7) {
      expect(() => torch.loadPt(good.subarray(0, n)), `length ${n}`).toThrow(/^loadPt: /);
    }
    const legacy = new Uint8Array([0x80, 0x02, 0x8a, 0x0a, 0x6c, 0xfc, 0x9c, 0x46, 0xf9, 0x20]);
    expect(() => torch.loadPt(legacy)).toThrow("legacy (pre-1.6, non-zip) torch.save format");
    expect(() => torch.loadPt(enc("hello world"))).toThrow('not a PyTorch checkpoint: a torch.save zip archive starts with "PK"');
  });

  it("checks tensor geometry against the storage", () => {
    const pkl = new Pickle().raw(0x7d).str("w").tensor("FloatStorage", "0", 5, 2, [2, 2], [2, 1]).raw(0x73).done();
    expect(() => torch.loadPt(handBuiltPt({ pkl }))).toThrow("tensor 'w' (size [2, 2], stride [2, 1], offset 2) reaches beyond its storage of 5 elements");
    const wrongSize = new Pickle().raw(0x7d).str("w").tensor("FloatStorage", "0", 6, 0, [6], [1]).raw(0x73).done();
    expect(() => torch.loadPt(handBuiltPt({ pkl: wrongSize }))).toThrow("zip entry 'ckpt/data/0' holds 20 bytes, but its storage of 6 float32 elements needs 24");
  });

  it("rejects anything but a plain state dict of tensors, naming what it found", () => {
    const module = new Pickle().global("torch.nn.modules.linear", "Linear").raw(0x29, 0x81).done();
    expect(() => torch.loadPt(handBuiltPt({ pkl: module }))).toThrow(
      "unsupported global 'torch.nn.modules.linear.Linear' (a pickled module: save model.state_dict() instead) in data.pkl: " +
        "only plain state dicts of tensors (torch.save(model.state_dict(), path)) are supported",
    );
    const nested = new Pickle().raw(0x7d).str("epoch").int(3).raw(0x73).done();
    expect(() => torch.loadPt(handBuiltPt({ pkl: nested }))).toThrow("entry 'epoch' is a int, not a tensor");
    const half = new Pickle().raw(0x7d).str("w").tensor("HalfStorage", "0", 5, 0, [5], [1]).raw(0x73).done();
    expect(() => torch.loadPt(handBuiltPt({ pkl: half }))).toThrow("torch.HalfStorage (dtype float16) is not supported by torch-ts");
    const list = new Pickle().raw(0x5d).done();
    expect(() => torch.loadPt(handBuiltPt({ pkl: list }))).toThrow("the saved object is a list, not a dict");
  });
});

describe("unpickle", () => {
  const hooks = {
    findClass: (m: string, n: string) => ({ qualname: `${m}.${n}`, call: (args: PyValue[]) => ({ called: `${m}.${n}`, args }) }),
    persistentLoad: (pid: PyValue) => ({ pid }),
    build: () => {
      throw new Error("no BUILD");
    },
  };
  const run = (...b: number[]): PyValue => unpickle(new Uint8Array(b), hooks, "test");

  it("decodes the scalar, container and memo opcodes", () => {
    expect(run(0x80, 2, 0x8a, 2, 0xff, 0xff, 0x2e)).toBe(-1);
    expect(run(0x8a, 3, 0x00, 0x00, 0x80, 0x2e)).toBe(-(2 ** 23));
    expect(run(0x8a, 0, 0x2e)).toBe(0);
    expect(run(0x4d, 0x34, 0x12, 0x2e)).toBe(0x1234);
    expect(run(0x47, ...new Uint8Array(new Float64Array([1.5]).buffer).reverse(), 0x2e)).toBe(1.5);
    expect(run(0x28, 0x88, 0x89, 0x4e, 0x74, 0x2e)).toEqual([true, false, null]);
    expect(run(0x5d, 0x71, 3, 0x28, 0x4b, 1, 0x4b, 2, 0x65, 0x68, 3, 0x86, 0x2e)).toEqual([[1, 2], [1, 2]]);
    const proto4 = [0x80, 4, 0x95, 9, 0, 0, 0, 0, 0, 0, 0, 0x8c, 1, 0x61, 0x94, 0x8c, 1, 0x62, 0x93, 0x29, 0x52, 0x2e];
    expect(run(...proto4)).toEqual({ called: "a.b", args: [] });
    expect(run(0x4b, 5, 0x51, 0x2e)).toEqual({ pid: 5 });
  });

  it("names unsupported opcodes and malformed programs", () => {
    expect(() => run(0x80, 2, 0x29, 0x81, 0x2e)).toThrow("test: data.pkl byte 3: unsupported pickle opcode NEWOBJ (0x81); only plain state dicts of tensors are supported");
    expect(() => run(0xff)).toThrow("unsupported pickle opcode (unknown) (0xff)");
    expect(() => run(0x58, 10, 0, 0, 0, 0x61)).toThrow("unexpected end of pickle data");
    expect(() => run(0x4b)).toThrow("unexpected end of pickle data");
    expect(() => run(0x2e)).toThrow("stack underflow");
    expect(() => run(0x68, 9, 0x2e)).toThrow("memo key 9 is not defined");
    expect(() => run(0x8a, 8, 0, 0, 0, 0, 0, 0, 0x40, 0, 0x2e)).toThrow("integer 18014398509481984 is too large");
    expect(() => run(0x80, 6)).toThrow("unsupported pickle protocol 6");
    expect(() => run(0x4b, 1, 0x73, 0x2e)).toThrow("stack underflow");
    expect(() => run(0x5d, 0x4b, 1, 0x4b, 2, 0x73, 0x2e)).toThrow("SETITEM on a value that is not a dict");
  });
});

describe("save / load on paths (Node)", () => {
  it("writes atomically, overwrites, and loads either format by content", () => {
    const path = join(tmp, "model.safetensors");
    const sd = { w: torch.randn([3, 2]), n: torch.tensor(2, { dtype: "int64" }) };
    save(sd, path, { metadata: { epoch: "1" } });
    save({ w: sd.w.mul(2), n: sd.n }, path);
    expect(readdirSync(tmp)).toEqual(["model.safetensors"]);
    const back = load(path);
    expectSameTensor(back.w, sd.w.mul(2));
    expect(back.n.item()).toBe(2);
    expect(torch.loadSafetensorsMetadata(readFileSync(path))).toBeNull();
    const pt = join(tmp, "hand.pt");
    writeFileSync(pt, handBuiltPt());
    expect(load(pt).w.tolist()).toEqual([[1, 3], [2, 4]]);
    const misnamed = join(tmp, "really-safetensors.pt");
    save(sd, misnamed);
    expectSameTensor(load(misnamed).w, sd.w);
    expect(torch.checkpointFormat(readFileSync(misnamed))).toBe("safetensors");
    expect(torch.checkpointFormat(handBuiltPt())).toBe("pt");
    rmSync(pt);
    rmSync(misnamed);
  });

  it("detects safetensors whose header length starts like a zip or a pickle", () => {
    for (const len of [0x4b50, 0x0280]) {
      const bytes = craft(`{}${" ".repeat(len - 2)}`);
      expect(torch.checkpointFormat(bytes)).toBe("safetensors");
      expect(torch.loadCheckpoint(bytes)).toEqual({});
    }
  });

  it("names the file in errors and leaves no temporary file behind", () => {
    expect(() => load(join(tmp, "missing.safetensors"))).toThrow(/^load: cannot read '.*missing\.safetensors': ENOENT/);
    const bad = join(tmp, "bad.safetensors");
    writeFileSync(bad, new Uint8Array([1, 2, 3]));
    expect(() => load(bad)).toThrow(`load: '${bad}': file is truncated: 3 bytes`);
    rmSync(bad);
    const nowhere = join(tmp, "no-such-dir", "m.safetensors");
    expect(() => save({ w: torch.ones([1]) }, nowhere)).toThrow(/^save: cannot write '.*m\.safetensors': ENOENT/);
    expect(() => save({ nested: { a: torch.ones([1]) } } as any, join(tmp, "x.safetensors"))).toThrow('save: value of "nested" is a nested object');
    expect(existsSync(join(tmp, "x.safetensors"))).toBe(false);
    expect(readdirSync(tmp)).toEqual(["model.safetensors"]);
  });
});

describe("a bad checkpoint leaves the model as it was", () => {
  it("truncated or corrupted files fail in load, before loadStateDict touches a parameter", () => {
    const dir = mkdtempSync(join(tmpdir(), "torch-ts-bad-ckpt-"));
    try {
      const src = new torch.nn.Sequential(new torch.nn.Linear(4, 3), new torch.nn.BatchNorm1d(3));
      const good = join(dir, "good.safetensors");
      save(src.stateDict(), good);
      const model = new torch.nn.Sequential(new torch.nn.Linear(4, 3), new torch.nn.BatchNorm1d(3));
      const before = Object.entries(model.stateDict()).map(([k, v]) => [k, v.clone()] as const);
      const bytes = readFileSync(good);
      const bad = join(dir, "bad.safetensors");
      const variants: Uint8Array[] = [];
      for (let n = 0; n < bytes.length; n += 37) variants.push(bytes.subarray(0, n));
      const flipped = Buffer.from(bytes);
      flipped[8] ^= 0x01; // the header's opening brace: not JSON any more
      variants.push(flipped);
      for (const v of variants) {
        writeFileSync(bad, v);
        expect(() => model.loadStateDict(load(bad)), `${v.length} bytes`).toThrow(`load: '${bad}': `);
      }
      for (const [k, v] of before) expectSameTensor(model.stateDict()[k], v);
      // The good file loads, so the model did not match the source only because nothing was loaded.
      model.loadStateDict(load(good));
      for (const [k, v] of Object.entries(src.stateDict())) expectSameTensor(model.stateDict()[k], v);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
