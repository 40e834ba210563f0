import { createHash } from "node:crypto";
import { mkdirSync, renameSync, writeFileSync, existsSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";

/** One file of a dataset: its name and the md5 torchvision checks. */
export interface ResourceFile {
  name: string;
  md5: string;
}

export function md5Of(bytes: Uint8Array): string {
  return createHash("md5").update(bytes).digest("hex");
}

/** True when `path` exists and (if given) its md5 matches. */
export function checkIntegrity(path: string, md5?: string): boolean {
  if (!existsSync(path)) return false;
  return md5 === undefined || md5Of(readFileSync(path)) === md5;
}

/**
 * Fetches `file` from the first mirror that serves it with the right md5, writing it atomically (temp file +
 * rename) into `dir`. Fails with every mirror's error and where to put the file by hand.
 */
export async function downloadFile(mirrors: readonly string[], file: ResourceFile, dir: string, what: string): Promise<string> {
  const dest = join(dir, file.name);
  if (checkIntegrity(dest, file.md5)) return dest;
  const errors: string[] = [];
  for (const mirror of mirrors) {
    const url = mirror.endsWith("/") ? mirror + file.name : `${mirror}/${file.name}`;
    try {
      const res = await fetch(url);
      if (!res.ok) {
        errors.push(`${url}: HTTP ${res.status}`);
        continue;
      }
      const bytes = new Uint8Array(await res.arrayBuffer());
      const got = md5Of(bytes);
      if (got !== file.md5) {
        errors.push(`${url}: md5 mismatch (expected ${file.md5}, got ${got})`);
        continue;
      }
      mkdirSync(dirname(dest), { recursive: true });
      const tmp = `${dest}.part-${process.pid}`;
      writeFileSync(tmp, bytes);
      renameSync(tmp, dest);
      return dest;
    } catch (e) {
      errors.push(`${url}: ${(e as Error).message}${(e as { cause?: Error }).cause ? ` (${(e as { cause: Error }).cause.message})` : ""}`);
    }
  }
  throw new Error(
    `${what}: could not download ${file.name} (md5 ${file.md5}):\n  ${errors.join("\n  ")}\n` +
      `If this machine is offline, put ${file.name} in ${dir} yourself.`,
  );
}
