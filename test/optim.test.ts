import { execFileSync } from "node:child_process";
import { describe, expect, it } from "vitest";
import * as torch from "../src/index.js";
import { Tensor } from "../src/tensor.js";
import { PYTHON } from "./oracle/client.js";

const { optim } = torch;
const f32 = (v: number[] | number[][]): Tensor => torch.tensor(v, { dtype: "float32" });
const leaf = (v: number[]): Tensor => f32(v).requiresGrad_(true);
const close = (a: Tensor, b: number[], tol = 1e-6): void => {
  const x = a.tolist() as number[];
  expect(x.length).toBe(b.length);
  x.forEach((v, i) => expect(Math.abs(v - b[i])).toBeLessThanOrEqual(tol * (1 + Math.abs(b[i]))));
};

describe("hand-derived steps", () => {
  it("SGD: θ − lr·g; momentum buffer starts as g, then μb + (1 − τ)g", () => {
    const p = leaf([1, 2]);
    const opt = new optim.SGD([p], { lr: 0.1, momentum: 0.5, dampening: 0.5 });
    p.grad = f32([0.5, -1]);
    opt.step();
    close(p, [0.95, 2.1]); // b = g
    p.grad = f32([1, 1]);
    opt.step();
    // b = 0.5·[0.5, −1] + 0.5·[1, 1] = [0.75, 0]
    close(opt.state.get(p)!.momentumBuffer!, [0.75, 0]);
    close(p, [0.875, 2.1]);
  });

  it("SGD nesterov and weight decay: g ← g + λθ, then g + μb", () => {
    const p = leaf([2]);
    const opt = new optim.SGD([p], { lr: 1, momentum: 0.9, nesterov: true, weightDecay: 0.5 });
    p.grad = f32([1]);
    opt.step(); // g = 1 + 1 = 2, b = 2, step 2 + 1.8 = 3.8
    close(p, [-1.8]);
  });

  it("SGD maximize ascends", () => {
    const p = leaf([1]);
    const opt = new optim.SGD([p], { lr: 0.5, maximize: true });
    p.grad = f32([2]);
    opt.step();
    close(p, [2]);
  });

  it("Adam: the first step moves each weight by lr·sign(g) (bias correction makes m̂/√v̂ = g/|g|)", () => {
    const p = leaf([1, -1, 0.5]);
    const opt = new optim.Adam([p], { lr: 0.01 });
    p.grad = f32([3, -0.2, 1e-3]);
    opt.step();
    close(p, [0.99, -0.99, 0.49], 1e-5);
    const s = opt.state.get(p)!;
    expect((s.step as Tensor).item()).toBe(1);
    close(s.expAvg, [0.3, -0.02, 1e-4]);
  });

  it("AdamW decays the weights by lr·λ before the Adam step", () => {
    const p = leaf([2]);
    const opt = new optim.AdamW([p], { lr: 0.1, weightDecay: 0.5 });
    p.grad = f32([1]);
    opt.step(); // 2·(1 − 0.05) − 0.1
    close(p, [1.8], 1e-6);
  });

  it("Adagrad: θ − lr·g/(√(s0 + g²) + ε), with lr decayed by 1 + (t − 1)·lrDecay", () => {
    const p = leaf([1]);
    const opt = new optim.Adagrad([p], { lr: 0.5, lrDecay: 1, initialAccumulatorValue: 3 });
    p.grad = f32([1]);
    opt.step(); // s = 4 → 1 − 0.5·1/2
    close(p, [0.75]);
    p.grad = f32([3]);
    opt.step(); // s = 13, clr = 0.25
    close(p, [0.75 - (0.25 * 3) / Math.sqrt(13)]);
  });

  it("RMSprop and Adadelta first steps", () => {
    const p = leaf([1]);
    new optim.RMSprop([p], { lr: 0.01, alpha: 0.75 }).step(); // no grad: skipped
    close(p, [1]);
    p.grad = f32([2]);
    const r = new optim.RMSprop([p], { lr: 0.01, alpha: 0.75 });
    r.step(); // v = 0.25·4 = 1 → 1 − 0.01·2/1
    close(p, [0.98], 1e-6);
    const q = leaf([1]);
    q.grad = f32([2]);
    const a = new optim.Adadelta([q], { rho: 0.5, eps: 1e-6 });
    a.step(); // v = 2, Δ = √1e-6/√(2 + 1e-6)·2
    close(q, [1 - (Math.sqrt(1e-6) / Math.sqrt(2 + 1e-6)) * 2], 1e-6);
  });

  it("parameters without a gradient are skipped and get no state", () => {
    const a = leaf([1]);
    const b = leaf([1]);
    const opt = new optim.Adam([a, b], { lr: 0.1 });
    a.grad = f32([1]);
    opt.step();
    expect(b.item()).toBe(1);
    expect(opt.state.has(b)).toBe(false);
    expect(opt.state.has(a)).toBe(true);
  });

  it("a step bumps the parameter's version, so a graph that saved it refuses backward", () => {
    const p = leaf([1, 2]);
    const y = p.mul(p).sum();
    const opt = new optim.SGD([p], { lr: 0.1 });
    p.grad = f32([1, 1]);
    const v = p.version;
    opt.step();
    expect(p.version).toBe(v + 1);
    expect(() => y.backward()).toThrow(/modified by an inplace operation/);
  });

  it("step(closure) evaluates the loss with gradients enabled and returns it", () => {
    const p = leaf([3]);
    const opt = new optim.SGD([p], { lr: 0.25 });
    const loss = torch.noGrad(() =>
      opt.step(() => {
        opt.zeroGrad();
        const l = p.mul(p).sum();
        l.backward();
        return l;
      }),
    );
    expect((loss as Tensor).item()).toBe(9);
    close(p, [1.5]);
  });

  it("a non-contiguous parameter is updated in place through its strides", () => {
    const base = f32([
      [1, 2, 3],
      [4, 5, 6],
    ]);
    const p = base.t().detach().requiresGrad_(true);
    p.grad = torch.ones([3, 2]);
    new optim.SGD([p], { lr: 1 }).step();
    expect(base.tolist()).toEqual([
      [0, 1, 2],
      [3, 4, 5],
    ]);
  });

  it("float64 parameters keep float64 state", () => {
    const p = torch.tensor([1, 2], { dtype: "float64" }).requiresGrad_(true);
    p.grad = torch.tensor([0.1, 0.2], { dtype: "float64" });
    const opt = new optim.Adam([p]);
    opt.step();
    expect(opt.state.get(p)!.expAvg.dtype).toBe("float64");
    expect(p.dtype).toBe("float64");
  });
});

describe("with a module", () => {
  it("SGD fits a linear model (the Optimizer docs' loop), with gradient clipping", () => {
    torch.manualSeed(0);
    const model = new torch.nn.Linear(3, 1);
    const x = torch.randn([64, 3]);
    const y = x.sum(1, true).mul(0.5).add(1);
    const opt = new optim.SGD(model.parameters(), { lr: 0.1, momentum: 0.9 });
    const mse = (): Tensor => model.call(x).sub(y).square().sum().div(64);
    const first = mse().item();
    for (let i = 0; i < 300; i++) {
      opt.zeroGrad();
      mse().backward();
      torch.nn.utils.clipGradNorm_(model.parameters(), 1.0);
      opt.step();
    }
    expect(first).toBeGreaterThan(0.1);
    expect(mse().item()).toBeLessThan(1e-6);
    close(model.weight.view(-1), [0.5, 0.5, 0.5], 1e-3);
  });
});

describe("zeroGrad", () => {
  it("sets gradients to null by default (PyTorch 2.x), or zeroes them in place", () => {
    const p = leaf([1, 2]);
    const opt = new optim.SGD([p]);
    p.mul(2).sum().backward();
    opt.zeroGrad();
    expect(p.grad).toBeNull();
    p.mul(2).sum().backward();
    const g = p.grad!;
    opt.zeroGrad({ setToNone: false });
    expect(p.grad).toBe(g);
    expect(g.tolist()).toEqual([0, 0]);
    expect(g.requiresGrad).toBe(false);
  });
});

describe("parameter groups", () => {
  it("groups take the defaults for options they do not set", () => {
    const a = leaf([1]);
    const b = leaf([1]);
    const opt = new optim.SGD([{ params: [a] }, { params: b, lr: 0.5, momentum: 0.9 }], { lr: 0.1 });
    expect(opt.paramGroups.length).toBe(2);
    expect(opt.paramGroups[0].lr).toBe(0.1);
    expect(opt.paramGroups[0].momentum).toBe(0);
    expect(opt.paramGroups[1].lr).toBe(0.5);
    expect(opt.paramGroups[1].momentum).toBe(0.9);
    expect(opt.paramGroups[1].params).toEqual([b]);
    a.grad = f32([1]);
    b.grad = f32([1]);
    opt.step();
    close(a, [0.9]);
    close(b, [0.5]);
  });

  it("addParamGroup adds a group; a parameter may not be in two groups", () => {
    const a = leaf([1]);
    const b = leaf([1]);
    const opt = new optim.Adam([a]);
    opt.addParamGroup({ params: [b], lr: 0.5 });
    expect(opt.paramGroups[1].lr).toBe(0.5);
    expect(opt.paramGroups[1].betas).toEqual([0.9, 0.999]);
    expect(() => opt.addParamGroup({ params: [a] })).toThrow("Adam: some parameters appear in more than one parameter group");
  });

  it("Adagrad creates every parameter's state at construction and for added groups", () => {
    const a = leaf([1, 2]);
    const b = leaf([3]);
    const opt = new optim.Adagrad([a], { initialAccumulatorValue: 0.5 });
    expect(opt.state.get(a)!.sum.tolist()).toEqual([0.5, 0.5]);
    opt.addParamGroup({ params: [b], initialAccumulatorValue: 2 });
    expect(opt.state.get(b)!.sum.tolist()).toEqual([2]);
  });

  it("a snake_case option in a group is refused with the camelCase name", () => {
    expect(() => new optim.SGD([{ params: [leaf([1])], weight_decay: 0.1 }])).toThrow(/did you mean 'weightDecay'/);
  });
});

describe("errors (PyTorch's wording)", () => {
  const p = (): Tensor => leaf([1]);
  it.each([
    ["empty list", () => new optim.SGD([]), "SGD: optimizer got an empty parameter list"],
    ["tensor as params", () => new optim.SGD(p() as any), /params argument given to the optimizer should be an iterable of Tensors or dicts, but got torch.FloatTensor/],
    ["non-tensor param", () => new optim.SGD([p(), 3 as any]), "SGD: optimizer can only optimize Tensors, but one of the params is int"],
    ["non-leaf", () => new optim.SGD([p().mul(2)]), "SGD: can't optimize a non-leaf Tensor"],
    ["set", () => new optim.SGD([{ params: new Set([p()]) }]), /organized in ordered collections/],
    ["SGD lr", () => new optim.SGD([p()], { lr: -0.1 }), "SGD: Invalid learning rate: -0.1"],
    ["SGD momentum", () => new optim.SGD([p()], { momentum: -1 }), "SGD: Invalid momentum value: -1"],
    ["SGD weight decay", () => new optim.SGD([p()], { weightDecay: -1e-5 }), "SGD: Invalid weight_decay value: -1e-05"],
    ["nesterov without momentum", () => new optim.SGD([p()], { nesterov: true }), "SGD: Nesterov momentum requires a momentum and zero dampening"],
    ["nesterov with dampening", () => new optim.SGD([p()], { nesterov: true, momentum: 0.9, dampening: 0.1 }), "Nesterov momentum requires a momentum and zero dampening"],
    ["Adam lr", () => new optim.Adam([p()], { lr: -1 }), "Adam: Invalid learning rate: -1"],
    ["Adam eps", () => new optim.Adam([p()], { eps: -1 }), "Adam: Invalid epsilon value: -1"],
    ["Adam beta0", () => new optim.Adam([p()], { betas: [1, 0.9] }), "Adam: Invalid beta parameter at index 0: 1"],
    ["Adam beta1", () => new optim.Adam([p()], { betas: [0.9, -0.5] }), "Adam: Invalid beta parameter at index 1: -0.5"],
    ["AdamW weight decay", () => new optim.AdamW([p()], { weightDecay: -0.5 }), "AdamW: Invalid weight_decay value: -0.5"],
    ["RMSprop alpha", () => new optim.RMSprop([p()], { alpha: -0.5 }), "RMSprop: Invalid alpha value: -0.5"],
    ["RMSprop momentum", () => new optim.RMSprop([p()], { momentum: -0.5 }), "RMSprop: Invalid momentum value: -0.5"],
    ["Adagrad lr decay", () => new optim.Adagrad([p()], { lrDecay: -0.5 }), "Adagrad: Invalid lr_decay value: -0.5"],
    ["Adagrad accumulator", () => new optim.Adagrad([p()], { initialAccumulatorValue: -1 }), "Adagrad: Invalid initial_accumulator_value value: -1"],
    ["Adadelta rho", () => new optim.Adadelta([p()], { rho: 1.5 }), "Adadelta: Invalid rho value: 1.5"],
  ])("%s", (_name, fn, msg) => {
    expect(fn).toThrow(msg);
  });

  it("PyTorch raises the same errors", () => {
    const script = `
import torch
p = torch.zeros(1, requires_grad=True)
cases = [lambda: torch.optim.SGD([], lr=0.1), lambda: torch.optim.SGD([p], lr=-0.1),
         lambda: torch.optim.SGD([p], lr=0.1, nesterov=True), lambda: torch.optim.Adam([p], betas=(1, 0.9)),
         lambda: torch.optim.Adagrad([p], lr_decay=-0.5), lambda: torch.optim.SGD([p], lr=0.1, weight_decay=-1e-5)]
for c in cases:
    try:
        c()
        print("no error")
    except Exception as e:
        print(e)
`;
    const lines = execFileSync(PYTHON, ["-c", script], { encoding: "utf8" }).trim().split("\n");
    expect(lines).toEqual([
      "optimizer got an empty parameter list",
      "Invalid learning rate: -0.1",
      "Nesterov momentum requires a momentum and zero dampening",
      "Invalid beta parameter at index 0: 1",
      "Invalid lr_decay value: -0.5",
      "Invalid weight_decay value: -1e-05",
    ]);
  });
});

describe("stateDict / loadStateDict", () => {
  function run(opt: torch.optim.Optimizer<any, any>, params: Tensor[], steps: number, from: number): void {
    for (let k = from; k < from + steps; k++) {
      params.forEach((p, i) => (p.grad = p.detach().mul(0.1 * (i + 1)).add(Math.sin(k))));
      opt.step();
    }
  }

  it("uses PyTorch's layout: indices across groups, snake_case keys, live tensors", () => {
    const a = leaf([1, 2]);
    const b = leaf([3]);
    const c = leaf([4]);
    const opt = new optim.Adam([{ params: [a, b] }, { params: [c], lr: 0.5 }], { weightDecay: 0.1, amsgrad: true });
    run(opt, [a, b, c], 2, 0);
    const sd = opt.stateDict();
    expect(sd.param_groups.map((g) => g.params)).toEqual([[0, 1], [2]]);
    expect(sd.param_groups[1]).toMatchObject({ lr: 0.5, betas: [0.9, 0.999], eps: 1e-8, weight_decay: 0.1, amsgrad: true, maximize: false });
    expect(Object.keys(sd.state).map(Number)).toEqual([0, 1, 2]);
    expect(Object.keys(sd.state[0]).sort()).toEqual(["exp_avg", "exp_avg_sq", "max_exp_avg_sq", "step"]);
    expect(sd.state[2].exp_avg).toBe(opt.state.get(c)!.expAvg);
    expect((sd.state[0].step as Tensor).item()).toBe(2);
  });

  it("a loaded optimizer continues exactly as the original", () => {
    for (const make of [
      (ps: Tensor[]) => new optim.SGD(ps, { lr: 0.1, momentum: 0.9, nesterov: true }),
      (ps: Tensor[]) => new optim.Adam(ps, { lr: 0.05, amsgrad: true }),
      (ps: Tensor[]) => new optim.AdamW(ps, { lr: 0.05 }),
      (ps: Tensor[]) => new optim.RMSprop(ps, { momentum: 0.5, centered: true }),
      (ps: Tensor[]) => new optim.Adagrad(ps, { lrDecay: 0.1 }),
      (ps: Tensor[]) => new optim.Adadelta(ps),
    ]) {
      const ps = [leaf([1, -2, 3]), leaf([0.5])];
      const a = make(ps);
      run(a, ps, 3, 0);
      const qs = ps.map((p) => p.detach().clone().requiresGrad_(true));
      const b = make(qs);
      b.loadStateDict(a.stateDict());
      run(a, ps, 3, 3);
      run(b, qs, 3, 3);
      ps.forEach((p, i) => expect(qs[i].tolist()).toEqual(p.tolist()));
      // The loaded state is a copy: stepping one does not move the other's buffers.
      const sa = a.stateDict().state[0];
      const sb = b.stateDict().state[0];
      for (const k of Object.keys(sa)) if (sa[k] instanceof Tensor) expect(sb[k]).not.toBe(sa[k]);
    }
  });

  it("loaded group options replace the current ones; floating state is cast to the parameter dtype", () => {
    const p = leaf([1, 2]);
    const a = new optim.SGD([p], { lr: 0.3, momentum: 0.9 });
    p.grad = f32([1, 1]);
    a.step();
    const q = torch.tensor([1, 2], { dtype: "float64" }).requiresGrad_(true);
    const b = new optim.SGD([q], { lr: 0.01, momentum: 0.1 });
    b.loadStateDict(a.stateDict());
    expect(b.paramGroups[0].lr).toBe(0.3);
    expect(b.paramGroups[0].momentum).toBe(0.9);
    expect(b.paramGroups[0].params[0]).toBe(q);
    expect(b.state.get(q)!.momentumBuffer!.dtype).toBe("float64");
  });

  it("refuses a state dict with other groups (PyTorch's messages)", () => {
    const a = new optim.SGD([leaf([1]), leaf([2])]);
    const b = new optim.SGD([{ params: [leaf([1])] }, { params: [leaf([2])] }]);
    const c = new optim.SGD([leaf([1])]);
    expect(() => a.loadStateDict(b.stateDict())).toThrow("SGD: loaded state dict has a different number of parameter groups");
    expect(() => a.loadStateDict(c.stateDict())).toThrow(
      "SGD: loaded state dict contains a parameter group that doesn't match the size of optimizer's group",
    );
  });

  /** PyTorch's state dict as JSON, tensors tagged; both libraries stepped with the same gradients. */
  const pyStateDict = (body: string): any => {
    const script = `
import json, torch
def enc(v):
    if isinstance(v, torch.Tensor): return {"__tensor__": v.tolist(), "dtype": str(v.dtype)}
    if isinstance(v, (list, tuple)): return [enc(x) for x in v]
    if isinstance(v, dict): return {str(k): enc(x) for k, x in v.items()}
    return v
${body}
print(json.dumps(enc(opt.state_dict())))
`;
    return JSON.parse(execFileSync(PYTHON, ["-c", script], { encoding: "utf8" }));
  };
  const dec = (v: any): any => {
    if (Array.isArray(v)) return v.map(dec);
    if (v && typeof v === "object" && "__tensor__" in v) {
      return torch.tensor(v.__tensor__, { dtype: v.dtype === "torch.float64" ? "float64" : "float32" });
    }
    if (v && typeof v === "object") return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, dec(x)]));
    return v;
  };

  it("matches PyTorch's state dict and loads it to continue PyTorch's run", () => {
    const grads = [
      [0.5, -1, 2],
      [1.5, 0.25, -0.75],
      [-0.3, 0.6, 0.1],
    ];
    const py = pyStateDict(`
a = torch.tensor([1., 2., 3.], requires_grad=True)
b = torch.tensor([0.5], requires_grad=True)
opt = torch.optim.Adam([{'params': [a]}, {'params': [b], 'lr': 0.5}], lr=0.1, amsgrad=True, weight_decay=0.01)
for g in ${JSON.stringify(grads)}:
    a.grad = torch.tensor(g)
    b.grad = torch.tensor([g[0] * 2])
    opt.step()
`);
    const a = leaf([1, 2, 3]);
    const b = leaf([0.5]);
    const opt = new optim.Adam([{ params: [a] }, { params: [b], lr: 0.5 }], { lr: 0.1, amsgrad: true, weightDecay: 0.01 });
    for (const g of grads) {
      a.grad = f32(g);
      b.grad = f32([g[0] * 2]);
      opt.step();
    }
    const ours = opt.stateDict();
    // Same groups (PyTorch adds options torch-ts does not have: foreach, capturable, differentiable, fused).
    ours.param_groups.forEach((g, i) => {
      for (const [k, v] of Object.entries(g)) expect(py.param_groups[i][k]).toEqual(v);
    });
    expect(Object.keys(ours.state)).toEqual(Object.keys(py.state));
    for (const i of Object.keys(py.state)) {
      const s = (ours.state as any)[i];
      expect(Object.keys(s).sort()).toEqual(Object.keys(py.state[i]).sort());
      for (const k of Object.keys(s)) expect((s[k] as Tensor).tolist()).toEqual(py.state[i][k].__tensor__);
    }
    // Load PyTorch's dict into a fresh optimizer and continue: identical to continuing ours.
    const a2 = a.detach().clone().requiresGrad_(true);
    const b2 = b.detach().clone().requiresGrad_(true);
    const opt2 = new optim.Adam([{ params: [a2] }, { params: [b2] }]);
    opt2.loadStateDict(dec(py));
    expect(opt2.paramGroups[1].lr).toBe(0.5);
    expect(opt2.paramGroups[0].foreach).toBeNull(); // PyTorch's extra keys are kept, as PyTorch keeps them
    for (const [o, x, y] of [
      [opt, a, b],
      [opt2, a2, b2],
    ] as const) {
      x.grad = f32([0.1, 0.2, 0.3]);
      y.grad = f32([-1]);
      o.step();
    }
    expect(a2.tolist()).toEqual(a.tolist());
    expect(b2.tolist()).toEqual(b.tolist());
  });

  it("SGD without momentum keeps no state (PyTorch 2.x; 1.13 stored momentum_buffer None)", () => {
    const p = leaf([1]);
    const opt = new optim.SGD([p], { lr: 0.1 });
    p.grad = f32([1]);
    opt.step();
    expect(opt.stateDict().state).toEqual({});
  });
});

describe("repr", () => {
  it("prints the groups' options sorted, in Python's spelling", () => {
    const opt = new optim.Adam([leaf([1])], { lr: 1e-5 });
    expect(String(opt)).toBe(
      "Adam (\nParameter Group 0\n    amsgrad: False\n    betas: (0.9, 0.999)\n    eps: 1e-08\n    lr: 1e-05\n" +
        "    maximize: False\n    weight_decay: 0\n)",
    );
  });
});
