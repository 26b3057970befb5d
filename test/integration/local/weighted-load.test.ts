import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ChangeResourceRecordSetsCommand, CreateHostedZoneCommand, Route53Client } from "@aws-sdk/client-route-53";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { endpoints, eventually, uniqueName } from "../../helpers/testbed.ts";
import { type ReadyPodsWatch, watchReadyPods } from "../../local/ready-pods.ts";
import { startClusterServices } from "../../local/services.ts";
import { failed, type RequestRecord, startWeightedLoad, type WeightedLoad } from "../../local/weighted-load.ts";
import { type PrescalingWorld, prescalingWorld } from "../prescaling/setup.ts";

// The cluster-upgrade scenario's instruments on the real peers: each cluster's own ad server process, the
// weighted records in the emulator's Route53, and Ready pods of an HPA's Deployment on the real apiserver.
const slow = 120_000;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe("a load that follows the Route53 weights", () => {
  const route53 = new Route53Client({});
  let world: PrescalingWorld;
  let services: Awaited<ReturnType<typeof startClusterServices>>;
  let ready: ReadyPodsWatch;
  let load: WeightedLoad;
  let zoneId: string;
  const recordName = `ads.${uniqueName("wl")}.local.`;

  const setWeights = async (weights: Record<string, number>) => {
    await route53.send(
      new ChangeResourceRecordSetsCommand({
        HostedZoneId: zoneId,
        ChangeBatch: {
          Changes: Object.entries(weights).map(([id, weight], i) => ({
            Action: "UPSERT" as const,
            ResourceRecordSet: {
              Name: recordName,
              Type: "A" as const,
              SetIdentifier: id,
              Weight: weight,
              TTL: 1,
              ResourceRecords: [{ Value: `10.0.${i}.10` }],
            },
          })),
        },
      }),
    );
  };
  /** The requests sent from `ms` after now until `ms` more, once the load has seen the change. */
  const window = async (ms: number): Promise<RequestRecord[]> => {
    // The load reads the records every 250 ms: skip the requests sent by the previous weights.
    await sleep(500);
    const from = load.records.length;
    await sleep(ms);
    return load.records.slice(from);
  };

  beforeAll(async () => {
    world = await prescalingWorld("wload", { nodeCpu: "8" });
    await world.app("web", 2, "100m", 2, 6);
    ready = await watchReadyPods(endpoints().kubeconfigPath, world.namespace, "web");
    const { HostedZone } = await route53.send(
      new CreateHostedZoneCommand({ Name: recordName.replace(/^ads\./, ""), CallerReference: uniqueName("wl") }),
    );
    zoneId = (HostedZone?.Id ?? "").replace("/hostedzone/", "");
    await setWeights({ blue: 100, green: 0 });
    const testbed = { ...endpoints(), redisUrl: `${endpoints().redisUrl}/13` };
    services = await startClusterServices(testbed, mkdtempSync(join(tmpdir(), "wload-")), ["blue", "green"]);
    const target = (name: string) => ({
      url: `${services.byCluster[name]?.adserverUrl}/v1/ad?slot=article_mpu&uid=u1&device=desktop&country=JP`,
      ready: ready.ready,
    });
    load = await startWeightedLoad({
      route53,
      hostedZoneId: zoneId,
      recordName,
      targets: { blue: target("blue"), green: target("green") },
      // D = 4: a share of 75 % needs 3 Ready pods, more than the 2 the HPA's floor gives.
      steadyStateReplicas: 4,
      concurrency: 2,
    });
  }, slow);

  afterAll(async () => {
    await load?.stop();
    await ready?.stop();
    await services?.stop();
    await world?.cleanup();
  }, slow);

  it("runs an ad server per cluster, each on its own port", () => {
    const urls = ["blue", "green"].map((name) => services.byCluster[name]?.adserverUrl);
    expect(new Set(urls).size).toBe(2);
  });

  it("sends nothing to a set at weight 0", async () => {
    const records = await window(1500);
    expect(records.length).toBeGreaterThan(10);
    expect(records.filter((r) => r.cluster === "green")).toEqual([]);
    expect(records.filter(failed)).toEqual([]);
  });

  it("splits the requests by the weights, and counts no shortfall while each share has its pods", async () => {
    await setWeights({ blue: 50, green: 50 });
    const records = await window(2000);
    const green = records.filter((r) => r.cluster === "green").length;
    expect(Math.abs(green / records.length - 0.5)).toBeLessThan(0.05);
    expect(records.filter((r) => r.underProvisioned)).toEqual([]);
  });

  it(
    "flags requests to a cluster with fewer Ready pods than its share needs, until the HPA's floor gives them",
    async () => {
      await setWeights({ blue: 25, green: 75 });
      const short = await window(1500);
      const toGreen = short.filter((r) => r.cluster === "green");
      expect(toGreen.length / short.length).toBeGreaterThan(0.7);
      expect(toGreen.every((r) => r.underProvisioned && r.need === 3 && r.ready === 2)).toBe(true);
      expect(short.filter((r) => r.cluster === "blue" && r.underProvisioned)).toEqual([]);
      await world.autoscaling.patchNamespacedHorizontalPodAutoscaler({
        name: "web",
        namespace: world.namespace,
        body: [{ op: "replace", path: "/spec/minReplicas", value: 3 }],
      });
      await eventually(() => expect(ready.ready()).toBe(3), 60_000, 100);
      const enough = await window(1500);
      expect(enough.filter((r) => r.underProvisioned)).toEqual([]);
    },
    slow,
  );

  it("answers each set equally when every weight is 0, as Route53 does", async () => {
    await setWeights({ blue: 0, green: 0 });
    const records = await window(2000);
    const green = records.filter((r) => r.cluster === "green").length;
    expect(Math.abs(green / records.length - 0.5)).toBeLessThan(0.05);
  });
});
