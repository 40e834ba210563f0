/**
 * One event file: PyTorch's `FileWriter`/`EventFileWriter` (tensorflow/tensorboard
 * `summary/writer/event_file_writer.py`). Creates `<logdir>/events.out.tfevents.<secs>.<host>.<pid>.<uid><suffix>`,
 * writes the `file_version` event at once, then buffers records: they reach the file when `maxQueue` are
 * pending, every `flushSecs`, on `flush()`/`close()`, and when the process exits.
 */
import { closeSync, mkdirSync, openSync, writeSync } from "node:fs";
import { hostname } from "node:os";
import { join } from "node:path";
import { encodeEvent, type Event, type Init } from "./messages.js";
import { frameRecord } from "./record.js";
import { FILE_VERSION } from "./schema.js";

/** `source_metadata.writer` of our first event (TensorBoard's own writer puts its module path there). */
export const WRITER_NAME = "torch-ts.tensorboard";

/** Seconds since the epoch, with sub-millisecond resolution (Python's `time.time()`). */
export function wallTimeNow(): number {
  return (performance.timeOrigin + performance.now()) / 1000;
}

// Process-wide, as tensorboard's `_global_uid`: the last field of every event file name this process opens.
let globalUid = 0;

// Writers with an open file; flushed synchronously when the process exits normally.
const OPEN_WRITERS = new Set<EventFileWriter>();
let exitHookInstalled = false;

function flushAllOnExit(): void {
  for (const w of OPEN_WRITERS) {
    try {
      w.flush();
    } catch (e) {
      process.stderr.write(`tensorboard: could not flush ${w.path} at exit: ${(e as Error).message}\n`);
    }
  }
}

export interface EventFileWriterOptions {
  /** Pending events that trigger a write to the file (default 10; ≤ 0: unbounded, as Python's `Queue(0)`). */
  maxQueue?: number;
  /** Seconds between periodic flushes (default 120; ≤ 0: write every event at once). */
  flushSecs?: number;
  /** Appended to the file name (default ""). */
  filenameSuffix?: string;
}

/** Writes `Event`s as TFRecords to one new event file in `logdir`. */
export class EventFileWriter {
  readonly logdir: string;
  /** The event file's path. */
  readonly path: string;
  private fd: number | null;
  private queue: Uint8Array[] = [];
  private readonly maxQueue: number;
  private readonly flushSecs: number;
  private timer: ReturnType<typeof setInterval> | null = null;
  private failure: Error | null = null;

  constructor(logdir: string, options: EventFileWriterOptions = {}, op = "SummaryWriter") {
    this.logdir = logdir;
    this.maxQueue = options.maxQueue ?? 10;
    this.flushSecs = options.flushSecs ?? 120;
    const suffix = options.filenameSuffix ?? "";
    if (typeof logdir !== "string" || logdir === "") throw new TypeError(`${op}: log_dir must be a non-empty string, got ${JSON.stringify(logdir)}`);
    try {
      mkdirSync(logdir, { recursive: true });
    } catch (e) {
      throw new Error(`${op}: cannot create log directory '${logdir}': ${(e as Error).message}`);
    }
    const secs = String(Math.trunc(Date.now() / 1000)).padStart(10, "0");
    this.path = join(logdir, `events.out.tfevents.${secs}.${hostname()}.${process.pid}.${globalUid++}`) + suffix;
    try {
      this.fd = openSync(this.path, "w");
    } catch (e) {
      throw new Error(`${op}: cannot create event file '${this.path}': ${(e as Error).message}`);
    }
    OPEN_WRITERS.add(this);
    if (!exitHookInstalled) {
      process.on("exit", flushAllOnExit);
      exitHookInstalled = true;
    }
    if (this.flushSecs > 0) {
      this.timer = setInterval(() => {
        try {
          this.flush();
        } catch (e) {
          // Reported by the next call on this writer: a timer has no caller to throw to.
          this.failure = e as Error;
        }
      }, this.flushSecs * 1000);
      this.timer.unref();
    }
    this.addEvent({ wallTime: wallTimeNow(), fileVersion: FILE_VERSION, sourceMetadata: { writer: WRITER_NAME } });
    this.flush();
  }

  /** The directory of the event file. */
  getLogdir(): string {
    return this.logdir;
  }

  get closed(): boolean {
    return this.fd === null;
  }

  private checkOpen(): void {
    if (this.failure) {
      const f = this.failure;
      this.failure = null;
      throw new Error(`EventFileWriter: an earlier periodic flush of '${this.path}' failed: ${f.message}`);
    }
    if (this.fd === null) throw new Error(`EventFileWriter: '${this.path}' is closed`);
  }

  /** Queues one event (serialized and framed now, so later changes to `event` do not matter). */
  addEvent(event: Init<Event>): void {
    this.checkOpen();
    this.queue.push(frameRecord(encodeEvent(event)));
    if (this.flushSecs <= 0 || (this.maxQueue > 0 && this.queue.length >= this.maxQueue)) this.flush();
  }

  /** Writes every pending event to the file (synchronously: a following crash loses nothing written). */
  flush(): void {
    if (this.fd === null || this.queue.length === 0) return;
    const total = this.queue.reduce((n, b) => n + b.length, 0);
    const buf = new Uint8Array(total);
    let pos = 0;
    for (const b of this.queue) {
      buf.set(b, pos);
      pos += b.length;
    }
    this.queue = [];
    let written = 0;
    while (written < buf.length) written += writeSync(this.fd, buf, written, buf.length - written);
  }

  /** Flushes, stops the timer and closes the file. Idempotent. */
  close(): void {
    if (this.fd === null) return;
    try {
      this.flush();
    } finally {
      if (this.timer) clearInterval(this.timer);
      this.timer = null;
      closeSync(this.fd);
      this.fd = null;
      OPEN_WRITERS.delete(this);
    }
  }
}
