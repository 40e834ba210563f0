/**
 * Checkpoints on bytes (browser-safe): safetensors in and out, PyTorch's `.pt` zip checkpoints in. The
 * Node entry (`torch-ts/node`) adds `save`/`load` on paths.
 *
 * What a checkpoint holds here is a flat state dict: names to tensors, plus string metadata for
 * safetensors. Nested objects (an optimizer's `state_dict()`, `{model, optimizer, epoch}` bundles) are not
 * supported by either direction: safetensors cannot hold them, and the `.pt` reader only unpickles plain
 * state dicts of tensors.
 */
import type { Tensor } from "../tensor.js";
import { decodePt } from "./pt.js";
import { decodeSafetensors, encodeSafetensors, readSafetensorsHeader } from "./safetensors.js";
import { type StateDictLike, describeSource, stateDictEntries } from "./state-dict.js";

export type { StateDictLike } from "./state-dict.js";

/** Which format checkpoint bytes are in, from their first bytes. */
export type CheckpointFormat = "safetensors" | "pt";

/**
 * Serializes a state dict to safetensors bytes, as `safetensors.torch.save(tensors, metadata)`.
 * Tensors are sorted by dtype alignment then name (as the reference writer does); non-contiguous tensors are
 * written contiguous and tensors that share storage are written as separate copies. int64 values are
 * written as real int64.
 *
 * @param stateDict names to tensors (e.g. `model.stateDict()`)
 * @param metadata optional `__metadata__` strings (omitted from the header when not given)
 * @example
 * const bytes = torch.saveSafetensors({ w: torch.ones([2, 2]) }, { format: "pt" });
 * const back = torch.loadSafetensors(bytes); // { w: tensor([[1, 1], [1, 1]]) }
 */
export function saveSafetensors(stateDict: StateDictLike, metadata?: Readonly<Record<string, string>>): Uint8Array {
  const entries = stateDictEntries(stateDict, "saveSafetensors");
  if (metadata !== undefined && (metadata === null || typeof metadata !== "object")) {
    throw new TypeError("saveSafetensors: metadata must be an object of strings");
  }
  return encodeSafetensors(entries, metadata ?? null, "saveSafetensors");
}

/**
 * Reads safetensors bytes into fresh tensors, keyed by name in sorted order, as
 * `safetensors.torch.load(data)`. Dtypes F32, F64, I32, I64, U8 and BOOL are supported; I64 values must
 * satisfy |x| < 2^53. Corrupt input throws an Error naming the problem; nothing is returned half-loaded.
 *
 * @param source a file name for error messages
 */
export function loadSafetensors(bytes: Uint8Array, source?: string): Record<string, Tensor> {
  return decodeSafetensors(bytes, describeSource("loadSafetensors", source)).tensors;
}

/** The `__metadata__` strings of safetensors bytes (null when the header has none); reads only the header. */
export function loadSafetensorsMetadata(bytes: Uint8Array, source?: string): Record<string, string> | null {
  return readSafetensorsHeader(bytes, describeSource("loadSafetensorsMetadata", source)).metadata;
}

/**
 * Reads a PyTorch zip checkpoint (`torch.save(model.state_dict(), path)`, PyTorch >= 1.6) into tensors
 * that keep PyTorch's strides and storage offsets; entries that shared a storage share one buffer. Only
 * plain state dicts of float32/float64/int32/int64/uint8/bool tensors are read: a pickled module, an
 * unknown global, TorchScript archives and the legacy non-zip format throw an error saying so.
 *
 * @param source a file name for error messages
 */
export function loadPt(bytes: Uint8Array, source?: string): Record<string, Tensor> {
  return decodePt(bytes, describeSource("loadPt", source));
}

/**
 * "pt" for zip archives (and the legacy pickle format, which `loadPt` rejects), else "safetensors".
 * A safetensors header length can begin with the bytes "PK" or 0x80 0x02, so byte 8 decides first: it is the
 * header's opening "{" in safetensors and never "{" in a zip local header or a legacy pickle.
 */
export function checkpointFormat(bytes: Uint8Array): CheckpointFormat {
  if (bytes.length > 8 && bytes[8] === 0x7b) return "safetensors";
  const zip = bytes.length >= 4 && bytes[0] === 0x50 && bytes[1] === 0x4b && bytes[2] < 0x10;
  const legacyPickle = bytes.length >= 2 && bytes[0] === 0x80 && bytes[1] <= 5;
  return zip || legacyPickle ? "pt" : "safetensors";
}

/**
 * Reads checkpoint bytes of either format, choosing by content (`PK` zip magic → `.pt`, else safetensors).
 *
 * @param source a file name for error messages
 */
export function loadCheckpoint(bytes: Uint8Array, source?: string): Record<string, Tensor> {
  const where = describeSource("loadCheckpoint", source);
  return checkpointFormat(bytes) === "pt" ? decodePt(bytes, where) : decodeSafetensors(bytes, where).tensors;
}
