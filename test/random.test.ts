import { describe, expect, it } from "vitest";
import * as torch from "../src/index.js";
import { fma32, fma64 } from "../src/fma.js";
import { type DiffCase, Rng, expectClean, runDifferential } from "./oracle/differential.js";

/** Printed by PyTorch 1.13 (`/usr/bin/python3`, CPU) with the seeds used below: `tensor.tolist()`. */
const PT: Record<string, any> = {
  "rand5": [0.49625658988952637, 0.7682217955589294, 0.08847743272781372, 0.13203048706054688, 0.30742281675338745],
  "rand2x3": [[0.49625658988952637, 0.7682217955589294, 0.08847743272781372], [0.13203048706054688, 0.30742281675338745, 0.6340786814689636]],
  "rand4d": [0.9700530018065531, 0.707819864399788, 0.45938294312745087, 0.9207476841219603],
  "randn5": [1.5409960746765137, -0.293428897857666, -2.1787893772125244, 0.5684312582015991, -1.0845223665237427],
  "randn3d": [1.5409961082440433, -0.2934289057609464, -2.1787893820745574],
  "randn20": [-1.1258398294448853, -1.152360200881958, -0.2505785822868347, -0.4338788092136383, 0.5988394618034363, -1.5550950765609741, -0.3413603901863098, 1.85300612449646, 0.46809640526771545, -0.1577124446630478, 1.4436601400375366, 0.26604941487312317, 1.3893661499023438, 1.586334228515625, 0.946298360824585, -0.843676745891571, 0.9318265914916992, 1.2590092420578003, 2.0049805641174316, 0.05373690277338028],
  "randn3then3": [1.5409960746765137, -0.293428897857666, -2.1787893772125244, 0.5684312582015991, -1.0845223665237427, -1.3985954523086548],
  "randn17_seed42": [1.9269152879714966, -0.1595974713563919, -0.4973975419998169, 0.439589262008667, -0.7581311464309692, 1.078317642211914, 0.8008005619049072, 1.680620551109314, 0.3558599054813385, 1.2964228391647339, 0.610466480255127, 1.334737777709961, -0.2316243201494217, 0.041759490966796875, -0.2515752911567688, 0.859858512878418, -0.3097267746925354],
  "seed-1_rand3": [0.9937993884086609, 0.5713063478469849, 0.5700080394744873],
  "seedbig_rand3": [0.8302518725395203, 0.12611091136932373, 0.9074696898460388],
  "gen_default_seed": 67280421310721,
  "gen_default_rand3": [0.267295241355896, 0.8725283145904541, 0.3352888226509094],
  "gen7_randn4": [-0.1467950940132141, 0.7861412763595581, 0.9468216300010681, -1.1143440008163452],
  "uniform_T": [[1.7881579399108887, -1.8535921573638916, 0.8475424647331238], [-0.6034455895423889, 1.9992930889129639, 0.19388961791992188], [0.015346288681030273, -0.014313280582427979, 1.1934022903442383], [1.6734223365783691, 1.7718596458435059, 0.6233294606208801]],
  "normal_T": [[2.322704315185547, -2.045536994934082, 0.6089808344841003, -2.1453304290771484], [1.5338481664657593, 1.763367772102356, -0.9312718510627747, 0.7535044550895691], [1.1233545541763306, -1.0552171468734741, 1.8448306322097778, 8.173978805541992], [2.2426347732543945, -0.12610559165477753, 1.534633994102478, -2.6625802516937256], [0.09618806838989258, -0.7845810055732727, 0.15760968625545502, 4.1974005699157715], [0.6677395105361938, 0.8834996223449707, -0.021399999037384987, -1.5540140867233276]],
  "normal_slice": [[0.6613521575927734, 0.266924113035202], [0.06167725846171379, 0.6213173270225525], [-0.4519059658050537, -0.16613022983074188], [-1.522768497467041, 0.38168391585350037], [-1.0276086330413818, -0.563052773475647], [-0.8922905325889587, -0.05825017765164375]],
  "normal_32_ms": [0.3474404215812683, 0.42497682571411133, 0.43460190296173096, 0.3390515148639679, 0.48998329043388367, 0.4390811026096344, 0.4020227789878845, 0.33909037709236145, 0.4287855327129364, 0.5303722023963928, 0.4222685694694519, 0.4748544692993164, 0.47777295112609863, 0.6687113642692566, 0.522842526435852, 0.54676353931427, 0.43030276894569397, 0.38392385840415955, 0.5699542164802551, 0.5199081897735596, 0.5865692496299744, 0.5244404077529907, 0.43370887637138367, 0.5807308554649353, 0.6101680397987366, 0.4824064075946808, 0.2754442095756531, 0.3553541898727417, 0.5061155557632446, 0.43822556734085083, 0.42019301652908325, 0.4868376851081848],
  "randint10": [6, 8, 7, 7, 0, 0, 0, 5, 1, 9],
  "randint_hi": [[5, 3, 3], [4, 0, 6]],
  "randint_big": [455570294424, 1073054410371, 790795084744, 2445173525],
  "randint_neg_f32": [1.0, 3.0, 2.0, 2.0, -5.0, -5.0],
  "randperm1": [0],
  "randperm2": [0, 1],
  "randperm5": [1, 0, 3, 4, 2],
  "randperm10": [6, 0, 3, 7, 8, 5, 1, 9, 2, 4],
  "randperm30": [16, 27, 19, 24, 4, 10, 6, 0, 1, 7, 3, 26, 23, 9, 5, 2, 29, 14, 11, 17, 18, 20, 13, 12, 15, 28, 8, 21, 25, 22],
  "bern_f32": [1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 0.0, 0.0, 0.0, 0.0],
  "bern_f64": [1.0, 1.0, 0.0, 1.0, 0.0, 0.0, 1.0, 1.0, 1.0, 0.0],
  "bern_scalar": [1.0, 1.0, 0.0, 1.0, 0.0, 0.0, 1.0, 0.0, 0.0, 0.0],
  "bern_p": [1.0, 1.0, 0.0, 1.0, 0.0, 0.0],
  "multi_repl": [0, 1, 3, 1, 3, 3, 1, 2, 2, 3],
  "multi_norepl": [0, 3, 1],
  "multi_one": [[0], [3]],
  "normal_tt": [-0.4867807626724243, 9.939618110656738, 99.994415283203125],
  "normal_ff": [0.5396577715873718, 0.18853524327278137, 0.32571130990982056],
  "random_long": [11, 14, 67, 85, 6],
  "random_f": [1.0, 4.0, 7.0, 5.0, 6.0],
  "randn_like": [[-1.8743985917469141, -0.9936632303547206], [0.7184672290178716, -0.6984538692354079]],
  "rand_like": [[0.5721975564956665, 0.5538755059242249], [0.986829936504364, 0.6080296039581299]],
  "randint_like": [[5.0, 6.0], [6.0, 5.0]],
};

describe("Generator and seeding", () => {
  it("a fresh Generator has PyTorch's default seed and stream", () => {
    const g = new torch.Generator();
    expect(g.initialSeed()).toBe(PT.gen_default_seed);
    expect(torch.rand(3, { generator: g }).tolist()).toEqual(PT.gen_default_rand3);
  });

  it("manualSeed returns the generator; a separate generator leaves the default untouched", () => {
    const g = new torch.Generator().manualSeed(7);
    torch.manualSeed(0);
    expect(torch.randn(4, { generator: g }).tolist()).toEqual(PT.gen7_randn4);
    expect(torch.rand(5).tolist()).toEqual(PT.rand5);
    expect(torch.manualSeed(3)).toBe(torch.defaultGenerator);
    expect(torch.initialSeed()).toBe(3);
  });

  it("negative and wide seeds wrap to uint64 as in PyTorch", () => {
    torch.manualSeed(-1);
    expect(torch.rand(3).tolist()).toEqual(PT["seed-1_rand3"]);
    torch.manualSeed(2 ** 40 + 5);
    expect(torch.rand(3).tolist()).toEqual(PT.seedbig_rand3);
    expect(torch.initialSeed()).toBe(2 ** 40 + 5);
    expect(() => torch.manualSeed(2n ** 64n)).toThrow("Overflow when unpacking long");
    expect(torch.manualSeed(2n ** 64n - 1n).random()).toBe(torch.manualSeed(-1).random());
  });

  it("seed() draws a non-deterministic seed that initialSeed() reports and manualSeed reproduces", () => {
    const s = torch.seed();
    expect(Number.isSafeInteger(s)).toBe(true);
    expect(torch.initialSeed()).toBe(s);
    const a = torch.rand(4).tolist();
    torch.manualSeed(s);
    expect(torch.rand(4).tolist()).toEqual(a);
  });

  it("getState / setState restore the stream, including the cached normal", () => {
    torch.manualSeed(0);
    torch.randn(3); // leaves the second Box–Muller value cached
    const st = torch.getRngState();
    const a = torch.randn(5).tolist();
    torch.setRngState(st);
    expect(torch.randn(5).tolist()).toEqual(a);
    expect(() => torch.setRngState(new Uint8Array(3))).toThrow("setState: expected a state of");
  });
});

describe("streams equal PyTorch's after manualSeed", () => {
  it("rand (float32: 24 bits; float64: 53 bits of two draws)", () => {
    torch.manualSeed(0);
    expect(torch.rand(5).tolist()).toEqual(PT.rand5);
    torch.manualSeed(0);
    expect(torch.rand(2, 3).tolist()).toEqual(PT.rand2x3);
    torch.manualSeed(0);
    const d = torch.rand([4], { dtype: "float64" });
    expect(d.dtype).toBe("float64");
    expect(d.tolist()).toEqual(PT.rand4d);
  });

  it("randn below 16 elements: Box–Muller in double, second value cached across calls", () => {
    torch.manualSeed(0);
    expect(torch.randn(5).tolist()).toEqual(PT.randn5);
    torch.manualSeed(0);
    expect(torch.randn([3], { dtype: "float64" }).tolist()).toEqual(PT.randn3d);
    torch.manualSeed(0);
    expect([...torch.randn(3).tolist(), ...torch.randn(3).tolist()]).toEqual(PT.randn3then3);
  });

  it("randn of 16+ float32 elements: the AVX2 normal_fill, tail block redrawn", () => {
    torch.manualSeed(0);
    expect(torch.randn(20).tolist()).toEqual(PT.randn20);
    torch.manualSeed(42);
    expect(torch.randn(17).tolist()).toEqual(PT.randn17_seed42);
    torch.manualSeed(1);
    expect(torch.zeros(32).normal_(0.5, 0.1).tolist()).toEqual(PT.normal_32_ms);
  });

  it("in-place fills of views walk memory order; non-contiguous normal_ uses the scalar path", () => {
    torch.manualSeed(1);
    const u = torch.zeros(3, 4).t();
    expect(u.uniform_(-2, 3)).toBe(u);
    expect(u.tolist()).toEqual(PT.uniform_T);
    torch.manualSeed(1);
    expect(torch.zeros(4, 6).t().normal_(1, 2).tolist()).toEqual(PT.normal_T);
    torch.manualSeed(1);
    expect(torch.narrow(torch.zeros(6, 4), 1, 1, 2).normal_().tolist()).toEqual(PT.normal_slice);
  });

  it("randint (32-bit draw modulo the range; 64-bit draw for ranges ≥ 2^32)", () => {
    torch.manualSeed(3);
    const r = torch.randint(0, 10, [10]);
    expect(r.dtype).toBe("int64");
    expect(r.tolist()).toEqual(PT.randint10);
    torch.manualSeed(3);
    expect(torch.randint(7, [2, 3]).tolist()).toEqual(PT.randint_hi);
    torch.manualSeed(3);
    expect(torch.randint(0, 2 ** 40, [4]).tolist()).toEqual(PT.randint_big);
    torch.manualSeed(3);
    const f = torch.randint(-5, 5, [6], { dtype: "float32" });
    expect(f.dtype).toBe("float32");
    expect(f.tolist()).toEqual(PT.randint_neg_f32);
  });

  it("randperm (PyTorch's Fisher–Yates)", () => {
    for (const n of [1, 2, 5, 10, 30]) {
      torch.manualSeed(3);
      expect(torch.randperm(n).tolist()).toEqual(PT[`randperm${n}`]);
    }
    expect(torch.randperm(0).shape).toEqual([0]);
    expect(torch.randperm(4, { dtype: "float32" }).dtype).toBe("float32");
  });

  it("bernoulli: tensor probabilities (float: 24-bit, double: 53-bit draws) and scalar p", () => {
    torch.manualSeed(3);
    expect(torch.bernoulli(torch.full([10], 0.5)).tolist()).toEqual(PT.bern_f32);
    torch.manualSeed(3);
    expect(torch.bernoulli(torch.full([10], 0.5, { dtype: "float64" })).tolist()).toEqual(PT.bern_f64);
    torch.manualSeed(3);
    expect(torch.empty(10).bernoulli_(0.3).tolist()).toEqual(PT.bern_scalar);
    torch.manualSeed(3);
    expect(torch.bernoulli(torch.ones(6), 0.5).tolist()).toEqual(PT.bern_p);
    torch.manualSeed(3);
    expect(torch.full([10], 0.5).bernoulli().tolist()).toEqual(PT.bern_f32);
  });

  it("multinomial with and without replacement", () => {
    const w = torch.tensor([0.1, 0.2, 0.3, 0.4]);
    torch.manualSeed(3);
    const m = torch.multinomial(w, 10, true);
    expect(m.dtype).toBe("int64");
    expect(m.tolist()).toEqual(PT.multi_repl);
    torch.manualSeed(3);
    expect(w.multinomial(3).tolist()).toEqual(PT.multi_norepl);
    torch.manualSeed(3);
    expect(torch.multinomial(torch.tensor([[0.1, 0.2, 0.3, 0.4], [1, 0, 0, 1]]), 1).tolist()).toEqual(PT.multi_one);
  });

  it("normal with tensor or number mean/std, random_, *Like", () => {
    torch.manualSeed(5);
    expect(torch.normal(torch.tensor([0, 10, 100], { dtype: "float32" }), torch.tensor([1, 0.1, 0.01])).tolist()).toEqual(PT.normal_tt);
    torch.manualSeed(5);
    expect(torch.normal(2, 3, [3]).tolist()).toEqual(PT.normal_ff);
    torch.manualSeed(5);
    expect(torch.zeros([5], { dtype: "int64" }).random_(0, 100).tolist()).toEqual(PT.random_long);
    torch.manualSeed(5);
    expect(torch.zeros(5).random_(10).tolist()).toEqual(PT.random_f);
    torch.manualSeed(6);
    expect(torch.randnLike(torch.zeros([2, 2], { dtype: "float64" })).tolist()).toEqual(PT.randn_like);
    torch.manualSeed(6);
    expect(torch.randLike(torch.zeros(2, 2)).tolist()).toEqual(PT.rand_like);
    torch.manualSeed(6);
    expect(torch.randintLike(torch.zeros(2, 2), 3, 9).tolist()).toEqual(PT.randint_like);
  });
});

describe("statistics and float64 normals", () => {
  it("large float32 samples have the right moments", () => {
    torch.manualSeed(11);
    const n = 200_000;
    const u = torch.rand(n).toTypedArray();
    const z = torch.randn(n).toTypedArray();
    const mean = (a: ArrayLike<number>): number => {
      let s = 0;
      for (let i = 0; i < a.length; i++) s += a[i];
      return s / a.length;
    };
    const varOf = (a: ArrayLike<number>, m: number): number => {
      let s = 0;
      for (let i = 0; i < a.length; i++) s += (a[i] - m) ** 2;
      return s / a.length;
    };
    expect(Math.abs(mean(u) - 0.5)).toBeLessThan(0.005);
    expect(Math.abs(varOf(u, mean(u)) - 1 / 12)).toBeLessThan(0.002);
    expect(Math.abs(mean(z))).toBeLessThan(0.01);
    expect(Math.abs(varOf(z, mean(z)) - 1)).toBeLessThan(0.02);
    let lo = Infinity;
    let hi = -Infinity;
    for (const v of u) {
      lo = Math.min(lo, v);
      hi = Math.max(hi, v);
    }
    expect(lo).toBeGreaterThanOrEqual(0);
    expect(hi).toBeLessThan(1);
    const ri = torch.randint(3, 9, [60_000]).toTypedArray();
    const counts = new Array(10).fill(0);
    for (const v of ri) counts[v]++;
    for (let v = 3; v < 9; v++) expect(Math.abs(counts[v] / 60_000 - 1 / 6)).toBeLessThan(0.01);
    expect(counts[2] + counts[9]).toBe(0);
  });

  it("float64 randn of 16+ elements agrees with PyTorch to within libm's last bit", () => {
    // PyTorch uses glibc's log/sin/cos, V8 fdlibm's: an occasional 1-ulp difference, nothing more.
    const want = [
      -2.3104118002341765, -0.3732508612577643, -1.0608166785462863, 0.9995093547811761, -0.019964750907762653,
      0.2102998901016947, 0.17718935139366584, -0.830510051008449, 0.23871805816817063, 0.7335283685272841,
      -1.3218818291421377, 1.3148113651971234, -0.6870036940435463, 1.4880743158106724, -0.4484158047114511,
      -0.8910030351707375, 0.6748575435940039, 1.0468653769814655, 0.15429517864658948, -0.7498915228391941,
    ];
    torch.manualSeed(0);
    const got = torch.randn([20], { dtype: "float64" }).tolist() as number[];
    got.forEach((v, i) => expect(Math.abs(v - want[i])).toBeLessThanOrEqual(2 * Number.EPSILON * Math.abs(want[i])));
  });

  it("fused multiply-add emulation rounds once", () => {
    // a² = 1 + 2^-11 + 2^-24 lies exactly between two floats: a genuine tie goes to even, but any addend,
    // however far below double precision, decides the direction (double rounding would lose it).
    const a = 1 + 2 ** -12;
    expect(fma32(a, a, 0)).toBe(1 + 2 ** -11);
    expect(fma32(a, a, 2 ** -60)).toBe(1 + 2 ** -11 + 2 ** -23);
    expect(fma32(a, a, -(2 ** -60))).toBe(1 + 2 ** -11);
    expect(Math.fround(a * a + 2 ** -60)).toBe(1 + 2 ** -11); // what plain double arithmetic gives
    expect(fma32(1 + 2 ** -23, 1 + 2 ** -23, -1)).toBe(Math.fround(2 ** -22 + 2 ** -46));
    expect(fma32(2 ** -24 + 2 ** -40, 1, 1)).toBe(1 + 2 ** -23);
    expect(fma64(1 + 2 ** -30, 1 + 2 ** -30, -1)).toBe(2 ** -29 + 2 ** -60);
    expect(fma64(0.1, 10, -1)).toBe(5.551115123125783e-17);
  });
});

describe("autograd and in-place rules", () => {
  it("requiresGrad option, in-place on a leaf that requires grad, version bump, history", () => {
    expect(torch.rand([2], { requiresGrad: true }).requiresGrad).toBe(true);
    const leaf = torch.zeros([3], { requiresGrad: true });
    expect(() => leaf.normal_()).toThrow("a leaf Variable that requires grad is being used in an in-place operation.");
    expect(() => leaf.uniform_()).toThrow("a leaf Variable that requires grad is being used in an in-place operation.");
    torch.noGrad(() => leaf.uniform_());
    const v0 = leaf.version;
    torch.noGrad(() => leaf.normal_());
    expect(leaf.version).toBe(v0 + 1);
    const x = torch.ones([3], { requiresGrad: true });
    const y = x.mul(2);
    y.uniform_();
    expect(y.requiresGrad).toBe(true);
    y.sum().backward();
    expect(x.grad!.tolist()).toEqual([0, 0, 0]);
  });
});

describe("errors with PyTorch's wording", () => {
  it("dtype and argument checks", () => {
    expect(() => torch.rand([2], { dtype: "int64" })).toThrow(`"check_uniform_bounds" not implemented for 'Long'`);
    expect(() => torch.randn([2], { dtype: "int64" })).toThrow(`"normal_kernel_cpu" not implemented for 'Long'`);
    expect(() => torch.zeros(3).uniform_(1, 0)).toThrow("uniform_ expects to return a [from, to) range, but found from=1 > to=0");
    expect(() => torch.zeros(3).normal_(0, -1)).toThrow("normal expects std >= 0.0, but found std -1");
    expect(() => torch.randint(5, 5, [3])).toThrow("random_ expects 'from' to be less than 'to', but got from=5 >= to=5");
    expect(() => torch.randint(0, 300, [3], { dtype: "uint8" })).toThrow("to - 1 is out of bounds for unsigned char");
    expect(() => torch.randint(-1, 3, [3], { dtype: "uint8" })).toThrow("from is out of bounds for unsigned char");
    expect(() => torch.randperm(-1)).toThrow("Trying to create tensor with negative dimension -1: [-1]");
    expect(() => torch.bernoulli(torch.tensor([1.5]))).toThrow("Expected p_in >= 0 && p_in <= 1 to be true, but got false.");
    expect(() => torch.zeros(3).bernoulli_(1.5)).toThrow("bernoulli_ expects p to be in [0, 1], but got p=1.5");
    expect(() => torch.bernoulli(torch.tensor([1, 0]))).toThrow(`"bernoulli_tensor_cpu_p_" not implemented for 'Long'`);
    expect(() => torch.multinomial(torch.tensor([0.5, -1, 0.5]), 1)).toThrow("probability tensor contains either `inf`, `nan` or element < 0");
    expect(() => torch.multinomial(torch.tensor([0, 0], { dtype: "float32" }), 1)).toThrow("invalid multinomial distribution (sum of probabilities <= 0)");
    expect(() => torch.multinomial(torch.tensor([0.5, -1, 0.5]), 2, true)).toThrow("invalid multinomial distribution (encountering probability entry < 0)");
    expect(() => torch.multinomial(torch.tensor([1, 1], { dtype: "float32" }), 3)).toThrow("cannot sample n_sample > prob_dist.size(-1) samples without replacement");
    expect(() => torch.multinomial(torch.ones(2, 2, 2), 1)).toThrow("prob_dist must be 1 or 2 dim");
    expect(() => torch.multinomial(torch.tensor([1, 2]), 1)).toThrow("multinomial only supports floating-point dtypes for input, got: Long");
    expect(() => torch.rand([2], { generator: {} as any })).toThrow("generator must be a torch.Generator");
  });
});

/**
 * Random streams against PyTorch over many sizes, seeds and parameters, compared exactly (float32 and
 * integer results bit for bit; float64 normals to 2 ulp, the libm limit).
 */
function streamCases(): DiffCase[] {
  const rng = new Rng(20261126);
  const cases: DiffCase[] = [];
  const exact = { rtol: 0, atol: 0 };
  const py = (seed: number, expr: string): string => `torch.manual_seed(${seed})\nout = ${expr}`;
  for (let k = 0; k < 120; k++) {
    const seed = rng.int(0, 2 ** 31);
    const n = rng.pick([1, 5, 15, 16, 17, 31, 32, 33, 100, rng.int(1, 300)]);
    const shape = rng.bool(0.3) ? [n, rng.int(1, 3)] : [n];
    const shapePy = `(${shape.join(", ")},)`;
    const f64 = rng.bool(0.3);
    const dt = f64 ? "float64" : "float32";
    const tol = f64 ? { rtol: 4.5e-16, atol: 0 } : exact;
    const mean = rng.pick([0, 0.5, -3]);
    const std = rng.pick([1, 0.02, 2.5]);
    const [lo, hi] = rng.pick([[0, 1], [-0.05, 0.05], [-3, 7]]);
    switch (k % 6) {
      case 0:
        cases.push({ name: `rand ${dt} ${shapePy} seed ${seed}`, inputs: [], ...exact,
          ts: () => (torch.manualSeed(seed), torch.rand(shape, { dtype: dt })),
          py: py(seed, `torch.rand(${shapePy}, dtype=torch.${dt})`) });
        break;
      case 1:
        cases.push({ name: `randn ${dt} ${shapePy} seed ${seed}`, inputs: [], ...tol,
          ts: () => (torch.manualSeed(seed), torch.randn(shape, { dtype: dt })),
          py: py(seed, `torch.randn(${shapePy}, dtype=torch.${dt})`) });
        break;
      case 2: {
        const t = rng.bool(0.4) && shape.length === 2;
        cases.push({ name: `normal_(${mean}, ${std}) ${dt} ${shapePy}${t ? " transposed" : ""} seed ${seed}`, inputs: [], ...tol,
          ts: () => {
            torch.manualSeed(seed);
            const x = t ? torch.zeros([shape[1], shape[0]], { dtype: dt }).t() : torch.zeros(shape, { dtype: dt });
            return x.normal_(mean, std);
          },
          py: py(seed, `${t ? `torch.zeros(${shape[1]}, ${shape[0]}, dtype=torch.${dt}).t()` : `torch.zeros(${shapePy}, dtype=torch.${dt})`}.normal_(${mean}, ${std})`) });
        break;
      }
      case 3:
        cases.push({ name: `uniform_(${lo}, ${hi}) ${dt} ${shapePy} seed ${seed}`, inputs: [], ...exact,
          ts: () => (torch.manualSeed(seed), torch.zeros(shape, { dtype: dt }).uniform_(lo, hi)),
          py: py(seed, `torch.zeros(${shapePy}, dtype=torch.${dt}).uniform_(${lo}, ${hi})`) });
        break;
      case 4: {
        const low = rng.pick([0, -7, 3]);
        const high = low + rng.pick([1, 2, 10, 1000, 2 ** 33]);
        cases.push({ name: `randint(${low}, ${high}) ${shapePy} seed ${seed}`, inputs: [], ...exact,
          ts: () => (torch.manualSeed(seed), torch.randint(low, high, shape)),
          py: py(seed, `torch.randint(${low}, ${high}, ${shapePy})`) });
        cases.push({ name: `randperm(${n}) seed ${seed}`, inputs: [], ...exact,
          ts: () => (torch.manualSeed(seed), torch.randperm(n)),
          py: py(seed, `torch.randperm(${n})`) });
        break;
      }
      case 5: {
        const pdt = rng.pick(["float32", "float64"] as const);
        cases.push({ name: `bernoulli(p ${pdt} ${shapePy}) seed ${seed}`, ...exact, noGrad: true,
          inputs: [{ shape, dtype: pdt, values: "uniform", low: 0, high: 1, requiresGrad: false }],
          ts: (p) => (torch.manualSeed(seed), torch.bernoulli(p)),
          py: py(seed, "torch.bernoulli(x0)") });
        const rows = rng.int(1, 3);
        const cats = rng.int(2, 40);
        const ns = rng.int(1, cats);
        const repl = rng.bool();
        cases.push({ name: `multinomial [${rows},${cats}] n=${ns} replacement=${repl} seed ${seed}`, ...exact, noGrad: true,
          inputs: [{ shape: [rows, cats], dtype: pdt, values: "uniform", low: 0, high: 1, requiresGrad: false }],
          ts: (p) => (torch.manualSeed(seed), torch.multinomial(p, ns, repl)),
          py: py(seed, `torch.multinomial(x0, ${ns}, ${repl ? "True" : "False"})`) });
        break;
      }
    }
  }
  return cases;
}

describe("random streams vs PyTorch (oracle)", () => {
  it("rand, randn, normal_, uniform_, randint, randperm, bernoulli, multinomial", async () => {
    expectClean(await runDifferential("random-streams", streamCases()), 140);
  });
});
