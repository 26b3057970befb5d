import { describe, expect, it } from "vitest";
import { controlPlaneGroup, isolate, type Manifest, runKey } from "../../helpers/k8s-manifests.ts";

// Runs on the shared testbed must never touch each other's objects nor the real names other features use.
const manifests: Manifest[] = [
  { apiVersion: "v1", kind: "Namespace", metadata: { name: "harbormaster-system" } },
  { apiVersion: "scheduling.k8s.io/v1", kind: "PriorityClass", metadata: { name: "harbormaster-headroom" } },
  { apiVersion: "rbac.authorization.k8s.io/v1", kind: "ClusterRole", metadata: { name: "harbormaster-control-plane" } },
  {
    apiVersion: "rbac.authorization.k8s.io/v1",
    kind: "ClusterRoleBinding",
    metadata: { name: "harbormaster-control-plane" },
    roleRef: { kind: "ClusterRole", name: "harbormaster-control-plane" },
    subjects: [
      { kind: "Group", name: "harbormaster:control-plane" },
      { kind: "ServiceAccount", name: "descheduler", namespace: "harbormaster-system" },
    ],
  },
  {
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata: { name: "headroom", namespace: "harbormaster-system" },
    spec: {
      template: {
        spec: {
          priorityClassName: "harbormaster-headroom",
          nodeSelector: { "harbormaster.io/pool": "scissors" },
          tolerations: [{ operator: "Exists" }],
          containers: [],
        },
      },
    },
  },
  {
    apiVersion: "batch/v1",
    kind: "CronJob",
    metadata: { name: "descheduler", namespace: "harbormaster-system" },
    spec: { jobTemplate: { spec: { template: { spec: { priorityClassName: "system-cluster-critical" } } } } },
  },
];

describe("isolate", () => {
  const [namespace, priorityClass, role, binding, deployment, cronJob] = isolate(manifests, "run1");

  it("suffixes namespaces and cluster-scoped names, and every reference to them", () => {
    expect(namespace?.metadata?.name).toBe("run1-harbormaster-system");
    expect(priorityClass?.metadata?.name).toBe("run1-harbormaster-headroom");
    expect(role?.metadata?.name).toBe("run1-harbormaster-control-plane");
    expect(binding?.roleRef.name).toBe("run1-harbormaster-control-plane");
    expect(binding?.subjects).toEqual([
      { kind: "Group", name: controlPlaneGroup("run1") },
      { kind: "ServiceAccount", name: "descheduler", namespace: "run1-harbormaster-system" },
    ]);
    expect(deployment?.metadata?.namespace).toBe("run1-harbormaster-system");
    expect(deployment?.spec.template.spec.priorityClassName).toBe("run1-harbormaster-headroom");
  });

  it("keeps the system's own priority classes and the manifests' own placement rules", () => {
    expect(cronJob?.spec.jobTemplate.spec.template.spec.priorityClassName).toBe("system-cluster-critical");
    expect(deployment?.spec.template.spec.nodeSelector).toEqual({
      "harbormaster.io/pool": "scissors",
      [runKey]: "run1",
    });
    expect(deployment?.spec.template.spec.tolerations).toEqual([
      { operator: "Exists" },
      { key: runKey, operator: "Equal", value: "run1", effect: "NoSchedule" },
    ]);
  });

  it("leaves the input untouched", () => {
    expect(manifests[0]?.metadata?.name).toBe("harbormaster-system");
  });
});
