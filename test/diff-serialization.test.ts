/**
 * Checkpoints against real PyTorch (1.13, /usr/bin/python3): files torch-ts writes load in PyTorch (read by
 * a few lines of Python that parse the safetensors layout by hand, since the `safetensors` package is not
 * installed) and drive a real nn.Sequential; files PyTorch writes (`torch.save` .pt archives, protocol 2 and
 * 4, re-zipped with deflate, and safetensors from a hand-written Python writer) load in torch-ts with equal
 * values, strides and storage sharing; PyTorch-made files that are not plain state dicts, and corrupted
 * archives, fail with errors that say why.
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import * as torch from "../src/index.js";
import { load, save } from "../src/node.js";
import { INSTALL_HINT, PYTHON } from "./oracle/client.js";
import { TOL } from "./oracle/differential.js";
import { Rng } from "./oracle/rng.js";

const F = torch.nn.functional;
const dir = mkdtempSync(join(tmpdir(), "torch-ts-diff-ser-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** What Python reports for a tensor: values as repr strings so NaN, ±inf and -0.0 survive JSON. */
interface PyTensor {
  dtype: string;
  shape: number[];
  stride: number[];
  offset: number;
  storage: number;
  values: string[];
}

const PY_COMMON = String.raw`
import json, struct, sys, zipfile
from collections import OrderedDict
import torch
from torch import nn

ST_DTYPES = {"F32": torch.float32, "F64": torch.float64, "I32": torch.int32, "I64": torch.int64, "U8": torch.uint8, "BOOL": torch.bool}
ST_NAMES = {v: k for k, v in ST_DTYPES.items()}

def enc(t):
    t = t.detach()
    flat = t.reshape(-1).tolist()
    vals = [repr(float(v)) for v in flat] if t.is_floating_point() else [str(int(v)) for v in flat]
    return {"dtype": str(t.dtype).replace("torch.", ""), "shape": list(t.shape), "stride": list(t.stride()),
            "offset": t.storage_offset(), "storage": t.storage().data_ptr(), "values": vals}

def model():
    return nn.Sequential(nn.Conv2d(2, 3, 3), nn.BatchNorm2d(3), nn.ReLU(), nn.Flatten(), nn.Linear(12, 4))
`;

function python(script: string, ...args: string[]): any {
  const r = spawnSync(PYTHON, ["-c", PY_COMMON + script, ...args], { encoding: "utf8", maxBuffer: 64 << 20 });
  if (r.error || /No module named 'torch'/.test(r.stderr ?? "")) throw new Error(`${INSTALL_HINT}\n${r.error ?? r.stderr}`);
  if (r.status !== 0) throw new Error(`python failed (${r.status}):\n${r.stderr}`);
  return JSON.parse(r.stdout);
}

const num = (s: string): number => ({ nan: NaN, inf: Infinity, "-inf": -Infinity })[s] ?? Number(s);

/** Exact comparison of a torch-ts tensor with Python's report (dtype, shape, every value with Object.is). */
function expectMatches(name: string, t: torch.Tensor, py: PyTensor): void {
  expect(t.dtype, name).toBe(py.dtype);
  expect(t.shape, name).toEqual(py.shape);
  const got = Array.from(t.toTypedArray());
  const want = py.values.map(num);
  expect(got.length, name).toBe(want.length);
  for (let i = 0; i < got.length; i++) {
    if (!Object.is(got[i], want[i])) expect(`${name}[${i}] = ${got[i]}`).toBe(`${name}[${i}] = ${want[i]}`);
  }
}

function expectClose(name: string, got: torch.Tensor, py: PyTensor): void {
  expect(got.shape, name).toEqual(py.shape);
  const { rtol, atol } = TOL.float32;
  const g = Array.from(got.toTypedArray());
  const w = py.values.map(num);
  for (let i = 0; i < g.length; i++) {
    if (!(Math.abs(g[i] - w[i]) <= atol + rtol * Math.abs(w[i]))) expect(`${name}[${i}] = ${g[i]}`).toBe(`${name}[${i}] ≈ ${w[i]}`);
  }
}

/** The Sequential(Conv2d(2,3,3), BatchNorm2d(3), ReLU, Flatten, Linear(12,4)) forward in eval mode, from a state dict. */
function forward(sd: Record<string, torch.Tensor>, x: torch.Tensor, prefix = ""): torch.Tensor {
  const p = (k: string): torch.Tensor => sd[prefix + k];
  const c = (t: torch.Tensor): torch.Tensor => t.view([1, 3, 1, 1]);
  let y = F.conv2d(x, p("0.weight"), p("0.bias"));
  y = y.sub(c(p("1.running_mean"))).div(c(p("1.running_var").add(1e-5).sqrt())).mul(c(p("1.weight"))).add(c(p("1.bias")));
  return F.linear(F.relu(y).flatten(1), p("4.weight"), p("4.bias"));
}

describe("torch-ts writes, PyTorch reads", () => {
  const rng = new Rng(2024);
  const randn = (shape: number[]): torch.Tensor => {
    const n = shape.reduce((a, b) => a * b, 1);
    return torch.tensor(Array.from({ length: n }, () => rng.normal()), { dtype: "float32" }).reshape(shape);
  };
  const base = torch.arange(24, { dtype: "float32" }).mul(0.25);
  const sd: Record<string, torch.Tensor> = {
    "model.0.weight": randn([3, 2, 3, 3]),
    "model.0.bias": randn([3]),
    "model.1.weight": randn([3]),
    "model.1.bias": randn([3]),
    "model.1.running_mean": randn([3]),
    "model.1.running_var": randn([3]).abs().add(0.5),
    "model.1.num_batches_tracked": torch.tensor(12, { dtype: "int64" }),
    "model.4.weight": randn([12, 4]).t(), // non-contiguous in torch-ts, written contiguous
    "model.4.bias": randn([4]),
    input: randn([2, 2, 4, 4]),
    f32: torch.tensor([0, -0, NaN, Infinity, -Infinity, 1e-45, 3.4028234663852886e38, 0.1], { dtype: "float32" }),
    f64: torch.tensor([0.1, -0, NaN, Number.MIN_VALUE, Number.MAX_VALUE, -1 / 3], { dtype: "float64" }),
    i32: torch.tensor([-2147483648, 2147483647, 0, -7], { dtype: "int32" }),
    i64: torch.tensor([Number.MAX_SAFE_INTEGER, -Number.MAX_SAFE_INTEGER, -1, 2 ** 40], { dtype: "int64" }),
    u8: torch.tensor([0, 255, 17], { dtype: "uint8" }),
    bool: torch.tensor([[true, false, true], [false, false, true]]),
    scalar: torch.tensor(-2.5, { dtype: "float64" }),
    empty: torch.zeros([2, 0, 3]),
    shared_a: base.view([4, 6]).narrow(0, 1, 2).narrow(1, 2, 3),
    shared_b: base.view([6, 4]),
    expanded: torch.tensor([1, 2], { dtype: "float32" }).view([2, 1]).expand([2, 3]),
  };
  let report: { problems: string[]; metadata: Record<string, string>; tensors: Record<string, PyTensor>; output: PyTensor; pt: string };

  beforeAll(() => {
    const path = join(dir, "ts.safetensors");
    save(sd, path, { metadata: { framework: "torch-ts", epoch: "3" } });
    report = python(
      String.raw`
path, pt_path = sys.argv[1], sys.argv[2]
raw = open(path, "rb").read()
n, = struct.unpack("<Q", raw[:8])
text = raw[8:8 + n].decode("utf-8")
pairs = json.loads(text, object_pairs_hook=lambda p: p)
problems = []
if n % 8: problems.append("header length %d is not a multiple of 8" % n)
if text != text.rstrip(" ") + " " * (len(text) - len(text.rstrip(" "))) or len(text) - len(text.rstrip(" ")) >= 8:
    problems.append("bad padding")
meta = None
if pairs and pairs[0][0] == "__metadata__":
    meta = dict(pairs[0][1]); pairs = pairs[1:]
# the reference writer's order: descending dtype alignment, then name (UTF-8 bytes)
align = {"BOOL": 0, "U8": 1, "I32": 9, "F32": 11, "F64": 12, "I64": 13}
if [k for k, _ in pairs] != [k for k, _ in sorted(pairs, key=lambda kv: (-align[dict(kv[1])["dtype"]], kv[0].encode()))]:
    problems.append("tensor order differs from the reference writer's")
data = raw[8 + n:]
pos = 0
sd = OrderedDict()
for name, info in pairs:
    info = dict(info)
    b, e = info["data_offsets"]
    if b != pos: problems.append("%s starts at %d, expected %d" % (name, b, pos))
    pos = e
    dt = ST_DTYPES[info["dtype"]]
    t = torch.frombuffer(bytearray(data[b:e]), dtype=dt) if e > b else torch.empty(0, dtype=dt)
    sd[name] = t.reshape(info["shape"]).clone()
if pos != len(data): problems.append("data section is %d bytes, tensors cover %d" % (len(data), pos))
m = model()
m.load_state_dict(OrderedDict((k[6:], v) for k, v in sd.items() if k.startswith("model.")), strict=True)
m.eval()
with torch.no_grad():
    out = m(sd["input"])
torch.save(sd, pt_path)
print(json.dumps({"problems": problems, "metadata": meta, "tensors": {k: enc(v) for k, v in sd.items()}, "output": enc(out), "pt": pt_path}))
`,
      path,
      join(dir, "from-ts.pt"),
    );
  }, 120_000);

  it("writes the layout the reference writer does (padding, order, packed offsets, metadata)", () => {
    expect(report.problems).toEqual([]);
    expect(report.metadata).toEqual({ epoch: "3", framework: "torch-ts" });
    expect(Object.keys(report.tensors).sort()).toEqual(Object.keys(sd).sort());
  });

  it("PyTorch reads every dtype, special value, int64, view and shared tensor exactly", () => {
    for (const [k, t] of Object.entries(sd)) expectMatches(k, t, report.tensors[k]);
    expect(report.tensors["model.1.num_batches_tracked"]).toMatchObject({ dtype: "int64", shape: [], values: ["12"] });
    expect(report.tensors.i64.values).toEqual(["9007199254740991", "-9007199254740991", "-1", "1099511627776"]);
  });

  it("a real PyTorch nn.Sequential loads the state dict strictly and computes what torch-ts computes", () => {
    const ours = forward(sd, sd.input, "model.");
    expectClose("Sequential output", ours, report.output);
  });

  it("the state dict PyTorch re-saves with torch.save comes back unchanged (full circle)", () => {
    const back = torch.loadPt(readFileSync(report.pt), report.pt);
    expect(Object.keys(back)).toEqual(Object.keys(report.tensors));
    for (const [k, t] of Object.entries(sd)) {
      expectMatches(k, back[k], report.tensors[k]);
      expect(Array.from(back[k].toTypedArray()), k).toEqual(Array.from(t.toTypedArray()));
    }
  });
});

describe("PyTorch writes, torch-ts reads", () => {
  let report: {
    tensors: Record<string, PyTensor>;
    x: PyTensor;
    output: PyTensor;
    param: PyTensor;
  };
  const file = (name: string): string => join(dir, name);

  beforeAll(() => {
    report = python(
      String.raw`
out = sys.argv[1]
torch.manual_seed(0)
m = model()
m.train()
for _ in range(3):
    m(torch.randn(5, 2, 4, 4))
m.eval()
x = torch.randn(2, 2, 4, 4)
with torch.no_grad():
    y = m(x)
base = torch.arange(24, dtype=torch.float32) * 0.5
full = OrderedDict(m.state_dict())
full.update({
    "f64": torch.tensor([0.1, -0.0, float("nan"), float("inf"), -float("inf"), 5e-324, 1.7976931348623157e308], dtype=torch.float64),
    "f32": torch.tensor([-0.0, float("nan"), 1e-45, 3.4028234663852886e38, 0.1]),
    "i32": torch.tensor([-2**31, 2**31 - 1, 0, 7], dtype=torch.int32),
    "i64": torch.tensor([2**53 - 1, -(2**53 - 1), -1, 2**40], dtype=torch.int64),
    "u8": torch.tensor([0, 255, 17], dtype=torch.uint8),
    "bool": torch.tensor([[True, False], [False, True]]),
    "scalar": torch.tensor(2.5),
    "empty": torch.zeros(2, 0),
    "transposed": torch.randn(3, 5).t(),
    "strided": base[1::3],
    "shared_a": base.view(4, 6)[1:3, 2:5],
    "shared_b": base.view(6, 4),
    "expanded": torch.tensor([1.0, 2.0]).view(2, 1).expand(2, 3),
})

def path(name): return out + "/" + name

torch.save(full, path("sd.pt"))
torch.save(full, path("sd-proto4.pt"), pickle_protocol=4)
with zipfile.ZipFile(path("sd.pt")) as zin, zipfile.ZipFile(path("sd-deflate.pt"), "w", zipfile.ZIP_DEFLATED) as zout:
    for info in zin.infolist():
        zout.writestr(info.filename, zin.read(info.filename))

# safetensors by hand, in name order (not the reference writer's order), every tensor a contiguous copy
header, blobs, off = OrderedDict([("__metadata__", {"format": "pt"})]), [], 0
for name in sorted(full):
    t = full[name].contiguous()
    b = t.reshape(-1).numpy().tobytes()
    header[name] = {"dtype": ST_NAMES[t.dtype], "shape": list(t.shape), "data_offsets": [off, off + len(b)]}
    blobs.append(b); off += len(b)
h = json.dumps(header, separators=(",", ":")).encode()
h += b" " * (-len(h) % 8)
with open(path("sd.safetensors"), "wb") as f:
    f.write(struct.pack("<Q", len(h)) + h + b"".join(blobs))

# the expected values, before the optimizer below changes the parameters these entries view
report = json.dumps({"tensors": {k: enc(v) for k, v in full.items()}, "x": enc(x), "output": enc(y)})
p = nn.Parameter(torch.randn(2))
torch.save({"p": p}, path("param.pt"))
torch.save(m, path("module.pt"))
torch.save(full, path("legacy.pt"), _use_new_zipfile_serialization=False)
torch.jit.save(torch.jit.script(m), path("script.pt"))
torch.save({"model": m.state_dict(), "epoch": 3}, path("nested.pt"))
opt = torch.optim.SGD(m.parameters(), lr=0.1, momentum=0.9)
m.train(); m(x).sum().backward(); opt.step()
torch.save(opt.state_dict(), path("optim.pt"))
torch.save({"h": torch.randn(2).half()}, path("half.pt"))

# wrong zip entries, rewritten from sd.pt (zipfile recomputes CRCs, so only the named problem remains)
def rewrite(dst, drop=None, rename=None, shorten=None):
    with zipfile.ZipFile(path("sd.pt")) as zin, zipfile.ZipFile(path(dst), "w") as zout:
        for info in zin.infolist():
            name, data = info.filename, zin.read(info.filename)
            if name == drop: continue
            if rename and name == rename[0]: name = rename[1]
            if name == shorten: data = data[:-4]
            zout.writestr(name, data)
rewrite("no-data0.pt", drop="sd/data/0")
rewrite("no-pkl.pt", drop="sd/data.pkl")
rewrite("renamed.pt", rename=("sd/data/1", "sd/data/99"))
rewrite("short.pt", shorten="sd/data/0")
print(json.dumps({**json.loads(report), "param": enc(p)}))
`,
      dir,
    );
  }, 120_000);

  it("PyTorch's state dict has what this test needs (BatchNorm counter, views, sharing)", () => {
    expect(report.tensors["1.num_batches_tracked"]).toMatchObject({ dtype: "int64", shape: [], values: ["3"] });
    expect(report.tensors.transposed.stride).toEqual([1, 5]);
    expect(report.tensors.strided).toMatchObject({ offset: 1, stride: [3] });
    expect(report.tensors.shared_a.storage).toBe(report.tensors.shared_b.storage);
    expect(report.tensors.expanded.stride).toEqual([1, 0]);
  });

  for (const name of ["sd.pt", "sd-proto4.pt", "sd-deflate.pt"]) {
    it(`loads ${name} with PyTorch's values, strides, offsets and storage sharing`, () => {
      const sd = load(file(name));
      expect(Object.keys(sd)).toEqual(Object.keys(report.tensors));
      const byStorage = new Map<number, torch.Tensor>();
      for (const [k, py] of Object.entries(report.tensors)) {
        const t = sd[k];
        expectMatches(k, t, py);
        expect([k, t.strides, t.offset]).toEqual([k, py.stride, py.offset]);
        const first = byStorage.get(py.storage);
        if (first === undefined) byStorage.set(py.storage, t);
        else expect(t.buf, `${k} shares its storage`).toBe(first.buf);
      }
      expect(sd.shared_a.buf).toBe(sd.shared_b.buf);
      expect(sd.transposed.buf).not.toBe(sd.shared_b.buf);
    });
  }

  it("loads the hand-written safetensors file with equal values, every tensor its own copy", () => {
    const sd = load(file("sd.safetensors"));
    expect(Object.keys(sd)).toEqual(Object.keys(report.tensors).sort());
    for (const [k, py] of Object.entries(report.tensors)) {
      expectMatches(k, sd[k], py);
      expect(sd[k].isContiguous()).toBe(true);
    }
    expect(sd.shared_a.buf).not.toBe(sd.shared_b.buf);
    expect(torch.loadSafetensorsMetadata(readFileSync(file("sd.safetensors")))).toEqual({ format: "pt" });
  });

  it("the loaded nn.Sequential state dict computes PyTorch's output", () => {
    const sd = load(file("sd.pt"));
    const x = torch.tensor(report.x.values.map(num), { dtype: "float32" }).reshape(report.x.shape);
    expectClose("Sequential output", forward(sd, x), report.output);
  });

  it("a saved nn.Parameter loads as a tensor that requires grad", () => {
    const { p } = load(file("param.pt"));
    expectMatches("p", p, report.param);
    expect(p.requiresGrad).toBe(true);
  });

  it("files that are not plain state dicts fail with errors that say why", () => {
    const cases: Array<[string, string | RegExp]> = [
      ["module.pt", "unsupported global 'torch.nn.modules.container.Sequential' (a pickled module: save model.state_dict() instead)"],
      ["legacy.pt", "legacy (pre-1.6, non-zip) torch.save format, which torch-ts does not read"],
      ["script.pt", "this is a TorchScript archive (torch.jit.save); only plain state dicts of tensors"],
      ["nested.pt", "entry 'model' is a dict, not a tensor"],
      ["optim.pt", "entry 'state' is a dict, not a tensor"],
      ["half.pt", "torch.HalfStorage (dtype float16) is not supported by torch-ts"],
    ];
    for (const [name, message] of cases) {
      expect(() => load(file(name)), name).toThrow(message);
      expect(() => load(file(name)), name).toThrow(`load: '${file(name)}': `);
    }
  });

  it("archives with wrong entries name the entry", () => {
    expect(() => load(file("no-data0.pt"))).toThrow("zip entry 'sd/data/0' (storage of '0.weight') is missing");
    expect(() => load(file("no-pkl.pt"))).toThrow("no '<archive>/data.pkl' entry, so this zip is not a torch.save checkpoint");
    expect(() => load(file("renamed.pt"))).toThrow("zip entry 'sd/data/1' (storage of '0.bias') is missing");
    expect(() => load(file("short.pt"))).toThrow(/zip entry 'sd\/data\/0' holds 212 bytes, but its storage of 54 float32 elements needs 216/);
  });

  it("truncated and bit-flipped copies of PyTorch's archive fail with an Error naming the file", () => {
    const good = readFileSync(file("sd.pt"));
    const bad = file("bad.pt");
    let checked = 0;
    for (let n = 0; n < good.length; n += Math.max(1, Math.floor(good.length / 97))) {
      writeFileSync(bad, good.subarray(0, n));
      expect(() => load(bad), `truncated to ${n}`).toThrow(`load: '${bad}': `);
      checked++;
    }
    // A flip inside any entry's data is caught by its CRC-32 (data.pkl included).
    const pkl = good.indexOf(Buffer.from("sd/data.pkl")) + "sd/data.pkl".length;
    for (const at of [pkl + 80, pkl + 300, good.indexOf(Buffer.from("sd/data/0")) + 200]) {
      const flipped = Buffer.from(good);
      flipped[at] ^= 0x10;
      writeFileSync(bad, flipped);
      expect(() => load(bad), `flip at ${at}`).toThrow(/fails its CRC-32 check: the file is corrupt/);
      checked++;
    }
    expect(checked).toBeGreaterThan(90);
  });
});
