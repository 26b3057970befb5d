import {
  ApiException,
  AppsV1Api,
  AuthorizationV1Api,
  AutoscalingV2Api,
  type ConfigurationOptions,
  CoreV1Api,
  Observable,
  PatchStrategy,
  PolicyV1Api,
  type V1ResourceAttributes,
} from "@kubernetes/client-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  applyAll,
  buildOverlay,
  controlPlaneGroup,
  deleteAll,
  isolate,
  type Manifest,
  runKey,
} from "../../helpers/k8s-manifests.ts";
import { k8sTools } from "../../helpers/k8s-tools.ts";
import { createNode, eventually, kube, randomInstanceId, uniqueName } from "../../helpers/testbed.ts";

// The control plane's RBAC, applied to the real apiserver (which authorizes with RBAC), then exercised as
// the Lambdas' group by impersonation: the admin token asks to act as a user in that group only.
describe("control-plane RBAC, impersonating its group", () => {
  const { kc, core } = kube();
  const runId = uniqueName("k8s-rbac");
  const group = controlPlaneGroup(runId);
  const system = `${runId}-harbormaster-system`;
  const apps = `${runId}-adserver`;
  let objects: Manifest[];
  let nodeName: string;
  let podName: string;

  // Every request of these clients carries Impersonate-User and Impersonate-Group.
  const impersonating: ConfigurationOptions = {
    middleware: [
      {
        pre(context) {
          context.setHeaderParam("Impersonate-User", "harbormaster-lambda");
          context.setHeaderParam("Impersonate-Group", group);
          return new Observable(Promise.resolve(context));
        },
        post: (response) => new Observable(Promise.resolve(response)),
      },
    ],
    middlewareMergeStrategy: "append",
  };
  const as = {
    core: kc.makeApiClient(CoreV1Api),
    apps: kc.makeApiClient(AppsV1Api),
    policy: kc.makeApiClient(PolicyV1Api),
    autoscaling: kc.makeApiClient(AutoscalingV2Api),
    authorization: kc.makeApiClient(AuthorizationV1Api),
  };
  const mergePatch: ConfigurationOptions = {
    middleware: [
      ...(impersonating.middleware ?? []),
      {
        pre(context) {
          context.setHeaderParam("Content-Type", PatchStrategy.MergePatch);
          return new Observable(Promise.resolve(context));
        },
        post: (response) => new Observable(Promise.resolve(response)),
      },
    ],
    middlewareMergeStrategy: "append",
  };

  beforeAll(async () => {
    objects = isolate(await buildOverlay((await k8sTools()).kustomize, "dev"), runId);
    await applyAll(kc, objects);
    const node = await createNode(core, {
      instanceId: randomInstanceId(),
      labels: { [runKey]: runId },
      taints: [{ key: runKey, value: runId, effect: "NoSchedule" }],
      waitReady: false,
    });
    nodeName = node.metadata?.name ?? "";
    // The HPA controller raises the Deployment to its floor; its pods are what a drain would evict.
    podName = await eventually(async () => {
      const pods = await core.listNamespacedPod({ namespace: apps });
      const name = pods.items[0]?.metadata?.name;
      if (!name) throw new Error("no adserver pod yet");
      return name;
    }, 60_000);
  }, 120_000);

  afterAll(async () => {
    await core.deleteNode({ name: nodeName }).catch(() => {});
    await deleteAll(kc, objects);
  });

  async function allowed(attributes: V1ResourceAttributes): Promise<boolean> {
    const review = await as.authorization.createSelfSubjectAccessReview(
      { body: { spec: { resourceAttributes: attributes } } },
      impersonating,
    );
    return review.status?.allowed ?? false;
  }

  async function statusOf(call: Promise<unknown>): Promise<number> {
    try {
      await call;
      return 200;
    } catch (error) {
      if (error instanceof ApiException) return error.code;
      throw error;
    }
  }

  const granted: [string, V1ResourceAttributes][] = [
    ["get nodes", { verb: "get", resource: "nodes" }],
    ["list nodes", { verb: "list", resource: "nodes" }],
    ["watch nodes", { verb: "watch", resource: "nodes" }],
    ["patch nodes", { verb: "patch", resource: "nodes" }],
    ["delete nodes (Node cleanup of terminated instances)", { verb: "delete", resource: "nodes" }],
    ["get pods", { verb: "get", resource: "pods", namespace: "any" }],
    ["list pods in every namespace", { verb: "list", resource: "pods" }],
    ["watch pods", { verb: "watch", resource: "pods" }],
    ["delete pods (the force policy)", { verb: "delete", resource: "pods", namespace: "any" }],
    ["create pods/eviction", { verb: "create", resource: "pods", subresource: "eviction", namespace: "any" }],
    ["list PDBs", { verb: "list", group: "policy", resource: "poddisruptionbudgets" }],
    ["watch PDBs", { verb: "watch", group: "policy", resource: "poddisruptionbudgets" }],
    ["get daemonsets", { verb: "get", group: "apps", resource: "daemonsets", namespace: "any" }],
    [
      "get deployments (the upgrade's ready gate)",
      { verb: "get", group: "apps", resource: "deployments", namespace: "any" },
    ],
    ["list deployments in every namespace", { verb: "list", group: "apps", resource: "deployments" }],
    ["get HPAs", { verb: "get", group: "autoscaling", resource: "horizontalpodautoscalers", namespace: "any" }],
    ["patch HPAs", { verb: "patch", group: "autoscaling", resource: "horizontalpodautoscalers", namespace: "any" }],
    ["list HPAs", { verb: "list", group: "autoscaling", resource: "horizontalpodautoscalers" }],
    ["get ScaledObjects", { verb: "get", group: "keda.sh", resource: "scaledobjects", namespace: "any" }],
    ["list ScaledObjects", { verb: "list", group: "keda.sh", resource: "scaledobjects" }],
    ["patch ScaledObjects", { verb: "patch", group: "keda.sh", resource: "scaledobjects", namespace: "any" }],
  ];
  const headroomScale = { group: "apps", resource: "deployments", subresource: "scale", name: "headroom" };
  const refused: [string, V1ResourceAttributes][] = [
    ["get secrets", { verb: "get", resource: "secrets", namespace: "any" }],
    ["list secrets", { verb: "list", resource: "secrets" }],
    ["get configmaps", { verb: "get", resource: "configmaps", namespace: "any" }],
    ["create nodes", { verb: "create", resource: "nodes" }],
    ["update nodes (only patch)", { verb: "update", resource: "nodes" }],
    ["create pods", { verb: "create", resource: "pods", namespace: "any" }],
    ["exec into pods", { verb: "create", resource: "pods", subresource: "exec", namespace: "any" }],
    ["delete namespaces", { verb: "delete", resource: "namespaces" }],
    ["delete PDBs", { verb: "delete", group: "policy", resource: "poddisruptionbudgets", namespace: "any" }],
    ["patch daemonsets", { verb: "patch", group: "apps", resource: "daemonsets", namespace: "any" }],
    ["delete HPAs", { verb: "delete", group: "autoscaling", resource: "horizontalpodautoscalers", namespace: "x" }],
    ["patch deployments", { verb: "patch", group: "apps", resource: "deployments", namespace: "any" }],
    ["scale another Deployment", { ...headroomScale, verb: "patch", namespace: "any", name: "adserver" }],
    [
      "create clusterrolebindings",
      { verb: "create", group: "rbac.authorization.k8s.io", resource: "clusterrolebindings" },
    ],
  ];

  it.each(granted)("allows %s", async (_, attributes) => {
    expect(await allowed(attributes)).toBe(true);
  });

  it.each(refused)("refuses to %s", async (_, attributes) => {
    expect(await allowed(attributes)).toBe(false);
  });

  it("allows the headroom Deployment's scale, in its own namespace only", async () => {
    for (const verb of ["get", "patch", "update"]) {
      expect(await allowed({ ...headroomScale, verb, namespace: system })).toBe(true);
      expect(await allowed({ ...headroomScale, verb, namespace: apps })).toBe(false);
    }
  });

  it("carries out a drain's calls: cordon, list the node's pods, read budgets, evict (all dry-run)", async () => {
    const dryRun = "All";
    const cordon = { spec: { unschedulable: true } };
    expect(await statusOf(as.core.patchNode({ name: nodeName, body: cordon, dryRun }, mergePatch))).toBe(200);
    const pods = as.core.listPodForAllNamespaces({ fieldSelector: `spec.nodeName=${nodeName}` }, impersonating);
    expect(await statusOf(pods)).toBe(200);
    expect(await statusOf(as.policy.listPodDisruptionBudgetForAllNamespaces({}, impersonating))).toBe(200);
    const eviction = { metadata: { name: podName, namespace: apps }, deleteOptions: { dryRun: [dryRun] } };
    const evict = as.core.createNamespacedPodEviction(
      { name: podName, namespace: apps, body: eviction, dryRun },
      impersonating,
    );
    expect(await statusOf(evict)).toBe(200);
    expect(await statusOf(as.core.deleteNode({ name: nodeName, dryRun }, impersonating))).toBe(200);
  });

  it("carries out pre-scaling's calls: an HPA's floor and the headroom scale (dry-run)", async () => {
    const dryRun = "All";
    const floor = { spec: { minReplicas: 4 } };
    const hpa = as.autoscaling.patchNamespacedHorizontalPodAutoscaler(
      { name: "adserver", namespace: apps, body: floor, dryRun },
      mergePatch,
    );
    expect(await statusOf(hpa)).toBe(200);
    const scale = { spec: { replicas: 5 } };
    const headroom = as.apps.patchNamespacedDeploymentScale(
      { name: "headroom", namespace: system, body: scale, dryRun },
      mergePatch,
    );
    expect(await statusOf(headroom)).toBe(200);
  });

  it("is refused the calls outside its role: secrets, other scales, pod templates, namespaces", async () => {
    const dryRun = "All";
    expect(await statusOf(as.core.listNamespacedSecret({ namespace: apps }, impersonating))).toBe(403);
    const scale = { spec: { replicas: 50 } };
    const other = as.apps.patchNamespacedDeploymentScale(
      { name: "adserver", namespace: apps, body: scale, dryRun },
      mergePatch,
    );
    expect(await statusOf(other)).toBe(403);
    const template = { spec: { template: { spec: { priorityClassName: "system-cluster-critical" } } } };
    const retemplate = as.apps.patchNamespacedDeployment(
      { name: "adserver", namespace: apps, body: template, dryRun },
      mergePatch,
    );
    expect(await statusOf(retemplate)).toBe(403);
    expect(await statusOf(as.core.deleteNamespace({ name: apps, dryRun }, impersonating))).toBe(403);
  });
});
