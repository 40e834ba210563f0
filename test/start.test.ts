/**
 * `npm start` from a fresh clone: builds, trains one epoch, visualizes, and prints where everything is. Checks
 * the printed accuracy against PyTorch running the same recipe, the event files (read back with
 * `readEvents`), the PNG files and the checkpoint (reloaded here and in PyTorch, predicting the same); then
 * Ctrl-C in the middle of an epoch.
 */
import { spawn } from "node:child_process";
import { existsSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import * as torch from "../src/index.js";
import { load } from "../src/node.js";
import { LeNet } from "../src/models/index.js";
import { findEventFiles, readEvents, type ReadEvent } from "../src/tensorboard/index.js";
import { datasets } from "../src/vision/index.js";
import { decodePng } from "../src/vision/png.js";
import { modelTransform, DATASETS } from "../src/cli/data.js";
import { QUICKSTART } from "../src/cli/commands/start.js";
import { freshCopy, PY_PRELUDE, pytorchTrain, python, SAMPLE, type TwinResult } from "./cli-fixtures.js";

let clone: string;
let run: { status: number | null; stdout: string; stderr: string };
let base: string;
let reference: Promise<TwinResult> | null = null;
/** PyTorch trained with the quick start's recipe (computed once). */
const pytorchQuickstart = (): Promise<TwinResult> =>
  (reference ??= pytorchTrain({ root: SAMPLE, model: "lenet", optimizer: "adam", lr: QUICKSTART.lr, batchSize: QUICKSTART.batchSize, epochs: 1, seed: 0 }));

function eventsOf(dir: string): ReadEvent[] {
  return findEventFiles(dir).flatMap((f) => readEvents(f).events);
}
const values = (events: ReadEvent[], tag: string) => events.flatMap((e) => (e.summary?.value ?? []).filter((v) => v.tag === tag).map((v) => ({ step: e.step, v })));

/** Runs a command to the end without blocking the test worker's event loop. */
function runAsync(cmd: string, args: string[], cwd: string): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(cmd, args, { cwd, env: { ...process.env, FORCE_COLOR: "0" } });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
    child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    child.on("close", (status) => resolve({ status, stdout, stderr }));
  });
}

beforeAll(async () => {
  clone = freshCopy("torch-ts-start-");
  expect(existsSync(join(clone, "dist"))).toBe(false);
  run = await runAsync("npm", ["start"], clone);
  const m = /TensorBoard logs: (\S+)\//.exec(run.stdout);
  base = m ? join(clone, m[1]) : "";
}, 900_000);

afterAll(() => {
  if (clone) rmSync(clone, { recursive: true, force: true });
});

describe("npm start from a fresh clone", () => {
  it("builds, trains, visualizes and says where everything is", () => {
    expect(run.stderr.replace(/npm warn[^\n]*\n/gi, "")).toBe("");
    expect(run.status).toBe(0);
    const out = run.stdout;
    expect(out).toMatch(/building dist\/ \(tsc\)/);
    expect(out).toMatch(/training lenet \(61,706 parameters\) on fashion-mnist from the shipped sample: 6000 training \/ 1000 test images/);
    expect(out).toMatch(/epoch 1\/1 +100% +375\/375 +loss \d\.\d{4} +acc \d+\.\d% +\d+ img\/s +in \d+:\d\d +test acc \d+\.\d%/);
    expect(out).toMatch(/TensorBoard logs: runs\/[^/]+_quickstart\//);
    expect(out).toMatch(/images \(PNG\): +runs\/[^/]+_quickstart\/visualize\/images\//);
    expect(out).toMatch(/checkpoint: +runs\/[^/]+_quickstart\/train\/checkpoint\.safetensors/);
    expect(out).toMatch(/open the board: +npx torch-ts board --logdir runs\/[^/]+_quickstart +then browse http:\/\/127\.0\.0\.1:6006/);
  });

  it("reaches the accuracy PyTorch reaches with the same recipe (same init, same shuffling)", async () => {
    const acc = Number(/test accuracy: (\d+\.\d)% \((\d+)\/1000 test images\)/.exec(run.stdout)![1]) / 100;
    const ref = await pytorchQuickstart();
    console.log(`[start] test accuracy ${(acc * 100).toFixed(1)}%, PyTorch ${(ref.accuracies[0] * 100).toFixed(1)}%`);
    // Same weights and batch order; float32 rounding differences may move a handful of borderline images.
    expect(Math.abs(acc - ref.accuracies[0])).toBeLessThanOrEqual(0.01);
    expect(acc).toBeGreaterThan(0.6);
  });

  it("logs scalars, images and histograms that read back", async () => {
    const train = eventsOf(join(base, "train"));
    const losses = values(train, "train/loss");
    expect(losses.map((l) => l.step)).toEqual(Array.from({ length: 375 }, (_, i) => i + 1));
    const ref = await pytorchQuickstart();
    // The first steps agree to float32 precision; later ones drift by rounding only.
    for (let i = 0; i < 20; i++) expect(losses[i].v.simpleValue).toBeCloseTo(ref.losses[i], 4);
    const acc = values(train, "epoch/test_accuracy");
    expect(acc).toHaveLength(1);
    const printed = Number(/test accuracy: (\d+\.\d)%/.exec(run.stdout)![1]);
    expect(acc[0].v.simpleValue! * 100).toBeCloseTo(printed, 1);
    const samples = values(train, "train/samples");
    expect(samples).toHaveLength(1);
    const img = decodePng(samples[0].v.image!.encodedImageString);
    expect([img.width, img.height]).toEqual([8 * 28, 2 * 28]); // 16 images (one batch), 8 per row
    const histos = new Set(train.flatMap((e) => (e.summary?.value ?? []).filter((v) => v.histo).map((v) => v.tag)));
    for (const name of ["0.weight", "0.bias", "3.weight", "7.weight", "9.weight", "11.bias"]) {
      expect(histos.has(`weights/${name}`)).toBe(true);
      expect(histos.has(`grads/${name}`)).toBe(true);
    }
    const vis = eventsOf(join(base, "visualize"));
    const tags = new Set(vis.flatMap((e) => (e.summary?.value ?? []).filter((v) => v.image).map((v) => v.tag)));
    expect([...tags].sort()).toEqual(["avgpool", "conv", "conv_relu", "input", "maxpool", "maxunpool", "sigmoid", "trained_conv"]);
  });

  it("writes PNG grids of every layer's output", () => {
    const dir = join(base, "visualize", "images");
    const files = readdirSync(dir).sort();
    expect(files).toEqual(["avgpool_0.png", "conv_0.png", "conv_relu_0.png", "input_0.png", "maxpool_0.png", "maxunpool_0.png", "sigmoid_0.png", "trained_conv_0.png"]);
    const size = (f: string) => {
      const p = decodePng(readFileSync(join(dir, f)));
      return [p.width, p.height, p.channels];
    };
    // make_grid: 8 per row, 2-pixel padding; 64 images; conv maps reshaped to 128 three-channel images.
    expect(size("input_0.png")).toEqual([8 * 30 + 2, 8 * 30 + 2, 3]);
    expect(size("conv_0.png")).toEqual([8 * 28 + 2, 16 * 28 + 2, 3]);
    expect(size("maxpool_0.png")).toEqual([8 * 11 + 2, 8 * 11 + 2, 3]);
    expect(size("avgpool_0.png")).toEqual([8 * 16 + 2, 8 * 16 + 2, 3]);
    expect(size("trained_conv_0.png")).toEqual([8 * 30 + 2, 16 * 30 + 2, 3]);
  });

  it("leaves a checkpoint that reloads, here and in PyTorch, and predicts the same", () => {
    const path = join(base, "train", "checkpoint.safetensors");
    const model = new LeNet();
    model.loadStateDict(load(path));
    model.eval();
    const spec = DATASETS["fashion-mnist"];
    const test = new datasets.FashionMNIST(SAMPLE, { train: false, transform: modelTransform(spec) });
    const x = torch.stack(Array.from({ length: test.length }, (_, i) => test.getItem(i)[0] as torch.Tensor));
    const ours = torch.noGrad(() => model(x).argmax(1));
    const y = torch.tensor(Array.from({ length: test.length }, (_, i) => test.getItem(i)[1] as number));
    const acc = ours.eq(y).float().mean().item();
    const printed = Number(/test accuracy: (\d+\.\d)%/.exec(run.stdout)![1]);
    expect(acc * 100).toBeCloseTo(printed, 1);
    const theirs = JSON.parse(
      python(
        `${PY_PRELUDE}
state, meta = read_safetensors(sys.argv[1])
m = lenet()
m.load_state_dict(state)
m.eval()
x, y = fashion(sys.argv[2], "t10k")
with torch.no_grad():
    print(json.dumps({"pred": m(x).argmax(1).tolist(), "meta": json.loads(meta["torch_ts"])}))
`,
        [path, SAMPLE],
      ),
    ) as { pred: number[]; meta: { model: string; epoch: number; interrupted: boolean } };
    expect(theirs.pred).toEqual(Array.from(ours.toTypedArray()));
    expect(theirs.meta).toMatchObject({ model: "lenet", epoch: 1, interrupted: false });
  });

  it("leaves a build with which the examples run as documented, and the CLI answers as npx torch-ts", async () => {
    const ex = await runAsync("npx", ["vite-node", "examples/unpooling.ts"], clone);
    expect(ex.status).toBe(0);
    expect(ex.stdout).toContain("img_unpool:\ntensor([[[[ 0.0000, -1.0276, -0.5631,  0.0000],");
    const help = await runAsync("npx", ["--no-install", "torch-ts", "summary", "--checkpoint", join(base, "train", "checkpoint.safetensors")], clone);
    expect(help.status).toBe(0);
    expect(help.stdout).toMatch(/lenet trained on fashion-mnist \(1×28×28\), 1 epoch\(s\), test accuracy \d+\.\d%/);
  }, 120_000);

  it("Ctrl-C during training saves a loadable checkpoint and exits with 130", async () => {
    const logdir = join(clone, "runs", "interrupted");
    const child = spawn("npm", ["start", "--", "--logdir", logdir], { cwd: clone, detached: true, env: { ...process.env, FORCE_COLOR: "0" } });
    let stdout = "";
    let sent = false;
    const done = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
    child.stderr.resume();
    child.stdout.on("data", (d: Buffer) => {
      stdout += d.toString();
      // The first progress line: training is under way. The whole group gets SIGINT, as from a terminal.
      if (!sent && /epoch 1\/1 +\d+%/.test(stdout)) {
        sent = true;
        process.kill(-child.pid!, "SIGINT");
      }
    });
    const code = await done;
    // npm may return before its child; the CLI's last line says the checkpoint is written.
    for (let i = 0; i < 600 && !/resume with:/.test(stdout); i++) await new Promise((r) => setTimeout(r, 100));
    expect(sent).toBe(true);
    expect(stdout).toMatch(/interrupted: checkpoint saved to \S+checkpoint\.safetensors \(0 epoch\(s\) complete, step \d+\)/);
    expect(code).not.toBe(0);
    const path = join(logdir, "train", "checkpoint.safetensors");
    const model = new LeNet();
    expect(() => model.loadStateDict(load(path))).not.toThrow();
    const meta = JSON.parse(
      python(`${PY_PRELUDE}\nstate, meta = read_safetensors(sys.argv[1])\nprint(meta["torch_ts"])`, [path]),
    ) as { interrupted: boolean; globalStep: number };
    expect(meta.interrupted).toBe(true);
    expect(meta.globalStep).toBeGreaterThan(0);
    expect(meta.globalStep).toBeLessThan(375);
    expect(readdirSync(join(logdir, "train")).filter((f) => f.endsWith(".tmp"))).toEqual([]);
  }, 300_000);
});
