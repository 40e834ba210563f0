/**
 * The workloads in TensorFlow.js 4.x (`cpu` and `wasm` backends) with its native NHWC layout and tfjs-core ops
 * (what tfjs-layers compiles to). Gradients via `tf.grads`, training via `tf.train.sgd(0.01).minimize`.
 */
import { register } from "node:module";
import { emit, guard, measure } from "./measure.js";
import type { ChildConfig } from "./workloads.js";

type TF = typeof import("@tensorflow/tfjs-core");
type T = import("@tensorflow/tfjs-core").Tensor;
type T4 = import("@tensorflow/tfjs-core").Tensor4D;
type Scalar = import("@tensorflow/tfjs-core").Scalar;
type Var = import("@tensorflow/tfjs-core").Variable;

/**
 * tfjs-core's Node bundle registers no gradients; they exist only as its ESM build (`dist/gradients/*`), whose
 * relative imports have no `.js` and so do not resolve in Node. This resolve hook adds the extension for files
 * inside tfjs-core's dist. Both copies of tfjs-core share one engine and registry through globalThis.
 */
const EXTENSIONLESS_HOOK = `
export async function resolve(spec, ctx, next) {
  if (ctx.parentURL && ctx.parentURL.includes("/@tensorflow/tfjs-core/dist/") && spec.startsWith(".") && !spec.endsWith(".js")) {
    try { return await next(spec + ".js", ctx); } catch { return next(spec + "/index.js", ctx); }
  }
  return next(spec, ctx);
}`;

async function loadTf(backendName: string): Promise<TF> {
  register("data:text/javascript," + encodeURIComponent(EXTENSIONLESS_HOOK));
  const tf: TF = await import("@tensorflow/tfjs-core");
  // Production mode, as a deployed app runs; it also silences the "install tfjs-node" banner on stderr.
  tf.enableProdMode();
  await import("@tensorflow/tfjs-core/dist/register_all_gradients.js" as string);
  if (backendName === "wasm") await import("@tensorflow/tfjs-backend-wasm");
  else await import("@tensorflow/tfjs-backend-cpu");
  if (!(await tf.setBackend(backendName))) throw new Error(`tf.setBackend('${backendName}') failed`);
  await tf.ready();
  return tf;
}

/** Builds models from tfjs-core ops; weights are random (values do not matter for speed). */
function models(tf: TF) {
  const v = (shape: number[]): Var => tf.variable(tf.mul(tf.randomNormal(shape), 0.05));
  const conv = (cin: number, cout: number, k: number) => ({ w: v([k, k, cin, cout]), b: v([cout]) });
  const dense = (fin: number, fout: number) => ({ w: v([fin, fout]), b: v([fout]) });
  type Conv = ReturnType<typeof conv>;
  type Dense = ReturnType<typeof dense>;
  const applyConv = (x: T, c: Conv, pad: number) => tf.add(tf.conv2d(x as T4, c.w as T4, 1, pad), c.b);
  const applyDense = (x: T, d: Dense) => tf.add(tf.matMul(x, d.w), d.b);

  function cifarCnn(): (x: T) => T {
    const c1 = conv(3, 32, 5), c2 = conv(32, 32, 5), c3 = conv(32, 64, 5);
    const f1 = dense(1024, 64), f2 = dense(64, 10);
    const pool = (x: T) => tf.maxPool(x as T4, 2, 2, "valid");
    return (x) => {
      let h: T = pool(applyConv(x, c1, 2));
      h = pool(applyConv(h, c2, 2));
      h = pool(applyConv(h, c3, 2));
      h = tf.reshape(h, [h.shape[0], 1024]);
      return applyDense(applyDense(h, f1), f2);
    };
  }

  function lenet(): (x: T) => T {
    const c1 = conv(1, 6, 5), c2 = conv(6, 16, 5);
    const f1 = dense(400, 120), f2 = dense(120, 84), f3 = dense(84, 10);
    const pool = (x: T) => tf.avgPool(x as T4, 2, 2, "valid");
    return (x) => {
      let h: T = pool(tf.sigmoid(applyConv(x, c1, 2)));
      h = pool(tf.sigmoid(applyConv(h, c2, 0)));
      h = tf.reshape(h, [h.shape[0], 400]);
      h = tf.sigmoid(applyDense(h, f1));
      h = tf.sigmoid(applyDense(h, f2));
      return applyDense(h, f3);
    };
  }
  return { conv, dense, applyConv, applyDense, cifarCnn, lenet };
}

function buildCase(tf: TF, key: string): () => void {
  const m = models(tf);
  const nhwc = (n: number, h: number, w: number, c: number) => tf.randomNormal([n, h, w, c]);
  const forward = (f: () => T) => () => tf.dispose(tf.tidy(f));
  // tf.grads returns the gradients; tidy disposes the graph's intermediates and dispose the gradients.
  const grads = (f: (...xs: T[]) => T, xs: T[]) => () => tf.dispose(tf.tidy(() => tf.grads(f)(xs)));
  const trainStep = (model: (x: T) => T, x: T, labels: T) => {
    const opt = tf.train.sgd(0.01);
    return () => tf.tidy(() => void opt.minimize(() => tf.losses.softmaxCrossEntropy(labels, model(x)) as Scalar, false));
  };
  const oneHot = () => tf.oneHot(tf.randomUniformInt([64], 0, 10), 10);
  switch (key) {
    case "W1.fwd": {
      const c = m.conv(3, 6, 3), x = nhwc(64, 32, 32, 3);
      return forward(() => m.applyConv(x, c, 0));
    }
    case "W1.fwdbwd": {
      const c = m.conv(3, 6, 3), x = nhwc(64, 32, 32, 3);
      return grads((xx, w, b) => tf.sum(m.applyConv(xx, { w: w as Var, b: b as Var }, 0)), [x, c.w, c.b]);
    }
    case "W2.fwd": {
      const x = nhwc(64, 32, 32, 3);
      return forward(() => tf.maxPool(x as T4, 3, 3, "valid"));
    }
    case "W2.fwdbwd": {
      const x = nhwc(64, 32, 32, 3);
      return grads((xx) => tf.sum(tf.maxPool(xx as T4, 3, 3, "valid")), [x]);
    }
    case "W3.fwd": {
      const x = nhwc(64, 32, 32, 3);
      return forward(() => tf.avgPool(x as T4, 2, 2, "valid"));
    }
    case "W4.fwdbwd": {
      const d = m.dense(3072, 10), x = tf.randomNormal([64, 3072]);
      return grads((xx, w, b) => tf.sum(m.applyDense(xx, { w: w as Var, b: b as Var })), [x, d.w, d.b]);
    }
    case "W5.step":
      return trainStep(m.cifarCnn(), nhwc(64, 32, 32, 3), oneHot());
    case "W6.step":
      return trainStep(m.lenet(), nhwc(64, 28, 28, 1), oneHot());
    case "W7.gemm": {
      const a = tf.randomNormal([1024, 1024]), b = tf.randomNormal([1024, 1024]);
      return forward(() => tf.matMul(a, b));
    }
    case "W8.b1": {
      const model = m.cifarCnn(), x = nhwc(1, 32, 32, 3);
      return forward(() => model(x));
    }
    case "W8.b256": {
      const model = m.cifarCnn(), x = nhwc(256, 32, 32, 3);
      return forward(() => model(x));
    }
    default:
      throw new Error(`tfjs bench: unknown case '${key}'`);
  }
}

/** Runs the configured cases on one TF.js backend (`cpu` or `wasm`) in this process, reporting through `emit`. */
export async function runTfjs(backendName: string, config: ChildConfig): Promise<void> {
  const system = `tfjs-${backendName}`;
  let tf: TF;
  try {
    tf = await loadTf(backendName);
  } catch (e) {
    return emit({ type: "absent", system, detail: `TensorFlow.js did not load: ${e instanceof Error ? e.message.split("\n")[0] : String(e)}` });
  }
  const info: Record<string, string> = { version: tf.version_core, backend: tf.getBackend(), layout: "NHWC" };
  if (backendName === "wasm") {
    info.simd = String(tf.env().getBool("WASM_HAS_SIMD_SUPPORT"));
    info.multithread = String(tf.env().getBool("WASM_HAS_MULTITHREAD_SUPPORT"));
  } else {
    info.threads = "1 (JavaScript main thread)";
  }
  emit({ type: "info", system, info });
  for (const key of config.cases) {
    emit({ type: "start", key });
    emit({ type: "result", result: guard(key, () => measure(key, buildCase(tf, key), config.policy)) });
  }
}
