import { join } from "node:path";
import { throttledCounter } from "../progress.ts";
import { runLogged } from "../run.ts";
import { versions } from "../versions.ts";
import { type BuildOptions, ensureBuilt } from "./cache-entry.ts";
import { goEnv, isPackageLine } from "./go-env.ts";

// kustomize builds the manifests in k8s/ exactly as a platform team's pipeline would. Its module has no
// replace lines, so a plain `go install` from the module proxy builds it.
export async function buildKustomize({ progress, root, signal }: BuildOptions, version: string = versions.kustomize) {
  const dir = join(root, `kustomize-${version}`);
  const binary = join(dir, "bin", "kustomize");
  const entry = { component: "kustomize", dir, logPath: join(root, `kustomize-${version}.build.log`) };
  await ensureBuilt(entry, [binary], progress, async () => {
    const report = throttledCounter((count) => progress("kustomize", `compiled ${count} packages`));
    let compiled = 0;
    await runLogged(
      "go",
      ["install", "-v", "-trimpath", "-ldflags", "-s -w", `sigs.k8s.io/kustomize/kustomize/v5@${version}`],
      {
        component: entry.component,
        logPath: entry.logPath,
        cwd: dir,
        env: goEnv({ GOBIN: join(dir, "bin"), GOFLAGS: "-buildvcs=false" }),
        signal,
        onLine: (line) => {
          if (isPackageLine(line)) report(++compiled);
        },
      },
    );
  });
  return { version, binary };
}
