/**
 * Runs the one-line JSDoc examples of the files below: every `@example` line of the form
 * `expression // expected` is evaluated with `torch`, `nn` and `F` in scope, and the result must print as
 * `expected` (`String(tensor)` for `tensor(...)`, the array for `[...]`, a number or boolean as written). Lines whose comment is prose or
 * approximate (`≈ ...`) are left to the hand-written tests.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import * as torch from "../src/index.js";

const ROOT = join(import.meta.dirname, "..");

interface Example {
  line: number;
  expr: string;
  expected: string;
}

function examples(file: string): Example[] {
  const lines = readFileSync(join(ROOT, file), "utf8").split("\n");
  const out: Example[] = [];
  let inExample = false;
  lines.forEach((raw, i) => {
    const text = raw.trim();
    if (text.startsWith("* @example")) inExample = true;
    else if (text.startsWith("*/") || /^\* @\w+/.test(text)) inExample = false;
    else if (inExample) {
      const m = /^\* (.+?) \/\/ ((?:tensor\(|\[).*|-?\d[\d.e+-]*|true|false)$/.exec(text);
      if (m) out.push({ line: i + 1, expr: m[1], expected: m[2] });
    }
  });
  return out;
}

function printed(v: unknown): string {
  if (v instanceof torch.Tensor) return String(v).replace(/\n\s*/g, " ");
  if (typeof v === "number" || typeof v === "boolean") return String(v);
  return JSON.stringify(v).replace(/,/g, ", ");
}

const FILES: Array<[string, number]> = [
  ["src/nn/modules/activation.ts", 25],
  ["src/nn/modules/maxout.ts", 2],
  ["src/nn/init.ts", 15],
];

describe("one-line JSDoc examples print what they say", () => {
  it.each(FILES)("%s", (file, atLeast) => {
    const found = examples(file);
    expect(found.length, `${file}: examples found`).toBeGreaterThanOrEqual(atLeast);
    for (const { line, expr, expected } of found) {
      torch.manualSeed(0);
      const value: unknown = new Function("torch", "nn", "F", `return ${expr};`)(torch, torch.nn, torch.nn.functional);
      expect(printed(value), `${file}:${line}: ${expr}`).toBe(expected);
    }
  });
});
