/**
 * The package as a user installs it: built with tsconfig.build.json into a scratch copy (so a stale or
 * missing dist/ in the checkout cannot hide a problem), imported by name through package.json "exports",
 * type-checked from a TypeScript consumer, packed with npm, and its core checked to import nothing from Node.
 */
import { spawnSync } from "node:child_process";
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const TSC = createRequire(import.meta.url).resolve("typescript/bin/tsc");
const pkgJson = JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8"));

let tmp: string;
let pkgDir: string;
let appDir: string;

function run(cmd: string, args: string[], cwd: string): { status: number | null; stdout: string; out: string } {
  const r = spawnSync(cmd, args, { cwd, encoding: "utf8", maxBuffer: 64 << 20 });
  return { status: r.status, stdout: r.stdout ?? "", out: `${r.stdout ?? ""}${r.stderr ?? ""}${r.error ? String(r.error) : ""}` };
}

/** Module specifiers a compiled ES module imports (static, re-exports and dynamic). */
function specifiers(code: string): string[] {
  const re = /(?:^|[;\s])(?:import|export)\s[^;]*?from\s*["']([^"']+)["']|(?:^|[;\s])import\s*["']([^"']+)["']|\bimport\s*\(\s*["']([^"']+)["']\s*\)/gm;
  return [...code.matchAll(re)].map((m) => m[1] ?? m[2] ?? m[3]);
}

beforeAll(() => {
  tmp = mkdtempSync(join(tmpdir(), "torch-ts-pkg-"));
  pkgDir = join(tmp, "torch-ts");
  appDir = join(tmp, "app");
  mkdirSync(pkgDir);
  mkdirSync(join(appDir, "node_modules"), { recursive: true });
  cpSync(join(ROOT, "package.json"), join(pkgDir, "package.json"));
  if (existsSync(join(ROOT, "README.md"))) cpSync(join(ROOT, "README.md"), join(pkgDir, "README.md"));
  const build = run(process.execPath, [TSC, "-p", join(ROOT, "tsconfig.build.json"), "--outDir", join(pkgDir, "dist")], ROOT);
  if (build.status !== 0) throw new Error(`package: tsc -p tsconfig.build.json failed:\n${build.out}`);
  symlinkSync(pkgDir, join(appDir, "node_modules", "torch-ts"), "dir");
  writeFileSync(join(appDir, "package.json"), JSON.stringify({ name: "app", private: true, type: "module" }));
}, 120_000);

afterAll(() => {
  if (tmp) rmSync(tmp, { recursive: true, force: true });
});

describe("package", () => {
  it("declares exports, files and engines", () => {
    expect(pkgJson.type).toBe("module");
    expect(pkgJson.exports["."]).toEqual({ types: "./dist/index.d.ts", import: "./dist/index.js" });
    expect(pkgJson.files).toContain("dist");
    expect(pkgJson.engines.node).toMatch(/^>=\s*20/);
    const major = Number(process.versions.node.split(".")[0]);
    expect(major).toBeGreaterThanOrEqual(20);
  });

  it("builds JavaScript with declarations for every source module", () => {
    for (const f of ["index.js", "index.d.ts", "tensor.js", "tensor.d.ts", "format.d.ts", "autograd/index.d.ts"]) {
      expect(existsSync(join(pkgDir, "dist", f)), f).toBe(true);
    }
    const dts = readFileSync(join(pkgDir, "dist", "index.d.ts"), "utf8");
    expect(dts).toMatch(/export \{ Tensor, isTensor \} from "\.\/tensor\.js"/);
  });

  it('resolves `import * as torch from "torch-ts"` through the exports map', () => {
    const script = [
      'import * as torch from "torch-ts";',
      'const x = torch.tensor([[1, 2], [3, 4]], { dtype: "float32", requiresGrad: true });',
      "const y = x.mul(x).sum();",
      "y.backward();",
      "console.log(JSON.stringify({ y: y.item(), grad: x.grad.tolist(), repr: String(y) }));",
      "console.log(x);",
    ].join("\n");
    writeFileSync(join(appDir, "main.mjs"), script);
    const r = run(process.execPath, ["main.mjs"], appDir);
    expect(r.status, r.out).toBe(0);
    const [json, ...logged] = r.stdout.trim().split("\n");
    expect(JSON.parse(json)).toEqual({ y: 30, grad: [[2, 4], [6, 8]], repr: "tensor(30., grad_fn=<SumBackward0>)" });
    expect(logged.join("\n")).toBe("tensor([[1., 2.],\n        [3., 4.]], requires_grad=True)");
  });

  it("keeps internal files private (only exported subpaths resolve)", () => {
    writeFileSync(join(appDir, "deep.mjs"), 'import "torch-ts/dist/tensor.js";\n');
    const r = run(process.execPath, ["deep.mjs"], appDir);
    expect(r.status).not.toBe(0);
    expect(r.out).toContain("ERR_PACKAGE_PATH_NOT_EXPORTED");
  });

  it("gives a TypeScript consumer real types through the exports map", () => {
    writeFileSync(
      join(appDir, "main.ts"),
      [
        'import * as torch from "torch-ts";',
        "const t: torch.Tensor = torch.zeros(2, 3);",
        "const s: string = t.toString();",
        "const n: number = t.sum().item();",
        "// @ts-expect-error: a typo must not type-check (fails if the types resolved to any)",
        "t.notAMethod();",
        "export { s, n };",
      ].join("\n"),
    );
    writeFileSync(
      join(appDir, "tsconfig.json"),
      JSON.stringify({
        compilerOptions: { module: "NodeNext", moduleResolution: "NodeNext", target: "ES2022", strict: true, noEmit: true, lib: ["ES2022", "DOM"], types: [] },
        files: ["main.ts"],
      }),
    );
    const r = run(process.execPath, [TSC, "-p", "tsconfig.json"], appDir);
    expect(r.out).toBe("");
    expect(r.status).toBe(0);
  });

  it("has a browser-safe core: everything reachable from the entry imports only package files", () => {
    const dist = join(pkgDir, "dist");
    const seen = new Set<string>();
    const bad: string[] = [];
    const visit = (file: string): void => {
      if (seen.has(file)) return;
      seen.add(file);
      for (const spec of specifiers(readFileSync(file, "utf8"))) {
        if (!spec.startsWith("./") && !spec.startsWith("../")) {
          bad.push(`${relative(dist, file)} imports "${spec}"`);
          continue;
        }
        visit(resolve(dirname(file), spec));
      }
      const dts = file.replace(/\.js$/, ".d.ts");
      if (existsSync(dts) && /reference types="node"/.test(readFileSync(dts, "utf8"))) {
        bad.push(`${relative(dist, dts)} references Node's types`);
      }
    };
    visit(join(dist, "index.js"));
    expect(seen.size).toBeGreaterThan(10);
    expect(bad).toEqual([]);
  });

  it("finds Node imports when they are there (the check above can fail)", () => {
    expect(specifiers('import { readFileSync } from "node:fs";\nexport * from "./a.js";\nimport "./b.js";\nawait import("worker_threads");')).toEqual([
      "node:fs",
      "./a.js",
      "./b.js",
      "worker_threads",
    ]);
  });

  it("runs every README example against the built package and prints what the README shows", () => {
    const readme = readFileSync(join(ROOT, "README.md"), "utf8");
    const blocks = [...readme.matchAll(/```js\n([\s\S]*?)```\s*(?:```text\n([\s\S]*?)```)?/g)];
    expect(blocks.length).toBeGreaterThanOrEqual(5);
    const failures: string[] = [];
    blocks.forEach(([, code, expected], i) => {
      if (expected === undefined) {
        failures.push(`example ${i + 1} has no \`\`\`text block with its output`);
        return;
      }
      const file = join(appDir, `readme-${i + 1}.mjs`);
      writeFileSync(file, code);
      const r = run(process.execPath, [file], appDir);
      if (r.status !== 0 || r.stdout.trimEnd() !== expected.trimEnd()) {
        failures.push(`example ${i + 1} (exit ${r.status}):\n--- README\n${expected}--- got\n${r.out}`);
      }
    });
    expect(failures).toEqual([]);
  });

  it("packs dist, README and package.json, and no sources or tests", () => {
    const r = run("npm", ["pack", "--dry-run", "--json", "--ignore-scripts"], pkgDir);
    expect(r.status, r.out).toBe(0);
    const files: string[] = JSON.parse(r.stdout)[0].files.map((f: { path: string }) => f.path);
    expect(files).toEqual(expect.arrayContaining(["package.json", "README.md", "dist/index.js", "dist/index.d.ts"]));
    expect(files.filter((f) => !f.startsWith("dist/") && f !== "package.json" && f !== "README.md")).toEqual([]);
    expect(files.filter((f) => f.endsWith(".test.js") || f.endsWith(".ts") && !f.endsWith(".d.ts"))).toEqual([]);
  });
});
