/**
 * `torch.save` / `torch.load` on file paths (Node only: the browser-safe byte API is in ./index.ts).
 *
 * `save` always writes safetensors, whatever the extension: PyTorch reads the file with
 * `safetensors.torch.load_file(path)`. `load` reads safetensors and PyTorch's zip `.pt` checkpoints,
 * choosing by content. Both handle flat state dicts of tensors only (plus string metadata in safetensors);
 * an optimizer's nested `state_dict()` is not supported.
 */
import { closeSync, fsyncSync, openSync, readFileSync, renameSync, rmSync, writeSync } from "node:fs";
import { basename, dirname, join } from "node:path";
import type { Tensor } from "../tensor.js";
import { checkpointFormat } from "./index.js";
import { decodePt } from "./pt.js";
import { decodeSafetensors, encodeSafetensors } from "./safetensors.js";
import { type StateDictLike, stateDictEntries } from "./state-dict.js";

export interface SaveOptions {
  /** `__metadata__` strings stored in the safetensors header. */
  metadata?: Readonly<Record<string, string>>;
}

let tempCounter = 0;

/**
 * Saves a state dict to `path` as safetensors, as `torch.save(model.state_dict(), path)`. The file is
 * written to a temporary name in the same directory, flushed, then renamed over `path`, so a crash never
 * leaves a half-written checkpoint behind.
 *
 * @example
 * import { save, load } from "torch-ts/node";
 * save(model.stateDict(), "model.safetensors");
 * model.loadStateDict(load("model.safetensors"));
 */
export function save(obj: StateDictLike, path: string, opts: SaveOptions = {}): void {
  if (typeof path !== "string" || path === "") throw new TypeError("save: path must be a non-empty string");
  const bytes = encodeSafetensors(stateDictEntries(obj, "save"), opts.metadata ?? null, "save");
  const temp = join(dirname(path), `.${basename(path)}.${process.pid}.${tempCounter++}.tmp`);
  let fd: number | null = null;
  try {
    fd = openSync(temp, "w");
    for (let done = 0; done < bytes.length; ) done += writeSync(fd, bytes, done, bytes.length - done);
    fsyncSync(fd);
    closeSync(fd);
    fd = null;
    renameSync(temp, path);
  } catch (e) {
    if (fd !== null) closeSync(fd);
    rmSync(temp, { force: true });
    throw new Error(`save: cannot write '${path}': ${(e as Error).message}`);
  }
}

/**
 * Loads a checkpoint from `path`, as `torch.load(path)`: safetensors, or a PyTorch zip checkpoint of a
 * plain state dict (`torch.save(model.state_dict(), path)`), chosen by the file's content. Returns names to
 * tensors; errors name the file and the problem.
 */
export function load(path: string): Record<string, Tensor> {
  let bytes: Uint8Array;
  try {
    const file = readFileSync(path);
    bytes = new Uint8Array(file.buffer, file.byteOffset, file.byteLength);
  } catch (e) {
    throw new Error(`load: cannot read '${path}': ${(e as Error).message}`);
  }
  const where = `load: '${path}'`;
  return checkpointFormat(bytes) === "pt" ? decodePt(bytes, where) : decodeSafetensors(bytes, where).tensors;
}
