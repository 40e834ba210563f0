/**
 * Unpacks the archives datasets ship as (`.tar.gz`, `.tgz`, `.tar`, `.gz`), as torchvision's `extract_archive`.
 * The tar reader handles POSIX ustar, pax (`path`/`size` records) and GNU long names, verifies each header's
 * checksum, and refuses entries that would land outside the destination (absolute names, `..`).
 * Format: POSIX.1-2001 pax / IEEE Std 1003.1 "ustar Interchange Format".
 */
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { basename, dirname, isAbsolute, join, relative, resolve, sep } from "node:path";
import { gunzipSync } from "node:zlib";

/** One member of a tar archive. `data` is empty for directories. */
export interface TarEntry {
  name: string;
  type: "file" | "directory" | "symlink" | "hardlink" | "other";
  /** The target of a link. */
  linkname: string;
  data: Uint8Array;
}

const BLOCK = 512;
const decoder = new TextDecoder("utf-8");

function field(h: Uint8Array, start: number, len: number): string {
  const end = h.indexOf(0, start);
  return decoder.decode(h.subarray(start, end < 0 || end > start + len ? start + len : end));
}

/** A numeric header field: octal text, or GNU's base-256 (high bit set) for values that do not fit. */
function numeric(h: Uint8Array, start: number, len: number, what: string, source: string, at: number): number {
  if (h[start] & 0x80) {
    let v = h[start] & 0x3f;
    for (let i = start + 1; i < start + len; i++) v = v * 256 + h[i];
    return v;
  }
  const text = field(h, start, len).trim();
  if (text === "") return 0;
  if (!/^[0-7]+$/.test(text)) throw new Error(`${source}: corrupt tar header at byte ${at}: ${what} field ${JSON.stringify(text)} is not octal`);
  return parseInt(text, 8);
}

/** pax extended header records: `"<length> <key>=<value>\n"`, the length counting the whole record. */
function paxRecords(data: Uint8Array, source: string): Map<string, string> {
  const out = new Map<string, string>();
  let p = 0;
  while (p < data.length) {
    const space = data.indexOf(0x20, p);
    const len = space < 0 ? NaN : Number(decoder.decode(data.subarray(p, space)));
    if (!Number.isInteger(len) || len <= 0 || p + len > data.length) throw new Error(`${source}: corrupt pax extended header`);
    const record = decoder.decode(data.subarray(space + 1, p + len - 1));
    const eq = record.indexOf("=");
    if (eq > 0) out.set(record.slice(0, eq), record.slice(eq + 1));
    p += len;
  }
  return out;
}

/**
 * Lists the members of an uncompressed tar archive, with their contents.
 * @param source names the archive in errors
 */
export function readTar(bytes: Uint8Array, source = "tar archive"): TarEntry[] {
  const entries: TarEntry[] = [];
  let pax = new Map<string, string>();
  let longName: string | null = null;
  let longLink: string | null = null;
  for (let at = 0; at < bytes.length; ) {
    const h = bytes.subarray(at, at + BLOCK);
    if (h.every((b) => b === 0)) break;
    if (h.length < BLOCK) throw new Error(`${source}: truncated tar archive: a header at byte ${at} has ${h.length} of ${BLOCK} bytes`);
    let sum = 0;
    let signedSum = 0;
    for (let i = 0; i < BLOCK; i++) {
      const b = i >= 148 && i < 156 ? 0x20 : h[i];
      sum += b;
      signedSum += b > 127 ? b - 256 : b;
    }
    const stored = numeric(h, 148, 8, "checksum", source, at);
    // Some old tar programs summed signed chars; Python's tarfile accepts either, so do we.
    if (stored !== sum && stored !== signedSum) throw new Error(`${source}: corrupt tar header at byte ${at}: checksum ${stored} does not match the header's ${sum}`);
    let size = numeric(h, 124, 12, "size", source, at);
    if (pax.has("size")) size = Number(pax.get("size"));
    const start = at + BLOCK;
    if (start + size > bytes.length) {
      throw new Error(`${source}: truncated tar archive: ${field(h, 0, 100)} needs ${size} bytes at byte ${start}, the archive has ${bytes.length}`);
    }
    const data = bytes.subarray(start, start + size);
    at = start + Math.ceil(size / BLOCK) * BLOCK;
    const flag = String.fromCharCode(h[156]);
    if (flag === "x") {
      pax = paxRecords(data, source);
      continue;
    }
    if (flag === "g") continue;
    if (flag === "L" || flag === "K") {
      const text = decoder.decode(data).replace(/\0+$/, "");
      if (flag === "L") longName = text;
      else longLink = text;
      continue;
    }
    const ustar = field(h, 257, 6) === "ustar" && h[262] === 0;
    const prefix = ustar ? field(h, 345, 155) : "";
    let name = pax.get("path") ?? longName ?? (prefix ? `${prefix}/${field(h, 0, 100)}` : field(h, 0, 100));
    if (flag === "5") name = name.replace(/\/+$/, ""); // as tarfile, which writes directories with a trailing slash
    const linkname = pax.get("linkpath") ?? longLink ?? field(h, 157, 100);
    const type: TarEntry["type"] =
      flag === "0" || flag === "\0" || flag === "7" ? "file" : flag === "5" ? "directory" : flag === "2" ? "symlink" : flag === "1" ? "hardlink" : "other";
    entries.push({ name, type, linkname, data: type === "file" ? data : new Uint8Array(0) });
    pax = new Map();
    longName = longLink = null;
  }
  return entries;
}

/** Gunzips `bytes` (all members), naming `source` when the data is not gzip or is corrupt. */
export function gunzip(bytes: Uint8Array, source: string): Uint8Array {
  if (bytes[0] !== 0x1f || bytes[1] !== 0x8b) throw new Error(`${source}: not a gzip file (it starts with ${bytes[0]}, ${bytes[1]} instead of 31, 139)`);
  try {
    return gunzipSync(bytes);
  } catch (e) {
    throw new Error(`${source}: corrupted gzip data (${(e as Error).message})`);
  }
}

/**
 * Writes the files and directories of a tar archive under `toPath`.
 * @throws for a member that would land outside `toPath`, or a link or special file (not extracted)
 */
export function extractTar(bytes: Uint8Array, toPath: string, source = "tar archive"): string[] {
  const root = resolve(toPath);
  const written: string[] = [];
  for (const e of readTar(bytes, source)) {
    const dest = resolve(root, e.name);
    const rel = relative(root, dest);
    if (isAbsolute(e.name) || rel.startsWith(`..${sep}`) || rel === "..") {
      throw new Error(`${source}: refusing to extract ${JSON.stringify(e.name)}: it would land outside ${root}`);
    }
    if (e.type === "directory") {
      mkdirSync(dest, { recursive: true });
    } else if (e.type === "file") {
      mkdirSync(dirname(dest), { recursive: true });
      writeFileSync(dest, e.data);
      written.push(dest);
    } else {
      throw new Error(`${source}: ${JSON.stringify(e.name)} is a ${e.type === "other" ? "special file" : e.type}; only files and directories are extracted`);
    }
  }
  return written;
}

/**
 * Extracts `fromPath` into `toPath` (default: its folder), choosing by name as torchvision's
 * `extract_archive`: `.tar.gz`/`.tgz` (gunzip then untar), `.tar`, or `.gz` (one file, the name without `.gz`).
 * Returns `toPath`.
 */
export function extractArchive(fromPath: string, toPath: string = dirname(fromPath)): string {
  const name = basename(fromPath).toLowerCase();
  const kind = name.endsWith(".tar.gz") || name.endsWith(".tgz") ? "tgz" : name.endsWith(".tar") ? "tar" : name.endsWith(".gz") ? "gz" : null;
  if (!kind) throw new Error(`extractArchive: ${fromPath}: unknown archive type (expected .tar.gz, .tgz, .tar or .gz)`);
  const bytes = readFileSync(fromPath);
  if (kind === "gz") {
    mkdirSync(toPath, { recursive: true });
    writeFileSync(join(toPath, basename(fromPath).slice(0, -3)), gunzip(bytes, fromPath));
  } else {
    extractTar(kind === "tgz" ? gunzip(bytes, fromPath) : bytes, toPath, fromPath);
  }
  return toPath;
}
