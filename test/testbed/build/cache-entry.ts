import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { Progress } from "../progress.ts";
import { seconds } from "../progress.ts";

export interface BuildOptions {
  progress: Progress;
  /** Cache root; each component gets a folder keyed by its version. */
  root: string;
  signal?: AbortSignal;
}

export interface CacheEntry {
  component: string;
  dir: string;
  logPath: string;
}

// A cache entry is complete only once its marker is written, so an interrupted build is redone, not trusted.
export async function ensureBuilt(
  entry: CacheEntry,
  outputs: readonly string[],
  progress: Progress,
  build: () => Promise<void>,
): Promise<void> {
  const marker = join(entry.dir, ".complete");
  if (existsSync(marker) && outputs.every((path) => existsSync(path))) return;
  rmSync(entry.dir, { recursive: true, force: true });
  mkdirSync(entry.dir, { recursive: true });
  const started = Date.now();
  progress(entry.component, `building into ${entry.dir} (log: ${entry.logPath})`);
  await build();
  writeFileSync(marker, new Date().toISOString());
  progress(entry.component, `built in ${seconds(started)}`);
}

export function contentHash(paths: readonly string[]): string {
  const hash = createHash("sha256");
  for (const path of paths) hash.update(readFileSync(path));
  return hash.digest("hex").slice(0, 10);
}
