import { ApiException } from "@kubernetes/client-node";
import { afterAll, describe, expect, it } from "vitest";
import { applyAll, buildOverlay, deleteAll, isolate, type Manifest, overlays } from "../../helpers/k8s-manifests.ts";
import { k8sTools } from "../../helpers/k8s-tools.ts";
import { kube, uniqueName } from "../../helpers/testbed.ts";

// Server-side dry-run against the testbed's real apiserver: every object is decoded, defaulted, validated
// and admitted exactly as a real apply would be, and nothing is stored. The namespaces are created for
// real first, since admission refuses objects in a namespace that does not exist.
describe.each(overlays)("server-side dry-run of the %s overlay", (overlay) => {
  const { kc, apps } = kube();
  const created: Manifest[] = [];
  let objects: Manifest[];

  afterAll(async () => {
    await deleteAll(kc, created);
  });

  async function prepare(): Promise<Manifest[]> {
    objects ??= isolate(await buildOverlay((await k8sTools()).kustomize, overlay), uniqueName("k8s-dry"));
    const namespaces = objects.filter((o) => o.kind === "Namespace");
    if (created.length === 0) created.push(...(await applyAll(kc, namespaces)));
    return objects.filter((o) => o.kind !== "Namespace");
  }

  it("is accepted whole by the apiserver, and nothing is stored", async () => {
    const rest = await prepare();
    const answered = await applyAll(kc, rest, { dryRun: true });
    expect(answered).toHaveLength(rest.length);
    // The apiserver's defaulting ran: the answers carry fields the manifests never set.
    const deployment = answered.find((o) => o.kind === "Deployment" && o.metadata?.name?.endsWith("scissors"));
    expect(deployment?.spec.template.spec.schedulerName).toBe("default-scheduler");
    for (const object of answered.filter((o) => o.kind === "Deployment")) {
      const read = apps.readNamespacedDeployment({
        name: object.metadata?.name ?? "",
        namespace: object.metadata?.namespace ?? "",
      });
      await expect(read).rejects.toMatchObject({ code: 404 });
    }
  });

  it("is refused when an object is invalid (the check can fail)", async () => {
    const rest = await prepare();
    const broken = structuredClone(rest.find((o) => o.kind === "Deployment")) as Manifest;
    broken.spec.template.metadata.labels = { "app.kubernetes.io/name": "something-else" };
    const error = await applyAll(kc, [broken], { dryRun: true }).catch((e: Error) => e.cause);
    expect(error).toBeInstanceOf(ApiException);
    expect((error as ApiException<string>).code).toBe(422);
    expect(String((error as ApiException<string>).body)).toContain("spec.template.metadata.labels");
  });
});
