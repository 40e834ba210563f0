/**
 * The unpickler subset a PyTorch state dict uses (`torch.save` writes pickle protocol 2; protocol 4/5's
 * framing and short forms are accepted too). It builds nothing it was not told about: every GLOBAL goes
 * through `findClass`, every persistent id through `persistentLoad`, so loading cannot run code.
 *
 * Python values map to: None → null, bool → boolean, int/float → number, str → string, list/tuple → array,
 * dict → Map, bytes/bytearray → Uint8Array; a Python 2 `str` follows `encoding`, as `pickle.load(f, encoding=…)`.
 * Opcode semantics follow CPython's Lib/pickle.py (`_Unpickler.load_*`).
 */

/** A Python value as the unpickler builds it; `findClass` results and what they build are opaque objects. */
export type PyValue = null | boolean | number | string | PyValue[] | Map<PyValue, PyValue> | object;

/** What a GLOBAL resolves to: REDUCE calls `call(args)`; BUILD on what it returned calls `build`. */
export interface PyCallable {
  readonly qualname: string;
  call(args: PyValue[]): PyValue;
}

export interface UnpicklerHooks {
  /** Resolves `module.name` or throws (the caller words the "unsupported" error). */
  findClass(module: string, name: string): PyCallable | object;
  /** Resolves a BINPERSID id (the popped object). */
  persistentLoad(pid: PyValue): PyValue;
  /** Applies BUILD's `state` to `obj`, or throws. */
  build(obj: PyValue, state: PyValue): void;
}

export interface UnpickleOptions {
  /**
   * How Python 2 `str` (BINSTRING, SHORT_BINSTRING) is read, as `pickle.load`'s `encoding`: "ASCII" (Python's
   * default; non-ASCII bytes fail), "latin1" (a string, one char per byte) or "bytes" (a Uint8Array).
   */
  encoding?: "ASCII" | "latin1" | "bytes";
  /** Names the pickle inside the file in errors (default "data.pkl", a checkpoint's). */
  part?: string;
  /** Ends the "unsupported opcode" error (default: the checkpoint wording). */
  supported?: string;
}

/** Bytes as a string, one char per byte (Python's `bytes.decode("latin1")`). */
export function latin1String(b: Uint8Array): string {
  let s = "";
  // Chunked: fromCharCode takes the bytes as arguments, and one call for a large array would overflow the stack.
  for (let i = 0; i < b.length; i += 8192) s += String.fromCharCode(...b.subarray(i, i + 8192));
  return s;
}

/** Opcode names, for errors about opcodes this subset does not implement. */
const OPCODE_NAMES: Record<number, string> = {
  0x28: "MARK", 0x2e: "STOP", 0x30: "POP", 0x31: "POP_MARK", 0x32: "DUP", 0x46: "FLOAT", 0x49: "INT", 0x4a: "BININT",
  0x4b: "BININT1", 0x4c: "LONG", 0x4d: "BININT2", 0x4e: "NONE", 0x50: "PERSID", 0x51: "BINPERSID", 0x52: "REDUCE",
  0x53: "STRING", 0x54: "BINSTRING", 0x55: "SHORT_BINSTRING", 0x56: "UNICODE", 0x58: "BINUNICODE", 0x61: "APPEND",
  0x62: "BUILD", 0x63: "GLOBAL", 0x64: "DICT", 0x7d: "EMPTY_DICT", 0x65: "APPENDS", 0x67: "GET", 0x68: "BINGET",
  0x69: "INST", 0x6a: "LONG_BINGET", 0x6c: "LIST", 0x5d: "EMPTY_LIST", 0x6f: "OBJ", 0x70: "PUT", 0x71: "BINPUT",
  0x72: "LONG_BINPUT", 0x73: "SETITEM", 0x74: "TUPLE", 0x29: "EMPTY_TUPLE", 0x75: "SETITEMS", 0x47: "BINFLOAT",
  0x80: "PROTO", 0x81: "NEWOBJ", 0x82: "EXT1", 0x83: "EXT2", 0x84: "EXT4", 0x85: "TUPLE1", 0x86: "TUPLE2",
  0x87: "TUPLE3", 0x88: "NEWTRUE", 0x89: "NEWFALSE", 0x8a: "LONG1", 0x8b: "LONG4", 0x42: "BINBYTES",
  0x43: "SHORT_BINBYTES", 0x8c: "SHORT_BINUNICODE", 0x8d: "BINUNICODE8", 0x8e: "BINBYTES8", 0x8f: "EMPTY_SET",
  0x90: "ADDITEMS", 0x91: "FROZENSET", 0x92: "NEWOBJ_EX", 0x93: "STACK_GLOBAL", 0x94: "MEMOIZE", 0x95: "FRAME",
  0x96: "BYTEARRAY8", 0x97: "NEXT_BUFFER", 0x98: "READONLY_BUFFER",
};

/** Marks where a MARK opcode was on the stack. */
const MARK = Symbol("MARK");
type Slot = PyValue | typeof MARK;

/**
 * Runs the pickle program in `data` and returns the object STOP leaves.
 * @param where the API name and file, starting every error
 * @throws Error naming the opcode (and byte offset) for anything outside the subset or malformed
 */
export function unpickle(data: Uint8Array, hooks: UnpicklerHooks, where: string, opts: UnpickleOptions = {}): PyValue {
  const { encoding = "ASCII", part = "data.pkl", supported = "only plain state dicts of tensors are supported" } = opts;
  const dv = new DataView(data.buffer, data.byteOffset, data.byteLength);
  const utf8 = new TextDecoder("utf-8", { fatal: true });
  const stack: Slot[] = [];
  const marks: number[] = [];
  const memo = new Map<number, PyValue>();
  let pos = 0;
  let at = 0;

  const fail = (what: string): never => {
    throw new Error(`${where}: ${part} byte ${at}: ${what}`);
  };
  const need = (n: number): number => {
    if (pos + n > data.length) fail("unexpected end of pickle data: the file is truncated or corrupt");
    const p = pos;
    pos += n;
    return p;
  };
  const pop = (): PyValue => {
    if (stack.length === 0 || stack[stack.length - 1] === MARK) fail("stack underflow (malformed pickle)");
    const v = stack.pop()!;
    return v as PyValue;
  };
  const top = (): PyValue => {
    const v = stack[stack.length - 1];
    if (stack.length === 0 || v === MARK) fail("stack underflow (malformed pickle)");
    return v as PyValue;
  };
  const popMark = (): PyValue[] => {
    const m = marks.pop();
    if (m === undefined) fail("MARK expected (malformed pickle)");
    return stack.splice(m!) as PyValue[];
  };
  const readLine = (): string => {
    const end = data.indexOf(0x0a, pos);
    if (end < 0) fail("unexpected end of pickle data: the file is truncated or corrupt");
    const s = new TextDecoder().decode(data.subarray(pos, end));
    pos = end + 1;
    return s;
  };
  const text = (n: number): string => {
    if (!Number.isSafeInteger(n) || n < 0) fail(`invalid string length ${n}`);
    const p = need(n);
    try {
      return utf8.decode(data.subarray(p, p + n));
    } catch {
      return fail("string is not valid UTF-8");
    }
  };
  const bytes = (n: number): Uint8Array => {
    if (!Number.isSafeInteger(n) || n < 0) fail(`invalid bytes length ${n}`);
    const p = need(n);
    return data.slice(p, p + n);
  };
  const py2str = (n: number): PyValue => {
    const b = bytes(n);
    if (encoding === "bytes") return b;
    if (encoding === "ASCII" && b.some((c) => c > 0x7f)) {
      fail("a Python 2 str holds non-ASCII bytes; read it with encoding \"latin1\" or \"bytes\"");
    }
    return latin1String(b);
  };
  const asDict = (v: PyValue, op: string): Map<PyValue, PyValue> => {
    if (!(v instanceof Map)) fail(`${op} on a value that is not a dict`);
    return v as Map<PyValue, PyValue>;
  };
  const asList = (v: PyValue, op: string): PyValue[] => {
    if (!Array.isArray(v) || Object.isFrozen(v)) fail(`${op} on a value that is not a list`);
    return v as PyValue[];
  };
  const tuple = (items: PyValue[]): PyValue[] => Object.freeze(items) as PyValue[];
  const getMemo = (i: number): PyValue => {
    if (!memo.has(i)) fail(`memo key ${i} is not defined (malformed pickle)`);
    return memo.get(i)!;
  };
  const resolve = (module: string, name: string): void => {
    stack.push(hooks.findClass(module, name));
  };

  for (;;) {
    at = pos;
    const op = data[need(1)];
    switch (op) {
      case 0x80: {
        const proto = data[need(1)];
        if (proto > 5) fail(`unsupported pickle protocol ${proto}`);
        break;
      }
      case 0x95:
        need(8);
        break;
      case 0x2e:
        return pop();
      case 0x28:
        marks.push(stack.length);
        stack.push(MARK);
        break;
      case 0x7d:
        stack.push(new Map());
        break;
      case 0x5d:
        stack.push([]);
        break;
      case 0x29:
        stack.push(tuple([]));
        break;
      case 0x74: {
        const items = popMark();
        items.shift();
        stack.push(tuple(items));
        break;
      }
      case 0x85:
        stack.push(tuple([pop()]));
        break;
      case 0x86: {
        const b = pop();
        stack.push(tuple([pop(), b]));
        break;
      }
      case 0x87: {
        const c = pop();
        const b = pop();
        stack.push(tuple([pop(), b, c]));
        break;
      }
      case 0x61: {
        const v = pop();
        asList(top(), "APPEND").push(v);
        break;
      }
      case 0x65: {
        const items = popMark();
        items.shift();
        asList(top(), "APPENDS").push(...items);
        break;
      }
      case 0x73: {
        const v = pop();
        const k = pop();
        asDict(top(), "SETITEM").set(k, v);
        break;
      }
      case 0x75: {
        const items = popMark();
        items.shift();
        if (items.length % 2) fail("SETITEMS with an odd number of items (malformed pickle)");
        const d = asDict(top(), "SETITEMS");
        for (let i = 0; i < items.length; i += 2) d.set(items[i], items[i + 1]);
        break;
      }
      case 0x58:
        stack.push(text(dv.getUint32(need(4), true)));
        break;
      case 0x8c:
        stack.push(text(data[need(1)]));
        break;
      case 0x8d: {
        const p = need(8);
        stack.push(text(dv.getUint32(p, true) + dv.getUint32(p + 4, true) * 4294967296));
        break;
      }
      case 0x42:
        stack.push(bytes(dv.getUint32(need(4), true)));
        break;
      case 0x43:
        stack.push(bytes(data[need(1)]));
        break;
      case 0x8e:
      case 0x96: {
        // BINBYTES8, BYTEARRAY8 (protocol 5's in-band buffers): both become a Uint8Array.
        const p = need(8);
        stack.push(bytes(dv.getUint32(p, true) + dv.getUint32(p + 4, true) * 4294967296));
        break;
      }
      case 0x54:
        stack.push(py2str(dv.getInt32(need(4), true)));
        break;
      case 0x55:
        stack.push(py2str(data[need(1)]));
        break;
      case 0x4a:
        stack.push(dv.getInt32(need(4), true));
        break;
      case 0x4b:
        stack.push(data[need(1)]);
        break;
      case 0x4d:
        stack.push(dv.getUint16(need(2), true));
        break;
      case 0x8a: {
        const n = data[need(1)];
        const p = need(n);
        let v = 0n;
        for (let i = n - 1; i >= 0; i--) v = (v << 8n) | BigInt(data[p + i]);
        if (n > 0 && data[p + n - 1] & 0x80) v -= 1n << BigInt(8 * n);
        if (v > BigInt(Number.MAX_SAFE_INTEGER) || v < -BigInt(Number.MAX_SAFE_INTEGER)) fail(`integer ${v} is too large`);
        stack.push(Number(v));
        break;
      }
      case 0x47:
        stack.push(dv.getFloat64(need(8), false));
        break;
      case 0x4e:
        stack.push(null);
        break;
      case 0x88:
        stack.push(true);
        break;
      case 0x89:
        stack.push(false);
        break;
      case 0x63: {
        const module = readLine();
        resolve(module, readLine());
        break;
      }
      case 0x93: {
        const name = pop();
        const module = pop();
        if (typeof module !== "string" || typeof name !== "string") fail("STACK_GLOBAL expects two strings");
        resolve(module as string, name as string);
        break;
      }
      case 0x71:
        memo.set(data[need(1)], top());
        break;
      case 0x72:
        memo.set(dv.getUint32(need(4), true), top());
        break;
      case 0x94:
        memo.set(memo.size, top());
        break;
      case 0x68:
        stack.push(getMemo(data[need(1)]));
        break;
      case 0x6a:
        stack.push(getMemo(dv.getUint32(need(4), true)));
        break;
      case 0x51:
        stack.push(hooks.persistentLoad(pop()));
        break;
      case 0x52: {
        const args = pop();
        const fn = pop();
        if (!Array.isArray(args)) fail("REDUCE arguments are not a tuple");
        if (fn === null || typeof (fn as PyCallable).call !== "function") fail("REDUCE on an object that is not callable");
        stack.push((fn as PyCallable).call(args as PyValue[]));
        break;
      }
      case 0x62: {
        const state = pop();
        hooks.build(top(), state);
        break;
      }
      default:
        fail(
          `unsupported pickle opcode ${OPCODE_NAMES[op] ?? "(unknown)"} (0x${op.toString(16).padStart(2, "0")}); ${supported}`,
        );
    }
  }
}
