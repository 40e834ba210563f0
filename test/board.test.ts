/**
 * `torch-ts board` without a browser: TensorBoard's smoothing, the thinned series, histogram buckets and
 * re-binning, the incremental logdir scanner (torn tails, corrupt files, purges, rewritten files), the HTTP API
 * and its event stream, listen errors, the CLI framework and, built as the package ships, the `torch-ts` program.
 */
import { spawn, spawnSync } from "node:child_process";
import { appendFileSync, cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:net";
import { tmpdir } from "node:os";
import { dirname, join, relative, resolve, sep } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { binHistograms, rebin } from "../src/board/histogram-bins.js";
import { LogdirScanner } from "../src/board/logdir-scanner.js";
import { histogramBuckets, RunData } from "../src/board/run-data.js";
import { Series } from "../src/board/series.js";
import { type Board, BoardListenError, startBoard } from "../src/board/server.js";
import { smooth } from "../src/board/static/smoothing.js";
import { CliError, defineCommand, parseFlags, UsageError } from "../src/cli/command.js";
import { main } from "../src/cli/main.js";
import { tensor } from "../src/index.js";
import { decodeEvent, encodeEvent, type Event, type Init, type SummaryValue } from "../src/tensorboard/messages.js";
import { frameRecord } from "../src/tensorboard/record.js";
import { SessionStatus, SummaryWriter, TFDataType } from "../src/tensorboard/index.js";
import { text as textSummary } from "../src/tensorboard/summary.js";
import { decodePng } from "../src/vision/png.js";

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "..");
let tmp: string;
let n = 0;
const fresh = (name = "logdir"): string => {
  const d = join(tmp, `${name}${n++}`);
  mkdirSync(d, { recursive: true });
  return d;
};
const boards: Board[] = [];

beforeAll(() => {
  tmp = mkdtempSync(join(tmpdir(), "torch-ts-board-"));
});
afterAll(async () => {
  await Promise.all(boards.map((b) => b.close()));
  rmSync(tmp, { recursive: true, force: true });
});

const rec = (e: Init<Event>): Uint8Array => frameRecord(encodeEvent(e));
const scalarRec = (tag: string, step: number, value: number): Uint8Array =>
  rec({ wallTime: 1000 + step, step, summary: { value: [{ tag, simpleValue: value }] } });
const concat = (...parts: Uint8Array[]): Uint8Array => {
  const out = new Uint8Array(parts.reduce((s, p) => s + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
};
const scalars = (s: LogdirScanner, run: string, tag: string): [number, number][] =>
  s.run(run)?.scalars.get(tag)?.values().map((p) => [p.step, p.value]) ?? [];

async function launch(logdir: string, extra: { reloadIntervalMs?: number } = {}): Promise<Board> {
  const b = await startBoard({ logdir, port: 0, reloadIntervalMs: extra.reloadIntervalMs ?? 60_000 });
  boards.push(b);
  await b.refresh();
  return b;
}

async function getJson(b: Board, path: string, params?: Record<string, string>): Promise<{ status: number; body: any }> {
  const res = await fetch(`${b.url}${path}${params ? `?${new URLSearchParams(params)}` : ""}`);
  return { status: res.status, body: await res.json() };
}

/** A fake stdout/stderr pair for `main`. */
function capture(): { stdout: { write(s: string): boolean }; stderr: { write(s: string): boolean }; out: string; err: string } {
  const c = {
    out: "",
    err: "",
    stdout: { write: (s: string) => ((c.out += s), true) },
    stderr: { write: (s: string) => ((c.err += s), true) },
  };
  return c;
}

/** Polls `fn` every 20 ms, a bounded number of times (about `ms` in all; no clock is read). */
async function waitFor<T>(fn: () => T | null | undefined | false | Promise<T | null | undefined | false>, what: string, ms = 10_000): Promise<T> {
  for (let tries = Math.ceil(ms / 20); tries > 0; tries--) {
    const v = await fn();
    if (v) return v;
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error(`timed out waiting for ${what}`);
}

function occupyPort(): Promise<{ server: Server; port: number }> {
  return new Promise((resolveP, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => resolveP({ server, port: (server.address() as { port: number }).port }));
  });
}

describe("smoothing (TensorBoard's debiased EMA)", () => {
  it("matches hand-derived values", () => {
    // w = 0.5: last = 0.5, 1.25, 2.125; debias = 0.5, 0.75, 0.875.
    const out = smooth([1, 2, 3], 0.5);
    expect(out[0]).toBeCloseTo(1, 14);
    expect(out[1]).toBeCloseTo(1.25 / 0.75, 14);
    expect(out[2]).toBeCloseTo(2.125 / 0.875, 14);
  });

  it("is the identity at weight 0 and starts at the first value for any weight", () => {
    expect(smooth([3, -1, 4, 1.5], 0)).toEqual([3, -1, 4, 1.5]);
    expect(smooth([7, 0], 0.99)[0]).toBeCloseTo(7, 12);
  });

  it("passes non-finite values through without counting them, and constant series unchanged", () => {
    const out = smooth([1, NaN, 3, Infinity], 0.5);
    expect(out[0]).toBeCloseTo(1, 14);
    expect(out[1]).toBeNaN();
    // Second finite value: last = 0.25 + 1.5 = 1.75, debias 1 - 0.25.
    expect(out[2]).toBeCloseTo(1.75 / 0.75, 14);
    expect(out[3]).toBe(Infinity);
    expect(smooth([2, 2, 2], 0.9)).toEqual([2, 2, 2]);
    expect(smooth([], 0.6)).toEqual([]);
  });
});

describe("Series (bounded history)", () => {
  it("thins evenly when over the cap and always keeps the newest value", () => {
    const s = new Series<{ step: number }>(4);
    for (let i = 0; i < 10; i++) s.push({ step: i });
    expect(s.values().map((x) => x.step)).toEqual([0, 4, 8, 9]);
    s.purgeFrom(5);
    expect(s.values().map((x) => x.step)).toEqual([0, 4]);
    expect(() => new Series(1)).toThrow(/cap must be an integer >= 2, got 1/);
  });
});

describe("histograms", () => {
  it("turns a HistogramProto into [left, right, count] buckets as TensorBoard's data_compat does", () => {
    const h = { min: -1, max: 3, bucketLimit: [-2, 0, 1, 2, 5, 1.7976931348623157e308], bucket: [0, 2, 1, 0, 3, 0] };
    expect(histogramBuckets(h)).toEqual([
      [-1, 0, 2],
      [0, 1, 1],
      [1, 2, 0],
      [2, 3, 3],
    ]);
    expect(histogramBuckets({ min: 0, max: 0, bucketLimit: [1, 2], bucket: [0, 0] })).toEqual([]);
  });

  it("re-bins by overlap, keeping the total", () => {
    expect(rebin([[0, 2, 4]], 0, 4, 4)).toEqual([2, 2, 0, 0]);
    expect(rebin([[1, 1, 5]], 0, 4, 4)).toEqual([0, 5, 0, 0]);
    expect(rebin([[3, 4, 1]], 0, 4, 4)).toEqual([0, 0, 0, 1]);
    const counts = rebin([[0.1, 3.7, 10], [-5, 0.3, 2]], 0, 4, 7);
    expect(counts.reduce((a, b) => a + b, 0)).toBeCloseTo(12, 12);
    expect(counts[0]).toBeGreaterThan(2); // the part left of the range lands in the first bin
  });

  it("puts every step on one grid (a constant histogram gets a unit-wide range)", () => {
    const e = (step: number, buckets: [number, number, number][]) => ({ step, wallTime: 0, min: 0, max: 0, num: 0, buckets });
    const b = binHistograms([e(0, [[0, 1, 1]]), e(1, [[2, 4, 3]])], 4);
    expect([b.lo, b.hi, b.binCount]).toEqual([0, 4, 4]);
    expect(b.entries.map((x) => x.counts)).toEqual([
      [1, 0, 0, 0],
      [0, 0, 1.5, 1.5],
    ]);
    const c = binHistograms([e(0, [[2, 2, 5]])], 2);
    expect([c.lo, c.hi]).toEqual([1.5, 2.5]);
    expect(c.entries[0].counts).toEqual([0, 5]);
  });
});

describe("RunData", () => {
  it("sorts values into kinds by value type and plugin, remembering a tag's plugin", () => {
    const r = new RunData("x");
    const [first] = textSummary("t", "a").value!;
    const event = (step: number, value: Init<SummaryValue>) => decodeEvent(encodeEvent({ wallTime: step, step, summary: { value: [value] } }));
    r.ingest(event(0, { ...first, tag: "t" }));
    // Later values of a tag may come without metadata (TensorBoard keeps the first one's plugin).
    r.ingest(event(1, { tag: "t", tensor: first.tensor }));
    expect(r.text.get("t")!.values().map((e) => [e.step, e.text])).toEqual([[0, "a"], [1, "a"]]);
    expect(r.ingest(event(2, { tag: "t", tensor: { dtype: 99 } }))).toEqual(["tag 't' at step 2: tensorProtoValues: unsupported dtype 99"]);
    r.ingest(event(3, { tag: "s", tensor: { dtype: TFDataType.DT_DOUBLE, doubleVal: [2.5] }, metadata: { pluginData: { pluginName: "scalars" } } }));
    r.ingest(event(4, { tag: "other", tensor: { dtype: TFDataType.DT_DOUBLE, doubleVal: [1] }, metadata: { pluginData: { pluginName: "hparams" } } }));
    expect(r.tags()).toEqual({ scalars: ["s"], images: [], histograms: [], text: ["t"] });
    expect(r.scalars.get("s")!.values()).toEqual([{ step: 3, wallTime: 3, value: 2.5 }]);
  });
});

describe("LogdirScanner", () => {
  it("reads runs written by SummaryWriter: scalars, images, histograms and text", async () => {
    const dir = fresh();
    const w = new SummaryWriter(join(dir, "exp1"));
    for (let s = 0; s < 5; s++) w.addScalar("loss", 1 / (s + 1), s);
    w.addImage("img", tensor([[[0, 0.5], [1, 0.25]]]), 3);
    w.addHistogram("w", tensor([1, 2, 2, 3]), 4);
    w.addText("note", "hello <b>", 2);
    w.close();
    const w2 = new SummaryWriter(join(dir, "nested", "exp2"));
    w2.addScalar("loss", 5, 0);
    w2.close();
    const s = new LogdirScanner(dir);
    await s.refresh();
    expect(s.runs().map((r) => r.name)).toEqual(["exp1", "nested/exp2"]);
    expect(s.warnings()).toEqual([]);
    const r = s.run("exp1")!;
    expect(r.tags()).toEqual({ scalars: ["loss"], images: ["img"], histograms: ["w"], text: ["note/text_summary"] });
    expect(scalars(s, "exp1", "loss")).toEqual([0, 1, 2, 3, 4].map((i) => [i, Math.fround(1 / (i + 1))]));
    const [img] = r.images.get("img")!.values();
    expect([img.step, img.width, img.height]).toEqual([3, 2, 2]);
    const png = decodePng(img.bytes);
    // 1-channel images become RGB; float values are scaled by 255 and truncated.
    expect(Array.from(png.data.filter((_, i) => i % png.channels === 0))).toEqual([0, 127, 255, 63]);
    const [h] = r.histograms.get("w")!.values();
    expect([h.step, h.min, h.max, h.num]).toEqual([4, 1, 3, 4]);
    expect(h.buckets.reduce((a, b) => a + b[2], 0)).toBe(4);
    expect(r.text.get("note/text_summary")!.values().map((e) => [e.step, e.text])).toEqual([[2, "hello <b>"]]);
  });

  it("reads only what was appended since the last refresh", async () => {
    const dir = fresh();
    const file = join(dir, "events.out.tfevents.1.host");
    const first = concat(scalarRec("a", 0, 1), scalarRec("a", 1, 2));
    writeFileSync(file, first);
    const s = new LogdirScanner(dir);
    await s.refresh();
    expect(scalars(s, ".", "a")).toEqual([[0, 1], [1, 2]]);
    const gen = s.generation;
    await s.refresh();
    expect(s.generation).toBe(gen);
    // Damage bytes that were already read, then append: only the new record is read, so nothing is noticed.
    const buf = readFileSync(file);
    buf[14] ^= 0xff;
    writeFileSync(file, concat(buf, scalarRec("a", 2, 3)));
    await s.refresh();
    expect(scalars(s, ".", "a")).toEqual([[0, 1], [1, 2], [2, 3]]);
    expect(s.warnings()).toEqual([]);
    expect(s.generation).toBeGreaterThan(gen);
    // A fresh scanner reads from byte 0 and does see the damage (so the test above could fail).
    const again = new LogdirScanner(dir);
    await again.refresh();
    expect(again.warnings()).toHaveLength(1);
  });

  it("waits for a torn final record to be completed, whichever part is missing", async () => {
    for (const cut of [5, 12, 20, -4, -1]) {
      const dir = fresh();
      const file = join(dir, "events.out.tfevents.1.host");
      const third = scalarRec("a", 2, 30);
      const keep = cut > 0 ? cut : third.length + cut;
      writeFileSync(file, concat(scalarRec("a", 0, 10), scalarRec("a", 1, 20), third.subarray(0, keep)));
      const s = new LogdirScanner(dir);
      await s.refresh();
      expect(scalars(s, ".", "a"), `cut ${cut}`).toEqual([[0, 10], [1, 20]]);
      expect(s.warnings()).toEqual([]);
      appendFileSync(file, third.subarray(keep));
      await s.refresh();
      expect(scalars(s, ".", "a"), `cut ${cut}`).toEqual([[0, 10], [1, 20], [2, 30]]);
    }
  });

  it("reads records longer than its read size", async () => {
    const dir = fresh();
    const big = "x".repeat(9 << 20);
    writeFileSync(join(dir, "events.out.tfevents.1.host"), concat(scalarRec("a", 0, 1), rec({ step: 1, summary: { value: [{ tag: "t", simpleValue: 2, nodeName: big }] } }), scalarRec("a", 2, 3)));
    const s = new LogdirScanner(dir);
    await s.refresh();
    expect(scalars(s, ".", "a")).toEqual([[0, 1], [2, 3]]);
    expect(scalars(s, ".", "t")).toEqual([[1, 2]]);
  });

  it("shows a corrupt file as a warning and keeps what came before it; other runs are unaffected", async () => {
    const dir = fresh();
    mkdirSync(join(dir, "good"));
    mkdirSync(join(dir, "bad"));
    mkdirSync(join(dir, "garbage"));
    writeFileSync(join(dir, "good", "events.out.tfevents.1.host"), concat(scalarRec("a", 0, 1), scalarRec("a", 1, 2)));
    const r0 = scalarRec("a", 0, 1);
    const r1 = scalarRec("a", 1, 2);
    const bad = concat(r0, r1, scalarRec("a", 2, 3));
    bad[r0.length + r1.length + 14] ^= 0x01; // a data byte of the third record
    writeFileSync(join(dir, "bad", "events.out.tfevents.1.host"), bad);
    writeFileSync(join(dir, "garbage", "x.tfevents.2"), "not an event file");
    const seen: string[] = [];
    const s = new LogdirScanner(dir, { onWarning: (w) => seen.push(`${w.run}|${w.file}`) });
    await s.refresh();
    expect(s.runs().map((r) => r.name)).toEqual(["bad", "garbage", "good"]);
    expect(scalars(s, "good", "a")).toEqual([[0, 1], [1, 2]]);
    expect(scalars(s, "bad", "a")).toEqual([[0, 1], [1, 2]]);
    const warnings = s.warnings();
    expect(warnings).toHaveLength(2);
    expect(warnings[0]).toMatchObject({ run: "bad", file: "bad/events.out.tfevents.1.host" });
    expect(warnings[0].message).toMatch(new RegExp(`^corrupt record at byte ${r0.length + r1.length}: data CRC 0x[0-9a-f]{8} != computed 0x[0-9a-f]{8}; the rest of this file is not shown$`));
    expect(warnings[1]).toMatchObject({ run: "garbage", file: "garbage/x.tfevents.2" });
    expect(warnings[1].message).toMatch(/^corrupt record at byte 0: length CRC/);
    expect(seen).toEqual(["bad|bad/events.out.tfevents.1.host", "garbage|garbage/x.tfevents.2"]);
    // Reported once, not on every refresh.
    await s.refresh();
    expect(seen).toHaveLength(2);
  });

  it("warns about a record that frames correctly but is not an Event", async () => {
    const dir = fresh();
    writeFileSync(join(dir, "events.out.tfevents.1.host"), concat(scalarRec("a", 0, 1), frameRecord(Uint8Array.of(0x0a, 0x05, 0x01))));
    const s = new LogdirScanner(dir);
    await s.refresh();
    expect(scalars(s, ".", "a")).toEqual([[0, 1]]);
    expect(s.warnings()[0].message).toMatch(/^record at byte \d+ is not a valid Event \(.*\); the rest of this file is not shown$/);
  });

  it("skips an unreadable event file with a warning", async () => {
    const dir = fresh();
    writeFileSync(join(dir, "events.out.tfevents.1.ok"), scalarRec("a", 0, 1));
    mkdirSync(join(tmp, "somewhere"), { recursive: true });
    symlinkSync(join(tmp, "somewhere"), join(dir, "events.out.tfevents.2.link"));
    const s = new LogdirScanner(dir);
    await s.refresh();
    expect(scalars(s, ".", "a")).toEqual([[0, 1]]);
    expect(s.warnings()).toEqual([{ run: ".", file: "events.out.tfevents.2.link", message: expect.stringMatching(/^cannot read: .*EISDIR/) }]);
  });

  it("purges steps at and after a SessionLog.START, as TensorBoard does after a restart", async () => {
    const dir = fresh();
    const w = new SummaryWriter(dir);
    for (let s = 0; s < 6; s++) w.addScalar("loss", s, s);
    w.close();
    const w2 = new SummaryWriter(dir, { purgeStep: 3 });
    w2.addScalar("loss", 30, 3);
    w2.close();
    const s = new LogdirScanner(dir);
    await s.refresh();
    expect(scalars(s, ".", "loss")).toEqual([[0, 0], [1, 1], [2, 2], [3, 30]]);
    // Sanity: the second file really carries the START event the purge keys on.
    const r = new RunData("check");
    r.ingest({ wallTime: 0, step: 0, summary: { value: [{ tag: "a", nodeName: "", simpleValue: 1 }] } });
    r.ingest({ wallTime: 0, step: 0, sessionLog: { status: SessionStatus.START, checkpointPath: "", msg: "" } });
    expect(r.scalars.get("a")!.length).toBe(0);
  });

  it("re-reads a run whose file shrank, drops runs whose files are gone, and reports a missing logdir", async () => {
    const dir = fresh();
    mkdirSync(join(dir, "r1"));
    mkdirSync(join(dir, "r2"));
    const f1 = join(dir, "r1", "events.out.tfevents.1.h");
    writeFileSync(f1, concat(scalarRec("a", 0, 1), scalarRec("a", 1, 2)));
    writeFileSync(join(dir, "r2", "events.out.tfevents.1.h"), scalarRec("b", 0, 1));
    const s = new LogdirScanner(dir);
    await s.refresh();
    writeFileSync(f1, scalarRec("a", 0, 7));
    rmSync(join(dir, "r2"), { recursive: true });
    await s.refresh();
    expect(s.runs().map((r) => r.name)).toEqual(["r1"]);
    expect(scalars(s, "r1", "a")).toEqual([[0, 7]]);
    rmSync(dir, { recursive: true });
    await s.refresh();
    expect(s.warnings()).toEqual([{ run: null, file: null, message: `logdir '${dir}' does not exist (any more)` }]);
  });
});

describe("HTTP API", () => {
  let b: Board;
  let dir: string;
  const odd = 'loss/a b?&=#%+"<>\u00fc\u2211';
  const oddRun = "run #1 & more";

  beforeAll(async () => {
    dir = fresh();
    const w = new SummaryWriter(join(dir, "exp"));
    w.addScalar("loss", 0.5, 0);
    w.addScalar("loss", NaN, 1);
    w.addScalar("loss", Infinity, 2);
    w.addScalar("loss", -Infinity, 3);
    w.addScalar(odd, 1, 0);
    w.addImages("imgs", tensor([[[[0, 1], [1, 0]]], [[[1, 1], [0, 0]]]]), 0);
    w.addImages("imgs", tensor([[[[1, 0], [0, 1]]], [[[0, 0], [1, 1]]]]), 5);
    w.addHistogram("h", tensor([0, 1, 1, 2]), 0);
    w.addHistogram("h", tensor([1, 2, 2, 3]), 1);
    w.addText("t", "line1\nline2", 7);
    w.close();
    const w2 = new SummaryWriter(join(dir, oddRun));
    w2.addScalar("loss", 2, 0);
    w2.close();
    mkdirSync(join(dir, "broken"));
    writeFileSync(join(dir, "broken", "events.out.tfevents.0.x"), "garbage!!garbage!!");
    b = await launch(dir);
  });

  it("lists runs with their tags and warnings", async () => {
    const { status, body } = await getJson(b, "api/runs");
    expect(status).toBe(200);
    expect(body.logdir).toBe(dir);
    expect(body.warnings).toEqual([]);
    expect(body.runs.map((r: any) => r.name)).toEqual(["broken", "exp", oddRun]);
    expect(body.runs[1].tags).toEqual({ scalars: ["loss", odd].sort(), images: ["imgs"], histograms: ["h"], text: ["t/text_summary"] });
    expect(body.runs[0].warnings).toHaveLength(1);
    expect(body.runs[0].warnings[0].file).toBe("broken/events.out.tfevents.0.x");
  });

  it("serves scalars with non-finite values as strings, for odd tag and run names too", async () => {
    const { body } = await getJson(b, "api/scalars", { run: "exp", tag: "loss" });
    expect(body.points.map((p: any) => [p.step, p.value])).toEqual([[0, 0.5], [1, "NaN"], [2, "Infinity"], [3, "-Infinity"]]);
    expect((await getJson(b, "api/scalars", { run: "exp", tag: odd })).body).toMatchObject({ tag: odd, points: [{ step: 0, value: 1 }] });
    expect((await getJson(b, "api/scalars", { run: oddRun, tag: "loss" })).body.points[0].value).toBe(2);
  });

  it("serves image lists and the PNG bytes of each", async () => {
    const { body } = await getJson(b, "api/images", { run: "exp", tag: "imgs" });
    expect(body.entries.map((e: any) => [e.step, e.width, e.height])).toEqual([[0, 4, 2], [5, 4, 2]]);
    const res = await fetch(`${b.url}api/image?${new URLSearchParams({ run: "exp", tag: "imgs", id: String(body.entries[1].id) })}`);
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("image/png");
    const png = decodePng(new Uint8Array(await res.arrayBuffer()));
    // Two 2x2 images side by side (PyTorch's grid), gray to RGB.
    expect(Array.from(png.data.filter((_, i) => i % 3 === 0))).toEqual([255, 0, 0, 0, 0, 255, 255, 255]);
    const missing = await getJson(b, "api/image", { run: "exp", tag: "imgs", id: "999" });
    expect(missing.status).toBe(404);
  });

  it("serves histograms on a common grid and text", async () => {
    const { body } = await getJson(b, "api/histograms", { run: "exp", tag: "h", bins: "3" });
    expect([body.lo, body.hi, body.binCount]).toEqual([0, 3, 3]);
    expect(body.entries.map((e: any) => e.step)).toEqual([0, 1]);
    for (const e of body.entries) expect(e.counts.reduce((x: number, y: number) => x + y, 0)).toBeCloseTo(4, 9);
    expect((await getJson(b, "api/histograms", { run: "exp", tag: "h", bins: "0" })).status).toBe(400);
    expect((await getJson(b, "api/text", { run: "exp", tag: "t/text_summary" })).body.entries).toMatchObject([{ step: 7, text: "line1\nline2" }]);
  });

  it("answers bad requests with a JSON error and the right status", async () => {
    expect(await getJson(b, "api/scalars", { tag: "loss" })).toEqual({ status: 400, body: { error: "missing query parameter 'run'" } });
    expect(await getJson(b, "api/scalars", { run: "exp" })).toEqual({ status: 400, body: { error: "missing query parameter 'tag'" } });
    expect(await getJson(b, "api/scalars", { run: "nope", tag: "loss" })).toEqual({ status: 404, body: { error: 'unknown run "nope"' } });
    expect(await getJson(b, "api/scalars", { run: "exp", tag: "imgs" })).toEqual({ status: 404, body: { error: 'run "exp" has no scalar tag "imgs"' } });
    expect((await getJson(b, "api/nothing")).status).toBe(404);
    const post = await fetch(`${b.url}api/runs`, { method: "POST" });
    expect([post.status, post.headers.get("allow")]).toEqual([405, "GET, HEAD"]);
    await post.text();
  });

  it("serves the page and its files with a strict content policy, and nothing else from disk", async () => {
    const page = await fetch(b.url);
    expect(page.headers.get("content-type")).toBe("text/html; charset=utf-8");
    expect(page.headers.get("content-security-policy")).toContain("default-src 'self'");
    const html = await page.text();
    expect(html).toContain('src="static/board.js"');
    expect(html).not.toMatch(/https?:\/\//);
    for (const f of ["board.js", "charts.js", "smoothing.js", "board.css", "favicon.svg"]) {
      const res = await fetch(`${b.url}static/${f}`);
      expect(res.status, f).toBe(200);
      expect(await res.text()).not.toMatch(/https?:\/\/(?!www\.w3\.org)/);
    }
    for (const p of ["static/../server.ts", "static/%2e%2e/server.ts", "static/..%2fserver.ts", "static/", "server.ts"]) {
      const res = await fetch(`${b.url}${p}`);
      expect(res.status, p).toBe(404);
      await res.text();
    }
  });

  it("tells event-stream listeners when new events arrive", async () => {
    const ac = new AbortController();
    const res = await fetch(`${b.url}api/events`, { signal: ac.signal });
    expect(res.headers.get("content-type")).toBe("text/event-stream");
    const reader = res.body!.getReader();
    const dec = new TextDecoder();
    let text = "";
    const nextData = async (): Promise<number> => {
      for (;;) {
        const m = /data: (\{.*?\})\n\n/.exec(text);
        if (m) {
          text = text.slice(m.index + m[0].length);
          return JSON.parse(m[1]).generation;
        }
        const { value, done } = await reader.read();
        if (done) throw new Error("stream ended");
        text += dec.decode(value);
      }
    };
    const g0 = await nextData();
    const w = new SummaryWriter(join(dir, "late"));
    w.addScalar("x", 1, 0);
    w.close();
    await b.refresh();
    expect(await nextData()).toBeGreaterThan(g0);
    expect((await getJson(b, "api/runs")).body.runs.map((r: any) => r.name)).toContain("late");
    ac.abort();
  });
});

describe("listening", () => {
  it("names the port and suggests --port when it is taken", async () => {
    const { server, port } = await occupyPort();
    try {
      const err = await startBoard({ logdir: fresh(), port }).catch((e) => e);
      expect(err).toBeInstanceOf(BoardListenError);
      expect(err.code).toBe("EADDRINUSE");
      expect(err.message).toBe(`port ${port} is already in use on 127.0.0.1; stop the program using it or choose another port with --port (e.g. --port ${port + 1}, or --port 0 for any free port)`);
    } finally {
      server.close();
    }
  });

  it("binds the loopback address by default and closes cleanly with a stream open", async () => {
    const b = await startBoard({ logdir: fresh(), port: 0 });
    expect(b.host).toBe("127.0.0.1");
    expect(b.url).toBe(`http://127.0.0.1:${b.port}/`);
    const res = await fetch(`${b.url}api/events`);
    const reader = res.body!.getReader();
    await reader.read();
    await b.close();
    // The stream ends when the board closes (no hanging connection).
    for (;;) if ((await reader.read()).done) break;
    await expect(fetch(b.url)).rejects.toThrow();
  });
});

describe("CLI framework", () => {
  const demo = defineCommand({
    name: "demo",
    summary: "a demo",
    flags: {
      size: { type: "number", description: "a size", default: 3, integer: true, min: 1 },
      name: { type: "string", description: "a name" },
      dryRun: { type: "boolean", description: "do nothing" },
    },
    async run({ flags }, ctx) {
      if (flags.name === "boom") throw new Error("kaboom");
      if (flags.name === "fail") throw new CliError("this failed on purpose", 3);
      ctx.stdout.write(JSON.stringify(flags));
      return 0;
    },
  });

  it("parses --flag value, --flag=value, booleans and defaults", () => {
    expect(parseFlags(demo, ["--size", "5", "--name=a b", "--dry-run"]).flags).toEqual({ size: 5, name: "a b", dryRun: true, help: false, verbose: false });
    expect(parseFlags(demo, []).flags).toMatchObject({ size: 3, dryRun: false });
    const withFiles = { ...demo, positionals: [{ name: "files", description: "", variadic: true }] };
    expect(parseFlags(withFiles, ["a", "--dry-run=false", "--", "--x"])).toMatchObject({ flags: { dryRun: false }, positionals: ["a", "--x"] });
  });

  it("rejects bad command lines with a message that says how to fix them", () => {
    const err = (argv: string[]) => {
      try {
        parseFlags(demo, argv);
      } catch (e) {
        expect(e).toBeInstanceOf(UsageError);
        return (e as Error).message;
      }
      throw new Error("no error");
    };
    expect(err(["--sise", "4"])).toBe("unknown option '--sise' (did you mean --size?); valid options: --size, --name, --dry-run, --help, --verbose");
    expect(err(["--size"])).toBe("--size needs a value (number)");
    expect(err(["--size", "x"])).toBe("--size expects a number, got 'x'");
    expect(err(["--size", "1.5"])).toBe("--size expects an integer, got '1.5'");
    expect(err(["--size", "0"])).toBe("--size must be at least 1, got 0");
    expect(err(["--dry-run=yes"])).toBe("--dry-run takes no value or true/false, got 'yes'");
    expect(err(["extra"])).toBe("unexpected argument 'extra' (this command takes only --options)");
    expect(err(["--", "--x"])).toBe("unexpected argument '--x' (this command takes only --options)");
  });

  it("maps outcomes to exit codes and prints stack traces only with --verbose", async () => {
    const run = async (argv: string[]) => {
      const c = capture();
      const code = await main(argv, c, [demo]);
      return { code, out: c.out, err: c.err };
    };
    expect(await run(["demo", "--size", "2"])).toEqual({ code: 0, out: '{"size":2,"dryRun":false,"help":false,"verbose":false}', err: "" });
    const boom = await run(["demo", "--name", "boom"]);
    expect(boom).toEqual({ code: 1, out: "", err: "torch-ts demo: kaboom\n(run with --verbose for the stack trace)\n" });
    const verbose = await run(["--verbose", "demo", "--name", "boom"]);
    expect(verbose.code).toBe(1);
    expect(verbose.err).toMatch(/^torch-ts demo: kaboom\nError: kaboom\n\s+at /);
    expect(await run(["demo", "--name", "fail"])).toEqual({ code: 3, out: "", err: "torch-ts demo: this failed on purpose\n" });
    expect(await run(["demo", "--bad"])).toMatchObject({ code: 2, err: expect.stringContaining("Run 'torch-ts demo --help' for usage.") });
    expect(await run(["dmeo"])).toMatchObject({ code: 2, err: "torch-ts: unknown command 'dmeo'; did you mean 'demo'?\nCommands: demo. Run 'torch-ts --help' for usage.\n" });
    expect(await run([])).toMatchObject({ code: 2, out: expect.stringContaining("Usage: torch-ts <command> [options]") });
  });

  it("has --help on the program and on every command", async () => {
    const c = capture();
    expect(await main(["--help"], c)).toBe(0);
    expect(c.out).toMatch(/^Usage: torch-ts <command> \[options\]\n\nCommands:\n/);
    expect(c.out).toMatch(/\n {2}board +serve a web page/);
    expect(c.out).toContain("Exit codes: 0 success, 1 the command failed, 2 invalid command line.");
    const d = capture();
    expect(await main(["board", "--help"], d)).toBe(0);
    expect(d.out).toMatch(/^Usage: torch-ts board --logdir <dir> \[options\]\n/);
    for (const f of ["--logdir <dir>", "--port <port>", "(default: 6006)", "--host <address>", "--reload-interval <seconds>", "--help", "--verbose"]) expect(d.out).toContain(f);
    const e = capture();
    expect(await main(["help", "board"], e)).toBe(0);
    expect(e.out).toBe(d.out);
    const h = capture();
    expect(await main(["help"], h)).toBe(0);
    expect(h.out).toBe(c.out);
    const u = capture();
    expect(await main(["help", "bord"], u)).toBe(2);
    expect(u.out).toBe("");
    expect(u.err).toMatch(/^torch-ts help: unknown command 'bord'; did you mean 'board'\?\nCommands: .*\bboard\b.*\.\n$/);
    const v = capture();
    expect(await main(["--version"], v)).toBe(0);
    expect(v.out).toBe(`${JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")).version}\n`);
  });
});

describe("torch-ts board (in process)", () => {
  const run = async (argv: string[], signal?: AbortSignal) => {
    const c = capture();
    const code = await main(argv, { ...c, signal });
    return { code, out: c.out, err: c.err };
  };

  it("rejects a missing or unusable logdir, bad flags and a taken port", async () => {
    expect(await run(["board"])).toEqual({ code: 2, out: "", err: "torch-ts board: --logdir is required\nRun 'torch-ts board --help' for usage.\n" });
    const missing = join(tmp, "no-such-dir");
    expect(await run(["board", "--logdir", missing])).toEqual({ code: 1, out: "", err: `torch-ts board: logdir '${missing}' does not exist\n` });
    const file = join(fresh(), "f.txt");
    writeFileSync(file, "x");
    expect(await run(["board", "--logdir", file])).toMatchObject({ code: 1, err: `torch-ts board: logdir '${file}' is not a directory\n` });
    expect(await run(["board", "--logdir", tmp, "--prot", "1"])).toMatchObject({
      code: 2,
      err: "torch-ts board: unknown option '--prot' (did you mean --port?); valid options: --logdir, --port, --host, --reload-interval, --help, --verbose\nRun 'torch-ts board --help' for usage.\n",
    });
    expect((await run(["board", "--logdir", tmp, "--port", "70000"])).err).toContain("--port must be between 0 and 65535, got 70000");
    expect((await run(["board", "--logdir", tmp, "--port", "http"])).err).toContain("--port expects a number, got 'http'");
    const { server, port } = await occupyPort();
    try {
      const r = await run(["board", "--logdir", tmp, "--port", String(port)]);
      expect(r.code).toBe(1);
      expect(r.err).toBe(`torch-ts board: port ${port} is already in use on 127.0.0.1; stop the program using it or choose another port with --port (e.g. --port ${port + 1}, or --port 0 for any free port)\n`);
    } finally {
      server.close();
    }
  });

  it("serves until aborted, printing the URL and warnings", async () => {
    const dir = fresh();
    const w = new SummaryWriter(join(dir, "ok"));
    w.addScalar("a", 1, 0);
    w.close();
    mkdirSync(join(dir, "bad"));
    writeFileSync(join(dir, "bad", "events.out.tfevents.9"), "junk junk junk");
    const ac = new AbortController();
    const c = capture();
    const done = main(["board", "--logdir", dir, "--port", "0", "--reload-interval", "0.1"], { ...c, signal: ac.signal });
    const url = (await waitFor(() => /at (http:\/\/127\.0\.0\.1:\d+\/)/.exec(c.out), "the URL"))[1];
    expect(c.out).toBe(`torch-ts board: serving ${dir} at ${url} (press Ctrl+C to stop)\n`);
    await waitFor(() => c.err.includes("warning"), "the warning");
    expect(c.err).toMatch(/^torch-ts board: warning: bad\/events\.out\.tfevents\.9: corrupt record at byte 0: /);
    const runs = await (await fetch(`${url}api/runs`)).json();
    expect(runs.runs.map((r: any) => r.name)).toEqual(["bad", "ok"]);
    ac.abort();
    expect(await done).toBe(0);
    await expect(fetch(url)).rejects.toThrow();
  });
});

describe("the torch-ts program, built as shipped", () => {
  let pkg: string;
  let bin: string;

  function spawnCli(args: string[]): { proc: ReturnType<typeof spawn>; out: () => string; err: () => string; exit: Promise<number | null> } {
    const proc = spawn(process.execPath, [bin, ...args], { stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    let err = "";
    proc.stdout!.on("data", (d) => (out += d));
    proc.stderr!.on("data", (d) => (err += d));
    const exit = new Promise<number | null>((r) => proc.on("exit", (code) => r(code)));
    return { proc, out: () => out, err: () => err, exit };
  }

  beforeAll(() => {
    pkg = join(mkdtempSync(join(tmp, "pkg-")), "torch-ts");
    mkdirSync(pkg);
    for (const f of ["package.json", "tsconfig.json", "tsconfig.build.json"]) cpSync(join(ROOT, f), join(pkg, f));
    cpSync(join(ROOT, "src"), join(pkg, "src"), { recursive: true });
    // `npm run build` also compiles wasm/kernels.c (wasm/build.mjs); its output is left behind to be rebuilt.
    if (existsSync(join(ROOT, "wasm"))) cpSync(join(ROOT, "wasm"), join(pkg, "wasm"), { recursive: true, filter: (f) => relative(join(ROOT, "wasm"), f).split(sep)[0] !== "build" });
    symlinkSync(join(ROOT, "node_modules"), join(pkg, "node_modules"), "dir");
    const r = spawnSync("npm", ["run", "build"], { cwd: pkg, encoding: "utf8" });
    if (r.status !== 0) throw new Error(`npm run build failed:\n${r.stdout}${r.stderr}`);
    // What npm does for the "bin" entry on install: a link to the file, which main.ts must still see as itself.
    const binDir = join(pkg, "bin-links");
    mkdirSync(binDir);
    const pkgJson = JSON.parse(readFileSync(join(pkg, "package.json"), "utf8"));
    bin = join(binDir, "torch-ts");
    symlinkSync(join(pkg, pkgJson.bin["torch-ts"]), bin);
  }, 180_000);

  it("declares the bin with a node shebang and ships the page in dist", () => {
    const pkgJson = JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8"));
    expect(pkgJson.bin).toEqual({ "torch-ts": "dist/cli/main.js" });
    expect(readFileSync(join(pkg, "dist", "cli", "main.js"), "utf8").startsWith("#!/usr/bin/env node\n")).toBe(true);
    for (const f of ["index.html", "board.js", "charts.js", "smoothing.js", "board.css", "favicon.svg"]) {
      expect(existsSync(join(pkg, "dist", "board", "static", f)), f).toBe(true);
    }
  });

  it("prints help and exits 0; fails with 1 and no stack trace on a missing logdir", async () => {
    const help = spawnCli(["--help"]);
    expect(await help.exit).toBe(0);
    expect(help.out()).toMatch(/board +serve a web page/);
    const missing = spawnCli(["board", "--logdir", join(tmp, "nope")]);
    expect(await missing.exit).toBe(1);
    expect(missing.err()).toBe(`torch-ts board: logdir '${join(tmp, "nope")}' does not exist\n`);
  });

  it("exits 1 naming a taken port", async () => {
    const { server, port } = await occupyPort();
    try {
      const r = spawnCli(["board", "--logdir", tmp, "--port", String(port)]);
      expect(await r.exit).toBe(1);
      expect(r.err()).toContain(`port ${port} is already in use`);
    } finally {
      server.close();
    }
  });

  it("serves the page and stops cleanly on SIGINT", async () => {
    const dir = fresh();
    const w = new SummaryWriter(join(dir, "run"));
    w.addScalar("a", 1, 0);
    w.close();
    const r = spawnCli(["board", "--logdir", dir, "--port", "0"]);
    try {
      const url = (await waitFor(() => /at (http:\/\/127\.0\.0\.1:\d+\/)/.exec(r.out()), `the URL (stderr: ${r.err()})`))[1];
      expect(await (await fetch(url)).text()).toContain("<title>torch-ts board</title>");
      expect((await fetch(`${url}static/board.js`)).status).toBe(200);
      const runs = await waitFor(async () => ((await (await fetch(`${url}api/runs`)).json()) as any).runs.length === 1, "the run");
      expect(runs).toBe(true);
      r.proc.kill("SIGINT");
      expect(await r.exit).toBe(0);
      expect(r.err()).toBe("");
    } finally {
      r.proc.kill("SIGKILL");
    }
  });
});
