/**
 * Worker pools for the wasm thread tests: `const started = wasmPools();` at the top of a describe block
 * gives `started(threads)`, a fresh heap and pool whose workers are all running; every pool it made is
 * closed after the block.
 */
import { afterAll } from "vitest";
import { WasmHeap } from "../src/backend/wasm/heap.js";
import { wasmExports, wasmModule } from "../src/backend/wasm/registry.js";
import { WasmPool } from "../src/backend/wasm/workers.js";

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

export function wasmPools(): (threads: number) => Promise<{ heap: WasmHeap; pool: WasmPool }> {
  const pools: WasmPool[] = [];
  afterAll(() => {
    for (const p of pools) p.close();
  });
  return async (threads) => {
    const heap = new WasmHeap(wasmExports()!);
    const pool = new WasmPool(wasmModule(), heap);
    pool.setNumThreads(threads);
    pools.push(pool);
    for (let i = 0; i < threads - 1; i++) {
      for (let tries = 0; pool.worker(i) === null; tries++) {
        if (tries > 500) throw new Error(`worker ${i} did not start within 5 s`);
        await sleep(10);
      }
    }
    return { heap, pool };
  };
}
