/**
 * Independent checks in Python (/usr/bin/python3, test/tb_decode.py): a protobuf decoder built from
 * hand-written descriptors re-reads our event files (CRCs verified bit by bit, PNGs inflated by hand), and
 * PyTorch's own torch/utils/tensorboard code (summary.py, writer.py) produces the reference output for the
 * same calls. Needs Debian's python3-protobuf; PyTorch's SummaryWriter also needs the `tensorboard` package,
 * which Debian lacks — tb_decode.py then provides its proto modules and event-file writer (see its docstring),
 * and the one test that needs the real package is skipped with the reason printed.
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, truncateSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { flatten, nn, tensor, type Tensor, zeros } from "../src/index.js";
import {
  encodeEvent,
  encodeSummary,
  findEventFiles,
  frameRecord,
  moduleGraph,
  type Init,
  readEvents,
  type ReadEvent,
  summary,
  type Summary,
  SummaryWriter,
  type SummaryValue,
  tensorProtoValues,
} from "../src/tensorboard/index.js";
import { decodePng } from "../src/vision/png.js";
import { Rng } from "./oracle/rng.js";

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const SCRIPT = join(ROOT, "test", "tb_decode.py");
const PYTHON = process.env.TORCH_TS_ORACLE_PYTHON ?? "/usr/bin/python3";

function py(args: string[]): any {
  const r = spawnSync(PYTHON, [SCRIPT, ...args], { encoding: "utf8", maxBuffer: 512 << 20, timeout: 300_000 });
  if (r.error) throw new Error(`tb_decode.py: cannot run ${PYTHON}: ${r.error.message}`);
  let out: any;
  try {
    out = JSON.parse(r.stdout);
  } catch {
    throw new Error(`tb_decode.py ${args[0]} failed (exit ${r.status}):\n${r.stdout.slice(-2000)}\n${r.stderr.slice(-4000)}`);
  }
  if (out && !Array.isArray(out) && out.error) throw new Error(`tb_decode.py ${args[0]}: ${out.error}`);
  if (r.status !== 0) throw new Error(`tb_decode.py ${args[0]} exited ${r.status}:\n${r.stderr.slice(-4000)}`);
  return out;
}

const PROBE: { protobuf: boolean; tensorboard?: boolean; PIL?: boolean; torch?: boolean; protobuf_error?: string } = (() => {
  try {
    return py(["probe"]);
  } catch (e) {
    return { protobuf: false, protobuf_error: (e as Error).message };
  }
})();

/** Fails (does not skip) when python3-protobuf is missing: CI must install it. */
function needProtobuf(): void {
  if (!PROBE.protobuf) {
    throw new Error(
      `google.protobuf is not importable by ${PYTHON} (${PROBE.protobuf_error ?? "?"}); install it with: apt-get install -y python3-protobuf`,
    );
  }
}

let tmp: string;
let counter = 0;
const fresh = (name: string): string => join(tmp, `${name}-${counter++}`);
beforeAll(() => {
  tmp = mkdtempSync(join(tmpdir(), "torch-ts-tbpy-"));
});
afterAll(() => {
  rmSync(tmp, { recursive: true, force: true });
});

const hex = (b: Uint8Array): string => Buffer.from(b).toString("hex");
const pyNum = (x: number): number | string => (Number.isNaN(x) ? "nan" : x === Infinity ? "inf" : x === -Infinity ? "-inf" : x);

/** Our reader's view of a value, in tb_decode.py's JSON shape (PNG pixels decoded by our decoder). */
function valueJson(v: SummaryValue): any {
  const kind = v.simpleValue !== undefined ? "simple_value" : v.image ? "image" : v.histo ? "histo" : v.tensor ? "tensor" : null;
  const out: any = { tag: v.tag, kind };
  if (v.metadata) {
    const m = v.metadata;
    out.metadata = { display_name: m.displayName, summary_description: m.summaryDescription, data_class: m.dataClass };
    if (m.pluginData) {
      out.metadata.plugin_name = m.pluginData.pluginName;
      out.metadata.content_hex = hex(m.pluginData.content);
    }
  }
  if (kind === "simple_value") {
    out.simple_value = pyNum(v.simpleValue!);
    const b = new Uint8Array(4);
    new DataView(b.buffer).setFloat32(0, v.simpleValue!, true);
    out.simple_value_bits = hex(b);
  } else if (kind === "image") {
    const png = decodePng(v.image!.encodedImageString);
    out.image = {
      height: v.image!.height,
      width: v.image!.width,
      colorspace: v.image!.colorspace,
      png: { width: png.width, height: png.height, channels: png.channels, color_type: png.colorType, pixels: hex(png.data) },
    };
  } else if (kind === "histo") {
    const h = v.histo!;
    out.histo = {
      min: pyNum(h.min), max: pyNum(h.max), num: pyNum(h.num), sum: pyNum(h.sum), sum_squares: pyNum(h.sumSquares),
      bucket_limit: h.bucketLimit.map(pyNum), bucket: h.bucket.map(pyNum),
    };
  } else if (kind === "tensor") {
    const t = v.tensor!;
    out.tensor = {
      dtype: t.dtype, shape: t.tensorShape ? t.tensorShape.dim.map((d) => d.size) : null, float_val: t.floatVal.map(pyNum),
      double_val: t.doubleVal.map(pyNum), int_val: t.intVal, int64_val: t.int64Val,
      string_val: t.dtype === 7 ? tensorProtoValues(t) : [], tensor_content_hex: hex(t.tensorContent),
    };
  }
  return out;
}

function eventJson(e: ReadEvent): any {
  const what = e.fileVersion !== undefined ? "file_version" : e.summary ? "summary" : e.sessionLog ? "session_log" : null;
  const out: any = { offset: e.offset, wall_time: pyNum(e.wallTime), step: e.step, what };
  if (e.sourceMetadata) out.source_writer = e.sourceMetadata.writer;
  if (what === "file_version") out.file_version = e.fileVersion;
  if (what === "session_log") out.session_log = { status: e.sessionLog!.status, checkpoint_path: e.sessionLog!.checkpointPath, msg: e.sessionLog!.msg };
  if (what === "summary") out.summary = e.summary!.value.map(valueJson);
  return out;
}

/** Drops what tb_decode.py adds beyond our JSON (its PIL cross-check and decoded hparams), after checking PIL agreed. */
function stripPy(x: any): any {
  if (Array.isArray(x)) return x.map(stripPy);
  if (x && typeof x === "object") {
    const out: any = {};
    for (const [k, v] of Object.entries(x)) {
      if (k === "pil_pixels_equal") {
        expect(v, "PIL decodes our PNG to the same pixels").toBe(true);
        continue;
      }
      if (k === "hparams") continue;
      out[k] = stripPy(v);
    }
    return out;
  }
  return x;
}

describe("Python cross-checks (tb_decode.py)", () => {
  it("reports which Python modules it found", () => {
    console.log(`[tensorboard-python] ${PYTHON}: ${JSON.stringify(PROBE)}`);
    needProtobuf();
    expect(PROBE.torch).toBe(true);
  });

  it("agrees on CRC-32C and the reference records byte for byte", () => {
    needProtobuf();
    const s = py(["selftest"]);
    expect(s.crc32c_123456789).toBe(0xe3069283);
    expect(s.event1).toBe(hex(encodeEvent({ wallTime: 1, fileVersion: "brain.Event:2" })));
    expect(s.record1).toBe(hex(frameRecord(encodeEvent({ wallTime: 1, fileVersion: "brain.Event:2" }))));
    const ev2 = { wallTime: 1, step: 5, summary: { value: [{ tag: "loss", simpleValue: 0.5 }] } };
    expect(s.event2).toBe(hex(encodeEvent(ev2)));
    expect(s.record2).toBe(hex(frameRecord(encodeEvent(ev2))));
    expect(s.record1).toBe("1800000000000000a37f4b2209000000000000f03f1a0d627261696e2e4576656e743a3286bf577a");
  });

  it("decodes every record of our files to what our reader reads, field by field", () => {
    needProtobuf();
    const dir = fresh("all");
    const w = new SummaryWriter(dir, { purgeStep: 3 });
    w.addScalar("loss", 0.1, 3, 1700000000.25);
    w.addScalar("nan", NaN, 4, 1);
    w.addScalar("inf", -Infinity, 4, 1);
    w.addScalar("zero", 0, 4, 1);
    w.addScalar("new", 2.5, 4, { walltime: 1, newStyle: true, doublePrecision: true });
    w.addScalars("a/b", { x: 1, y: 2 }, 5, 2);
    w.addHistogram("h", tensor([[-1.5, 0, 0, 2e-5], [3, 1e9, -7, 0.5]]), 6, 3);
    w.addHistogram("h10", [1, 2, 2, 3, 9], 6, { bins: 10, walltime: 3 });
    w.addImage("img", tensor([[[0.1, 0.9, 0.5]], [[1, 0, 0.25]], [[0.3, 0.3, 0.3]]]), 7, 4);
    w.addImage("rgba", tensor([[[1, 2, 3, 4], [250, 251, 252, 253]]], { dtype: "uint8" }), 7, { walltime: 4, dataformats: "HWC" });
    w.addImages("grid", tensor(Array.from({ length: 9 }, (_, i) => [[[i / 9, 1 - i / 9]]])), 7, 4);
    w.addText("txt", "héllo **world** 😀", 8, 5);
    w.addHparams({ lr: 0.01, opt: "sgd" }, { "m/acc": 0.5 }, { runName: "hp" });
    w.close();
    const files = findEventFiles(dir);
    const run = (f: string): string => relative(dir, f).split("/").slice(0, -1).join("/");
    expect(files.map(run).sort()).toEqual(["", "a_b_x", "a_b_y", "hp"]);
    const decodedList = py(["decode", ...files]);
    const decoded: Record<string, any> = {};
    for (const [i, file] of files.entries()) {
      expect(decodedList[i].problem, file).toBeNull();
      const ours = readEvents(file).events.map(eventJson);
      expect(stripPy(decodedList[i].events), run(file)).toEqual(ours);
      decoded[run(file)] = decodedList[i];
    }
    expect(decoded.a_b_y.events[1].summary[0]).toEqual({ tag: "a/b", kind: "simple_value", simple_value: 2, simple_value_bits: "00000040" });
    // Pixels as PyTorch's rule gives them: trunc(clip(fround(v)·255)), 1 channel tiled to 3, grid of 8 columns.
    const main = decoded[""].events;
    const img = main.find((e: any) => e.summary?.[0].tag === "img").summary[0].image;
    const px = (v: number): number => Math.trunc(Math.min(255, Math.max(0, Math.fround(Math.fround(v) * 255))));
    const want = [0, 1, 2].flatMap((x) => [[0.1, 0.9, 0.5][x], [1, 0, 0.25][x], 0.3].map(px));
    expect([img.height, img.width, img.colorspace, img.png.pixels]).toEqual([1, 3, 3, hex(Uint8Array.from(want))]);
    const grid = main.find((e: any) => e.summary?.[0].tag === "grid").summary[0].image;
    expect([grid.height, grid.width]).toEqual([2, 16]);
    const gridPx: number[] = [];
    for (let row = 0; row < 2; row++) {
      for (let col = 0; col < 8; col++) {
        const i = row * 8 + col;
        for (let x = 0; x < 2; x++) {
          const g = i < 9 ? px([i / 9, 1 - i / 9][x]) : 0;
          gridPx.push(g, g, g);
        }
      }
    }
    expect(grid.png.pixels).toBe(hex(Uint8Array.from(gridPx)));
    const hp = decoded.hp.events.slice(1, 4).map((e: any) => e.summary[0].metadata.hparams);
    expect(hp[0]).toEqual({
      experiment: { hparam_infos: [{ name: "lr", type: "DATA_TYPE_FLOAT64" }, { name: "opt", type: "DATA_TYPE_STRING" }], metric_infos: [{ name: { tag: "m/acc" } }] },
    });
    expect(hp[1]).toEqual({ session_start_info: { hparams: { lr: 0.01, opt: "sgd" } } });
    expect(hp[2]).toEqual({ session_end_info: { status: "STATUS_SUCCESS" } });
  });

  it("finds the same torn tail and the same corruption", () => {
    needProtobuf();
    const dir = fresh("torn");
    const w = new SummaryWriter(dir);
    for (let i = 0; i < 4; i++) w.addScalar("a", i, i, 1);
    const path = w.eventFilePath;
    w.close();
    const full = readFileSync(path);
    truncateSync(path, full.length - 10);
    const [p] = py(["decode", path]);
    const ours = readEvents(path);
    expect([p.problem.kind, p.problem.offset, p.events.length]).toEqual([ours.torn!.kind, ours.torn!.offset, ours.events.length]);
    const bad = Buffer.from(full);
    bad[60] ^= 1;
    writeFileSync(path, bad);
    const [q] = py(["decode", path]);
    expect(q.problem.kind).toBe("corrupt");
    expect(() => readEvents(path)).toThrow(`corrupt record at byte ${q.problem.offset}`);
  });
});

// ---- PyTorch's add_graph as the oracle ------------------------------------------------------------------

class Net extends nn.Module {
  features = new nn.Sequential(new nn.Conv2d(1, 2, 3), new nn.ReLU(), new nn.MaxPool2d(2));
  fc = new nn.Linear(8, 3);
  override forward(x: Tensor): Tensor {
    return this.fc(flatten(this.features(x), 1));
  }
}

const NET_PY = `
import torch
from torch import nn
class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.features = nn.Sequential(nn.Conv2d(1, 2, 3), nn.ReLU(), nn.MaxPool2d(2))
        self.fc = nn.Linear(8, 3)
    def forward(self, x):
        return self.fc(torch.flatten(self.features(x), 1))
MODELS = {"net": (Net(), torch.zeros(2, 1, 6, 6)),
          "seq": (nn.Sequential(nn.Conv2d(3, 4, 3, padding=1), nn.Sigmoid(), nn.AvgPool2d(2), nn.Flatten(), nn.Linear(64, 5)), torch.zeros(1, 3, 8, 8))}
`;

describe("against PyTorch's add_graph", () => {
  it("writes the graph_def and step1 run metadata events, with PyTorch's module scopes and output shapes", () => {
    needProtobuf();
    const models: Record<string, [nn.Module, Tensor]> = {
      net: [new Net(), zeros(2, 1, 6, 6)],
      seq: [new nn.Sequential(new nn.Conv2d(3, 4, 3, { padding: 1 }), new nn.Sigmoid(), new nn.AvgPool2d(2), new nn.Flatten(), new nn.Linear(64, 5)), zeros(1, 3, 8, 8)],
    };
    for (const [key, [model, input]] of Object.entries(models)) {
      const ours = fresh(`graph-${key}`);
      const w = new SummaryWriter(ours);
      w.addGraph(model, input);
      w.close();
      const theirs = fresh(`graph-pt-${key}`);
      const modelPy = join(fresh("graph-py"), "") + ".py";
      writeFileSync(modelPy, `${NET_PY}\nmodel, inputs = MODELS["${key}"]\n`);
      py(["pytorch-graph", modelPy, theirs]);
      const [a] = py(["decode", ...findEventFiles(ours)]);
      const [b] = py(["decode", ...findEventFiles(theirs)]);
      expect(a.events.map((e: any) => e.what), key).toEqual(b.events.map((e: any) => e.what));
      expect(a.events.map((e: any) => e.what)).toEqual(["file_version", "graph_def", "tagged_run_metadata"]);
      expect(a.events[2].tagged_run_metadata).toEqual(b.events[2].tagged_run_metadata);
      expect(a.events[2].tagged_run_metadata).toEqual({ tag: "step1", devices: ["/device:CPU:0"] });
      const g = a.events[1].graph_def;
      const pt = b.events[1].graph_def;
      expect(g.producer).toBe(pt.producer);
      // What the independent decoder reads is what moduleGraph built.
      expect(g.nodes).toEqual(moduleGraph(model, [input]).map((n) => ({ name: n.name, op: n.op, input: n.inputs, attr: n.attr, ...(n.outputShape ? { output_shapes: [n.outputShape] } : {}) })));
      // PyTorch's aten ops sit in the scopes of the modules that ran them; ours are those scopes, one node each,
      // with the shape of the scope's last op. (Ops at the root scope, like Net.forward's flatten, are not modules.)
      const root = pt.nodes.find((n: any) => n.op.startsWith("aten::")).name.split("/")[0];
      const scopeShapes = new Map<string, number[][]>();
      for (const n of pt.nodes) {
        const scope = n.name.slice(0, n.name.lastIndexOf("/"));
        if (n.op.startsWith("aten::") && scope !== root) scopeShapes.set(scope, n.output_shapes);
      }
      const mine = g.nodes.filter((n: any) => n.op !== "IO Node");
      expect(mine.map((n: any) => n.name), key).toEqual([...scopeShapes.keys()]);
      for (const n of mine) expect(n.output_shapes, n.name).toEqual(scopeShapes.get(n.name));
      const io = (nodes: any[], prefix: string) => nodes.filter((n) => n.name.startsWith(prefix)).map((n) => n.output_shapes);
      for (const prefix of ["input/", "output/"]) expect(io(g.nodes, prefix), prefix).toEqual(io(pt.nodes, prefix));
    }
  }, 120_000);
});

// ---- PyTorch's summary.py as the oracle ------------------------------------------------------------------

type Op = Record<string, any>;

/** Random but seeded summary cases, mirrored in TypeScript by `tsSummaries`. */
function summaryCases(): Op[] {
  const rng = new Rng(20240611);
  const ops: Op[] = [];
  for (const value of [0.5, 0, "-0.0", 1e-40, 3.4e38, 1e39, 123456789.123, "nan", "inf", "-inf", -2.75]) {
    ops.push({ op: "scalar", tag: "s", value });
  }
  ops.push({ op: "scalar", tag: "ns", value: 0.1, new_style: true });
  ops.push({ op: "scalar", tag: "nd", value: 0.1, new_style: true, double_precision: true });
  const binsChoices: any[] = ["tensorflow", "tensorflow", "auto", "fd", "sturges", "sqrt", "rice", "scott", "doane", 1, 7, 30, [-2, -1, 0, 0.5, 1, 3]];
  for (let i = 0; i < 60; i++) {
    const n = [1, 2, 5, 17, 100, 1000, 3001][rng.int(0, 6)];
    const scale = 10 ** rng.uniform(-6, 6);
    const shift = rng.uniform(-3, 3) * scale;
    const values = Array.from({ length: n }, () => (i % 7 === 0 ? Math.round(rng.normal() * 3) : rng.normal() * scale + shift));
    const dtype = i % 3 === 0 ? "float64" : "float32";
    const bins = binsChoices[i % binsChoices.length];
    const op: Op = { op: "histogram", tag: `h${i}`, values: dtype === "float32" ? values.map(Math.fround) : values, dtype, bins };
    if (i % 5 === 4) op.max_bins = [1, 3, 10, 64][rng.int(0, 3)];
    ops.push(op);
  }
  ops.push({ op: "histogram", tag: "hempty", values: [], dtype: "float32", bins: "tensorflow" });
  const layouts: [string, (n: number, c: number, h: number, w: number) => number[]][] = [
    ["NCHW", (n, c, h, w) => [n, c, h, w]],
    ["NHWC", (n, c, h, w) => [n, h, w, c]],
    ["CHW", (_n, c, h, w) => [c, h, w]],
    ["HWC", (_n, c, h, w) => [h, w, c]],
    ["HW", (_n, _c, h, w) => [h, w]],
  ];
  for (let i = 0; i < 40; i++) {
    const [fmt, shapeOf] = layouts[i % layouts.length];
    const batch = fmt.length === 4;
    const c = fmt === "HW" ? 1 : batch ? [1, 3][rng.int(0, 1)] : [1, 3, 4][rng.int(0, 2)];
    const shape = shapeOf(batch ? rng.int(1, 11) : 1, c, rng.int(1, 6), rng.int(1, 6));
    const size = shape.reduce((a, b) => a * b, 1);
    const uint8 = i % 4 === 1;
    const values = Array.from({ length: size }, () => (uint8 ? rng.int(0, 255) : Math.fround(rng.uniform(0, 1))));
    ops.push({ op: "image", tag: `i${i}`, values, shape, dtype: uint8 ? "uint8" : "float32", dataformats: fmt });
  }
  // A 2-channel image is gray+alpha for PIL; an RGBA batch (make_grid asserts 3 channels) and 5 channels fail.
  ops.push({ op: "image", tag: "two-channel", values: [0.5, 0.25, 1, 0, 0.125, 0.75, 0.5, 1], shape: [2, 2, 2], dtype: "float32", dataformats: "CHW" });
  ops.push({ op: "image", tag: "rgba-batch", values: new Array(2 * 4 * 2 * 2).fill(0.5), shape: [2, 4, 2, 2], dtype: "float32", dataformats: "NCHW" });
  ops.push({ op: "image", tag: "five-channel", values: new Array(5 * 2 * 2).fill(0.5), shape: [5, 2, 2], dtype: "float32", dataformats: "CHW" });
  for (const text of ["", "plain", "héllo **md** 😀", "a\nb\tc"]) ops.push({ op: "text", tag: "t", text });
  ops.push({ op: "hparams", hparams: { lr: 0.1, bs: 64, opt: "adam", on: true, off: false }, metrics: { "hp/acc": 1, loss: 2 } });
  ops.push({ op: "hparams", hparams: { lr: 0.5, opt: "sgd", bs: 8 }, metrics: {}, domain: { opt: ["adam", "sgd"], bs: [8, 16] } });
  // PR curves: predictions at and between the thresholds, outside [0, 1] and NaN (left out), weights.
  for (let i = 0; i < 12; i++) {
    const n = [1, 3, 20, 500][i % 4];
    const labels = Array.from({ length: n }, () => rng.int(0, 1));
    const predictions: (number | string)[] = Array.from({ length: n }, () => (i % 3 === 0 ? rng.int(0, 10) / 10 : rng.uniform(0, 1)));
    if (i % 4 === 3) predictions.splice(0, 3, -0.25, 1.5, "nan");
    const op: Op = { op: "pr_curve", tag: `pr${i}`, labels, predictions, dtype: i % 2 ? "float64" : "float32" };
    op.num_thresholds = [127, 2, 11, 200, 1, 127][i % 6];
    if (i % 5 === 2) op.weights = Array.from({ length: n }, () => rng.uniform(0, 3));
    if (i % 5 === 4) op.weights = 0.5;
    ops.push(op);
  }
  // float32 0.7 · 10 rounds up to 7 in float32 but is 6.99999988 in float64: PyTorch multiplies in float32.
  ops.push({ op: "pr_curve", tag: "pr-f32", labels: [1, 0, 1, 0], predictions: [0.7, 0.3, 0.9, 0.1], dtype: "float32", num_thresholds: 11 });
  ops.push({ op: "pr_curve", tag: "pr-bool", labels: [true, false, true], labels_dtype: "bool", predictions: [0.9, 0.1, 0.5], dtype: "float32" });
  ops.push({ op: "pr_curve", tag: "pr-mismatch", labels: [1, 0, 1], predictions: [0.9, 0.1], dtype: "float32" });
  ops.push({ op: "pr_curve_raw", tag: "prr", tp: [3, 2, 1], fp: [2, 1, 0], tn: [0, 1, 2], fn: [0, 1, 2], precision: [0.6, 0.66, 1], recall: [1, 0.66, 0.33], num_thresholds: 3 });
  ops.push({ op: "pr_curve_raw", tag: "prr-big", tp: [1], fp: [0], tn: [0], fn: [0], precision: [1], recall: [1], num_thresholds: 1000 });
  return ops;
}

/** A number as the spec carries it (strings for what JSON cannot hold: "nan", "inf", "-inf", "-0.0"). */
const pyValue = (v: number | string): number =>
  v === "nan" ? NaN : v === "inf" ? Infinity : v === "-inf" ? -Infinity : typeof v === "string" ? Number(v) : v;

/** The same ops through torch-ts's summary module; errors are returned, not thrown. */
function tsSummaries(op: Op): { ok: true; summaries: Init<Summary>[] } | { ok: false; error: string } {
  try {
    switch (op.op) {
      case "scalar":
        return { ok: true, summaries: [summary.scalar(op.tag, pyValue(op.value), { newStyle: op.new_style, doublePrecision: op.double_precision })] };
      case "histogram":
        return { ok: true, summaries: [summary.histogram(op.tag, Float64Array.from(op.values), op.bins, op.max_bins)] };
      case "image": {
        const t = tensor(op.values, { dtype: op.dtype }).reshape(op.shape);
        return { ok: true, summaries: [summary.image(op.tag, t, op.dataformats)] };
      }
      case "text":
        return { ok: true, summaries: [summary.text(op.tag, op.text)] };
      case "hparams":
        return { ok: true, summaries: summary.hparams(op.hparams, op.metrics, op.domain) };
      case "pr_curve": {
        const labels = op.labels_dtype === "bool" ? tensor(op.labels as boolean[]) : tensor(op.labels as number[]);
        const predictions = tensor((op.predictions as (number | string)[]).map(pyValue), { dtype: op.dtype });
        return { ok: true, summaries: [summary.prCurve(op.tag, labels, predictions, op.num_thresholds, op.weights)] };
      }
      case "pr_curve_raw":
        return { ok: true, summaries: [summary.prCurveRaw(op.tag, op.tp, op.fp, op.tn, op.fn, op.precision, op.recall, op.num_thresholds)] };
    }
  } catch (e) {
    return { ok: false, error: (e as Error).message };
  }
  throw new Error(`unknown op ${op.op}`);
}

describe("against PyTorch's torch.utils.tensorboard.summary", () => {
  it("produces the same summaries for scalars, histograms, images, text, hparams and PR curves", () => {
    needProtobuf();
    const ops = summaryCases();
    const specPath = join(fresh("spec"), "") + ".json";
    writeFileSync(specPath, JSON.stringify(ops));
    const ref = py(["summaries", specPath]);
    console.log(`[tensorboard-python] PyTorch summary.py over ${ref.real_tensorboard ? "the real tensorboard package" : "tb_decode.py's proto stand-ins"}: ${ops.length} cases`);
    // Our summaries, written as events and decoded by the same Python decoder.
    const dir = fresh("ours");
    const w = new SummaryWriter(dir);
    const ours = ops.map(tsSummaries);
    w.close();
    const file = findEventFiles(dir)[0];
    const chunks: Uint8Array[] = [readFileSync(file)];
    ours.forEach((r, i) => {
      if (r.ok) for (const s of r.summaries) chunks.push(frameRecord(encodeEvent({ wallTime: 1, step: i + 1, summary: s })));
    });
    writeFileSync(file, Buffer.concat(chunks));
    const decoded = py(["decode", file])[0];
    expect(decoded.problem).toBeNull();
    const byStep = new Map<number, any[]>();
    for (const e of decoded.events.slice(1)) byStep.set(e.step, [...(byStep.get(e.step) ?? []), e.summary]);
    const mismatches: string[] = [];
    let compared = 0;
    ops.forEach((op, i) => {
      const r = ref.results[i];
      const mine = ours[i];
      const name = `#${i} ${op.op} ${op.tag ?? ""} ${op.bins !== undefined ? JSON.stringify(op.bins) : ""} ${op.dataformats ?? ""} ${op.shape ? JSON.stringify(op.shape) : ""}`;
      if (!r.ok || !mine.ok) {
        if (r.ok !== mine.ok) mismatches.push(`${name}: PyTorch ${r.ok ? "succeeded" : `failed (${r.error})`}, torch-ts ${mine.ok ? "succeeded" : `failed (${(mine as { error: string }).error})`}`);
        else compared++;
        return;
      }
      const got = byStep.get(i + 1) ?? [];
      if (got.length !== r.summaries.length) {
        mismatches.push(`${name}: ${got.length} summaries vs PyTorch's ${r.summaries.length}`);
        return;
      }
      r.summaries.forEach((want: any, k: number) => {
        compared++;
        const diff = compareValues(want.values, got[k]);
        if (diff) mismatches.push(`${name}: ${diff}`);
        // Byte-identical serialization where neither PNG encoders, BLAS dot products nor map order can differ.
        if (["scalar", "text", "pr_curve", "pr_curve_raw"].includes(op.op)) {
          const bytes = hex(encodeSummary((mine as { summaries: Init<Summary>[] }).summaries[k]));
          if (bytes !== want.hex) mismatches.push(`${name}: bytes ${bytes} vs PyTorch's ${want.hex}`);
        }
      });
    });
    console.log(`[tensorboard-python] summaries: ${compared} compared, ${mismatches.length} mismatches`);
    expect(mismatches).toEqual([]);
    expect(compared).toBeGreaterThan(100);
  }, 300_000);
});

/** Differences between PyTorch's values and ours (null if none); only sum_squares gets a tolerance. */
function compareValues(want: any[], got: any[]): string | null {
  const w = stripPy(want);
  const g = stripPy(got);
  for (let i = 0; i < w.length; i++) {
    const a = w[i];
    const b = g[i];
    if (a.kind === "histo" && b?.kind === "histo") {
      // numpy computes sum_squares with a BLAS dot product (its own summation order): compare to 1e-12.
      const x = pyValue(a.histo.sum_squares);
      const y = pyValue(b.histo.sum_squares);
      if (!(Object.is(x, y) || Math.abs(x - y) <= 1e-12 * Math.abs(x))) return `sum_squares ${y} vs ${x}`;
      a.histo.sum_squares = b.histo.sum_squares;
    }
    if (a.metadata?.plugin_name === "hparams") {
      // Map entries may be serialized in any order: compare the decoded plugin data instead of its bytes.
      const wantHp = want[i].metadata.hparams;
      const gotHp = got[i]?.metadata?.hparams;
      if (JSON.stringify(sortKeys(wantHp)) !== JSON.stringify(sortKeys(gotHp))) return `hparams ${JSON.stringify(gotHp)} vs ${JSON.stringify(wantHp)}`;
      delete a.metadata.content_hex;
      if (b?.metadata) delete b.metadata.content_hex;
    }
    if (a.kind === "image" && b?.kind === "image") {
      // PNG encoders differ (PIL vs ours): the decoded pixels must not.
      delete a.image.png.color_type;
      delete b.image.png.color_type;
    }
    const sa = JSON.stringify(a);
    const sb = JSON.stringify(b);
    if (sa !== sb) return `value ${i}: ${sb.slice(0, 400)} vs PyTorch's ${sa.slice(0, 400)}`;
  }
  return w.length === g.length ? null : `${g.length} values vs ${w.length}`;
}

function sortKeys(x: any): any {
  if (Array.isArray(x)) return x.map(sortKeys);
  if (x && typeof x === "object") return Object.fromEntries(Object.keys(x).sort().map((k) => [k, sortKeys(x[k])]));
  return x;
}

// ---- PyTorch's SummaryWriter (writer.py) as the oracle ----------------------------------------------------

const WRITER_SPEC = {
  kwargs: { purge_step: 2, max_queue: 3 },
  ops: [
    { op: "add_scalar", tag: "loss", value: 0.25, step: 2, walltime: 100 },
    { op: "add_scalar", tag: "loss", value: 0.125, step: 3, walltime: 101, new_style: true },
    { op: "add_scalars", main_tag: "run/cmp", values: { train: 1, val: 2 }, step: 3, walltime: 102 },
    { op: "add_scalars", main_tag: "run/cmp", values: { train: 3 }, step: 4, walltime: 103 },
    { op: "add_histogram", tag: "w", values: [0.5, -1, 2, 2, 1e-3, 0], step: 4, walltime: 104 },
    { op: "add_histogram", tag: "w10", values: [0.5, -1, 2, 2], step: 4, walltime: 104, bins: 10, max_bins: 4 },
    { op: "add_image", tag: "img", values: [0, 0.25, 0.5, 0.75, 1, 0.1], shape: [1, 2, 3], step: 5, walltime: 105 },
    { op: "add_image", tag: "hwc", values: [0, 64, 128, 255, 1, 2], shape: [1, 2, 3], dtype: "uint8", dataformats: "HWC", step: 5, walltime: 105 },
    { op: "add_images", tag: "batch", values: Array.from({ length: 3 * 3 * 2 * 2 }, (_, i) => (i % 11) / 10), shape: [3, 3, 2, 2], step: 6, walltime: 106 },
    { op: "add_text", tag: "notes", text: "# hi", step: 7, walltime: 107 },
    { op: "flush" },
    { op: "add_hparams", hparams: { lr: 0.1, opt: "adam" }, metrics: { "hp/acc": 0.5 }, run_name: "hp" },
  ],
};

function runTsWriter(dir: string): void {
  const w = new SummaryWriter(dir, { purgeStep: 2, maxQueue: 3 });
  for (const op of WRITER_SPEC.ops as Op[]) {
    const o = { walltime: op.walltime };
    switch (op.op) {
      case "add_scalar": w.addScalar(op.tag, op.value, op.step, { ...o, newStyle: op.new_style }); break;
      case "add_scalars": w.addScalars(op.main_tag, op.values, op.step, o); break;
      case "add_histogram": w.addHistogram(op.tag, op.values.map(Math.fround), op.step, { ...o, bins: op.bins, maxBins: op.max_bins }); break;
      case "add_image": w.addImage(op.tag, tensor(op.values, { dtype: op.dtype ?? "float32" }).reshape(op.shape), op.step, { ...o, dataformats: op.dataformats }); break;
      case "add_images": w.addImages(op.tag, tensor(op.values).reshape(op.shape), op.step, o); break;
      case "add_text": w.addText(op.tag, op.text, op.step, op.walltime); break;
      case "flush": w.flush(); break;
      case "add_hparams": w.addHparams(op.hparams, op.metrics, { runName: op.run_name }); break;
    }
  }
  w.close();
}

/** A run's event files as {sub-run dir → events}, without what legitimately differs (times, writer name, PNG bytes). */
function normalizedRun(dir: string): Record<string, any[]> {
  const files = findEventFiles(dir);
  const decoded = py(["decode", ...files]);
  const out: Record<string, any[]> = {};
  files.forEach((f, i) => {
    expect(decoded[i].problem, f).toBeNull();
    const name = relative(dir, f);
    expect(name.split("/").pop()).toMatch(/^events\.out\.tfevents\.\d{10}\..+\.\d+\.\d+$/);
    out[name.split("/").slice(0, -1).join("/")] = decoded[i].events.map((e: any) => {
      const { offset: _o, source_writer: _s, ...rest } = e;
      // Wall times the caller did not set are "now" on both sides.
      if (!(e.what === "summary" && e.wall_time >= 100 && e.wall_time < 200)) delete rest.wall_time;
      for (const v of rest.summary ?? []) {
        if (v.image) delete v.image.png.color_type;
        if (v.metadata?.hparams) delete v.metadata.content_hex;
        if (v.histo) v.histo.sum_squares = Number(v.histo.sum_squares.toPrecision(12));
      }
      return stripPy(rest);
    });
  });
  return out;
}

describe("against PyTorch's SummaryWriter", () => {
  it(`writes the same runs (${PROBE.tensorboard ? "real tensorboard package" : "tensorboard stand-in from tb_decode.py"})`, () => {
    needProtobuf();
    const ours = fresh("ts-run");
    const theirs = fresh("py-run");
    runTsWriter(ours);
    const specPath = fresh("wspec") + ".json";
    writeFileSync(specPath, JSON.stringify(WRITER_SPEC));
    const r = py(["writer", specPath, theirs]);
    console.log(`[tensorboard-python] PyTorch writer.py ran over ${r.real_tensorboard ? "the real tensorboard package" : "tb_decode.py's stand-in"}`);
    const a = normalizedRun(ours);
    const b = normalizedRun(theirs);
    expect(Object.keys(a).sort()).toEqual(Object.keys(b).sort());
    expect(Object.keys(a).sort()).toEqual(["", "hp", "run_cmp_train", "run_cmp_val"]);
    for (const k of Object.keys(b)) expect(a[k], `sub-run '${k}'`).toEqual(b[k]);
  }, 120_000);

  // TensorBoard's own loader on our files needs the `tensorboard` package, which Debian does not ship.
  const why = PROBE.tensorboard ? "" : `the tensorboard Python package is not installed for ${PYTHON}`;
  if (why) console.log(`[tensorboard-python] skipped "TensorBoard's EventAccumulator loads our run": ${why}`);
  it.skipIf(!PROBE.tensorboard)("TensorBoard's EventAccumulator loads our run", () => {
    const dir = fresh("tb-load");
    runTsWriter(dir);
    const loaded = py(["tb-load", dir]);
    expect(loaded.scalars.loss).toEqual([[2, 0.25]]);
    expect(loaded.images.img).toEqual([[5, 2, 3]]);
    expect(loaded.histograms.w.length).toBe(1);
    expect(loaded.tensors["notes/text_summary"]).toEqual([[7, ["# hi"]]]);
  });
});
