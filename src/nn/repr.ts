/**
 * Python's `repr` of the values modules print in `extraRepr`, so a module tree prints exactly as PyTorch's.
 */

/** Python's `repr(float)`: shortest round-trip digits, `1.0` for integers, exponent when exp < -4 or >= 16. */
export function pyFloat(x: number): string {
  if (Number.isNaN(x)) return "nan";
  if (x === Infinity) return "inf";
  if (x === -Infinity) return "-inf";
  if (x === 0) return Object.is(x, -0) ? "-0.0" : "0.0";
  const [mant, expStr] = x.toExponential().split("e");
  const exp = Number(expStr);
  const neg = mant.startsWith("-");
  const digits = mant.replace("-", "").replace(".", "");
  let s: string;
  if (exp < -4 || exp >= 16) {
    const m = digits.length > 1 ? `${digits[0]}.${digits.slice(1)}` : digits;
    s = `${m}e${exp < 0 ? "-" : "+"}${String(Math.abs(exp)).padStart(2, "0")}`;
  } else if (exp < 0) {
    s = `0.${"0".repeat(-exp - 1)}${digits}`;
  } else if (digits.length <= exp + 1) {
    s = `${digits}${"0".repeat(exp + 1 - digits.length)}.0`;
  } else {
    s = `${digits.slice(0, exp + 1)}.${digits.slice(exp + 1)}`;
  }
  return neg ? `-${s}` : s;
}

/** An int as Python prints it, a non-integer as `pyFloat` (for arguments PyTorch takes as int or float). */
export function pyNumber(x: number): string {
  return Number.isInteger(x) ? String(x) : pyFloat(x);
}

/** `True` / `False`. */
export function pyBool(b: boolean): string {
  return b ? "True" : "False";
}

/** Python's `repr(str)` for plain strings: single quotes. */
export function pyStr(s: string): string {
  return `'${s.replace(/\\/g, "\\\\").replace(/'/g, "\\'")}'`;
}

/** A Python tuple of ints: `(3, 3)`, `(5,)` for one element. */
export function pyTuple(xs: readonly number[]): string {
  return xs.length === 1 ? `(${xs[0]},)` : `(${xs.join(", ")})`;
}

/** `torch.Size([2, 3])`, as PyTorch prints shapes in error messages. */
export function torchSize(shape: readonly number[]): string {
  return `torch.Size([${shape.join(", ")}])`;
}

/** PyTorch's `_addindent`: indents every line but the first by `n` spaces. */
export function addIndent(s: string, n: number): string {
  const lines = s.split("\n");
  if (lines.length === 1) return s;
  const pad = " ".repeat(n);
  return [lines[0], ...lines.slice(1).map((l) => pad + l)].join("\n");
}
