import { execFileSync } from "node:child_process";
import { beforeAll, describe, expect, it, vi } from "vitest";
import * as torch from "../src/index.js";
import type { Tensor } from "../src/tensor.js";
import { PYTHON } from "./oracle/client.js";

const { nn } = torch;

/** Runs a PyTorch snippet and parses the JSON it prints (the expected strings come from PyTorch itself). */
function pytorch(code: string): any {
  const out = execFileSync(PYTHON, ["-c", `import json, torch, torch.nn as nn\n${code}`], { encoding: "utf8" });
  return JSON.parse(out);
}

const PY_NET = `
class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.features = nn.Sequential(nn.Linear(4, 8), nn.ReLU(inplace=True), nn.Hardtanh(-2.0, 2.0), nn.Softmax(dim=1))
        self.act = nn.LeakyReLU(0.2)
        self.head = nn.ModuleDict({'cls': nn.Linear(8, 3), 'reg': nn.Sequential(nn.Linear(8, 2, bias=False), nn.Tanh())})
        self.blocks = nn.ModuleList([nn.ELU(), nn.GELU(approximate='tanh'), nn.PReLU(8)])
        self.flat = nn.Flatten()
        self.unflat = nn.Unflatten(1, (2, 4))
        self.scale = nn.Parameter(torch.ones(1))
        self.register_buffer('steps', torch.zeros(()))
        self.register_buffer('tmp', torch.zeros(2), persistent=False)
`;

/** Every expected value, from one PyTorch run (sections in test order). */
const PY_EXPECTED = `${PY_NET}
R = {}
n = Net()
R['s0'] = {"repr": str(n), "sd": list(n.state_dict().keys()), "params": [k for k, _ in n.named_parameters()],
  "buffers": [k for k, _ in n.named_buffers()], "modules": [k for k, _ in n.named_modules()],
  "children": [k for k, _ in n.named_children()], "nparams": len(list(n.parameters()))}

n = Net()
errs = []
for f in [lambda: n.register_buffer('a.b', None), lambda: n.register_buffer('', None), lambda: n.register_buffer('act', None),
          lambda: n.register_buffer('x', 3), lambda: n.register_parameter('x', torch.zeros(1)),
          lambda: n.add_module('q', 3), lambda: n.add_module('a.b', nn.ReLU()), lambda: setattr(n, 'scale', torch.zeros(1)),
          lambda: setattr(n, 'act', 3), lambda: setattr(n, 'steps', 3), lambda: nn.Module()(1)]:
    try:
        f()
        errs.append(None)
    except KeyError as e:
        errs.append(e.args[0])
    except Exception as e:
        errs.append(str(e))
R['s1'] = errs

n = Net()
sd2 = dict(n.state_dict()); del sd2['head.cls.bias']
sd2['extra.w'] = torch.zeros(1); sd2['features.0.weight'] = torch.zeros(3, 4); sd2['head.foo'] = torch.zeros(1)
out = {}
try:
    n.load_state_dict(sd2)
except Exception as e:
    out['strict'] = str(e)
try:
    n.load_state_dict(sd2, strict=False)
except Exception as e:
    out['nonstrict'] = str(e)
sd3 = dict(sd2); sd3['features.0.weight'] = torch.zeros(8, 4)
r = n.load_state_dict(sd3, strict=False)
out['keys'] = [r.missing_keys, r.unexpected_keys]
R['s2'] = out

p = nn.ParameterList([nn.Parameter(torch.randn(2, 3)), nn.Parameter(torch.randn(3))])
R['s3'] = str(p)
print(json.dumps(R))`;
let EXPECTED: any;
beforeAll(() => {
  EXPECTED = pytorch(PY_EXPECTED);
}, 60_000);

class Net extends nn.Module {
  features = new nn.Sequential(new nn.Linear(4, 8), new nn.ReLU(true), new nn.Hardtanh(-2, 2), new nn.Softmax(1));
  act = new nn.LeakyReLU(0.2);
  head = new nn.ModuleDict({ cls: new nn.Linear(8, 3), reg: new nn.Sequential(new nn.Linear(8, 2, false), new nn.Tanh()) });
  blocks = new nn.ModuleList([new nn.ELU(), new nn.GELU("tanh"), new nn.PReLU(8)]);
  flat = new nn.Flatten();
  unflat = new nn.Unflatten(1, [2, 4]);
  scale = new nn.Parameter(torch.ones([1]));
  constructor() {
    super();
    this.registerBuffer("steps", torch.zeros([]));
    this.registerBuffer("tmp", torch.zeros([2]), { persistent: false });
  }
  override forward(x: Tensor): Tensor {
    return this.blocks.get(0)(this.head.get("cls")(this.act(this.features(x)))).mul(this.scale);
  }
}

describe("Module registration", () => {
  it("registers class fields and constructor assignments in order, as PyTorch's __setattr__", () => {
    class Tudui extends nn.Module {
      relu1 = new nn.ReLU();
      sigmoid1 = new nn.Sigmoid();
      override forward(input: Tensor): Tensor {
        return this.sigmoid1(input);
      }
    }
    const m = new Tudui();
    expect(m.namedChildren().map(([k]) => k)).toEqual(["relu1", "sigmoid1"]);
    expect(String(m)).toBe("Tudui(\n  (relu1): ReLU()\n  (sigmoid1): Sigmoid()\n)");
    const y = m(torch.tensor([0, 100], { dtype: "float32" }));
    expect(y.tolist()).toEqual([0.5, 1]);
    expect(m.call(torch.zeros([1])).tolist()).toEqual([0.5]);
    expect(m instanceof nn.Module && m instanceof Tudui).toBe(true);
  });

  it("matches PyTorch's names for parameters, buffers, modules and state dict keys", () => {
    const py = EXPECTED.s0;
    const n = new Net();
    expect(String(n)).toBe(py.repr);
    expect(Object.keys(n.stateDict())).toEqual(py.sd);
    expect(n.namedParameters().map(([k]) => k)).toEqual(py.params);
    expect(n.namedBuffers().map(([k]) => k)).toEqual(py.buffers);
    expect(n.namedModules().map(([k]) => k)).toEqual(py.modules);
    expect(n.namedChildren().map(([k]) => k)).toEqual(py.children);
    expect(n.parameters().length).toBe(py.nparams);
    expect(n.modules().length).toBe(py.modules.length);
    expect(n.buffers().length).toBe(2);
  });

  it("reassigning and deleting attributes updates the registry", () => {
    const n = new Net();
    n.act = new nn.ReLU() as any;
    expect(n.namedChildren().map(([k]) => k)).toEqual(["features", "act", "head", "blocks", "flat", "unflat"]);
    expect(String(n.act)).toBe("ReLU()");
    (n as any).flat = null;
    expect(n.children().length).toBe(5);
    expect(String(n)).toContain("(flat): None");
    delete (n as any).unflat;
    expect(n.namedChildren().map(([k]) => k)).not.toContain("unflat");
    // A plain tensor attribute is not a buffer or parameter, as in PyTorch.
    (n as any).cache = torch.zeros([3]);
    expect(n.namedBuffers().map(([k]) => k)).toEqual(["steps", "tmp"]);
    // A buffer accepts a new tensor; a Parameter moves an attribute to the parameters.
    (n as any).steps = torch.ones([]);
    expect(n.stateDict().steps.item()).toBe(1);
    (n as any).extra = new nn.Parameter(torch.zeros([2]));
    // Own parameters come before the children's, in registration order.
    expect(n.namedParameters().slice(0, 2).map(([k]) => k)).toEqual(["scale", "extra"]);
    // Shared modules and parameters are listed once.
    const shared = new nn.Linear(2, 2);
    const s = new nn.Sequential(shared, shared);
    expect(s.parameters().length).toBe(2);
    expect(Object.keys(s.stateDict())).toEqual(["0.weight", "0.bias", "1.weight", "1.bias"]);
    expect(s.namedParameters("", true, false).length).toBe(4);
  });

  it("raises PyTorch's errors for bad registrations", () => {
    const py = EXPECTED.s1;
    const n = new Net() as any;
    const attempts = [
      () => n.registerBuffer("a.b", null),
      () => n.registerBuffer("", null),
      () => n.registerBuffer("act", null),
      () => n.registerBuffer("x", 3),
      () => n.registerParameter("x", torch.zeros([1])),
      () => n.addModule("q", 3),
      () => n.addModule("a.b", new nn.ReLU()),
      () => (n.scale = torch.zeros([1])),
      () => (n.act = 3),
      () => (n.steps = 3),
      () => new nn.Module()(1),
    ];
    attempts.forEach((f, i) => expect(f).toThrow(py[i]));
    expect(() => n.registerParameter("y", new nn.Parameter(torch.zeros([1], { requiresGrad: true }).mul(2)))).not.toThrow();
    const nonLeaf = new nn.Parameter(torch.zeros([1]));
    nonLeaf.gradFn = torch.ones([1], { requiresGrad: true }).mul(2).gradFn;
    expect(() => n.registerParameter("z", nonLeaf)).toThrow("Cannot assign non-leaf Tensor to parameter 'z'");
  });
});

describe("state dict", () => {
  it("saves detached tensors that share storage, and round-trips", () => {
    torch.manualSeed(0);
    const a = new Net();
    const b = new Net();
    const sd = a.stateDict();
    expect(sd["features.0.weight"].requiresGrad).toBe(false);
    expect(sd["features.0.weight"].buf).toBe(a.features.get(0).weight.buf);
    expect("tmp" in sd).toBe(false);
    const res = b.loadStateDict(sd);
    expect(res).toEqual({ missingKeys: [], unexpectedKeys: [] });
    for (const [k, v] of Object.entries(b.stateDict())) expect(v.tolist()).toEqual(sd[k].tolist());
    // Loading copies: the source and the model do not share storage afterwards.
    expect(b.stateDict()["head.cls.weight"].buf).not.toBe(sd["head.cls.weight"].buf);
    // keepVars returns the parameters themselves.
    expect(a.stateDict({ keepVars: true }).scale).toBe(a.scale);
    // A Map works too, and a 1-element 1-d entry loads into a 0-d buffer (PyTorch's compatibility rule).
    const m = new Map(Object.entries(sd));
    m.set("steps", torch.tensor([5], { dtype: "float32" }));
    b.loadStateDict(m);
    expect(b.stateDict().steps.item()).toBe(5);
  });

  it("reports missing, unexpected and mis-shaped keys as PyTorch", () => {
    const py = EXPECTED.s2;
    const n = new Net();
    const sd2: Record<string, Tensor> = { ...n.stateDict() };
    delete sd2["head.cls.bias"];
    sd2["extra.w"] = torch.zeros([1]);
    sd2["features.0.weight"] = torch.zeros([3, 4]);
    sd2["head.foo"] = torch.zeros([1]);
    expect(() => n.loadStateDict(sd2)).toThrow(py.strict);
    try {
      n.loadStateDict(sd2);
    } catch (e) {
      expect((e as Error).message).toBe(py.strict);
    }
    expect(() => n.loadStateDict(sd2, { strict: false })).toThrow(py.nonstrict);
    const sd3 = { ...sd2, "features.0.weight": torch.zeros([8, 4]) };
    const r = n.loadStateDict(sd3, { strict: false });
    expect([r.missingKeys, r.unexpectedKeys]).toEqual(py.keys);
    expect(n.features.get(0).weight.sum().item()).toBe(0);
    expect(() => n.loadStateDict([] as any)).toThrow("Expected state_dict to be dict-like, got list.");
  });
});

describe("Module behaviour", () => {
  it("train/eval, zeroGrad, requiresGrad_, apply, to(dtype), hooks", () => {
    const n = new Net();
    expect(n.training).toBe(true);
    n.eval();
    expect(n.modules().every((m) => !m.training)).toBe(true);
    n.train();
    expect(n.head.get("reg").training).toBe(true);
    expect(() => n.train("yes" as any)).toThrow("training mode is expected to be boolean");

    const x = torch.randn([5, 4]);
    n(x).sum().backward();
    expect(n.features.get(0).weight.grad).not.toBeNull();
    n.zeroGrad({ setToNone: false });
    expect(n.features.get(0).weight.grad!.abs().sum().item()).toBe(0);
    n.zeroGrad();
    expect(n.parameters().every((p) => p.grad === null)).toBe(true);

    n.requiresGrad_(false);
    expect(n.parameters().some((p) => p.requiresGrad)).toBe(false);
    n.requiresGrad_();

    const seen: string[] = [];
    n.apply((m) => seen.push(m._getName()));
    expect(seen[seen.length - 1]).toBe("Net");
    expect(seen[0]).toBe("Linear");

    const w = n.features.get(0).weight;
    n.double();
    expect(w.dtype).toBe("float64");
    expect(n.features.get(0).weight).toBe(w);
    expect(n.stateDict().steps.dtype).toBe("float64");
    expect(n(x.double()).dtype).toBe("float64");
    expect(() => n.to("int64")).toThrow("nn.Module.to only accepts floating point or complex dtypes");

    const lin = new nn.Linear(2, 2);
    const h1 = lin.registerForwardPreHook((_m, args) => [args[0].mul(0)]);
    const h2 = lin.registerForwardHook((_m, _a, out) => out.add(1));
    const y = lin(torch.ones([1, 2]));
    expect(y.sub(lin.bias!.add(1)).abs().max().item()).toBeLessThan(1e-7);
    h1.remove();
    h2.remove();
    expect(lin.forward(torch.zeros([1, 2])).tolist()).toEqual([lin.bias!.tolist()]);
    expect(n.getSubmodule("head.reg.0")).toBe(n.head.get("reg").get(0));
    expect(n.getParameter("blocks.2.weight")).toBe(n.blocks.get(2).weight);
    expect(() => n.getSubmodule("head.nope")).toThrow("ModuleDict has no attribute `nope`");
  });
});

describe("containers", () => {
  it("Sequential: indexing, slicing, editing, as PyTorch", () => {
    const s = new nn.Sequential(new nn.ReLU(), new nn.Tanh(), new nn.Sigmoid());
    expect(s.length).toBe(3);
    expect(s.get(-1)._getName()).toBe("Sigmoid");
    expect(s.at(0)._getName()).toBe("ReLU");
    expect(() => s.get(5)).toThrow("index 5 is out of range");
    expect(String(s.slice(1))).toBe("Sequential(\n  (1): Tanh()\n  (2): Sigmoid()\n)");
    expect(String(new nn.Sequential(new nn.Linear(1, 2)).slice(1))).toBe("Sequential()");
    s.delete(0);
    expect(String(s)).toBe("Sequential(\n  (0): Tanh()\n  (1): Sigmoid()\n)");
    s.insert(1, new nn.ELU());
    s.append(new nn.ReLU6());
    expect(String(s)).toBe("Sequential(\n  (0): Tanh()\n  (1): ELU(alpha=1.0)\n  (2): Sigmoid()\n  (3): ReLU6()\n)");
    expect([...s].map((m) => m._getName())).toEqual(["Tanh", "ELU", "Sigmoid", "ReLU6"]);
    expect(s.pop(1)._getName()).toBe("ELU");
    s.set(0, new nn.Identity());
    expect(s.get(0)._getName()).toBe("Identity");
    const named = new nn.Sequential(new Map<string, torch.nn.Module>([["conv", new nn.Linear(2, 3)], ["act", new nn.ReLU()]]));
    expect(Object.keys(named.stateDict())).toEqual(["conv.weight", "conv.bias"]);
    expect(named(torch.ones([4, 2])).shape).toEqual([4, 3]);
    expect(String(new nn.Sequential())).toBe("Sequential()");
  });

  it("ModuleList prints runs of equal modules folded (PyTorch 2.x; 1.13 lists each)", () => {
    const l = new nn.ModuleList([new nn.Linear(2, 2), new nn.Linear(2, 2), new nn.Linear(2, 2), new nn.ReLU()]);
    expect(String(l)).toBe(
      "ModuleList(\n  (0-2): 3 x Linear(in_features=2, out_features=2, bias=True)\n  (3): ReLU()\n)",
    );
    expect(l.length).toBe(4);
    expect(l.slice(1, 3).length).toBe(2);
    l.delete(0);
    expect(l.namedChildren().map(([k]) => k)).toEqual(["0", "1", "2"]);
    l.insert(0, new nn.Tanh());
    expect(l.get(0)._getName()).toBe("Tanh");
    expect(String(new nn.ModuleList())).toBe("ModuleList()");
    expect(() => new nn.ModuleList([3 as any])).toThrow("module should be of type");
  });

  it("ModuleDict, ParameterList, ParameterDict", () => {
    const d = new nn.ModuleDict({ a: new nn.ReLU(), b: new nn.Tanh() });
    expect(d.keys()).toEqual(["a", "b"]);
    expect([...d]).toEqual(["a", "b"]);
    d.set("c", new nn.Sigmoid());
    expect(d.has("c")).toBe(true);
    expect(d.pop("a")._getName()).toBe("ReLU");
    expect(() => d.get("a")).toThrow("KeyError: 'a'");
    expect(() => d.set("keys", new nn.ReLU())).toThrow("attribute 'keys' already exists");

    const py = EXPECTED.s3;
    const p = new nn.ParameterList([torch.randn([2, 3]), new nn.Parameter(torch.randn([3]))]);
    expect(String(p)).toBe(py);
    expect(p.get(0) instanceof nn.Parameter).toBe(true);
    expect(p.parameters().length).toBe(2);
    const pd = new nn.ParameterDict({ scale: torch.ones([3]) });
    expect(Object.keys(pd.stateDict())).toEqual(["scale"]);
  });

  it("Flatten, Unflatten, Identity", () => {
    expect(new nn.Flatten()(torch.zeros([2, 3, 4, 5])).shape).toEqual([2, 60]);
    expect(new nn.Flatten(0, 2)(torch.zeros([2, 3, 4, 5])).shape).toEqual([24, 5]);
    expect(new nn.Unflatten(1, [2, -1])(torch.zeros([3, 8])).shape).toEqual([3, 2, 4]);
    expect(() => new nn.Unflatten(1, 4 as any)).toThrow("unflattened_size must be a tuple of ints, but found type int");
    const x = torch.zeros([1]);
    expect(new nn.Identity(3, { a: 1 })(x)).toBe(x);
  });
});

describe("Parameter", () => {
  it("is a leaf requiring grad that shares its data's storage", () => {
    const t = torch.tensor([1, 2], { dtype: "float32" });
    const p = new nn.Parameter(t);
    expect(p.requiresGrad).toBe(true);
    expect(p.isLeaf).toBe(true);
    expect(p.buf).toBe(t.buf);
    expect(new nn.Parameter(t, false).requiresGrad).toBe(false);
    expect(String(p)).toBe("Parameter containing:\ntensor([1., 2.], requires_grad=True)");
    const fromGraph = new nn.Parameter(torch.ones([2], { requiresGrad: true }).mul(3));
    expect(fromGraph.isLeaf).toBe(true);
    expect(() => new nn.Parameter(torch.tensor([1, 2]))).toThrow("only Tensors of floating point dtype can require gradients");
    // `weight.data = …` as the seeds do keeps the Parameter and its registration.
    const fc = new nn.Linear(3, 4);
    fc.weight.data = torch.tensor([[1, 1, 1], [2, 2, 2], [3, 3, 3], [4, 4, 4]], { dtype: "float32" });
    torch.noGrad(() => fc.bias!.fill_(0.5));
    expect(fc(torch.tensor([[1, 2, 3]], { dtype: "float32" })).tolist()).toEqual([[6.5, 12.5, 18.5, 24.5]]);
    expect(fc.parameters()[0]).toBe(fc.weight);
  });

  it("warns once for an implicit softmax dim", () => {
    const warn = vi.spyOn(console, "warn").mockImplementation(() => {});
    const sm = new nn.Softmax();
    sm(torch.zeros([2, 3]));
    sm(torch.zeros([2, 3]));
    expect(warn).toHaveBeenCalledTimes(1);
    expect(String(warn.mock.calls[0][0])).toContain("Implicit dimension choice for softmax has been deprecated");
    warn.mockRestore();
  });
});
