import { spawn, type ChildProcessWithoutNullStreams } from "node:child_process";
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import type { DType } from "../../src/dtype.js";

/** Debian's PyTorch lives under the system interpreter, not the `python3` first on PATH. */
export const PYTHON = process.env.TORCH_TS_ORACLE_PYTHON ?? "/usr/bin/python3";
export const INSTALL_HINT =
  "the PyTorch oracle needs Debian's PyTorch: run `apt-get update && apt-get install -y python3-torch " +
  "python3-torchvision` (as root), so that /usr/bin/python3 can `import torch`";

export interface WireTensor {
  dtype: DType;
  shape: number[];
  data: ArrayLike<number>;
  requiresGrad?: boolean;
}

export interface OracleCase {
  expr: string;
  inputs: WireTensor[];
  cotangents?: WireTensor[];
  seed?: number;
}

export interface OracleResult {
  outputs?: WireTensor[];
  grads?: Array<WireTensor | null>;
  error?: string;
  errorType?: string;
}

const SCRIPT = fileURLToPath(new URL("./oracle.py", import.meta.url));

function toBytes(t: WireTensor): Uint8Array {
  const n = t.data.length;
  let arr: ArrayBufferView;
  switch (t.dtype) {
    case "float32":
      arr = Float32Array.from(t.data);
      break;
    case "float64":
      arr = Float64Array.from(t.data);
      break;
    case "int32":
      arr = Int32Array.from(t.data);
      break;
    case "int64": {
      const b = new BigInt64Array(n);
      for (let i = 0; i < n; i++) b[i] = BigInt(Math.trunc(t.data[i]));
      arr = b;
      break;
    }
    case "uint8":
    case "bool":
      arr = Uint8Array.from(t.data);
      break;
  }
  return new Uint8Array(arr.buffer, arr.byteOffset, arr.byteLength);
}

function fromBytes(dtype: DType, shape: number[], bytes: Buffer, pos: number): [WireTensor, number] {
  const n = shape.reduce((a, b) => a * b, 1);
  const size = { float32: 4, float64: 8, int32: 4, int64: 8, uint8: 1, bool: 1 }[dtype];
  const copy = new Uint8Array(bytes.subarray(pos, pos + n * size)).buffer;
  let data: ArrayLike<number>;
  switch (dtype) {
    case "float32":
      data = new Float32Array(copy);
      break;
    case "float64":
      data = new Float64Array(copy);
      break;
    case "int32":
      data = new Int32Array(copy);
      break;
    case "int64":
      data = Float64Array.from(new BigInt64Array(copy), (v) => Number(v));
      break;
    default:
      data = new Uint8Array(copy);
  }
  return [{ dtype, shape, data }, pos + n * size];
}

/** One persistent PyTorch process per test worker, answering batches of cases in order. */
export class Oracle {
  private proc: ChildProcessWithoutNullStreams | null = null;
  private ready: Promise<string> | null = null;
  private pending: Array<{ resolve: (r: OracleResult[]) => void; reject: (e: Error) => void }> = [];
  private buf = Buffer.alloc(0);
  private dead: Error | null = null;
  version = "";

  private start(): Promise<string> {
    if (this.ready) return this.ready;
    this.ready = new Promise((resolve, reject) => {
      if (!existsSync(PYTHON)) {
        reject(new Error(`${PYTHON} not found: ${INSTALL_HINT}`));
        return;
      }
      const proc = spawn(PYTHON, [SCRIPT], { stdio: ["pipe", "pipe", "pipe"] });
      this.proc = proc;
      let stderr = "";
      let gotReady = false;
      proc.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
      proc.on("error", (e) => reject(new Error(`cannot start ${PYTHON}: ${e.message}; ${INSTALL_HINT}`)));
      proc.on("exit", (code) => {
        const err = new Error(`PyTorch oracle exited with code ${code}: ${stderr.slice(-2000)}`);
        this.dead = err;
        if (!gotReady) reject(new Error(`${err.message}\n${INSTALL_HINT}`));
        for (const p of this.pending.splice(0)) p.reject(err);
      });
      proc.stdout.on("data", (d: Buffer) => {
        this.buf = Buffer.concat([this.buf, d]);
        if (!gotReady) {
          const nl = this.buf.indexOf(10);
          if (nl < 0) return;
          const line = JSON.parse(this.buf.subarray(0, nl).toString());
          this.buf = this.buf.subarray(nl + 1);
          if (line.fatal) {
            reject(new Error(`${line.fatal}; ${INSTALL_HINT}`));
            return;
          }
          gotReady = true;
          this.version = line.ready;
          resolve(line.ready);
        }
        this.drain();
      });
      proc.unref();
      (proc.stdout as any).unref?.();
      (proc.stderr as any).unref?.();
      (proc.stdin as any).unref?.();
    });
    return this.ready;
  }

  private drain(): void {
    while (this.buf.length >= 8) {
      const hlen = this.buf.readUInt32LE(0);
      const plen = this.buf.readUInt32LE(4);
      if (this.buf.length < 8 + hlen + plen) return;
      const header = JSON.parse(this.buf.subarray(8, 8 + hlen).toString());
      const payload = this.buf.subarray(8 + hlen, 8 + hlen + plen);
      this.buf = this.buf.subarray(8 + hlen + plen);
      let pos = 0;
      const results: OracleResult[] = header.results.map((r: any) => {
        if (r.error !== undefined) return { error: r.error, errorType: r.errorType };
        const outputs: WireTensor[] = [];
        for (const o of r.outputs) {
          const [t, p] = fromBytes(o.dtype, o.shape, payload, pos);
          outputs.push(t);
          pos = p;
        }
        const grads: Array<WireTensor | null> = [];
        for (const g of r.grads ?? []) {
          if (g === null) {
            grads.push(null);
            continue;
          }
          const [t, p] = fromBytes(g.dtype, g.shape, payload, pos);
          grads.push(t);
          pos = p;
        }
        return { outputs, grads };
      });
      this.pending.shift()!.resolve(results);
    }
  }

  /** Runs a batch of cases in PyTorch. */
  async run(cases: OracleCase[]): Promise<OracleResult[]> {
    await this.start();
    if (this.dead) throw this.dead;
    const blobs: Uint8Array[] = [];
    const header = {
      cases: cases.map((c) => ({
        expr: c.expr,
        seed: c.seed ?? null,
        inputs: c.inputs.map((t) => {
          blobs.push(toBytes(t));
          return { dtype: t.dtype, shape: t.shape, requiresGrad: !!t.requiresGrad };
        }),
        cotangents: (c.cotangents ?? []).map((t) => {
          blobs.push(toBytes(t));
          return { dtype: t.dtype, shape: t.shape };
        }),
      })),
    };
    const h = Buffer.from(JSON.stringify(header));
    const body = Buffer.concat(blobs);
    const frame = Buffer.alloc(8);
    frame.writeUInt32LE(h.length, 0);
    frame.writeUInt32LE(body.length, 4);
    return new Promise((resolve, reject) => {
      this.pending.push({ resolve, reject });
      this.proc!.stdin.write(Buffer.concat([frame, h, body]));
    });
  }

  close(): void {
    this.proc?.stdin.end();
    this.proc = null;
  }
}

let shared: Oracle | null = null;
/** The worker's oracle process (started on first use). */
export function oracle(): Oracle {
  return (shared ??= new Oracle());
}
