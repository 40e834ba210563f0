/**
 * Watches a log directory the way TensorBoard's multiplexer does: every directory holding an event file
 * ("tfevents" in its name) is a run named by its path relative to the logdir ("." for the logdir itself);
 * each refresh reads only the bytes appended since the last one. A torn final record (a writer mid-write) is
 * left for the next refresh; a corrupt record stops that file with a warning while everything else is shown.
 */
import type { Dirent } from "node:fs";
import { open, readdir, stat } from "node:fs/promises";
import { join, relative, sep } from "node:path";
import { decodeEvent } from "../tensorboard/messages.js";
import { ProtoDecodeError } from "../tensorboard/protobuf.js";
import { splitRecords } from "../tensorboard/record.js";
import { RunData } from "./run-data.js";

/** Something the board could not read. `run`/`file` are null for problems with the logdir itself. */
export interface BoardWarning {
  run: string | null;
  /** Path relative to the logdir, "/"-separated. */
  file: string | null;
  message: string;
}

interface FileState {
  path: string;
  rel: string;
  run: string;
  /** Bytes consumed: the next record starts here. */
  pos: number;
  /** Set once a record fails its CRC or does not decode: the file is not read further. */
  stopped: string | null;
  problems: string[];
}

export interface LogdirScannerOptions {
  /** Called once for each new warning (the CLI prints them). */
  onWarning?: (w: BoardWarning) => void;
}

// Large enough for any image record we write; longer records grow the read to fit.
const CHUNK = 8 << 20;
// A CRC-valid length beyond this is not an event a writer produced.
const MAX_RECORD = 1 << 30;
// Per file, the first few undecodable values are reported; the rest only counted.
const MAX_PROBLEMS = 5;

const toPosix = (p: string): string => (sep === "/" ? p : p.split(sep).join("/"));

/** Reads a logdir incrementally into per-run `RunData`. */
export class LogdirScanner {
  /** Bumped whenever anything visible changed (data, runs, warnings). */
  generation = 0;
  private files = new Map<string, FileState>();
  private runData = new Map<string, RunData>();
  private logdirProblem: string | null = null;
  private walkProblems: string[] = [];
  private reported = new Set<string>();
  private running: Promise<void> | null = null;
  private queued: Promise<void> | null = null;

  constructor(
    readonly logdir: string,
    private readonly options: LogdirScannerOptions = {},
  ) {}

  /** Runs sorted by name. */
  runs(): RunData[] {
    return [...this.runData.values()].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  }

  run(name: string): RunData | undefined {
    return this.runData.get(name);
  }

  /** Every current warning: logdir problems first, then per file. */
  warnings(): BoardWarning[] {
    const out: BoardWarning[] = [];
    if (this.logdirProblem) out.push({ run: null, file: null, message: this.logdirProblem });
    for (const m of this.walkProblems) out.push({ run: null, file: null, message: m });
    for (const f of this.files.values()) {
      const msgs = f.stopped ? [f.stopped, ...f.problems] : f.problems;
      for (const message of msgs) out.push({ run: f.run, file: f.rel, message });
    }
    return out;
  }

  /**
   * Reads whatever is new. Concurrent calls share the work: a call made while a refresh runs waits for it and
   * then for one more, so its result includes everything on disk when it was called.
   */
  refresh(): Promise<void> {
    if (!this.running) {
      this.running = this.scan().finally(() => {
        this.running = null;
      });
      return this.running;
    }
    this.queued ??= this.running.then(() => {
      this.queued = null;
      return this.refresh();
    });
    return this.queued;
  }

  private async scan(): Promise<void> {
    const before = this.signature();
    const found = await this.walk();
    if (found === null) {
      this.finish(false, before);
      return;
    }
    const present = new Map(found.map((f) => [f.path, f]));
    const rebuild = new Set<string>();
    for (const [path, st] of this.files) {
      if (!present.has(path)) {
        this.files.delete(path);
        rebuild.add(st.run);
      }
    }
    const sizes = new Map<string, number>();
    for (const f of found) {
      let st = this.files.get(f.path);
      if (!st) {
        st = { path: f.path, rel: f.rel, run: f.run, pos: 0, stopped: null, problems: [] };
        this.files.set(f.path, st);
      }
      try {
        const size = (await stat(f.path)).size;
        sizes.set(f.path, size);
        // A file that shrank was rewritten: what was read from it may be gone, so its run is read again.
        if (size < st.pos) rebuild.add(st.run);
      } catch (e) {
        // Deleted between the listing and now: the next refresh drops it.
        if ((e as NodeJS.ErrnoException).code !== "ENOENT") this.stop(st, `cannot read: ${(e as Error).message}`);
      }
    }
    for (const run of rebuild) {
      this.runData.delete(run);
      for (const st of this.files.values()) {
        if (st.run === run) Object.assign(st, { pos: 0, stopped: null, problems: [] });
      }
    }
    const runsWithFiles = new Set([...this.files.values()].map((f) => f.run));
    for (const name of this.runData.keys()) if (!runsWithFiles.has(name)) this.runData.delete(name);
    let changed = rebuild.size > 0;
    for (const f of found) {
      const st = this.files.get(f.path)!;
      const size = sizes.get(f.path);
      let data = this.runData.get(st.run);
      if (!data) {
        data = new RunData(st.run);
        this.runData.set(st.run, data);
        changed = true;
      }
      if (size === undefined || st.stopped || size <= st.pos) continue;
      const gen = data.generation;
      const problems = st.problems.length;
      await this.readNew(st, size, data);
      if (data.generation !== gen || st.problems.length !== problems || st.stopped) changed = true;
    }
    this.finish(changed, before);
  }

  /** What, besides run data, makes the page look different: the runs and the warnings. */
  private signature(): string {
    return JSON.stringify([[...this.runData.keys()], this.warnings()]);
  }

  private finish(changed: boolean, before: string): void {
    if (changed || this.signature() !== before) this.generation++;
    this.report();
  }

  private report(): void {
    if (!this.options.onWarning) return;
    for (const w of this.warnings()) {
      const key = `${w.file}\0${w.message}`;
      if (this.reported.has(key)) continue;
      this.reported.add(key);
      this.options.onWarning(w);
    }
  }

  private stop(st: FileState, message: string): void {
    if (st.stopped) return;
    st.stopped = message;
  }

  private addProblems(st: FileState, problems: string[]): void {
    for (const p of problems) {
      if (st.problems.length < MAX_PROBLEMS) st.problems.push(p);
      else if (st.problems.length === MAX_PROBLEMS) st.problems.push("further values could not be read either");
    }
  }

  /** Every event file under the logdir, sorted, or null if the logdir itself cannot be listed. */
  private async walk(): Promise<{ path: string; rel: string; run: string }[] | null> {
    const out: { path: string; rel: string; run: string }[] = [];
    const problems: string[] = [];
    const visit = async (dir: string, isRoot: boolean): Promise<boolean> => {
      let entries: Dirent[];
      try {
        entries = await readdir(dir, { withFileTypes: true });
      } catch (e) {
        const err = e as NodeJS.ErrnoException;
        const why = err.code === "ENOENT" ? "does not exist (any more)" : err.code === "ENOTDIR" ? "is not a directory" : `cannot be read (${err.message})`;
        if (isRoot) this.logdirProblem = `logdir '${this.logdir}' ${why}`;
        else problems.push(`directory '${toPosix(relative(this.logdir, dir))}' ${why}`);
        return false;
      }
      entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
      for (const ent of entries) {
        const p = join(dir, ent.name);
        // Symlinked directories are not followed: a link back up the tree would never end.
        if (ent.isDirectory()) await visit(p, false);
        else if ((ent.isFile() || ent.isSymbolicLink()) && ent.name.includes("tfevents")) {
          const run = toPosix(relative(this.logdir, dir)) || ".";
          out.push({ path: p, rel: toPosix(relative(this.logdir, p)), run });
        }
      }
      return true;
    };
    if (!(await visit(this.logdir, true))) return null;
    this.logdirProblem = null;
    this.walkProblems = problems;
    return out;
  }

  /** Reads `[st.pos, size)` record by record into `data`; leaves `st.pos` at the first record not yet complete. */
  private async readNew(st: FileState, size: number, data: RunData): Promise<void> {
    let fh;
    try {
      fh = await open(st.path, "r");
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== "ENOENT") this.stop(st, `cannot open: ${(e as Error).message}`);
      return;
    }
    try {
      let chunk = CHUNK;
      while (st.pos < size && !st.stopped) {
        const want = Math.min(size - st.pos, chunk);
        const buf = Buffer.alloc(want);
        const { bytesRead } = await fh.read(buf, 0, want, st.pos);
        const bytes = new Uint8Array(buf.buffer, buf.byteOffset, bytesRead);
        const atEnd = st.pos + bytesRead >= size;
        const { records, problem } = splitRecords(bytes);
        // A torn record is read again once complete, even the kind splitRecords returns (data without its CRC).
        const limit = problem ? problem.offset : bytes.length;
        for (const rec of records) {
          if (rec.offset >= limit) break;
          let event;
          try {
            event = decodeEvent(rec.data);
          } catch (e) {
            const why = e instanceof ProtoDecodeError ? e.message : String(e);
            this.stop(st, `record at byte ${st.pos + rec.offset} is not a valid Event (${why}); the rest of this file is not shown`);
            return;
          }
          this.addProblems(st, data.ingest(event));
        }
        if (problem?.kind === "corrupt") {
          const msg = problem.message.replace(/at byte (\d+)/, (_, n: string) => `at byte ${st.pos + Number(n)}`);
          this.stop(st, `${msg}; the rest of this file is not shown`);
          st.pos += problem.offset;
          return;
        }
        st.pos += limit;
        if (!problem) continue;
        if (atEnd) return;
        if (limit === 0) {
          // One record longer than the read: its (CRC-checked) length says how much to read.
          const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
          const len = dv.getUint32(0, true) + dv.getUint32(4, true) * 2 ** 32;
          if (len > MAX_RECORD) {
            this.stop(st, `record at byte ${st.pos} claims ${len} bytes, more than the board reads; the rest of this file is not shown`);
            return;
          }
          chunk = len + 16;
        }
      }
    } catch (e) {
      // EISDIR (a directory named like an event file), EIO, ...: this file is skipped, the others still load.
      this.stop(st, `cannot read: ${(e as Error).message}`);
    } finally {
      await fh.close();
    }
  }
}
