// The manifests in k8s/, built by the real kustomize, renamed for one test run, and applied to the shared
// testbed with server-side apply (what `kubectl apply --server-side` sends).
import { execFile } from "node:child_process";
import { join } from "node:path";
import { promisify } from "node:util";
import {
  type KubeConfig,
  type KubernetesObject,
  KubernetesObjectApi,
  loadAllYaml,
  PatchStrategy,
  type V1PodTemplateSpec,
} from "@kubernetes/client-node";

const run = promisify(execFile);
const repoRoot = join(import.meta.dirname, "..", "..");
export const overlays = ["dev", "prod"] as const;
export type Overlay = (typeof overlays)[number];

/** Any built object; the tests read the fields they check. */
// biome-ignore lint/suspicious/noExplicitAny: manifests are free-form until a test narrows them
export type Manifest = KubernetesObject & Record<string, any>;

export function k8sPath(...parts: string[]): string {
  return join(repoRoot, "k8s", ...parts);
}

export async function kustomizeBuild(kustomize: string, dir: string): Promise<Manifest[]> {
  const { stdout } = await run(kustomize, ["build", dir], { maxBuffer: 16 * 1024 * 1024 });
  return loadAllYaml(stdout).filter(Boolean) as Manifest[];
}

export function buildOverlay(kustomize: string, overlay: Overlay): Promise<Manifest[]> {
  return kustomizeBuild(kustomize, k8sPath("overlays", overlay));
}

/** Label and taint that keep a run's pods on its own simulated nodes, and other tests' pods off them. */
export const runKey = "harbormaster.test/k8s-run";

const clusterScoped = new Set(["Namespace", "PriorityClass", "ClusterRole", "ClusterRoleBinding"]);

/**
 * The same manifests under names of this run, so runs and other test files on the shared cluster never
 * meet: namespaces, cluster-scoped objects, the control-plane group and every reference to them are
 * suffixed, and every pod template is pinned to nodes labelled and tainted with the run's key.
 */
export function isolate(objects: Manifest[], runId: string): Manifest[] {
  const copy = structuredClone(objects);
  const renamed = (name: string) => `${runId}-${name}`;
  const namespaces = new Set(copy.filter((o) => o.kind === "Namespace").map((o) => o.metadata?.name ?? ""));
  const ns = (name: string | undefined) => (name && namespaces.has(name) ? renamed(name) : name);
  for (const object of copy) {
    const meta = object.metadata ?? {};
    if (clusterScoped.has(object.kind ?? "")) meta.name = renamed(meta.name ?? "");
    if (meta.namespace) meta.namespace = ns(meta.namespace);
    if (object.kind === "ClusterRoleBinding" || object.kind === "RoleBinding") {
      if (object.roleRef.kind === "ClusterRole") object.roleRef.name = renamed(object.roleRef.name);
      for (const subject of object.subjects ?? []) {
        if (subject.kind === "Group") subject.name = renamed(subject.name);
        if (subject.namespace) subject.namespace = ns(subject.namespace);
      }
    }
    const template = podTemplate(object);
    if (template?.spec) {
      const spec = template.spec;
      if (spec.priorityClassName?.startsWith("harbormaster-")) spec.priorityClassName = renamed(spec.priorityClassName);
      spec.nodeSelector = { ...spec.nodeSelector, [runKey]: runId };
      spec.tolerations = [
        ...(spec.tolerations ?? []),
        { key: runKey, operator: "Equal", value: runId, effect: "NoSchedule" },
      ];
    }
  }
  return copy;
}

export function podTemplate(object: Manifest): V1PodTemplateSpec | undefined {
  if (object.kind === "CronJob") return object.spec?.jobTemplate?.spec?.template;
  if (["Deployment", "StatefulSet", "DaemonSet", "Job"].includes(object.kind ?? "")) return object.spec?.template;
  return undefined;
}

/** The control-plane group as an isolated run binds it. */
export function controlPlaneGroup(runId: string): string {
  return `${runId}-harbormaster:control-plane`;
}

const fieldManager = "harbormaster-k8s-test";

/**
 * Server-side applies every object, namespaces and priority classes first. With dryRun the apiserver
 * validates, defaults and admits each one and stores nothing.
 */
export async function applyAll(kc: KubeConfig, objects: Manifest[], options: { dryRun?: boolean } = {}) {
  const api = KubernetesObjectApi.makeApiClient(kc);
  const first = (o: Manifest) => (o.kind === "Namespace" || o.kind === "PriorityClass" ? 0 : 1);
  const applied: Manifest[] = [];
  for (const object of [...objects].sort((a, b) => first(a) - first(b))) {
    const dryRun = options.dryRun ? "All" : undefined;
    try {
      applied.push(
        (await api.patch(object, undefined, dryRun, fieldManager, true, PatchStrategy.ServerSideApply)) as Manifest,
      );
    } catch (error) {
      throw new Error(`applying ${object.kind} ${object.metadata?.namespace ?? ""}/${object.metadata?.name}`, {
        cause: error,
      });
    }
  }
  return applied;
}

/** Deletes what an isolated run created; the namespaces take their contents with them. */
export async function deleteAll(kc: KubeConfig, objects: Manifest[]): Promise<void> {
  const api = KubernetesObjectApi.makeApiClient(kc);
  const owned = objects.filter((o) => clusterScoped.has(o.kind ?? ""));
  await Promise.allSettled(owned.map((o) => api.delete(o)));
}
