// The manifest tools the k8s tests run, from the testbed's cache (the integration globalSetup builds them;
// each call returns at once when the cache entry is complete).
import { buildKubeScore } from "../testbed/build/kube-score.ts";
import { buildKustomize } from "../testbed/build/kustomize.ts";
import { cacheRoot } from "../testbed/paths.ts";
import { silentProgress } from "../testbed/progress.ts";

export async function k8sTools() {
  const options = { progress: silentProgress, root: cacheRoot() };
  const kustomize = await buildKustomize(options);
  const kubeScore = await buildKubeScore(options);
  return { kustomize: kustomize.binary, kubeScore: kubeScore.binary };
}
