/**
 * A zip reader for PyTorch's checkpoint archives (APPNOTE.TXT): the central directory (zip64 included,
 * which PyTorch always writes), stored and deflated entries, CRC-32 checked on every read.
 */
import { inflateRaw } from "./inflate.js";

const EOCD = 0x06054b50;
const ZIP64_LOCATOR = 0x07064b50;
const ZIP64_EOCD = 0x06064b50;
const CENTRAL = 0x02014b50;
const LOCAL = 0x04034b50;

/** One entry of the central directory. */
export interface ZipEntry {
  name: string;
  method: number;
  flags: number;
  crc32: number;
  compressedSize: number;
  size: number;
  localHeaderOffset: number;
}

/** Slicing-by-8 tables: `tables[k * 256 + b]` is the CRC of byte b followed by k zero bytes. */
let crcTables: Int32Array | null = null;

function makeCrcTables(): Int32Array {
  const t = new Int32Array(8 * 256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    t[n] = c;
  }
  for (let n = 0; n < 256; n++) {
    for (let k = 1; k < 8; k++) t[k * 256 + n] = t[(t[(k - 1) * 256 + n] & 0xff)] ^ (t[(k - 1) * 256 + n] >>> 8);
  }
  return t;
}

/** CRC-32 (ISO-HDLC, zip's) of `bytes`, eight bytes per step. */
export function crc32(bytes: Uint8Array): number {
  const t = (crcTables ??= makeCrcTables());
  let c = -1;
  let i = 0;
  const n8 = bytes.length - (bytes.length % 8);
  for (; i < n8; i += 8) {
    const lo = c ^ (bytes[i] | (bytes[i + 1] << 8) | (bytes[i + 2] << 16) | (bytes[i + 3] << 24));
    c =
      t[1792 + (lo & 0xff)] ^
      t[1536 + ((lo >>> 8) & 0xff)] ^
      t[1280 + ((lo >>> 16) & 0xff)] ^
      t[1024 + (lo >>> 24)] ^
      t[768 + bytes[i + 4]] ^
      t[512 + bytes[i + 5]] ^
      t[256 + bytes[i + 6]] ^
      t[bytes[i + 7]];
  }
  for (; i < bytes.length; i++) c = t[(c ^ bytes[i]) & 0xff] ^ (c >>> 8);
  return (c ^ -1) >>> 0;
}

/** A parsed zip archive over `bytes`; `where` (API name and file) starts every error. */
export class ZipArchive {
  readonly entries = new Map<string, ZipEntry>();
  private readonly dv: DataView;

  constructor(
    private readonly bytes: Uint8Array,
    private readonly where: string,
  ) {
    this.dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    this.readCentralDirectory();
  }

  private fail(what: string): never {
    throw new Error(`${this.where}: ${what}`);
  }

  private u16(p: number): number {
    return this.dv.getUint16(p, true);
  }

  private u32(p: number): number {
    return this.dv.getUint32(p, true);
  }

  private u64(p: number): number {
    const v = this.u32(p) + this.u32(p + 4) * 4294967296;
    if (!Number.isSafeInteger(v)) this.fail(`zip field at byte ${p} is too large (${v})`);
    return v;
  }

  private readCentralDirectory(): void {
    const n = this.bytes.length;
    let eocd = -1;
    for (let p = n - 22; p >= Math.max(0, n - 22 - 0xffff); p--) {
      if (this.u32(p) === EOCD) {
        eocd = p;
        break;
      }
    }
    if (eocd < 0) this.fail("not a valid zip archive (no end-of-central-directory record): the file is truncated or corrupt");
    let count = this.u16(eocd + 10);
    let cdSize = this.u32(eocd + 12);
    let cdOffset = this.u32(eocd + 16);
    let cdLimit = eocd;
    if (eocd >= 20 && this.u32(eocd - 20) === ZIP64_LOCATOR) {
      const rec = this.u64(eocd - 12);
      if (rec + 56 > eocd || this.u32(rec) !== ZIP64_EOCD) this.fail("corrupt zip archive: bad zip64 end-of-central-directory record");
      count = this.u64(rec + 32);
      cdSize = this.u64(rec + 40);
      cdOffset = this.u64(rec + 48);
      cdLimit = rec;
    }
    if (cdOffset + cdSize > cdLimit) {
      this.fail(`corrupt zip archive: central directory [${cdOffset}, ${cdOffset + cdSize}) lies outside the file`);
    }
    let p = cdOffset;
    for (let i = 0; i < count; i++) {
      if (p + 46 > cdOffset + cdSize || this.u32(p) !== CENTRAL) this.fail(`corrupt zip archive: central directory entry ${i} is malformed`);
      const nameLength = this.u16(p + 28);
      const extraLength = this.u16(p + 30);
      const commentLength = this.u16(p + 32);
      const end = p + 46 + nameLength + extraLength + commentLength;
      if (end > cdOffset + cdSize) this.fail(`corrupt zip archive: central directory entry ${i} is malformed`);
      const name = new TextDecoder().decode(this.bytes.subarray(p + 46, p + 46 + nameLength));
      const entry: ZipEntry = {
        name,
        flags: this.u16(p + 8),
        method: this.u16(p + 10),
        crc32: this.u32(p + 16),
        compressedSize: this.u32(p + 20),
        size: this.u32(p + 24),
        localHeaderOffset: this.u32(p + 42),
      };
      this.readZip64Extra(entry, p + 46 + nameLength, extraLength);
      this.entries.set(name, entry);
      p = end;
    }
  }

  /** Sizes and offsets saturated at 0xFFFFFFFF live in the zip64 extra field (id 1), in this order. */
  private readZip64Extra(e: ZipEntry, start: number, length: number): void {
    const MAX = 0xffffffff;
    if (e.size !== MAX && e.compressedSize !== MAX && e.localHeaderOffset !== MAX) return;
    for (let q = start; q + 4 <= start + length; ) {
      const id = this.u16(q);
      const size = this.u16(q + 2);
      if (id === 1) {
        let f = q + 4;
        const take = (): number => {
          if (f + 8 > q + 4 + size) this.fail(`corrupt zip archive: short zip64 extra field in entry '${e.name}'`);
          const v = this.u64(f);
          f += 8;
          return v;
        };
        if (e.size === MAX) e.size = take();
        if (e.compressedSize === MAX) e.compressedSize = take();
        if (e.localHeaderOffset === MAX) e.localHeaderOffset = take();
        return;
      }
      q += 4 + size;
    }
    this.fail(`corrupt zip archive: entry '${e.name}' needs a zip64 extra field and has none`);
  }

  /** The entry's uncompressed bytes (a view into the archive when stored), CRC-checked. */
  read(name: string): Uint8Array {
    const e = this.entries.get(name);
    if (e === undefined) this.fail(`zip entry '${name}' is missing`);
    if (e.flags & 1) this.fail(`zip entry '${name}' is encrypted`);
    const h = e.localHeaderOffset;
    if (h + 30 > this.bytes.length || this.u32(h) !== LOCAL) this.fail(`corrupt zip archive: bad local header for entry '${name}'`);
    const start = h + 30 + this.u16(h + 26) + this.u16(h + 28);
    if (start + e.compressedSize > this.bytes.length) this.fail(`zip entry '${name}' extends beyond the end of the file: the file is truncated`);
    const raw = this.bytes.subarray(start, start + e.compressedSize);
    let data: Uint8Array;
    if (e.method === 0) {
      if (e.compressedSize !== e.size) this.fail(`corrupt zip archive: stored entry '${name}' has different compressed and uncompressed sizes`);
      data = raw;
    } else if (e.method === 8) {
      try {
        data = inflateRaw(raw, e.size);
      } catch (err) {
        this.fail(`zip entry '${name}': ${(err as Error).message}`);
      }
    } else {
      this.fail(`zip entry '${name}' uses compression method ${e.method}; only stored (0) and deflate (8) are supported`);
    }
    if (crc32(data) !== e.crc32) this.fail(`zip entry '${name}' fails its CRC-32 check: the file is corrupt`);
    return data;
  }
}
