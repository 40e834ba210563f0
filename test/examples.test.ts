/**
 * Every program in examples/ runs, and prints what its seed prints when run by PyTorch on the same data:
 * each example has a Python twin below (the seed's code, reading the same CIFAR-format or Fashion-MNIST
 * files). Printed numbers are compared with a tolerance, everything else exactly; images logged to
 * TensorBoard are compared pixel by pixel with what PyTorch's `add_images` would log.
 *
 * The examples import `torch-ts` as users do; here that name is mapped to src/ (a Vite alias), so the tests
 * need no build. test/start.test.ts runs one against the built package.
 */
import { execFile, execFileSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { findEventFiles, readEvents } from "../src/tensorboard/index.js";
import { decodePng } from "../src/vision/png.js";
import { PY_PRELUDE, pythonAsync, REPO, SAMPLE } from "./cli-fixtures.js";

const EXAMPLES = join(REPO, "examples");
const VITE_NODE = join(REPO, "node_modules", ".bin", "vite-node");
let tmp: string;
let config: string;
let cifarRoot: string;

/** The package's entry points, mapped to the sources. */
const ENTRY_POINTS: Record<string, string> = {
  "torch-ts": "src/index.ts",
  "torch-ts/node": "src/node.ts",
  "torch-ts/tensorboard": "src/tensorboard/index.ts",
  "torch-ts/vision": "src/vision/index.ts",
  "torch-ts/vision/transforms": "src/vision/transforms/index.ts",
};

function runExample(file: string, cwd: string, args: string[] = []): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(
      VITE_NODE,
      ["--config", config, join(EXAMPLES, file), ...args],
      { cwd, encoding: "utf8", timeout: 600_000, maxBuffer: 64 * 1024 * 1024, env: { ...process.env, CIFAR10_ROOT: cifarRoot } },
      (e, stdout, stderr) => (e ? reject(new Error(`${file} failed: ${e.message}\n${stderr}`)) : resolve(stdout)),
    );
  });
}

beforeAll(() => {
  tmp = mkdtempSync(join(tmpdir(), "torch-ts-examples-"));
  config = join(tmp, "vite.config.mjs");
  const alias = Object.entries(ENTRY_POINTS).map(([name, path]) => ({ find: new RegExp(`^${name.replace("/", "\\/")}$`), replacement: join(REPO, path) }));
  writeFileSync(config, `export default { resolve: { alias: [${alias.map((a) => `{ find: ${a.find}, replacement: ${JSON.stringify(a.replacement)} }`).join(", ")}] } };\n`);
  // A small CIFAR-format set (130 test images: batches of 64, 64 and 2), made by the examples' own helper.
  cifarRoot = join(tmp, "cifar");
  const maker = join(tmp, "make-cifar.ts");
  writeFileSync(maker, `import { writeCifarFormat } from ${JSON.stringify(join(EXAMPLES, "cifar10-data.ts"))};\nwriteCifarFormat(${JSON.stringify(cifarRoot)}, ${JSON.stringify(SAMPLE)}, 130);\n`);
  execFileSync(VITE_NODE, ["--config", config, maker], { cwd: tmp, encoding: "utf8" });
}, 120_000);
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/** Python helpers for the twins: the CIFAR-format test set as tensors, and TensorBoard's image grid. */
const PY_CIFAR = `${PY_PRELUDE}
import os
from torch.utils.data import DataLoader, TensorDataset
raw = np.fromfile(os.path.join(os.environ["CIFAR10_ROOT"], "cifar-10-batches-bin", "test_batch.bin"), dtype=np.uint8).reshape(-1, 3073)
images = torch.tensor(raw[:, 1:].reshape(-1, 3, 32, 32).copy()).float().div(255)
labels = torch.tensor(raw[:, 0].astype(np.int64))
dataset = TensorDataset(images, labels)
logged = {}
def add_images(tag, imgs, step):
    # torch.utils.tensorboard's add_images: make_grid (min(N, 8) columns, no padding), x255, clip, uint8.
    I = imgs.detach().numpy()
    if I.shape[1] == 1:
        I = np.concatenate([I, I, I], 1)
    n, _, h, w = I.shape
    cols = min(n, 8)
    rows = int(np.ceil(n / cols))
    canvas = np.zeros((3, h * rows, w * cols), dtype=I.dtype)
    for i in range(n):
        y, x = divmod(i, cols)
        canvas[:, y * h:(y + 1) * h, x * w:(x + 1) * w] = I[i]
    logged[f"{tag}/{step}"] = (canvas.transpose(1, 2, 0).astype(np.float32) * 255).clip(0, 255).astype(np.uint8).flatten().tolist()
def dump_images():
    json.dump(logged, open(os.environ["IMAGES_OUT"], "w"))
`;

/** The twin's stdout in JavaScript's spelling: `torch.Size([2, 3])` prints as `[ 2, 3 ]`. */
function jsSpelling(py: string): string {
  return py.replace(/torch\.Size\(\[([^\]]*)\]\)/g, (_, dims: string) => (dims ? `[ ${dims} ]` : "[]"));
}

const NUMBER = /-?\d+(?:\.\d+)?(?:e[-+]?\d+)?/g;

/** Same text with every number replaced by `#`, and the numbers, for comparing with a tolerance. */
function split(text: string): { skeleton: string; numbers: number[] } {
  return { skeleton: text.replace(NUMBER, "#"), numbers: (text.match(NUMBER) ?? []).map(Number) };
}

function expectSameOutput(ours: string, pytorch: string, tol: number, what: string): void {
  const a = split(ours.trimEnd());
  const b = split(jsSpelling(pytorch).trimEnd());
  expect(a.skeleton, `${what}: text`).toBe(b.skeleton);
  expect(a.numbers.length).toBe(b.numbers.length);
  a.numbers.forEach((v, i) => expect(Math.abs(v - b.numbers[i]), `${what}: number #${i} (${v} vs ${b.numbers[i]})`).toBeLessThanOrEqual(tol));
}

/** The images our example logged under `logdir`, by `tag/step`. */
function loggedImages(logdir: string): Record<string, Uint8Array> {
  const out: Record<string, Uint8Array> = {};
  for (const f of findEventFiles(logdir)) {
    for (const e of readEvents(f).events) {
      for (const v of e.summary?.value ?? []) if (v.image) out[`${v.tag}/${e.step}`] = decodePng(v.image.encodedImageString).data;
    }
  }
  return out;
}

function expectSameImages(ours: Record<string, Uint8Array>, imagesJson: string, what: string): void {
  const ref = JSON.parse(readFileSync(imagesJson, "utf8")) as Record<string, number[]>;
  expect(Object.keys(ours).sort(), what).toEqual(Object.keys(ref).sort());
  for (const [key, pixels] of Object.entries(ref)) {
    const mine = ours[key];
    expect(mine.length, `${what} ${key}`).toBe(pixels.length);
    // One level of difference is a float32 rounding on the other side of an integer after x255.
    let off = 0;
    for (let i = 0; i < pixels.length; i++) if (Math.abs(mine[i] - pixels[i]) > 1) off++;
    expect(off, `${what} ${key}: pixels more than one level away from PyTorch's`).toBe(0);
  }
}

/** Runs the example, then its Python twin in the same directory (the twin may read what the example wrote). */
async function runBoth(file: string, twin: string, opts: { args?: string[] } = {}) {
  const cwd = join(tmp, file.replace(/\.ts$/, ""));
  mkdirSync(cwd, { recursive: true });
  const ours = await runExample(file, cwd, opts.args);
  const imagesJson = join(cwd, "pytorch-images.json");
  const theirs = await pythonAsync(twin, opts.args ?? [], { cwd, env: { CIFAR10_ROOT: cifarRoot, IMAGES_OUT: imagesJson } });
  return { cwd, ours, theirs, imagesJson };
}

describe("examples/", () => {
  it("typecheck against the package's API", async () => {
    const tsconfig = join(tmp, "tsconfig.json");
    writeFileSync(
      tsconfig,
      JSON.stringify({
        extends: join(REPO, "tsconfig.json"),
        compilerOptions: {
          noEmit: true,
          baseUrl: REPO,
          typeRoots: [join(REPO, "node_modules", "@types")],
          paths: Object.fromEntries(Object.entries(ENTRY_POINTS).map(([k, v]) => [k, [`./${v}`]])),
        },
        include: [join(EXAMPLES, "*.ts")],
      }),
    );
    const output = await new Promise<string>((resolve) => {
      execFile(join(REPO, "node_modules", ".bin", "tsc"), ["-p", tsconfig], { encoding: "utf8" }, (e, stdout, stderr) => resolve(`${stdout}${stderr}${e ? `(exit ${e.code})` : ""}`));
    });
    expect(output).toBe("");
  }, 120_000);

  it("are each documented with the command that runs them", () => {
    const readme = readFileSync(join(EXAMPLES, "README.md"), "utf8");
    const programs = readdirSync(EXAMPLES).filter((f) => f.endsWith(".ts") && f !== "cifar10-data.ts");
    expect(programs.length).toBe(8);
    for (const f of programs) {
      expect(readme, f).toContain(`npx vite-node examples/${f}`);
      expect(readFileSync(join(EXAMPLES, f), "utf8"), f).toContain(`Run: npx vite-node examples/${f}`);
    }
  });

  it("unpooling.ts prints PyTorch's tensors exactly", async () => {
    const { ours, theirs } = await runBoth(
      "unpooling.ts",
      `${PY_PRELUDE}
torch.manual_seed(1)
img_tensor = torch.randint(high=5, size=(1, 1, 4, 4), dtype=torch.float)
maxpool_layer = nn.MaxPool2d((2, 2), stride=(2, 2), return_indices=True)
img_pool, indices = maxpool_layer(img_tensor)
img_reconstruct = torch.randn_like(img_pool, dtype=torch.float)
maxunpool_layer = nn.MaxUnpool2d((2, 2), stride=(2, 2))
img_unpool = maxunpool_layer(img_reconstruct, indices)
print("raw_img:\\n{}\\nimg_pool:\\n{}".format(img_tensor, img_pool))
print("img_reconstruct:\\n{}\\nimg_unpool:\\n{}".format(img_reconstruct, img_unpool))
print("indices:\\n{}".format(indices))
`,
    );
    expect(ours).toBe(theirs);
  });

  it("pooling.ts prints PyTorch's sizes and values and logs the same images", async () => {
    const { cwd, ours, theirs, imagesJson } = await runBoth(
      "pooling.ts",
      `${PY_CIFAR}
img_tensor = dataset[0][0].unsqueeze(0)
maxpool_layer = nn.MaxPool2d((2, 2), stride=(2, 2))
img_pool = maxpool_layer(img_tensor)
print("池化前尺寸:", img_tensor.shape, "\\n池化后尺寸:", img_pool.shape)
avgpoollayer = nn.AvgPool2d((2, 2), stride=(2, 2))
img_pool = avgpoollayer(img_tensor)
print("池化前尺寸:", img_tensor.shape, "\\n池化后尺寸:", img_pool.shape)
img_tensor = torch.ones((1, 1, 4, 4))
avgpool_layer = nn.AvgPool2d((2, 2), stride=(2, 2), divisor_override=3)
img_pool = avgpool_layer(img_tensor)
print("raw_img:\\n", img_tensor, "\\npooling_img:\\n", img_pool)
maxpool1 = nn.MaxPool2d(kernel_size=3, ceil_mode=False)
step = 0
for imgs, targets in DataLoader(dataset, batch_size=64):
    add_images("input", imgs, step)
    add_images("output", maxpool1(imgs), step)
    step = step + 1
print(f"logged {step} steps of input and output images to dataloader")
dump_images()
`,
    );
    expectSameOutput(ours, theirs, 0, "pooling.ts");
    expectSameImages(loggedImages(join(cwd, "dataloader")), imagesJson, "pooling.ts");
  });

  it("activations.ts logs the images PyTorch's seed logs", async () => {
    const { cwd, ours, theirs, imagesJson } = await runBoth(
      "activations.ts",
      `${PY_CIFAR}
sigmoid1 = nn.Sigmoid()
step = 0
for imgs, targets in DataLoader(dataset, batch_size=64):
    add_images("input", imgs, step)
    add_images("output", sigmoid1(imgs), step)
    step = step + 1
print(f"logged {step} steps of input and output images to logs")
dump_images()
`,
    );
    expectSameOutput(ours, theirs, 0, "activations.ts");
    expectSameImages(loggedImages(join(cwd, "logs")), imagesJson, "activations.ts");
  });

  it("activation-layers.ts prints PyTorch's outputs, gradients and grad_fn names", async () => {
    const { ours, theirs } = await runBoth(
      "activation-layers.ts",
      `${PY_PRELUDE}
torch.manual_seed(1)
layers = [
    ("nn.Sigmoid", nn.Sigmoid()),
    ("nn.Tanh", nn.Tanh()),
    ("nn.ReLU", nn.ReLU()),
    ("nn.LeakyReLU", nn.LeakyReLU(0.1)),
    ("nn.PReLU", nn.PReLU(1, 0.25)),
    ("nn.RReLU", nn.RReLU(0.1, 0.3)),
]
for name, layer in layers:
    x = torch.linspace(-3, 3, 7, requires_grad=True)
    y = layer(x)
    y.sum().backward()
    print(f"{name}: {layer}")
    print(f"  output: {y}")
    print(f"  grad:   {x.grad}")
prelu = layers[4][1]
print(f"PReLU weight and its gradient: {prelu.weight.data} {prelu.weight.grad}")
rrelu = layers[5][1]
rrelu.eval()
print(f"RReLU in eval: {rrelu(torch.linspace(-3, 3, 7))}")
`,
    );
    expectSameOutput(ours, theirs, 0, "activation-layers.ts");
    expect(ours).toContain("grad_fn=<RreluWithNoiseBackward0>");
  });

  it("linear.ts prints PyTorch's outputs and shapes", async () => {
    const { cwd, ours, theirs, imagesJson } = await runBoth(
      "linear.ts",
      `${PY_CIFAR}
inputs = torch.tensor([[1., 2, 3]])
linear_layer = nn.Linear(3, 4)
linear_layer.weight.data = torch.tensor([[1., 1., 1.], [2., 2., 2.], [3., 3., 3.], [4., 4., 4.]])
linear_layer.bias.data.fill_(0.5)
output = linear_layer(inputs)
print(inputs, inputs.shape)
print(linear_layer.weight.data, linear_layer.weight.data.shape)
print(output, output.shape)
model = nn.Linear(6144 * 32, 10)
step = 0
for imgs, targets in DataLoader(dataset, batch_size=64, drop_last=True):
    print("原图shape:", imgs.shape)
    add_images("input", imgs, step)
    output1 = model(torch.reshape(imgs, (1, 1, 1, -1)))
    output2 = model(torch.flatten(imgs))
    print("(法1°)线性层shape:", output1.shape)
    print("(法2°)线性层shape:", output2.shape)
    print("*" * 50)
    step = step + 1
dump_images()
`,
    );
    expectSameOutput(ours, theirs, 0, "linear.ts");
    expect(ours).toContain("tensor([[ 6.5000, 12.5000, 18.5000, 24.5000]], grad_fn=<AddmmBackward0>) [ 1, 4 ]");
    expectSameImages(loggedImages(join(cwd, "logs")), imagesJson, "linear.ts");
  });

  it("conv.ts prints PyTorch's sizes and values and logs the same feature maps", async () => {
    const { cwd, ours, theirs, imagesJson } = await runBoth(
      "conv.ts",
      `${PY_CIFAR}
torch.manual_seed(1)
img_tensor = dataset[0][0].unsqueeze(0)
conv_layer = nn.Conv2d(3, 1, 3)
nn.init.xavier_normal_(conv_layer.weight.data)
img_conv = conv_layer(img_tensor)
print("卷积前尺寸:", img_tensor.shape, "\\n卷积后尺寸:", img_conv.shape)
print("mean of the convolution:", f"{img_conv.mean().item():.4f}")
conv_layer = nn.ConvTranspose2d(3, 1, 3, stride=2)
nn.init.xavier_normal_(conv_layer.weight.data)
img_conv = conv_layer(img_tensor)
print("转置卷积前尺寸:", img_tensor.shape, "\\n转置卷积后尺寸:", img_conv.shape)
print("mean of the transposed convolution:", f"{img_conv.mean().item():.4f}")
conv1 = nn.Conv2d(3, 6, 3, 1, 0)
step = 0
with torch.no_grad():
    for imgs, targets in DataLoader(dataset, batch_size=64):
        output = conv1(imgs)
        add_images("input", imgs, step)
        add_images("output", torch.reshape(output, (-1, 3, 30, 30)), step)
        step = step + 1
print(f"logged {step} steps of input and output images to ./logs")
dump_images()
`,
    );
    expectSameOutput(ours, theirs, 2e-4, "conv.ts");
    expectSameImages(loggedImages(join(cwd, "logs")), imagesJson, "conv.ts");
  });

  it("sequential.ts prints PyTorch's models, shapes and logits", async () => {
    const { ours, theirs } = await runBoth(
      "sequential.ts",
      `${PY_PRELUDE}
torch.manual_seed(1)
x, y = fashion(sys.argv[1], "t10k", normalize=False)
# Creating the loader's iterator draws its base seed from the default generator, as the example's does.
imgs, targets = next(iter(torch.utils.data.DataLoader(torch.utils.data.TensorDataset(x, y), batch_size=64)))
print("images:", imgs.shape, "targets:", targets.shape)
model = nn.Sequential(nn.Conv2d(1, 20, 5), nn.ReLU(), nn.Conv2d(20, 64, 5), nn.ReLU())
print(model)
print("output:", model(imgs).shape)
net = nn.Sequential(nn.Conv2d(1, 6, kernel_size=5, padding=2), nn.Sigmoid(), nn.AvgPool2d(kernel_size=2, stride=2),
    nn.Conv2d(6, 16, kernel_size=5), nn.Sigmoid(), nn.AvgPool2d(kernel_size=2, stride=2), nn.Flatten(),
    nn.Linear(16 * 5 * 5, 120), nn.Sigmoid(), nn.Linear(120, 84), nn.Sigmoid(), nn.Linear(84, 10))
X = torch.rand(size=(1, 1, 28, 28), dtype=torch.float32)
for layer in net:
    X = layer(X)
    print(layer.__class__.__name__, "output shape: \\t", X.shape)
print("logits of the first image:", net(imgs[:1]))
print("Flatten:", nn.Flatten()(torch.ones((64, 3, 32, 32))).shape, "torch.flatten:", torch.flatten(torch.ones((64, 3, 32, 32))).shape)
class Tudui(nn.Module):
    def __init__(self):
        super(Tudui, self).__init__()
        self.model1 = nn.Sequential(nn.Conv2d(3, 32, 5, padding=2), nn.MaxPool2d(2), nn.Conv2d(32, 32, 5, padding=2), nn.MaxPool2d(2),
            nn.Conv2d(32, 64, 5, padding=2), nn.MaxPool2d(2), nn.Flatten(), nn.Linear(1024, 64), nn.Linear(64, 10))
    def forward(self, x):
        x = self.model1(x)
        return x
tudui = Tudui()
print(tudui)
input = torch.ones((64, 3, 32, 32))
output = tudui(input)
print(output.shape)
`,
      { args: [SAMPLE] },
    );
    expectSameOutput(ours, theirs, 2e-4, "sequential.ts");
  });

  it("train-save-predict.ts trains as PyTorch does, and its saved model reloads in PyTorch", async () => {
    const { cwd, ours, theirs } = await runBoth(
      "train-save-predict.ts",
      `${PY_PRELUDE}
root = sys.argv[1]
xtr, ytr = fashion(root, "train")
xte, yte = fashion(root, "t10k")
classes = ["T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot"]
torch.manual_seed(0)
model = lenet()
optimizer = torch.optim.Adam(model.parameters(), lr=0.003)
loss_fn = nn.CrossEntropyLoss()
g = torch.Generator()
g.manual_seed(1)
model.train()
step = 0
for x, y in torch.utils.data.DataLoader(torch.utils.data.TensorDataset(xtr, ytr), batch_size=16, shuffle=True, generator=g):
    loss = loss_fn(model(x), y)
    optimizer.zero_grad()
    loss.backward()
    optimizer.step()
    step += 1
    if step % 75 == 0:
        print(f"step {step}: loss {loss.item():.4f}")
model.eval()
with torch.no_grad():
    pred = model(xte).argmax(1)
print(f"test accuracy: {(pred == yte).float().mean().item() * 100:.1f}% on {len(yte)} images")
state, _ = read_safetensors("lenet.safetensors")
reloaded = lenet()
reloaded.load_state_dict(state)
reloaded.eval()
with torch.no_grad():
    again = reloaded(xte).argmax(1)
print(f"saved lenet.safetensors; the reloaded model predicts the same: {str(bool((again == pred).all())).lower()}")
print("first predictions: " + ", ".join(f"{classes[again[i]]} (true: {classes[yte[i]]})" for i in range(8)))
`,
      { args: [SAMPLE] },
    );
    expect(existsSync(join(cwd, "lenet.safetensors"))).toBe(true);
    // Same initialization and batch order: the losses agree to float32 rounding, accumulated over 375 steps.
    expectSameOutput(ours, theirs, 2e-3, "train-save-predict.ts");
    expect(ours).toContain("the reloaded model predicts the same: true");
  }, 300_000);
});
