/** Argument checks shared by the byte API and the Node API (internal: not exported from the package). */
import { Tensor } from "../tensor.js";

/** A state dict as `Module.stateDict()` returns it, or as a Map. */
export type StateDictLike = Readonly<Record<string, Tensor>> | ReadonlyMap<string, Tensor>;

/** The name an error gives to the bytes: the file when there is one. */
export function describeSource(op: string, source?: string): string {
  return source === undefined ? op : `${op}: '${source}'`;
}

/** The (name, tensor) pairs of a state dict, with an error naming any value that is not a Tensor. */
export function stateDictEntries(obj: unknown, op: string): Array<[string, Tensor]> {
  // Modules are callable objects (see callable.ts), so a function may be one too.
  if (obj !== null && (typeof obj === "object" || typeof obj === "function") && typeof (obj as { stateDict?: unknown }).stateDict === "function") {
    throw new TypeError(`${op}: got a module or optimizer; save its state dict instead: ${op}(model.stateDict(), ...)`);
  }
  if (obj === null || typeof obj !== "object" || obj instanceof Tensor || Array.isArray(obj)) {
    throw new TypeError(`${op}: expected a state dict (an object or Map of names to tensors), got ${obj === null ? "null" : Array.isArray(obj) ? "an array" : obj instanceof Tensor ? "a Tensor" : typeof obj}`);
  }
  const entries: Array<[string, unknown]> = obj instanceof Map ? [...obj.entries()] : Object.entries(obj);
  for (const [k, v] of entries) {
    if (typeof k !== "string") throw new TypeError(`${op}: state dict keys must be strings, got ${typeof k}`);
    if (!(v instanceof Tensor)) {
      const kind = v === null ? "null" : Array.isArray(v) ? "an array" : typeof v === "object" ? "a nested object" : typeof v;
      throw new TypeError(
        `${op}: value of "${k}" is ${kind}, not a Tensor; checkpoints hold a flat dict of tensors (put strings in metadata)`,
      );
    }
  }
  return entries as Array<[string, Tensor]>;
}

