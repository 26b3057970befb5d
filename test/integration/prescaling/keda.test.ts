import { readFileSync } from "node:fs";
import { join } from "node:path";
import {
  ApiException,
  ApiextensionsV1Api,
  CustomObjectsApi,
  loadYaml,
  type V1CustomResourceDefinition,
} from "@kubernetes/client-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { stateAnnotation } from "../../../functions/core/prescaling/holds.ts";
import { hpaPolicy } from "../../fixtures/prescaling-policies.ts";
import { hpa } from "../../fixtures/prescaling-workloads.ts";
import { type PrescalingRig, prescalingRig } from "../../helpers/prescaling.ts";
import { eventually, uniqueName } from "../../helpers/testbed.ts";
import { type PrescalingWorld, prescalingWorld } from "./setup.ts";

const keda = { group: "keda.sh", version: "v1alpha1", plural: "scaledobjects" };
const crdPath = join(import.meta.dirname, "..", "..", "fixtures", "prescaling-keda-scaledobjects-crd.yaml");

/** KEDA's ScaledObject CRD only (no operator). Idempotent: other test files may install it at the same time. */
async function installScaledObjectCrd(api: ApiextensionsV1Api) {
  const crd = loadYaml<V1CustomResourceDefinition>(readFileSync(crdPath, "utf8"));
  await api.createCustomResourceDefinition({ body: crd }).catch((error: unknown) => {
    if (!(error instanceof ApiException && error.code === 409)) throw error;
  });
  await eventually(async () => {
    const current = await api.readCustomResourceDefinition({ name: crd.metadata?.name ?? "" });
    const established = current.status?.conditions?.some((c) => c.type === "Established" && c.status === "True");
    if (!established) throw new Error("CRD not established yet");
  });
}

// KEDA creates an HPA per ScaledObject and keeps rewriting it from the ScaledObject: a floor raised on the
// HPA would be undone. The operator does not run here; the HPA it would create is made by the test.
describe("a KEDA-managed target", () => {
  let world: PrescalingWorld;
  let rig: PrescalingRig;
  let custom: CustomObjectsApi;
  const alarm = uniqueName("queue-depth");

  beforeAll(async () => {
    world = await prescalingWorld("prescale-keda", { nodeCpu: "8" });
    await installScaledObjectCrd(world.kc.makeApiClient(ApiextensionsV1Api));
    custom = world.kc.makeApiClient(CustomObjectsApi);
    await world.app("worker", 2, "100m", 2, 10);
    await world.autoscaling.deleteNamespacedHorizontalPodAutoscaler({ namespace: world.namespace, name: "worker" });
    const scaledObject = (await custom.createNamespacedCustomObject({
      ...keda,
      namespace: world.namespace,
      body: {
        apiVersion: "keda.sh/v1alpha1",
        kind: "ScaledObject",
        metadata: { name: "worker" },
        spec: {
          scaleTargetRef: { name: "worker" },
          minReplicaCount: 2,
          maxReplicaCount: 10,
          triggers: [{ type: "cpu", metricType: "Utilization", metadata: { value: "60" } }],
        },
      },
    })) as { metadata: { uid: string } };
    const owned = hpa("keda-hpa-worker", 2, 10, "worker");
    owned.metadata = {
      name: "keda-hpa-worker",
      labels: { "scaledobject.keda.sh/name": "worker" },
      ownerReferences: [
        {
          apiVersion: "keda.sh/v1alpha1",
          kind: "ScaledObject",
          name: "worker",
          uid: scaledObject.metadata.uid,
          controller: true,
        },
      ],
    };
    await world.autoscaling.createNamespacedHorizontalPodAutoscaler({ namespace: world.namespace, body: owned });
    rig = await prescalingRig([
      hpaPolicy({
        name: "keda",
        alarms: [alarm],
        targets: [{ namespace: world.namespace, name: "keda-hpa-worker" }],
        floor: { mode: "absolute", replicas: 12 },
        maxReplicas: "raise",
      }),
    ]);
  });

  afterAll(() => world.cleanup());

  const readScaledObject = async () =>
    (await custom.getNamespacedCustomObject({ ...keda, namespace: world.namespace, name: "worker" })) as {
      metadata: { annotations?: Record<string, string> };
      spec: { minReplicaCount: number; maxReplicaCount: number };
    };

  it("patches the ScaledObject that owns the HPA, floor and ceiling in one write", async () => {
    await rig.setAlarm(alarm, "ALARM");
    expect((await rig.poll()).failed).toEqual([]);
    const so = await readScaledObject();
    // 12 > maxReplicaCount 10: KEDA's own validation rejects a floor above the ceiling, so both move together.
    expect([so.spec.minReplicaCount, so.spec.maxReplicaCount]).toEqual([12, 12]);
    expect(so.metadata.annotations?.[stateAnnotation]).toBeDefined();
    const owned = await world.readHpa("keda-hpa-worker");
    expect([owned.spec?.minReplicas, owned.spec?.maxReplicas]).toEqual([2, 10]);
    expect(owned.metadata?.annotations?.[stateAnnotation]).toBeUndefined();
    expect(rig.ofType("prescale_raised")[0]?.targets[0]?.object).toEqual({
      kind: "ScaledObject",
      namespace: world.namespace,
      name: "worker",
    });
  });

  it("restores the ScaledObject on OK", async () => {
    await rig.setAlarm(alarm, "OK");
    expect((await rig.poll()).failed).toEqual([]);
    const so = await readScaledObject();
    expect([so.spec.minReplicaCount, so.spec.maxReplicaCount]).toEqual([2, 10]);
    expect(so.metadata.annotations?.[stateAnnotation]).toBeUndefined();
  });
});
