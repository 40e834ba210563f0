/**
 * Loads the compiled addon (Node only: this file is reached from `torch-ts/node`, never from the core).
 * The addon sits at native/build/Release/ in the package root: the nearest directory above this file with
 * a package.json (src/ and dist/ are three levels below it, the benchmark's compiled copy four).
 */
import { existsSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import type { NativeAddon } from "./addon.js";

export type AddonLoad = { addon: NativeAddon; error: null } | { addon: null; error: string };

export function loadNativeAddon(): AddonLoad {
  const path = join(packageRoot(), "native", "build", "Release", "torch_ts_native.node");
  if (!existsSync(path)) {
    return {
      addon: null,
      error: `the addon was not built (${path} is missing; install oneDNN's headers, e.g. Debian's libdnnl-dev, then run 'node scripts/build-native.mjs' in the package)`,
    };
  }
  try {
    const addon = createRequire(import.meta.url)(path) as NativeAddon;
    addon.info();
    return { addon, error: null };
  } catch (e) {
    return { addon: null, error: `loading ${path} failed: ${e instanceof Error ? e.message : String(e)}` };
  }
}

function packageRoot(): string {
  const here = dirname(fileURLToPath(import.meta.url));
  for (let dir = here; ; dir = dirname(dir)) {
    if (existsSync(join(dir, "package.json"))) return dir;
    if (dirname(dir) === dir) return join(here, "..", "..", "..");
  }
}
