import { join } from "node:path";
import { throttledCounter } from "../progress.ts";
import { runLogged } from "../run.ts";
import { versions } from "../versions.ts";
import { type BuildOptions, ensureBuilt } from "./cache-entry.ts";
import { goEnv, isPackageLine } from "./go-env.ts";

// The manifest policy check. Polaris was the first choice, but the Go module proxy refuses
// github.com/fairwindsops/polaris (403 "This module version is not available"); kube-score checks the same
// ground (probes, resources, security context, PDBs, HPAs, network policies) and grades findings CRITICAL,
// the equivalent of Polaris' "danger".
export async function buildKubeScore({ progress, root, signal }: BuildOptions, version: string = versions.kubeScore) {
  const dir = join(root, `kube-score-${version}`);
  const binary = join(dir, "bin", "kube-score");
  const entry = { component: "kube-score", dir, logPath: join(root, `kube-score-${version}.build.log`) };
  await ensureBuilt(entry, [binary], progress, async () => {
    const report = throttledCounter((count) => progress("kube-score", `compiled ${count} packages`));
    let compiled = 0;
    const ldflags = `-s -w -X main.version=${version}`;
    await runLogged(
      "go",
      ["install", "-v", "-trimpath", "-ldflags", ldflags, `github.com/zegl/kube-score/cmd/kube-score@${version}`],
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
