import { homedir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

// Builds are cached outside the repository so fresh clones and CI runs on the same machine reuse them.
export function cacheRoot(env: NodeJS.ProcessEnv = process.env): string {
  if (env.HARBORMASTER_CACHE) return env.HARBORMASTER_CACHE;
  const base = env.XDG_CACHE_HOME || join(homedir(), ".cache");
  return join(base, "harbormaster");
}

export const testbedDir = fileURLToPath(new URL(".", import.meta.url));
