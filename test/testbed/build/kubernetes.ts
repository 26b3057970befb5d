import { copyFileSync, mkdirSync, renameSync } from "node:fs";
import { join } from "node:path";
import { testbedDir } from "../paths.ts";
import { throttledCounter } from "../progress.ts";
import { runLogged } from "../run.ts";
import { versions } from "../versions.ts";
import { type BuildOptions, contentHash, ensureBuilt } from "./cache-entry.ts";
import { goEnv, isPackageLine } from "./go-env.ts";

export interface KubernetesBinaries {
  version: string;
  etcd: string;
  apiserver: string;
  controllerManager: string;
  scheduler: string;
}

const packages = [
  "k8s.io/kubernetes/cmd/kube-apiserver",
  "k8s.io/kubernetes/cmd/kube-controller-manager",
  "k8s.io/kubernetes/cmd/kube-scheduler",
  "go.etcd.io/etcd/server/v3",
];

// kubernetes' own go.mod replaces its staging modules with local paths, so `go install` cannot build it.
// The wrapper module in ./kubernetes maps each staging module to its published version instead.
export async function buildKubernetes({ progress, root, signal }: BuildOptions): Promise<KubernetesBinaries> {
  const moduleDir = join(testbedDir, "kubernetes");
  const moduleFiles = [join(moduleDir, "go.mod"), join(moduleDir, "go.sum")];
  const dir = join(root, `kubernetes-${versions.kubernetes}-${contentHash(moduleFiles)}`);
  const bin = join(dir, "bin");
  const binaries: KubernetesBinaries = {
    version: versions.kubernetes,
    etcd: join(bin, "etcd"),
    apiserver: join(bin, "kube-apiserver"),
    controllerManager: join(bin, "kube-controller-manager"),
    scheduler: join(bin, "kube-scheduler"),
  };
  const entry = { component: "kubernetes", dir, logPath: join(root, `kubernetes-${versions.kubernetes}.build.log`) };
  const outputs = [binaries.etcd, binaries.apiserver, binaries.controllerManager, binaries.scheduler];

  await ensureBuilt(entry, outputs, progress, async () => {
    const src = join(dir, "src");
    mkdirSync(src, { recursive: true });
    for (const file of moduleFiles) copyFileSync(file, join(src, file.split("/").pop() ?? ""));
    const run = { component: entry.component, logPath: entry.logPath, cwd: src, env: goEnv(), signal };

    progress(entry.component, `downloading modules for ${versions.kubernetes} and etcd ${versions.etcd}`);
    await runLogged("go", ["mod", "download"], run);

    let total = 0;
    await runLogged("go", ["list", "-deps", ...packages], { ...run, onLine: () => total++ });
    const report = throttledCounter((count) =>
      progress(entry.component, `compiled ${count}/${total} packages (${Math.round((100 * count) / total)}%)`),
    );
    let compiled = 0;
    const ldflags = `-s -w -X k8s.io/component-base/version.gitVersion=${versions.kubernetes}`;
    await runLogged("go", ["build", "-v", "-trimpath", "-ldflags", ldflags, "-o", `${bin}/`, ...packages], {
      ...run,
      onLine: (line) => {
        if (isPackageLine(line)) report(++compiled);
      },
    });
    // etcd's main package is server/v3, which go names "v3" or "server"; give it its real name.
    for (const built of ["server", "v3"]) {
      try {
        renameSync(join(bin, built), binaries.etcd);
      } catch {}
    }
  });
  return binaries;
}
