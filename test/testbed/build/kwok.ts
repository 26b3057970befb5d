import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { throttledCounter } from "../progress.ts";
import { runLogged } from "../run.ts";
import { versions } from "../versions.ts";
import { type BuildOptions, ensureBuilt } from "./cache-entry.ts";
import { goEnv, isPackageLine } from "./go-env.ts";

// The stages kwokctl runs by default: nodes become Ready and keep a lease, pods run and deletions complete.
const defaultStages = [
  "node/fast/node-initialize.yaml",
  "node/heartbeat-with-lease/node-heartbeat-with-lease.yaml",
  "pod/fast/pod-ready.yaml",
  "pod/fast/pod-complete.yaml",
  "pod/fast/pod-delete.yaml",
];

// kwok's go.mod has no replace lines, so a plain `go install` builds it.
export async function buildKwok({ progress, root, signal }: BuildOptions, version: string = versions.kwok) {
  const dir = join(root, `kwok-${version}`);
  const binary = join(dir, "bin", "kwok");
  const stages = join(dir, "stages.yaml");
  const entry = { component: "kwok", dir, logPath: join(root, `kwok-${version}.build.log`) };
  await ensureBuilt(entry, [binary, stages], progress, async () => {
    const report = throttledCounter((count) => progress("kwok", `compiled ${count} packages`));
    let compiled = 0;
    const run = {
      component: entry.component,
      logPath: entry.logPath,
      cwd: dir,
      env: goEnv({ GOBIN: join(dir, "bin"), GOFLAGS: "-buildvcs=false" }),
      signal,
    };
    const module = `sigs.k8s.io/kwok@${version}`;
    await runLogged("go", ["install", "-v", "-trimpath", "-ldflags", "-s -w", `sigs.k8s.io/kwok/cmd/kwok@${version}`], {
      ...run,
      onLine: (line) => {
        if (isPackageLine(line)) report(++compiled);
      },
    });
    // The stage definitions ship in the same module; take them from this version rather than copying them here.
    let json = "";
    await runLogged("go", ["mod", "download", "-json", module], { ...run, onLine: (line) => (json += line) });
    const moduleDir = (JSON.parse(json) as { Dir: string }).Dir;
    const documents = defaultStages.map((stage) => readFileSync(join(moduleDir, "kustomize", "stage", stage), "utf8"));
    writeFileSync(stages, documents.join("\n---\n"));
  });
  return { version, binary, stages };
}
