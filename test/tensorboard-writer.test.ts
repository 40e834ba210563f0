/**
 * SummaryWriter → event files → readEvents: file layout, every add* method's encoding (hand-derived values),
 * PyTorch's image grid and scaling, histogram bins, buffering and the exit flush, and the errors.
 */
import { spawnSync } from "node:child_process";
import { appendFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, truncateSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { hostname, tmpdir } from "node:os";
import { basename, dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { add, nn, tensor, type Tensor, zeros } from "../src/index.js";
import {
  decodeHParamsPluginData,
  defaultBins,
  defaultLogDir,
  findEventFiles,
  HParamDataType,
  HPARAMS,
  makeHistogram,
  moduleGraph,
  readEvents,
  type ReadEvent,
  SessionStatus,
  SummaryWriter,
  type SummaryValue,
  tensorProtoValues,
  TFDataType,
  WRITER_NAME,
} from "../src/tensorboard/index.js";
import { decodePng, encodePng } from "../src/vision/png.js";

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "..");
let tmp: string;
let n = 0;
const fresh = (name = "run"): string => join(tmp, `${name}${n++}`);

beforeAll(() => {
  tmp = mkdtempSync(join(tmpdir(), "torch-ts-tb-"));
});
afterAll(() => {
  rmSync(tmp, { recursive: true, force: true });
});

/** Events of the one event file directly in `dir`. */
function eventsIn(dir: string): ReadEvent[] {
  const files = readdirSync(dir).filter((f) => f.includes("tfevents"));
  expect(files.length, `event files in ${dir}`).toBe(1);
  const { events, torn } = readEvents(join(dir, files[0]));
  expect(torn).toBeNull();
  return events;
}

/** The summary values after the file_version event. */
function values(dir: string): { step: number; wallTime: number; v: SummaryValue }[] {
  return eventsIn(dir)
    .slice(1)
    .flatMap((e) => (e.summary?.value ?? []).map((v) => ({ step: e.step, wallTime: e.wallTime, v })));
}

function pixels(v: SummaryValue): { h: number; w: number; c: number; data: number[] } {
  const img = v.image!;
  const png = decodePng(img.encodedImageString);
  expect([png.height, png.width, png.channels]).toEqual([img.height, img.width, img.colorspace]);
  return { h: png.height, w: png.width, c: png.channels, data: Array.from(png.data) };
}

describe("event files", () => {
  it("names the file as PyTorch and writes file_version at once", () => {
    const dir = fresh();
    // A pinned clock: the name carries the creation time in whole seconds, as PyTorch's time.time().
    vi.useFakeTimers({ toFake: ["Date"] });
    vi.setSystemTime(new Date(1733500000789));
    const now = vi.spyOn(performance, "now").mockReturnValue(2500.25);
    let w: SummaryWriter;
    try {
      w = new SummaryWriter(dir);
    } finally {
      now.mockRestore();
      vi.useRealTimers();
    }
    const name = basename(w.eventFilePath);
    const m = /^events\.out\.tfevents\.(\d{10})\.(.+)\.(\d+)\.(\d+)$/.exec(name);
    expect(m, name).not.toBeNull();
    expect(m![1]).toBe("1733500000");
    expect([m![2], Number(m![3])]).toEqual([hostname(), process.pid]);
    // Written and flushed by the constructor, before any add* call.
    const [first, ...rest] = eventsIn(dir);
    expect(rest).toEqual([]);
    expect(first.fileVersion).toBe("brain.Event:2");
    expect(first.sourceMetadata).toEqual({ writer: WRITER_NAME });
    expect(first.step).toBe(0);
    expect(first.wallTime).toBe((performance.timeOrigin + 2500.25) / 1000);
    expect(first.offset).toBe(0);
    w.close();
    const w2 = new SummaryWriter(dir, { filenameSuffix: ".v2" });
    const uid = (p: string): number => Number(/\.(\d+)(?:\.v2)?$/.exec(p)![1]);
    expect(w2.eventFilePath.endsWith(".v2")).toBe(true);
    expect(uid(w2.eventFilePath)).toBeGreaterThan(uid(join(dir, name)));
    w2.close();
  });

  it("defaults the log directory to runs/<%b%d_%H-%M-%S>_<host><comment>", () => {
    expect(defaultLogDir("_lr0.1", new Date(2024, 0, 5, 14, 3, 9))).toBe(join("runs", `Jan05_14-03-09_${hostname()}_lr0.1`));
    expect(defaultLogDir("", new Date(2023, 11, 31, 0, 0, 0))).toBe(join("runs", `Dec31_00-00-00_${hostname()}`));
    const cwd = process.cwd();
    const dir = fresh("cwd");
    rmSync(dir, { recursive: true, force: true });
    mkdirSync(dir);
    process.chdir(dir);
    try {
      const w = new SummaryWriter({ comment: "-c" });
      expect(w.getLogdir()).toMatch(new RegExp(`^runs/[A-Z][a-z]{2}\\d{2}_\\d{2}-\\d{2}-\\d{2}_${hostname().replace(/[.]/g, "\\.")}-c$`));
      expect(existsSync(w.eventFilePath)).toBe(true);
      w.close();
    } finally {
      process.chdir(cwd);
    }
  });

  it("writes purge_step events as PyTorch: file_version and SessionLog.START at that step, once", () => {
    const dir = fresh();
    const w = new SummaryWriter(dir, { purgeStep: 42 });
    w.addScalar("x", 1, 43, 7);
    w.close();
    const ev = eventsIn(dir);
    expect(ev.map((e) => [e.step, e.fileVersion ?? null, e.sessionLog?.status ?? null, e.summary ? "summary" : null])).toEqual([
      [0, "brain.Event:2", null, null],
      [42, "brain.Event:2", null, null],
      [42, null, SessionStatus.START, null],
      [43, null, null, "summary"],
    ]);
    // Reopening after close starts a new file without the purge events.
    w.addScalar("x", 2, 44);
    w.close();
    const steps = findEventFiles(dir).map((f) => readEvents(f).events.map((e) => e.step));
    expect(steps.sort((a, b) => a.length - b.length)).toEqual([
      [0, 44],
      [0, 42, 42, 43],
    ]);
  });

  it("names a log directory that cannot be created", () => {
    const file = join(tmp, `plain-file-${n++}`);
    writeFileSync(file, "x");
    expect(() => new SummaryWriter(join(file, "sub"))).toThrow(`SummaryWriter: cannot create log directory '${join(file, "sub")}': ENOTDIR`);
    expect(() => new SummaryWriter(42 as unknown as string)).toThrow("SummaryWriter: log_dir must be a string, got number");
  });
});

describe("addScalar / addScalars", () => {
  it("writes simple_value as float32 with the given step and walltime", () => {
    const dir = fresh();
    const w = new SummaryWriter(dir);
    w.addScalar("loss", 0.1, 3, 1700000000.5);
    w.addScalar("zero", 0, 0, 1);
    w.addScalar("nan", NaN, 1, 1);
    w.addScalar("inf", Infinity, 2, 1);
    w.addScalar("ninf", -Infinity, 2, 1);
    w.addScalar("bool", true, 2, 1);
    w.addScalar("t", tensor([[2.5]]), 2.9, { walltime: 1 });
    w.addScalar("neg-step", 1, -3, 1);
    w.addScalar("no step", 1, null, 1);
    w.close();
    const vs = values(dir);
    expect(vs.map((x) => [x.v.tag, x.step])).toEqual([
      ["loss", 3],
      ["zero", 0],
      ["nan", 1],
      ["inf", 2],
      ["ninf", 2],
      ["bool", 2],
      ["t", 2],
      ["neg-step", -3],
      ["no step", 0],
    ]);
    expect(vs[0].wallTime).toBe(1700000000.5);
    expect(vs[0].v.simpleValue).toBe(Math.fround(0.1));
    expect(vs[1].v.simpleValue).toBe(0); // written although 0 (oneof)
    expect(vs[2].v.simpleValue).toBeNaN();
    expect(vs.slice(3, 7).map((x) => x.v.simpleValue)).toEqual([Infinity, -Infinity, 1, 2.5]);
  });

  it("writes the new-style tensor encodings", () => {
    const dir = fresh();
    const w = new SummaryWriter(dir);
    w.addScalar("f", 0.1, 1, { walltime: 1, newStyle: true });
    w.addScalar("d", 0.1, 1, { walltime: 1, newStyle: true, doublePrecision: true });
    w.close();
    const [f, d] = values(dir).map((x) => x.v);
    expect(f.simpleValue).toBeUndefined();
    expect([f.tensor!.dtype, f.tensor!.floatVal, f.tensor!.tensorShape]).toEqual([TFDataType.DT_FLOAT, [Math.fround(0.1)], undefined]);
    expect(f.metadata!.pluginData!.pluginName).toBe("scalars");
    expect([d.tensor!.dtype, d.tensor!.doubleVal]).toEqual([TFDataType.DT_DOUBLE, [0.1]]);
  });

  it("rejects values that are not one element, and bad steps", () => {
    const w = new SummaryWriter(fresh());
    expect(() => w.addScalar("x", tensor([1, 2]))).toThrow("addScalar: Tensor should contain one element (0 dimensions). Was given size: 2 and 1 dimensions.");
    expect(() => w.addScalar("x", zeros(2, 3))).toThrow("Was given size: 6 and 2 dimensions.");
    expect(() => w.addScalar("x", "1" as unknown as number)).toThrow("addScalar: expected a Tensor, a number or an array of numbers, got string");
    expect(() => w.addScalar("x", 1, NaN)).toThrow("addScalar: cannot convert float NaN to integer (global_step)");
    expect(() => w.addScalar(3 as unknown as string, 1)).toThrow("addScalar: tag must be a string, got number");
    w.close();
  });

  it("puts each addScalars tag in the sub-run <logdir>/<mainTag with / → _>_<tag>, tagged mainTag", () => {
    const dir = fresh();
    const w = new SummaryWriter(dir);
    w.addScalars("loss/train", { a: 1, "b c": 2 }, 5, 123);
    w.addScalars("loss/train", { a: 3 }, 6);
    w.close();
    expect(readdirSync(dir).sort().filter((f) => !f.includes("tfevents"))).toEqual(["loss_train_a", "loss_train_b c"]);
    const a = values(join(dir, "loss_train_a"));
    expect(a.map((x) => [x.v.tag, x.v.simpleValue, x.step])).toEqual([
      ["loss/train", 1, 5],
      ["loss/train", 3, 6],
    ]);
    expect(a[0].wallTime).toBe(123);
    expect(values(join(dir, "loss_train_b c")).map((x) => [x.v.simpleValue, x.wallTime])).toEqual([[2, 123]]);
    expect(values(dir)).toEqual([]);
  });

  it("allows odd tag characters (PyTorch does not filter them)", () => {
    const dir = fresh();
    const w = new SummaryWriter(dir);
    const tags = ["a b", "ü/ß", "x%2F", "", "tab\tnew\nline", "😀"];
    tags.forEach((t, i) => w.addScalar(t, i, i, 1));
    w.close();
    expect(values(dir).map((x) => x.v.tag)).toEqual(tags);
  });
});

describe("addHistogram", () => {
  it("uses PyTorch's 1549 default edges", () => {
    const b = defaultBins();
    expect(b.length).toBe(1549);
    expect(b[774]).toBe(0);
    expect(b[775]).toBe(1e-12);
    expect(b[773]).toBe(-1e-12);
    for (let i = 0; i < 774; i++) expect(b[i]).toBe(-b[1548 - i]);
    let v = 1e-12;
    for (let i = 775; i < 1549; i++, v *= 1.1) expect(b[i]).toBe(v);
    expect(b[1548] < 1e20 && b[1548] * 1.1 >= 1e20).toBe(true);
  });

  it("trims to the non-empty support plus one empty bin on the left", () => {
    // Zeros fall in [0, 1e-12): the kept bins are (…, 0] (empty) and [0, 1e-12).
    expect(makeHistogram(Float64Array.of(0, 0), "tensorflow")).toEqual({
      min: 0, max: 0, num: 2, sum: 0, sumSquares: 0, bucketLimit: [0, 1e-12], bucket: [0, 2],
    });
    // 3 equal bins over [0.5, 2.5]; the first bin is non-empty, so an empty bin is prepended.
    const h = makeHistogram(Float64Array.of(0.5, 1.5, 1.5, 2.5), 3);
    expect(h.bucket).toEqual([0, 1, 2, 1]);
    expect(h.bucketLimit).toEqual([0.5, 0.5 + 2 / 3, 0.5 + 2 * (2 / 3), 2.5]);
    expect([h.min, h.max, h.num, h.sum, h.sumSquares]).toEqual([0.5, 2.5, 4, 6, 11]);
    // Explicit edges: [e_i, e_i+1) except the last bin, which includes its right edge; outside values drop out.
    const e = makeHistogram(Float64Array.of(1.5, 4, 9, -1), [0, 1, 2, 3, 4]);
    expect([e.bucketLimit, e.bucket]).toEqual([[1, 2, 3, 4], [0, 1, 0, 1]]);
    expect(e.num).toBe(4);
    // A single value: numpy widens the range to ±0.5.
    const one = makeHistogram(Float64Array.of(7), 2);
    expect([one.bucketLimit, one.bucket]).toEqual([[7, 7.5], [0, 1]]);
  });

  it("subsamples to maxBins as PyTorch (pads with sub - n % sub zeros)", () => {
    const vals = Float64Array.from({ length: 10 }, (_, i) => i);
    const h = makeHistogram(vals, 10, 3);
    expect(h.bucket).toEqual([0, 3, 3, 3, 1]);
    expect(h.bucketLimit).toEqual([0, 3 * 0.9, 6 * 0.9, 9 * 0.9, 9]);
  });

  it("leaves non-finite values out of the bins but not out of num/min/max/sum", () => {
    const h = makeHistogram(Float64Array.of(1, Infinity, NaN, -Infinity), "tensorflow");
    expect(h.num).toBe(4);
    expect(h.min).toBeNaN();
    expect(h.bucket.reduce((a, b) => a + b, 0)).toBe(1);
    expect(() => makeHistogram(Float64Array.of(1, NaN), "auto")).toThrow("histogram: autodetected range of [nan, nan] is not finite");
    expect(() => makeHistogram(Float64Array.of(1, Infinity), 4)).toThrow("histogram: autodetected range of [1.0, inf] is not finite");
  });

  it("writes the histogram with the step, and reports bad input", () => {
    const dir = fresh();
    const w = new SummaryWriter(dir);
    w.addHistogram("w", tensor([[0.5, 1.5], [1.5, 2.5]]), 7, { bins: 3, walltime: 9 });
    w.addHistogram("default", [1, 2, 3], 8);
    expect(() => w.addHistogram("e", [])).toThrow("addHistogram: The input has no element.");
    expect(() => w.addHistogram("e", [1], 0, { bins: "stone" as "auto" })).toThrow("addHistogram: 'stone' is not a valid estimator for `bins`");
    expect(() => w.addHistogram("e", [1], 0, { bins: 0 })).toThrow("addHistogram: `bins` must be positive, when an integer (got 0)");
    expect(() => w.addHistogram("e", [1], 0, { bins: [2, 1] })).toThrow("addHistogram: `bins` must increase monotonically, when an array");
    w.close();
    const [a, b] = values(dir);
    expect([a.step, a.wallTime, a.v.histo!.bucket]).toEqual([7, 9, [0, 1, 2, 1]]);
    // Default bins: 1, 2 and 3 land in exponential bins with empty ones between them.
    const hb = b.v.histo!;
    expect(hb.bucket[0]).toBe(0);
    expect(hb.bucket.reduce((x, y) => x + y, 0)).toBe(3);
    expect(hb.bucketLimit.length).toBe(hb.bucket.length);
    expect(hb.bucketLimit[hb.bucketLimit.length - 1]).toBeGreaterThan(3);
    expect(hb.bucketLimit[hb.bucketLimit.length - 2]).toBeLessThanOrEqual(3);
  });

  it("writes raw histograms and checks their lengths", () => {
    const dir = fresh();
    const w = new SummaryWriter(dir);
    w.addHistogramRaw("r", 0, 3, 4, 6, 14, [1, 2, 3], [1, 1, 2], 1, 5);
    expect(() => w.addHistogramRaw("r", 0, 1, 1, 1, 1, [1, 2], [1])).toThrow("addHistogramRaw: len(bucket_limits) != len(bucket_counts), see the document (got 2 and 1)");
    w.close();
    expect(values(dir)[0].v.histo).toEqual({ min: 0, max: 3, num: 4, sum: 6, sumSquares: 14, bucketLimit: [1, 2, 3], bucket: [1, 1, 2] });
  });
});

describe("addImage / addImages", () => {
  it("scales floats by 255 in float32, clips, truncates; uint8 as is; 1 channel tiled to RGB", () => {
    const dir = fresh();
    const w = new SummaryWriter(dir);
    w.addImage("f", tensor([[[0, 0.5], [1, 0.2]]]), 1); // CHW, C = 1
    w.addImage("clip", tensor([[[-1, 2], [NaN, 0.999]]], { dtype: "float64" }), 1);
    w.addImage("u8", tensor([[[0, 128], [255, 7]]], { dtype: "uint8" }), 1);
    w.addImage("i64", tensor([[[0, 1], [2, -1]]], { dtype: "int64" }), 1);
    w.close();
    const [f, clip, u8, i64] = values(dir).map((x) => pixels(x.v));
    const rgb = (...g: number[]): number[] => g.flatMap((x) => [x, x, x]);
    // 0.5·255 = 127.5 → 127; fround(0.2)·255 = 51.0000008 → 51.
    expect(f).toEqual({ h: 2, w: 2, c: 3, data: rgb(0, 127, 255, 51) });
    expect(clip.data).toEqual(rgb(0, 255, 0, 254));
    expect(u8.data).toEqual(rgb(0, 128, 255, 7));
    expect(i64.data).toEqual(rgb(0, 255, 255, 0));
  });

  it("reads CHW, HWC (RGB and RGBA) and HW layouts", () => {
    const dir = fresh();
    const w = new SummaryWriter(dir);
    const chw = tensor([[[1, 0]], [[0, 1]], [[0.5, 0.5]]]); // [3, 1, 2]
    w.addImage("chw", chw, 0);
    w.addImage("hwc", tensor([[[1, 0, 0.5], [0, 1, 0.5]]]), 0, { dataformats: "HWC" });
    w.addImage("rgba", tensor([[[255, 0, 0, 128]]], { dtype: "uint8" }), 0, { dataformats: "HWC" });
    w.addImage("hw", tensor([[0.0, 1.0]]), 0, { dataformats: "HW" });
    w.addImage("la", tensor([[[1, 0.5]]]), 0, { dataformats: "HWC" });
    // Any order of the letters works, as in PyTorch; so do non-contiguous tensors.
    w.addImage("whc", tensor([[[1, 0, 0.5]], [[0, 1, 0.5]]]), 0, { dataformats: "WHC" });
    w.addImage("view", tensor([[[1, 0, 0.5], [0, 1, 0.5]]]).permute(2, 0, 1), 0);
    w.close();
    const out = values(dir);
    const [c, h, rgba, hw, la, whc, view] = out.map((x) => pixels(x.v));
    expect(la).toEqual({ h: 1, w: 1, c: 2, data: [255, 127] });
    expect(c).toEqual({ h: 1, w: 2, c: 3, data: [255, 0, 127, 0, 255, 127] });
    expect(h).toEqual(c);
    expect(rgba).toEqual({ h: 1, w: 1, c: 4, data: [255, 0, 0, 128] });
    expect(out[2].v.image!.colorspace).toBe(4);
    expect(hw).toEqual({ h: 1, w: 2, c: 3, data: [0, 0, 0, 255, 255, 255] });
    expect(whc).toEqual(c);
    expect(view).toEqual(c);
  });

  it("tiles a batch into min(N, 8) columns, row-major, no padding, black fill", () => {
    const dir = fresh();
    const w = new SummaryWriter(dir);
    // 10 images of 1×1 RGB: image i has value (i+1)·10 in every channel.
    const vals = Array.from({ length: 10 }, (_, i) => [[[(i + 1) * 10]], [[(i + 1) * 10]], [[(i + 1) * 10]]]);
    w.addImages("grid", tensor(vals, { dtype: "uint8" }), 0);
    // 3 gray 2×1 images in NHWC: tiled to RGB, 3 columns, 1 row.
    w.addImages("nhwc", tensor([[[[0]], [[1]]], [[[1]], [[0]]], [[[0.5]], [[0.5]]]]), 0, { dataformats: "NHWC" });
    w.close();
    const [grid, nhwc] = values(dir).map((x) => pixels(x.v));
    expect([grid.h, grid.w]).toEqual([2, 8]);
    const want = [...Array.from({ length: 10 }, (_, i) => (i + 1) * 10), 0, 0, 0, 0, 0, 0];
    expect(grid.data).toEqual(want.flatMap((x) => [x, x, x]));
    expect([nhwc.h, nhwc.w]).toEqual([2, 3]);
    expect(nhwc.data).toEqual([0, 255, 127, 255, 0, 127].flatMap((x) => [x, x, x]));
  });

  it("fails like PyTorch on shapes it cannot show, and says why", () => {
    const w = new SummaryWriter(fresh());
    expect(() => w.addImages("rgba", zeros(2, 4, 8, 8), 0)).toThrow(
      "addImages: a batch of images must have 1 or 3 channels (PyTorch's make_grid tiles 1 to 3 and rejects the rest), got 4 channels in shape [2, 4, 8, 8] with dataformats 'NCHW'",
    );
    expect(() => w.addImage("five", zeros(5, 4, 4), 0)).toThrow(
      "addImage: an image must have 1 to 4 channels (gray, gray+alpha, RGB, RGBA), got 5 in shape [5, 4, 4] with dataformats 'CHW'",
    );
    expect(() => w.addImage("dims", zeros(1, 3, 4, 4), 0)).toThrow(
      "addImage: size of input tensor and input format are different. tensor shape: [1, 3, 4, 4], input_format: CHW",
    );
    expect(() => w.addImage("twice", zeros(3, 4, 4), 0, { dataformats: "CHH" })).toThrow("addImage: You can not use the same dimension shorthand twice. input_format: CHH");
    expect(() => w.addImage("letters", zeros(3, 4, 4), 0, { dataformats: "CXW" })).toThrow("addImage: dataformats must be a permutation of NCHW, HWC or HW");
    expect(() => w.addImages("empty", zeros(0, 3, 4, 4), 0)).toThrow("addImages: need at least one image");
    expect(() => w.addImage("zero", zeros(3, 0, 4), 0)).toThrow("addImage: image has zero height or width");
    expect(() => w.addImage("arr", [[1]] as unknown as never, 0)).toThrow("addImage: expected a Tensor, got an array");
    w.close();
  });

  it("warns once per tag when a non-uint8 image holds 0-255 pixels, and still scales it as PyTorch does", async () => {
    await new Promise((r) => setImmediate(r)); // warnings of earlier tests are delivered before listening
    const seen: string[] = [];
    const listener = (w: Error & { code?: string }): void => {
      if (w.code === "TORCH_TS_IMAGE_RANGE") seen.push(w.message);
    };
    process.on("warning", listener);
    try {
      const dir = fresh();
      const w = new SummaryWriter(dir);
      const raw = tensor([[[0, 128], [255, 7]]], { dtype: "float32" });
      w.addImage("raw255", raw, 0);
      w.addImage("raw255", raw, 1);
      w.addImages("batch255", raw.unsqueeze(0).to("int64"), 0);
      // No warning: layer outputs beyond 1 (not whole numbers), 0/1 masks, uint8 pixels.
      w.addImage("conv", tensor([[[-0.5, 0.25], [1.75, 3.5]]]), 0);
      w.addImage("mask", tensor([[[0, 1], [1, 0]]], { dtype: "float32" }), 0);
      w.addImage("u8", raw.to("uint8"), 0);
      w.close();
      await new Promise((r) => setImmediate(r));
      expect(seen).toEqual([
        "addImage('raw255'): the float32 image holds whole numbers up to 255, but images of any dtype but uint8 are read as [0, 1] (scaled by 255, then clipped), so every value above 1 shows as white; for 0-255 pixels pass a uint8 tensor (img.to(\"uint8\"))",
        "addImages('batch255'): the int64 image holds whole numbers up to 255, but images of any dtype but uint8 are read as [0, 1] (scaled by 255, then clipped), so every value above 1 shows as white; for 0-255 pixels pass a uint8 tensor (img.to(\"uint8\"))",
      ]);
      const px = values(dir).map((x) => pixels(x.v).data.filter((_, i) => i % 3 === 0));
      expect(px[0]).toEqual([0, 255, 255, 255]);
      expect(px[5]).toEqual([0, 128, 255, 7]);
    } finally {
      process.off("warning", listener);
    }
  });

  it("embeds already-encoded PNG bytes as they are", () => {
    const dir = fresh();
    const w = new SummaryWriter(dir);
    const png = encodePng({ width: 3, height: 2, channels: 4, data: new Uint8Array(24).fill(200) });
    w.addEncodedImage("fig", png, 4, 1);
    expect(() => w.addEncodedImage("bad", Uint8Array.of(1, 2, 3))).toThrow("addEncodedImage: not a PNG file (bad signature)");
    w.close();
    const [v] = values(dir);
    expect(v.step).toBe(4);
    expect(v.v.image!.height).toBe(2);
    expect(v.v.image!.width).toBe(3);
    expect(v.v.image!.colorspace).toBe(4);
    expect(Buffer.from(v.v.image!.encodedImageString).equals(Buffer.from(png))).toBe(true);
  });
});

describe("addPrCurve / addPrCurveRaw", () => {
  it("writes tp, fp, tn, fn, precision and recall per threshold for the pr_curves plugin", () => {
    const dir = fresh();
    const w = new SummaryWriter(dir);
    // 3 thresholds (0, 0.5, 1): p·2 floored puts 0.9 and 0.6 in bucket 1, 0.4 and 0.2 in bucket 0.
    w.addPrCurve("pr/cat", tensor([1, 0, 1, 1]), tensor([0.9, 0.4, 0.6, 0.2]), 7, 3);
    // The JSDoc example's call, with PyTorch's default of 127 thresholds; more than 127 are clamped.
    w.addPrCurve("doc", tensor([1, 0, 1, 1]), tensor([0.9, 0.4, 0.6, 0.2]), 8);
    w.addPrCurve("many", [1, 0], [1, 0], 8, { numThresholds: 1000, walltime: 5 });
    // Weights scale each example's count; predictions outside [0, 1] and NaN are left out.
    w.addPrCurve("weighted", [1, 0, 1, 1], [1, 0, 0.75, 2], 9, { numThresholds: 2, weights: [2, 3, 0.5, 100] });
    w.addPrCurveRaw("raw", [3, 2], [1, 0], [0, 1], [0, 1], [0.75, 1], [1, 2 / 3], 10, 2);
    w.close();
    const [pr, doc, many, weighted, raw] = values(dir);
    expect([pr.step, pr.v.tag, pr.v.metadata?.pluginData?.pluginName]).toEqual([7, "pr/cat", "pr_curves"]);
    // PrCurvePluginData{version: 0 (omitted), num_thresholds: 3}.
    expect(Array.from(pr.v.metadata!.pluginData!.content)).toEqual([0x10, 3]);
    expect(pr.v.tensor!.dtype).toBe(TFDataType.DT_FLOAT);
    expect(pr.v.tensor!.tensorShape!.dim.map((d) => d.size)).toEqual([6, 3]);
    const f = Math.fround;
    // tp [3, 2, 0], fp [1, 0, 0], tn = fp[0] − fp, fn = tp[0] − tp, precision tp/(tp+fp), recall tp/(tp+fn).
    expect(tensorProtoValues(pr.v.tensor!)).toEqual([3, 2, 0, 1, 0, 0, 0, 1, 1, 0, 1, 3, 0.75, 1, 0, 1, f(2 / 3), 0]);
    expect(doc.v.tensor!.tensorShape!.dim.map((d) => d.size)).toEqual([6, 127]);
    expect(Array.from(doc.v.metadata!.pluginData!.content)).toEqual([0x10, 127]);
    expect(tensorProtoValues(doc.v.tensor!).slice(0, 127).filter((x, i, a) => i === 0 || x !== a[i - 1])).toEqual([3, 2, 1, 0]);
    expect([many.wallTime, many.v.tensor!.tensorShape!.dim[1].size]).toEqual([5, 127]);
    // Buckets of p: 1 → 1, 0 → 0, 0.75 → 0, 2 → out. tp buckets [0.5, 2], fp buckets [3, 0].
    expect(tensorProtoValues(weighted.v.tensor!)).toEqual([2.5, 2, 3, 0, 0, 3, 0, 0.5, f(2.5 / 5.5), 1, 1, f(2 / 2.5)]);
    expect(tensorProtoValues(raw.v.tensor!)).toEqual([3, 2, 1, 0, 0, 1, 0, 1, 0.75, 1, 1, f(2 / 3)]);
    expect(Array.from(raw.v.metadata!.pluginData!.content)).toEqual([0x10, 2]);
  });

  it("says what is wrong with mismatched or bad arguments", () => {
    const w = new SummaryWriter(fresh());
    expect(() => w.addPrCurve("a", [1, 0, 1], [0.5, 0.5])).toThrow("addPrCurve: labels and predictions must have the same number of elements, got 3 and 2");
    expect(() => w.addPrCurve("a", [1], [0.5], 0, 0)).toThrow("addPrCurve: num_thresholds must be a positive integer, got 0");
    expect(() => w.addPrCurve("a", [1], [0.5], 0, 2.5)).toThrow("addPrCurve: num_thresholds must be a positive integer, got 2.5");
    expect(() => w.addPrCurve("a", [1, 0], [0.5, 0.5], 0, { weights: [1, 2, 3] })).toThrow("addPrCurve: weights must be one number or one per label, got 3 for 2 labels");
    expect(() => w.addPrCurve(1 as unknown as string, [1], [0.5])).toThrow("addPrCurve: tag must be a string, got number");
    expect(() => w.addPrCurveRaw("r", [1, 2], [1, 2], [1], [1, 2], [1, 2], [1, 2])).toThrow(
      "addPrCurveRaw: all input arrays must have the same shape: true_positive_counts has 2 values, true_negative_counts 1",
    );
    w.close();
  });
});

describe("addGraph", () => {
  /** A residual block that calls one ReLU twice: two nodes for it, and an edge from both of add's inputs. */
  class Block extends nn.Module {
    conv = new nn.Conv2d(2, 2, 3, { padding: 1 });
    act = new nn.ReLU();
    override forward(x: Tensor): Tensor[] {
      const y = this.act(this.conv(x));
      return [this.act(add(x, y)), y];
    }
  }

  it("has one node per module call, named by scope, with edges from the producing call and output shapes", () => {
    const model = new Block();
    model.train();
    const nodes = moduleGraph(model, [zeros(1, 2, 4, 4)]);
    expect(model.training).toBe(true);
    expect(nodes.map((n) => [n.name, n.op, n.inputs, n.outputShape])).toEqual([
      ["input/input", "IO Node", [], [1, 2, 4, 4]],
      ["Block/Conv2d[conv]", "Conv2d", ["input/input"], [1, 2, 4, 4]],
      ["Block/ReLU[act]", "ReLU", ["Block/Conv2d[conv]"], [1, 2, 4, 4]],
      // add(x, y) is not a module: its output is drawn as coming from the last module called.
      ["Block/ReLU[act].1", "ReLU", ["Block/ReLU[act]"], [1, 2, 4, 4]],
      ["output/output.1", "IO Node", ["Block/ReLU[act].1"], [1, 2, 4, 4]],
      ["output/output.2", "IO Node", ["Block/ReLU[act]"], [1, 2, 4, 4]],
    ]);
    expect(nodes[1].attr).toBe("Conv2d(2, 2, kernel_size=(3, 3), stride=(1, 1), padding=(1, 1))");
    const single = moduleGraph(new nn.Linear(3, 2), [zeros(4, 3)]);
    expect(single.map((n) => n.name)).toEqual(["input/input", "Linear", "output/output.1"]);
  });

  it("writes a graph_def event and the step1 run metadata, without a step", () => {
    const dir = fresh();
    const w = new SummaryWriter(dir);
    w.addGraph(new nn.Sequential(new nn.Conv2d(1, 6, 5), new nn.ReLU()), zeros(1, 1, 28, 28), { walltime: 3 });
    w.close();
    const events = eventsIn(dir);
    expect(events.length).toBe(3);
    expect([events[1].wallTime, events[1].step, events[1].graphDef!.length > 0]).toEqual([3, 0, true]);
    expect(events[2].taggedRunMetadata!.tag).toBe("step1");
    // RunMetadata{step_stats{dev_stats{device: "/device:CPU:0"}}}.
    expect(Buffer.from(events[2].taggedRunMetadata!.runMetadata).toString("hex")).toBe(`0a110a0f0a0d${Buffer.from("/device:CPU:0").toString("hex")}`);
    const graph = Buffer.from(events[1].graphDef!).toString("latin1");
    for (const s of ["input/input", "Sequential/Conv2d[0]", "Sequential/ReLU[1]", "output/output.1", "_output_shapes", "IO Node"]) expect(graph).toContain(s);
  });

  it("says what is wrong with a model or an input it cannot run", () => {
    const w = new SummaryWriter(fresh());
    expect(() => w.addGraph({} as nn.Module, zeros(1))).toThrow("addGraph: model must be an nn.Module, got Object");
    expect(() => w.addGraph(new nn.Linear(3, 2), [1, 2] as unknown as Tensor)).toThrow("addGraph: input_to_model must be a Tensor or an array of Tensors");
    expect(() => w.addGraph(new nn.Linear(3, 2), zeros(4, 5))).toThrow(/^addGraph: running the model on the given input failed: /);
    w.close();
  });
});

describe("addText / addHparams", () => {
  it("writes text as the text plugin expects", () => {
    const dir = fresh();
    const w = new SummaryWriter(dir);
    w.addText("notes", "**héllo** 😀", 2, 1);
    w.addText("empty", "", 3, 1);
    w.close();
    const [t, e] = values(dir).map((x) => x.v);
    expect(t.tag).toBe("notes/text_summary");
    expect(t.metadata!.pluginData).toEqual({ pluginName: "text", content: new Uint8Array(0) });
    expect(t.tensor!.dtype).toBe(TFDataType.DT_STRING);
    expect(t.tensor!.tensorShape).toEqual({ dim: [{ size: 1, name: "" }], unknownRank: false });
    expect(tensorProtoValues(t.tensor!)).toEqual(["**héllo** 😀"]);
    expect(tensorProtoValues(e.tensor!)).toEqual([""]);
  });

  it("writes hparams to a sub-run: experiment, session start, session end, then the metrics", () => {
    const dir = fresh();
    const w = new SummaryWriter(dir);
    w.addHparams(
      { lr: 0.1, bs: 32, opt: "adam", flag: true, skip: null, t: tensor([0.5, 9]) },
      { "hparam/acc": 0.75, "hparam/loss": tensor(0.25) },
      { hparamDomainDiscrete: { opt: ["adam", "sgd"], bs: [16, 32] }, runName: "trial-1" },
    );
    w.close();
    const ev = eventsIn(join(dir, "trial-1"));
    const tags = ev.slice(1).map((e) => e.summary!.value[0].tag);
    expect(tags).toEqual([HPARAMS.EXPERIMENT_TAG, HPARAMS.SESSION_START_INFO_TAG, HPARAMS.SESSION_END_INFO_TAG, "hparam/acc", "hparam/loss"]);
    expect(ev.slice(1).every((e) => e.step === 0)).toBe(true);
    const content = (i: number): Uint8Array => {
      const pd = ev[i].summary!.value[0].metadata!.pluginData!;
      expect(pd.pluginName).toBe("hparams");
      return pd.content;
    };
    const exp = decodeHParamsPluginData(content(1)).experiment!;
    expect(exp.hparamInfos.map((h) => [h.name, h.type, h.domainDiscrete ?? null])).toEqual([
      ["lr", HParamDataType.DATA_TYPE_FLOAT64, null],
      ["bs", HParamDataType.DATA_TYPE_FLOAT64, [{ numberValue: 16 }, { numberValue: 32 }]],
      ["opt", HParamDataType.DATA_TYPE_STRING, [{ stringValue: "adam" }, { stringValue: "sgd" }]],
      // PyTorch checks int before bool, and bool is an int in Python: logged as a number.
      ["flag", HParamDataType.DATA_TYPE_FLOAT64, null],
      ["t", HParamDataType.DATA_TYPE_FLOAT64, null],
    ]);
    expect(exp.metricInfos.map((m) => m.name)).toEqual([
      { group: "", tag: "hparam/acc" },
      { group: "", tag: "hparam/loss" },
    ]);
    expect(decodeHParamsPluginData(content(2)).sessionStartInfo!.hparams).toEqual({
      lr: { numberValue: 0.1 },
      bs: { numberValue: 32 },
      opt: { stringValue: "adam" },
      flag: { numberValue: 1 },
      t: { numberValue: 0.5 },
    });
    expect(decodeHParamsPluginData(content(3))).toEqual({ version: 0, sessionEndInfo: { status: 1, endTimeSecs: 0 } });
    expect(ev.slice(4).map((e) => e.summary!.value[0].simpleValue)).toEqual([0.75, 0.25]);
  });

  it("names the default hparams run after the current time, and checks the arguments", () => {
    const dir = fresh();
    const w = new SummaryWriter(dir);
    // A pinned clock: the run is named str(time.time()), the wall time in seconds.
    const now = vi.spyOn(performance, "now").mockReturnValue(123456.5);
    try {
      w.addHparams({ a: 1 }, {});
    } finally {
      now.mockRestore();
    }
    const sub = readdirSync(dir).filter((f) => !f.includes("tfevents"));
    expect(sub).toEqual([String((performance.timeOrigin + 123456.5) / 1000)]);
    expect(() => w.addHparams([] as never, {})).toThrow("addHparams: parameter: hparam_dict should be a dictionary, nothing logged.");
    expect(() => w.addHparams({ a: 1 }, null as never)).toThrow("addHparams: parameter: metric_dict should be a dictionary, nothing logged.");
    expect(() => w.addHparams({ a: 1 }, {}, { hparamDomainDiscrete: { a: ["x"] } })).toThrow(
      "addHparams: parameter: hparam_domain_discrete[a] should be a list of same type as hparam_dict[a].",
    );
    expect(() => w.addHparams({ a: 1 }, {}, { hparamDomainDiscrete: { b: [1] } })).toThrow("hparam_domain_discrete[b]");
    expect(() => w.addHparams({ a: [1] as never }, {})).toThrow("addHparams: value should be one of int, float, str, bool, or torch.Tensor (hparam 'a' is an array)");
    w.close();
  });
});

describe("buffering and flushing", () => {
  it("writes when maxQueue events are pending, on flush() and on close()", () => {
    const dir = fresh();
    const w = new SummaryWriter(dir, { maxQueue: 3, flushSecs: 1000 });
    const size = (): number => statSync(w.eventFilePath).size;
    const initial = size();
    expect(initial).toBeGreaterThan(0);
    w.addScalar("a", 1, 1);
    w.addScalar("a", 2, 2);
    expect(size()).toBe(initial);
    w.addScalar("a", 3, 3);
    const afterQueue = size();
    expect(afterQueue).toBeGreaterThan(initial);
    w.addScalar("a", 4, 4);
    expect(size()).toBe(afterQueue);
    w.flush();
    const afterFlush = size();
    expect(afterFlush).toBeGreaterThan(afterQueue);
    w.addScalar("a", 5, 5);
    const path = w.eventFilePath;
    w.close();
    expect(statSync(path).size).toBeGreaterThan(afterFlush);
    expect(values(dir).map((x) => x.v.simpleValue)).toEqual([1, 2, 3, 4, 5]);
    w.close(); // idempotent
    w.flush();
    // Reading the path after close() opens nothing.
    expect(w.eventFilePath).toBe(path);
    expect(findEventFiles(dir)).toEqual([path]);
  });

  it("flushes every flushSecs", async () => {
    const dir = fresh();
    const w = new SummaryWriter(dir, { maxQueue: 100, flushSecs: 0.05 });
    const path = w.eventFilePath;
    const initial = statSync(path).size;
    w.addScalar("a", 1, 1);
    expect(statSync(path).size).toBe(initial);
    // The flush timer fires after 50 ms; poll up to 250 times 20 ms rather than read the clock.
    for (let polls = 0; statSync(path).size === initial && polls < 250; polls++) await new Promise((r) => setTimeout(r, 20));
    expect(statSync(path).size).toBeGreaterThan(initial);
    w.close();
  });

  it("closes on Symbol.dispose (what `using` calls), as Python's `with SummaryWriter() as w`", () => {
    const dir = fresh();
    const w = new SummaryWriter(dir, { flushSecs: 1000, maxQueue: 1000 });
    w.addScalar("a", 1, 0);
    const path = w.eventFilePath;
    const before = statSync(path).size;
    w[Symbol.dispose]();
    expect(statSync(path).size).toBeGreaterThan(before);
    expect(values(dir).map((x) => x.v.simpleValue)).toEqual([1]);
    expect(() => w[Symbol.dispose]()).not.toThrow();
  });

  it("loses nothing when the process exits without close()", () => {
    const dir = fresh("exit");
    const script = join(tmp, `child-${n++}.ts`);
    writeFileSync(
      script,
      [
        `import { SummaryWriter } from ${JSON.stringify(join(ROOT, "src/tensorboard/index.ts"))};`,
        `const w = new SummaryWriter(${JSON.stringify(dir)}, { maxQueue: 1000, flushSecs: 1000 });`,
        `for (let i = 0; i < 25; i++) w.addScalar("loss", i / 2, i);`,
        `w.addScalars("m", { a: 1, b: 2 }, 1);`,
        // A pending timer must not keep the process alive, and exit() must still flush.
        `setTimeout(() => process.exit(0), 10);`,
      ].join("\n"),
    );
    const viteNode = createRequire(import.meta.url).resolve("vite-node/vite-node.mjs");
    const r = spawnSync(process.execPath, [viteNode, script], { cwd: ROOT, encoding: "utf8", timeout: 60_000 });
    expect(r.status, `${r.stdout}${r.stderr}`).toBe(0);
    const vs = values(dir);
    expect(vs.length).toBe(25);
    expect(vs.map((x) => x.step)).toEqual(Array.from({ length: 25 }, (_, i) => i));
    expect(values(join(dir, "m_a")).map((x) => x.v.simpleValue)).toEqual([1]);
  }, 60_000);
});

describe("JSDoc examples", () => {
  it("SummaryWriter, findEventFiles and readEvents", () => {
    const cwd = process.cwd();
    const dir = fresh("doc");
    mkdirSync(dir);
    process.chdir(dir);
    try {
      const writer = new SummaryWriter("runs/exp1");
      for (let step = 0; step < 100; step++) writer.addScalar("loss", 1 / (step + 1), step);
      writer.close();
      const [file] = findEventFiles("runs/exp1");
      const { events, torn } = readEvents(file);
      const losses = events.flatMap((e) => e.summary?.value.filter((v) => v.tag === "loss").map((v) => [e.step, v.simpleValue]) ?? []);
      expect(torn).toBeNull();
      expect(losses.length).toBe(100);
      expect(losses[3]).toEqual([3, Math.fround(1 / 4)]);
    } finally {
      process.chdir(cwd);
    }
  });
});

describe("readEvents", () => {
  it("round-trips every kind of value written", () => {
    const dir = fresh();
    const w = new SummaryWriter(dir, { purgeStep: 1 });
    w.addScalar("s", 1.5, 1, 10);
    w.addHistogram("h", [1, 2, 3, 3], 2, 11);
    w.addImage("i", zeros(3, 2, 2), 3, 12);
    w.addText("t", "x", 4, 13);
    w.close();
    const ev = eventsIn(dir);
    expect(ev.map((e) => e.step)).toEqual([0, 1, 1, 1, 2, 3, 4]);
    expect(ev.slice(3).map((e) => e.wallTime)).toEqual([10, 11, 12, 13]);
    expect(ev.slice(3).map((e) => Object.keys(e.summary!.value[0]).filter((k) => !["tag", "nodeName", "metadata"].includes(k)))).toEqual([
      ["simpleValue"],
      ["histo"],
      ["image"],
      ["tensor"],
    ]);
    // Offsets point at each record: the next record starts where the previous one ends.
    const buf = readFileSync(findEventFiles(dir)[0]);
    const ends = ev.map((e) => e.offset + buf.readUInt32LE(e.offset) + 16);
    expect(ends).toEqual([...ev.slice(1).map((e) => e.offset), buf.length]);
  });

  it("stops at a torn final record and flags it; appending the rest makes the file whole", () => {
    const dir = fresh();
    const w = new SummaryWriter(dir);
    for (let i = 0; i < 5; i++) w.addScalar("a", i, i, 1);
    const path = w.eventFilePath;
    w.close();
    const full = readFileSync(path);
    truncateSync(path, full.length - 7);
    const torn = readEvents(path);
    expect(torn.events.length).toBe(5); // file_version + 4 scalars
    expect(torn.torn?.kind).toBe("torn");
    expect(torn.torn?.offset).toBe(torn.events[4].offset + (torn.events[4].offset - torn.events[3].offset));
    appendFileSync(path, full.subarray(full.length - 7));
    const whole = readEvents(path);
    expect([whole.events.length, whole.torn]).toEqual([6, null]);
  });

  it("reports a corrupt record and an unreadable path by name", () => {
    const dir = fresh();
    const w = new SummaryWriter(dir);
    w.addScalar("a", 1, 1, 1);
    const path = w.eventFilePath;
    w.close();
    const buf = readFileSync(path);
    buf[buf.length - 6] ^= 0xff;
    writeFileSync(path, buf);
    expect(() => readEvents(path)).toThrow(new RegExp(`readEvents: ${path.replace(/[.]/g, "\\.")}: corrupt record at byte \\d+: data CRC`));
    expect(() => readEvents(join(dir, "nope"))).toThrow(`readEvents: cannot read '${join(dir, "nope")}'`);
  });

  it("finds event files recursively, sorted", () => {
    const dir = fresh();
    const w = new SummaryWriter(dir);
    w.addScalars("m", { b: 1, a: 2 }, 0);
    w.close();
    const files = findEventFiles(dir).map((f) => f.slice(dir.length + 1));
    expect(files.length).toBe(3);
    expect(files[0].startsWith("events.out.tfevents.")).toBe(true);
    expect(files[1].startsWith("m_a/events.out.tfevents.")).toBe(true);
    expect(files[2].startsWith("m_b/events.out.tfevents.")).toBe(true);
  });
});
