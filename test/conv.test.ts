/**
 * Convolution: hand-derived values, the seeds' shapes, gradcheck (first and second order) in float64,
 * PyTorch's error messages (checked against PyTorch 1.13 by hand) and the modules' parameters and repr.
 */
import { describe, expect, it } from "vitest";
import * as torch from "../src/index.js";
import type { Tensor } from "../src/tensor.js";
import { convolution } from "../src/ops/conv.js";

const F = torch.nn.functional;
const nn = torch.nn;
const { gradcheck } = torch.autograd;

const f32 = (data: any): Tensor => torch.tensor(data, { dtype: "float32" });
const f64 = (shape: number[]): Tensor => torch.randn(shape, { dtype: "float64" }).requiresGrad_(true);

/** Entries of two tensors agree to `tol`. */
function expectClose(a: Tensor, b: Tensor, tol = 1e-6): void {
  expect(a.shape).toEqual(b.shape);
  const x = a.toTypedArray();
  const y = b.toTypedArray();
  for (let i = 0; i < x.length; i++) expect(Math.abs(x[i] - y[i])).toBeLessThanOrEqual(tol * (1 + Math.abs(y[i])));
}

/** Second-order check: the Jacobian of Σ(first gradients²) against finite differences. */
function gradgradcheck(f: (...xs: Tensor[]) => Tensor, inputs: Tensor[]): boolean {
  return gradcheck(
    (...xs) =>
      torch.enableGrad(() => {
        const leaves = xs.map((x) => (x.requiresGrad ? x : x.detach().requiresGrad_(true)));
        const y = f(...leaves);
        const grads = torch.autograd.grad([y.mul(y).sum()], leaves, undefined, { createGraph: true });
        return grads.reduce((acc: Tensor, g) => acc.add(g!.mul(g!).sum()), torch.zeros([], { dtype: "float64" }));
      }),
    inputs,
  );
}

describe("conv forward, hand-derived", () => {
  it("conv1d: window sums, stride, padding, dilation", () => {
    const x = f32([[[1, 2, 3, 4]]]);
    const w = torch.ones([1, 1, 2]);
    expect(F.conv1d(x, w).tolist()).toEqual([[[3, 5, 7]]]);
    expect(F.conv1d(x, w, null, { stride: 2 }).tolist()).toEqual([[[3, 7]]]);
    expect(F.conv1d(x, w, null, { padding: 1 }).tolist()).toEqual([[[1, 3, 5, 7, 4]]]);
    expect(F.conv1d(x, w, null, { dilation: 2 }).tolist()).toEqual([[[4, 6]]]);
  });

  it("conv2d of arange(16) with a 2x2 box filter", () => {
    const x = f32(Array.from({ length: 16 }, (_, i) => i)).reshape([1, 1, 4, 4]);
    const y = F.conv2d(x, torch.ones([1, 1, 2, 2]));
    expect(y.tolist()).toEqual([[[[10, 14, 18], [26, 30, 34], [42, 46, 50]]]]);
  });

  it("groups and bias, unbatched", () => {
    // Each channel sees only its own filter: [1, 1] sums, [1, -1] differences.
    const y = F.conv1d(f32([[1, 2, 3], [4, 5, 6]]), f32([[[1, 1]], [[1, -1]]]), f32([10, 20]), { groups: 2 });
    expect(y.tolist()).toEqual([[13, 15], [19, 19]]);
  });

  it("padding='same' with an even kernel puts the extra zero on the right", () => {
    const y = F.conv1d(f32([[[1, 2, 3, 4, 5]]]), torch.ones([1, 1, 4]), null, { padding: "same" });
    expect(y.tolist()).toEqual([[[6, 10, 14, 12, 9]]]);
    expect(F.conv2d(torch.ones([1, 2, 6, 7]), torch.ones([3, 2, 4, 3]), null, { padding: "same", dilation: [1, 2] }).shape).toEqual([1, 3, 6, 7]);
    expect(F.conv2d(torch.ones([1, 2, 6, 7]), torch.ones([3, 2, 4, 3]), null, { padding: "valid" }).shape).toEqual([1, 3, 3, 5]);
  });

  it("transposed conv: stride, output padding, padding, dilation", () => {
    const x = f32([[[1, 2]]]);
    const w = torch.ones([1, 1, 2]);
    expect(F.convTranspose1d(x, w).tolist()).toEqual([[[1, 3, 2]]]);
    expect(F.convTranspose1d(x, w, null, { stride: 2 }).tolist()).toEqual([[[1, 1, 2, 2]]]);
    expect(F.convTranspose1d(x, w, null, { stride: 2, outputPadding: 1 }).tolist()).toEqual([[[1, 1, 2, 2, 0]]]);
    expect(F.convTranspose1d(x, w, null, { padding: 1 }).tolist()).toEqual([[[3]]]);
    expect(F.convTranspose1d(x, w, null, { dilation: 2 }).tolist()).toEqual([[[1, 2, 1, 2]]]);
  });

  it("the JSDoc examples", () => {
    expect(convolution(torch.ones([1, 1, 4]), torch.ones([1, 1, 2]), null, { stride: 2 }).tolist()).toEqual([[[2, 2]]]);
    expect(F.conv1d(torch.tensor([[[1, 2, 3, 4]]], { dtype: "float32" }), torch.ones([1, 1, 2])).tolist()).toEqual([[[3, 5, 7]]]);
    expect(F.convTranspose1d(torch.ones([1, 1, 2]), torch.ones([1, 1, 2]), null, { stride: 2 }).tolist()).toEqual([[[1, 1, 1, 1]]]);
    expect(String(new nn.Conv2d(3, 6, 3))).toBe("Conv2d(3, 6, kernel_size=(3, 3), stride=(1, 1))");
    expect(new nn.Conv2d(3, 6, 3).call(torch.randn([64, 3, 32, 32])).shape).toEqual([64, 6, 30, 30]);
    expect(F.conv2d(torch.ones([1, 3, 5, 5]), torch.ones([6, 3, 3, 3]), null, { padding: 1 }).shape).toEqual([1, 6, 5, 5]);
    expect(F.conv3d(torch.ones([1, 2, 4, 4, 4]), torch.ones([3, 2, 2, 2, 2])).shape).toEqual([1, 3, 3, 3, 3]);
    expect(F.convTranspose2d(torch.ones([1, 3, 4, 4]), torch.ones([3, 1, 3, 3]), null, { stride: 2 }).shape).toEqual([1, 1, 9, 9]);
    expect(F.convTranspose3d(torch.ones([1, 2, 2, 2, 2]), torch.ones([2, 1, 2, 2, 2])).shape).toEqual([1, 1, 3, 3, 3]);
    expect(new nn.Conv1d(16, 33, 3, { stride: 2 }).call(torch.randn([20, 16, 50])).shape).toEqual([20, 33, 24]);
    expect(new nn.Conv3d(4, 2, 3, { padding: 1 }).call(torch.randn([1, 4, 5, 5, 5])).shape).toEqual([1, 2, 5, 5, 5]);
    expect(new nn.ConvTranspose1d(4, 2, 3, { stride: 2 }).call(torch.randn([1, 4, 5])).shape).toEqual([1, 2, 11]);
    const up = new nn.ConvTranspose2d(3, 1, 3, { stride: 2 });
    expect(up.call(torch.randn([1, 3, 5, 5])).shape).toEqual([1, 1, 11, 11]);
    expect(up.call(torch.randn([1, 3, 5, 5]), [12, 12]).shape).toEqual([1, 1, 12, 12]);
    expect(new nn.ConvTranspose3d(2, 2, 2, { stride: 2 }).call(torch.randn([1, 2, 3, 3, 3])).shape).toEqual([1, 2, 6, 6, 6]);
  });

  it("the seed: Conv2d(3, 1, 3) and ConvTranspose2d(3, 1, 3, stride=2) on an image tensor", () => {
    const img = torch.rand([1, 3, 64, 48]);
    const conv = new nn.Conv2d(3, 1, 3); // weights: (o, i, h, w)
    expect(conv.weight.shape).toEqual([1, 3, 3, 3]);
    nn.init.xavierNormal_(conv.weight.data);
    const out = conv.call(img);
    expect(out.shape).toEqual([1, 1, 62, 46]);
    // H_out = floor((H_in + 2·padding − dilation·(k − 1) − 1) / stride + 1), the seed's formula.
    expect(out.shape[2]).toBe(torch.convOutputSize(64, 3));
    const up = new nn.ConvTranspose2d(3, 1, 3, { stride: 2 }); // weights: (i, o, h, w)
    expect(up.weight.shape).toEqual([3, 1, 3, 3]);
    expect(up.call(img).shape).toEqual([1, 1, torch.convTransposeOutputSize(64, 3, 2), 97]);
  });

  it("non-contiguous inputs and weights give the contiguous result", () => {
    const x = torch.randn([2, 5, 6, 3]).permute(0, 3, 1, 2); // [2, 3, 5, 6], channels-last memory
    const w = torch.randn([3, 4, 2, 2]).transpose(0, 1); // [4, 3, 2, 2]
    expectClose(F.conv2d(x, w, null, { padding: 1, stride: 2 }), F.conv2d(x.contiguous(), w.contiguous(), null, { padding: 1, stride: 2 }));
    const wt = torch.randn([2, 3, 3, 4]).transpose(0, 1);
    expectClose(F.convTranspose2d(x, wt, null, { stride: 2 }), F.convTranspose2d(x.contiguous(), wt.contiguous(), null, { stride: 2 }));
  });

  it("unbatched input is a batch of one", () => {
    const x = torch.randn([3, 7, 6]);
    const w = torch.randn([4, 3, 3, 2]);
    const b = torch.randn([4]);
    expectClose(F.conv2d(x, w, b, { padding: [1, 0] }), F.conv2d(x.unsqueeze(0), w, b, { padding: [1, 0] }).squeeze(0));
    const wt = torch.randn([3, 2, 2, 2]);
    expectClose(F.convTranspose2d(x, wt, null, { stride: 2 }), F.convTranspose2d(x.unsqueeze(0), wt, null, { stride: 2 }).squeeze(0));
  });

  it("empty batch", () => {
    const x = torch.zeros([0, 3, 5, 5]).requiresGrad_(true);
    const w = torch.randn([6, 3, 3, 3]).requiresGrad_(true);
    const y = F.conv2d(x, w);
    expect(y.shape).toEqual([0, 6, 3, 3]);
    y.sum().backward();
    expect(x.grad!.shape).toEqual([0, 3, 5, 5]);
    expect(Array.from(w.grad!.toTypedArray()).every((v) => v === 0)).toBe(true);
    expect(F.convTranspose2d(torch.zeros([0, 3, 2, 2]), torch.randn([3, 2, 2, 2])).shape).toEqual([0, 2, 3, 3]);
  });
});

describe("conv gradients (float64 gradcheck)", () => {
  it("conv1d with stride, padding, dilation, groups, bias", () => {
    expect(gradcheck((x, w, b) => F.conv1d(x, w, b, { stride: 2, padding: 2, dilation: 2, groups: 2 }), [f64([2, 4, 7]), f64([4, 2, 3]), f64([4])])).toBe(true);
  });
  it("conv2d with asymmetric stride/padding/dilation and groups", () => {
    expect(gradcheck((x, w, b) => F.conv2d(x, w, b, { stride: [2, 1], padding: [1, 2], dilation: [1, 2], groups: 2 }), [f64([1, 4, 5, 4]), f64([4, 2, 3, 2]), f64([4])])).toBe(true);
  });
  it("conv2d depthwise, padding 'same' with an even kernel, unbatched", () => {
    expect(gradcheck((x, w) => F.conv2d(x, w, null, { padding: "same", groups: 3 }), [f64([3, 4, 3]), f64([3, 1, 2, 2])])).toBe(true);
  });
  it("conv2d pointwise (1x1) on a non-contiguous input", () => {
    const x = f64([1, 3, 4, 2]);
    expect(gradcheck((a, w, b) => F.conv2d(a.transpose(2, 3), w, b), [x, f64([2, 3, 1, 1]), f64([2])])).toBe(true);
  });
  it("conv3d with stride and padding", () => {
    expect(gradcheck((x, w, b) => F.conv3d(x, w, b, { stride: [1, 2, 1], padding: [1, 0, 1] }), [f64([1, 2, 3, 4, 2]), f64([2, 2, 2, 2, 2]), f64([2])])).toBe(true);
  });
  it("convTranspose1d with output padding from dilation", () => {
    expect(gradcheck((x, w, b) => F.convTranspose1d(x, w, b, { stride: 1, dilation: 2, outputPadding: 1 }), [f64([2, 2, 3]), f64([2, 3, 2]), f64([3])])).toBe(true);
  });
  it("convTranspose2d with stride, padding, output padding, dilation, groups", () => {
    const opts = { stride: [2, 3], padding: [1, 0], outputPadding: [1, 2], dilation: [1, 2], groups: 2 };
    expect(gradcheck((x, w, b) => F.convTranspose2d(x, w, b, opts), [f64([1, 4, 2, 3]), f64([4, 1, 3, 2]), f64([2])])).toBe(true);
  });
  it("convTranspose3d", () => {
    expect(gradcheck((x, w, b) => F.convTranspose3d(x, w, b, { stride: 2, padding: [0, 1, 0] }), [f64([1, 2, 2, 2, 2]), f64([2, 1, 2, 3, 2]), f64([1])])).toBe(true);
  });
  it("double backward of conv2d and convTranspose2d", () => {
    expect(gradgradcheck((x, w, b) => F.conv2d(x, w, b, { stride: 2, padding: 1, groups: 2 }), [f64([1, 2, 4, 3]), f64([2, 1, 2, 2]), f64([2])])).toBe(true);
    expect(gradgradcheck((x, w, b) => F.convTranspose2d(x, w, b, { stride: 2, outputPadding: 1 }), [f64([1, 2, 2, 2]), f64([2, 1, 2, 2]), f64([1])])).toBe(true);
  });
  it("node names follow PyTorch", () => {
    const x = f64([1, 2, 4, 4]);
    const w = f64([3, 2, 3, 3]);
    const y = F.conv2d(x, w);
    expect(y.gradFn!.name).toBe("ConvolutionBackward0");
    expect(F.convTranspose2d(x, f64([2, 3, 3, 3])).gradFn!.name).toBe("ConvolutionBackward0");
    const [gx, gw] = torch.autograd.grad([y.sum()], [x, w], undefined, { createGraph: true });
    expect(gx!.gradFn!.name).toBe("ConvolutionBackwardBackward0");
    expect(gw!.gradFn!.name).toBe("ConvolutionBackwardBackward0");
  });
  it("an in-place change of a saved input is caught at backward", () => {
    const x = torch.randn([1, 2, 4, 4]).requiresGrad_(true);
    const h = x.mul(2);
    const y = F.conv2d(h, torch.randn([1, 2, 3, 3]).requiresGrad_(true));
    h.mul_(3);
    expect(() => y.sum().backward()).toThrow(/modified by an inplace operation/);
  });
});

describe("conv errors (PyTorch's wording)", () => {
  const msg = (f: () => unknown): string => {
    try {
      f();
    } catch (e) {
      return (e as Error).message;
    }
    return "no error";
  };
  it("channel count, kernel size, bias, groups", () => {
    const m = new nn.Conv2d(3, 6, 3);
    expect(msg(() => m.call(torch.zeros([64, 4, 32, 32])))).toBe(
      "conv2d: Given groups=1, weight of size [6, 3, 3, 3], expected input[64, 4, 32, 32] to have 3 channels, but got 4 channels instead",
    );
    expect(msg(() => F.conv2d(torch.zeros([1, 3, 2, 2]), torch.zeros([6, 3, 3, 3])))).toBe(
      "conv2d: Calculated padded input size per channel: (2 x 2). Kernel size: (3 x 3). Kernel size can't be greater than actual input size",
    );
    expect(msg(() => F.conv1d(torch.zeros([1, 4, 2]), torch.zeros([4, 4, 3])))).toMatch(/padded input size per channel: \(2\)\. Kernel size: \(3\)\./);
    expect(msg(() => F.conv2d(torch.zeros([2, 3, 5, 5]), torch.zeros([6, 3, 3, 3]), torch.zeros([5])))).toBe(
      "conv2d: Given weight of size [6, 3, 3, 3], expected bias to be 1-dimensional with 6 elements, but got bias of size [5] instead",
    );
    expect(msg(() => F.conv2d(torch.zeros([2, 4, 5, 5]), torch.zeros([6, 2, 3, 3]), null, { groups: 4 }))).toBe(
      "conv2d: Given groups=4, expected weight to be divisible by 4 at dimension 0, but got weight of size [[6, 2, 3, 3]] instead",
    );
    expect(msg(() => F.convTranspose2d(torch.zeros([1, 4, 5, 5]), torch.zeros([4, 2, 3, 3]), null, { groups: 8 }))).toBe(
      "convTranspose2d: Given groups=8, expected weight to be at least 8 at dimension 0, but got weight of size [4, 2, 3, 3] instead",
    );
    expect(msg(() => F.convTranspose2d(torch.zeros([1, 4, 5, 5]), torch.zeros([4, 2, 3, 3]), torch.zeros([3])))).toBe(
      "convTranspose2d: Given transposed=1, weight of size [4, 2, 3, 3], expected bias to be 1-dimensional with 2 elements, but got bias of size [3] instead",
    );
  });
  it("argument values and lengths", () => {
    const x = torch.zeros([2, 3, 5, 5]);
    const w = torch.zeros([6, 3, 3, 3]);
    expect(msg(() => F.conv2d(x, w, null, { stride: 0 }))).toBe("conv2d: non-positive stride is not supported");
    expect(msg(() => F.conv2d(x, w, null, { padding: -1 }))).toBe("conv2d: negative padding is not supported");
    expect(msg(() => F.conv2d(x, w, null, { dilation: 0 }))).toBe("conv2d: non-positive dilation is not supported");
    expect(msg(() => F.conv2d(x, w, null, { groups: 0 }))).toBe("conv2d: non-positive groups is not supported");
    expect(msg(() => F.conv2d(x, w, null, { stride: [1, 1, 1] }))).toBe(
      "conv2d: expected stride to be a single integer value or a list of 2 values to match the convolution dimensions, but got stride=[1, 1, 1]",
    );
    expect(msg(() => F.conv2d(x, w, null, { padding: "same", stride: 2 }))).toBe("conv2d: padding='same' is not supported for strided convolutions");
    expect(msg(() => F.conv2d(x, w, null, { padding: "foo" as any }))).toBe("conv2d: Invalid padding string: 'foo'");
    expect(msg(() => F.conv2d(torch.zeros([3, 5]), w))).toBe("Expected 3D (unbatched) or 4D (batched) input to conv2d, but got input of size: [3, 5]");
    expect(msg(() => F.conv1d(torch.zeros([2, 4, 3]), torch.zeros([4, 4])))).toBe("conv1d: weight should have at least three dimensions");
    expect(msg(() => F.conv2d(x, torch.zeros([6, 3, 0, 3])))).toBe("conv2d: kernel size should be greater than zero, but got kernel_height: 0 kernel_width: 3");
    expect(msg(() => F.conv2d(torch.zeros([1, 4, 0, 3]), torch.zeros([4, 4, 1, 1]), null, { padding: 1 }))).toBe(
      "conv2d: Only zero batch or zero channel inputs are supported, but got input shape: [1, 4, 0, 3]",
    );
  });
  it("dtypes", () => {
    const x = torch.zeros([1, 3, 5, 5]);
    expect(msg(() => F.conv2d(x, torch.zeros([6, 3, 3, 3], { dtype: "float64" })))).toBe(
      "conv2d: Input type (float) and weight type (double) should be the same",
    );
    expect(msg(() => F.conv2d(x, torch.zeros([6, 3, 3, 3]), torch.zeros([6], { dtype: "float64" })))).toBe(
      "conv2d: Input type (float) and bias type (double) should be the same",
    );
    expect(msg(() => F.conv2d(x.long(), torch.zeros([6, 3, 3, 3]).long()))).toMatch(/float32 and float64 only, but got input of dtype int64/);
  });
  it("transposed: output padding, dilation, output size, checked when the module runs", () => {
    const x = torch.zeros([1, 4, 5, 5]);
    const w = torch.zeros([4, 2, 3, 3]);
    expect(msg(() => F.convTranspose2d(x, w, null, { outputPadding: 1 }))).toBe(
      "convTranspose2d: output padding must be smaller than either stride or dilation, but got output_padding_height: 1 " +
        "output_padding_width: 1 stride_height: 1 stride_width: 1 dilation_height: 1 dilation_width: 1",
    );
    expect(msg(() => F.convTranspose3d(torch.zeros([1, 4, 2, 2, 2]), torch.zeros([4, 2, 3, 3, 3]), null, { outputPadding: 1 }))).toMatch(
      /output_padding_depth: 1 output_padding_height: 1 output_padding_width: 1 stride_depth: 1/,
    );
    expect(msg(() => F.convTranspose1d(torch.zeros([1, 4, 5]), torch.zeros([4, 2, 3]), null, { dilation: 0 }))).toBe(
      "convTranspose1d: dilation should be greater than zero, but got dilation_height: 1, dilation_width: 0",
    );
    expect(msg(() => F.convTranspose2d(torch.zeros([1, 4, 1, 1]), w, null, { padding: [1, 2] }))).toBe(
      "convTranspose2d: Given input size per channel: (1 x 1). Calculated output size per channel: (1 x -1). Output size is too small",
    );
    expect(msg(() => F.convTranspose2d(x, w, null, { outputPadding: -1 }))).toBe("convTranspose2d: negative output_padding is not supported");
    // The module accepts the output padding; the rule is PyTorch's forward-time check.
    const m = new nn.ConvTranspose2d(4, 2, 3, { outputPadding: 2 });
    expect(msg(() => m.call(x))).toMatch(/^convTranspose2d: output padding must be smaller than either stride or dilation/);
    const up = new nn.ConvTranspose2d(4, 2, 3, { stride: 2 });
    expect(msg(() => up.call(x, [20, 20]))).toBe(
      "ConvTranspose2D: requested an output size of [20, 20], but valid sizes range from [11, 11] to [12, 12] (for an input of [5, 5])",
    );
    expect(msg(() => up.call(x, [12]))).toBe("ConvTranspose2D: for 4D input, output_size must have 2 or 4 elements (got 1)");
    expect(msg(() => up.call(torch.zeros([4, 5, 5]), [1, 4, 12, 12]))).toBe(
      "ConvTranspose2D: for 3D input, output_size must have 2 or 3 elements (got 4)",
    );
    expect(up.call(torch.zeros([4, 5, 5]), [2, 12, 11]).shape).toEqual([2, 12, 11]);
  });
  it("module constructors", () => {
    expect(msg(() => new nn.Conv2d(4, 2, 3, { groups: 3 }))).toBe("Conv2d: in_channels must be divisible by groups");
    expect(msg(() => new nn.Conv2d(4, 2, 3, { groups: 4 }))).toBe("Conv2d: out_channels must be divisible by groups");
    expect(msg(() => new nn.Conv2d(4, 2, 3, { groups: 0 }))).toBe("Conv2d: groups must be a positive integer");
    expect(msg(() => new nn.Conv2d(4, 2, 3, { padding: "foo" as any }))).toBe(
      "Conv2d: Invalid padding string 'foo', should be one of {'same', 'valid'}",
    );
    expect(msg(() => new nn.Conv2d(4, 2, 3, { padding: "same", stride: 2 }))).toBe("Conv2d: padding='same' is not supported for strided convolutions");
    expect(msg(() => new nn.Conv1d(4, 2, 3, { paddingMode: "foo" as any }))).toBe(
      "Conv1d: padding_mode must be one of {'zeros', 'reflect', 'replicate', 'circular'}, but got padding_mode='foo'",
    );
    expect(msg(() => new nn.ConvTranspose2d(4, 2, 3, { paddingMode: "reflect" as any }))).toBe(
      'ConvTranspose2d: Only "zeros" padding mode is supported for ConvTranspose2d',
    );
    expect(msg(() => new nn.Conv2d(4, 2, [3, 3, 3]))).toMatch(/^Conv2d: kernel_size must be an int or a tuple of 2 ints/);
  });
});

describe("conv modules", () => {
  it("parameters, shapes and dtype", () => {
    const c = new nn.Conv2d(4, 6, [3, 2], { groups: 2 });
    expect(c.namedParameters().map(([n, p]) => [n, p.shape])).toEqual([["weight", [6, 2, 3, 2]], ["bias", [6]]]);
    const t = new nn.ConvTranspose2d(4, 6, 3, { groups: 2, bias: false });
    expect(t.weight.shape).toEqual([4, 3, 3, 3]);
    expect(t.bias).toBeNull();
    expect(Object.keys(t.stateDict())).toEqual(["weight"]);
    const d = new nn.Conv1d(2, 2, 3, { dtype: "float64" });
    expect([d.weight.dtype, d.bias!.dtype]).toEqual(["float64", "float64"]);
    expect(d.call(torch.randn([2, 5], { dtype: "float64" })).dtype).toBe("float64");
  });

  it("prints exactly as PyTorch", () => {
    expect(String(new nn.Conv2d(3, 6, 3))).toBe("Conv2d(3, 6, kernel_size=(3, 3), stride=(1, 1))");
    expect(String(new nn.Conv2d(3, 6, [3, 5], { stride: 2, padding: 1, dilation: 2, groups: 3, bias: false, paddingMode: "reflect" }))).toBe(
      "Conv2d(3, 6, kernel_size=(3, 5), stride=(2, 2), padding=(1, 1), dilation=(2, 2), groups=3, bias=False, padding_mode=reflect)",
    );
    expect(String(new nn.Conv2d(3, 6, 3, { padding: "same" }))).toBe("Conv2d(3, 6, kernel_size=(3, 3), stride=(1, 1), padding=same)");
    expect(String(new nn.Conv2d(3, 6, 3, { padding: "valid" }))).toBe("Conv2d(3, 6, kernel_size=(3, 3), stride=(1, 1), padding=valid)");
    expect(String(new nn.Conv1d(3, 6, 3))).toBe("Conv1d(3, 6, kernel_size=(3,), stride=(1,))");
    expect(String(new nn.Conv3d(3, 6, 3, { padding: [0, 0, 0], dilation: [1, 1, 1] }))).toBe("Conv3d(3, 6, kernel_size=(3, 3, 3), stride=(1, 1, 1))");
    expect(String(new nn.ConvTranspose2d(3, 6, 3, { outputPadding: 1, stride: 2 }))).toBe(
      "ConvTranspose2d(3, 6, kernel_size=(3, 3), stride=(2, 2), output_padding=(1, 1))",
    );
    expect(String(new nn.ConvTranspose2d(3, 6, 3, { stride: 2, bias: false }))).toBe("ConvTranspose2d(3, 6, kernel_size=(3, 3), stride=(2, 2), bias=False)");
    expect(String(new nn.ConvTranspose1d(3, 6, 3))).toBe("ConvTranspose1d(3, 6, kernel_size=(3,), stride=(1,))");
  });

  it("default init: kaiming_uniform(a=√5) and bias U(±1/√fan_in), with the transposed fan-in rule", () => {
    // fan_in = weight.size(1)·prod(k): (16/1)·9 for Conv2d(16, 8, 3); (8/1)·9 for ConvTranspose2d(16, 8, 3).
    for (const [m, fanIn] of [[new nn.Conv2d(16, 8, 3), 144], [new nn.ConvTranspose2d(16, 8, 3), 72], [new nn.Conv1d(6, 20, 5, { groups: 2 }), 15]] as const) {
      const bound = 1 / Math.sqrt(fanIn);
      for (const p of [m.weight, m.bias!]) {
        const v = Array.from(p.toTypedArray());
        const maxAbs = Math.max(...v.map(Math.abs));
        expect(maxAbs).toBeLessThanOrEqual(bound);
        // Many draws from U(±bound) come close to the bound (and are not all zero).
        if (v.length >= 20) expect(maxAbs).toBeGreaterThan(0.7 * bound);
      }
    }
  });

  it("padding modes pad explicitly, then convolve without padding", () => {
    const x = torch.randn([2, 3, 5, 6]);
    for (const mode of ["reflect", "replicate", "circular"] as const) {
      const m = new nn.Conv2d(3, 4, 3, { padding: [1, 2], paddingMode: mode });
      const expected = F.conv2d(torch.pad(x, [2, 2, 1, 1], mode), m.weight, m.bias);
      expectClose(m.call(x), expected);
      // Unbatched input runs as a batch of one (PyTorch 2.x; 1.13's circular pad refused it).
      const x0 = torch.randn([3, 5, 6]);
      expectClose(m.call(x0), m.call(x0.unsqueeze(0)).squeeze(0));
    }
    const same = new nn.Conv1d(2, 2, 4, { padding: "same", paddingMode: "circular" });
    const x1 = torch.randn([1, 2, 7]);
    expectClose(same.call(x1), F.conv1d(torch.pad(x1, [1, 2], "circular"), same.weight, same.bias));
  });

  it("forward + backward through a module reaches weight and bias", () => {
    const m = new nn.Conv2d(3, 6, 3);
    const x = torch.randn([4, 3, 8, 8]).requiresGrad_(true);
    m.call(x).sum().backward();
    expect(m.weight.grad!.shape).toEqual([6, 3, 3, 3]);
    // d Σy / d bias = number of output positions per channel.
    expect(Array.from(m.bias!.grad!.toTypedArray())).toEqual(new Array(6).fill(4 * 6 * 6));
    expect(x.grad!.shape).toEqual([4, 3, 8, 8]);
  });
});
