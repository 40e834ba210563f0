/**
 * The wasm backend when it cannot run (kernels not built, not loaded yet, an engine without WebAssembly or
 * without 128-bit SIMD): `use("wasm")` falls back to the js backend with a notice shown once per process,
 * never a crash. Runs everywhere: it needs no toolchain. Its own file, so the once-only notice starts
 * unseen.
 */
import { afterEach, describe, expect, it, vi } from "vitest";
import * as torch from "../src/index.js";
import { cpuBackend } from "../src/backend/cpu/index.js";
import { provideWasmBytes, provideWasmError } from "../src/backend/wasm/registry.js";

afterEach(() => {
  vi.restoreAllMocks();
  vi.unstubAllGlobals();
  torch.backends.use("js");
});

describe("wasm backend fallback", () => {
  it("before anything loaded the kernels, says how to load them", () => {
    expect(torch.backends.wasm.isAvailable()).toBe(false);
    expect(torch.backends.wasm.unavailableReason()).toMatch(/not loaded: import torch-ts\/node, or await torch\.backends\.wasm\.load\(\)/);
  });

  it("use('wasm') falls back to js with a one-time notice naming the reason", () => {
    provideWasmError("kernels.wasm was not built (test)");
    const warn = vi.spyOn(console, "warn").mockImplementation(() => {});
    expect(torch.backends.use("wasm")).toBe(cpuBackend);
    expect(torch.backends.current()).toBe("js");
    expect(warn).toHaveBeenCalledTimes(1);
    expect(warn.mock.calls[0][0]).toBe("torch-ts: the wasm backend is unavailable (kernels.wasm was not built (test)); using the js backend");
    torch.backends.use("wasm");
    expect(warn).toHaveBeenCalledTimes(1);
    // Ops keep working on the js backend.
    const x = torch.tensor([[1, 2], [3, 4]]);
    expect(torch.matmul(x, x).tolist()).toEqual([[7, 10], [15, 22]]);
  });

  it("an engine without 128-bit SIMD, or without WebAssembly, is a reason, not a crash", () => {
    vi.stubGlobal("WebAssembly", { ...WebAssembly, validate: () => false });
    provideWasmBytes(new Uint8Array([0, 97, 115, 109, 1, 0, 0, 0]), "kernels.wasm");
    expect(torch.backends.wasm.isAvailable()).toBe(false);
    expect(torch.backends.wasm.unavailableReason()).toBe("this engine's WebAssembly has no 128-bit SIMD");
    vi.stubGlobal("WebAssembly", undefined);
    provideWasmBytes(new Uint8Array(8), "kernels.wasm");
    expect(torch.backends.wasm.unavailableReason()).toBe("this JavaScript engine has no WebAssembly");
  });

  it("bytes that are not the kernels, and a failed fetch, are reasons too", async () => {
    provideWasmBytes(new Uint8Array([1, 2, 3]), "/somewhere/kernels.wasm");
    expect(torch.backends.wasm.unavailableReason()).toMatch(/^\/somewhere\/kernels\.wasm did not load: CompileError/);
    // The smallest valid module: loads, but lacks the kernels' exports.
    expect(await torch.backends.wasm.load(new Uint8Array([0, 97, 115, 109, 1, 0, 0, 0]))).toBe(false);
    expect(torch.backends.wasm.unavailableReason()).toMatch(/lacks the export 'memory'/);
    expect(await torch.backends.wasm.load("file:///nonexistent/kernels.wasm")).toBe(false);
    expect(torch.backends.wasm.unavailableReason()).toMatch(/^file:\/\/\/nonexistent\/kernels\.wasm did not load/);
  });
});
