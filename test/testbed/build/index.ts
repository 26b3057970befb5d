import { cacheRoot } from "../paths.ts";
import type { Progress } from "../progress.ts";
import type { BuildOptions } from "./cache-entry.ts";
import { buildKubeScore } from "./kube-score.ts";
import { buildKubernetes } from "./kubernetes.ts";
import { buildKustomize } from "./kustomize.ts";
import { buildKwok } from "./kwok.ts";
import { buildMoto } from "./moto.ts";

export type Builds = Awaited<ReturnType<typeof buildAll>>;

// The Go builds run one after the other (two cores gain nothing from interleaving them);
// moto's pip install is network-bound and runs beside them. The first failure stops the rest.
export async function buildAll(progress: Progress, root = cacheRoot()) {
  const abort = new AbortController();
  const options: BuildOptions = { progress, root, signal: abort.signal };
  const goBuilds = async () => {
    const kubernetes = await buildKubernetes(options);
    const kwok = await buildKwok(options);
    const kustomize = await buildKustomize(options);
    const kubeScore = await buildKubeScore(options);
    return { kubernetes, kwok, kustomize, kubeScore };
  };
  const failFast = <T>(build: Promise<T>) =>
    build.catch((error: unknown) => {
      abort.abort();
      throw error;
    });
  const [moto, go] = await Promise.allSettled([failFast(buildMoto(options)), failFast(goBuilds())]);
  if (moto.status === "fulfilled" && go.status === "fulfilled") return { ...go.value, moto: moto.value };
  // Report the failure that caused the abort, not the "stopped" it caused in the sibling.
  const errors = [moto, go].flatMap((result) => (result.status === "rejected" ? [result.reason as unknown] : []));
  throw errors.find((error) => !isAbortFallout(error)) ?? errors[0];
}

function isAbortFallout(error: unknown): boolean {
  return error instanceof Error && error.message.includes("stopped because another build failed");
}
