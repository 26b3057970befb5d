import { join } from "node:path";
import { testbedDir } from "../paths.ts";
import { runLogged } from "../run.ts";
import { versions } from "../versions.ts";
import { type BuildOptions, contentHash, ensureBuilt } from "./cache-entry.ts";

// moto runs from its own virtualenv so the machine's Python packages neither help nor hurt.
export async function buildMoto({ progress, root, signal }: BuildOptions, python = "python3") {
  const requirements = join(testbedDir, "moto", "requirements.txt");
  const dir = join(root, `moto-${versions.moto}-${contentHash([requirements])}`);
  const venvPython = join(dir, "venv", "bin", "python");
  const entry = { component: "moto", dir, logPath: join(root, `moto-${versions.moto}.build.log`) };
  await ensureBuilt(entry, [venvPython], progress, async () => {
    const run = { component: entry.component, logPath: entry.logPath, signal };
    await runLogged(python, ["-m", "venv", join(dir, "venv")], run);
    progress("moto", `installing moto ${versions.moto} and its pinned dependencies`);
    await runLogged(venvPython, ["-m", "pip", "install", "--quiet", "--progress-bar", "off", "-r", requirements], {
      ...run,
      onLine: (line) => {
        if (line.startsWith("Collecting")) progress("moto", line);
      },
    });
  });
  return { version: versions.moto, python: venvPython, server: join(testbedDir, "moto", "server.py") };
}
