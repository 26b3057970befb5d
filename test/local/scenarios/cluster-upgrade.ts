// Seed 003's upgrade under load: blue carries production (its ad server HPA at the replicas the load
// drives), green comes up fresh at its floors, and the upgrade moves the ad server's records from blue to
// green while a load that follows those records runs. Halfway a spot warning hits a green node. The same
// upgrade plays twice from the same start: with capacity mirroring off, then on, and both are reported.
import { Route53Client } from "@aws-sdk/client-route-53";
import { podsNeeded, sharesOf } from "../provisioning.ts";
import { type ReadyPodsWatch, watchReadyPods } from "../ready-pods.ts";
import { unmirroredUpgradeName, upgradeHpa, upgradeName, upgradeNamespaces } from "../upgrades.ts";
import { startWeightedLoad, type WeightedLoad } from "../weighted-load.ts";
import { type ScenarioContext, type ScenarioResult, scenarioContext, sleep } from "./context.ts";
import { playArm } from "./upgrade-arm.ts";
import { type ArmFigures, formatArms } from "./upgrade-figures.ts";
import { type HpaRange, setWeights, untilReady, type WorkloadControl, workloadControl } from "./upgrade-setup.ts";

/** Blue's replicas under the production load it stands for: D, the whole load's pods at the HPA's target. */
export const loadedReplicas = 9;
/** Both clusters' ad server HPA range goes up to this, as production's would: room for green's mirrored floor. */
const productionMax = 20;

export const arms = [
  { arm: "mirroring off", upgrade: unmirroredUpgradeName },
  { arm: "mirroring on", upgrade: upgradeName },
] as const;

interface Sides {
  blue: WorkloadControl;
  green: WorkloadControl;
  readyBlue: ReadyPodsWatch;
  readyGreen: ReadyPodsWatch;
}

/** The same start for each arm: weights on blue, green fresh at its floor, blue at its loaded replicas. */
async function reset(ctx: ScenarioContext, sides: Sides, greenFloor: number) {
  const traffic = ctx.info.traffic;
  if (!traffic) throw new Error("the local stack has no traffic domain");
  await setWeights(traffic.hostedZoneId, traffic.recordName, { blue: 100, green: 0 });
  await sides.green.setRange({ min: greenFloor, max: productionMax });
  await sides.green.scaleTo(greenFloor);
  await untilReady("green", sides.readyGreen.ready, greenFloor);
  await untilReady("blue", sides.readyBlue.ready, loadedReplicas);
  // Step 3 of the seed: the applications deployed and checked in green (Argo CD healthy) before it starts.
  await sides.green.untilAvailable(greenFloor);
  await sides.blue.untilAvailable(loadedReplicas);
  // The load reads the records every 250 ms: let it see blue at 100 before the upgrade starts.
  await sleep(1000);
  await ctx.step(
    "note",
    "scenario",
    `start: weights blue 100 / green 0; blue ${loadedReplicas} Ready ad server pods, green ${greenFloor} (its floor)`,
  );
}

export async function clusterUpgrade(ctx: ScenarioContext): Promise<ScenarioResult> {
  const { info } = ctx;
  const blueInfo = info.clusters.find((c) => c.name === "blue");
  const greenInfo = info.clusters.find((c) => c.name === "green");
  if (!blueInfo?.adserverUrl || !greenInfo?.adserverUrl || !info.traffic)
    throw new Error(
      "cluster-upgrade needs the blue and green clusters with their ad servers: start them with npm start",
    );
  const [namespace = "adserver"] = upgradeNamespaces(info.runId);
  const blue = workloadControl(blueInfo, namespace, upgradeHpa);
  const green = workloadControl(greenInfo, namespace, upgradeHpa);
  const original: { blue: HpaRange; green: HpaRange } = { blue: await blue.range(), green: await green.range() };
  const readyBlue = await watchReadyPods(blueInfo.kubeconfigPath, namespace, upgradeHpa);
  const readyGreen = await watchReadyPods(greenInfo.kubeconfigPath, namespace, upgradeHpa);
  const sides = { blue, green, readyBlue, readyGreen };
  let load: WeightedLoad | undefined;
  try {
    await blue.setRange({ min: loadedReplicas, max: productionMax });
    await ctx.step(
      "note",
      "scenario",
      `blue carries production: its ad server HPA at ${loadedReplicas} replicas; green fresh at ${original.green.min}`,
    );
    await untilReady("blue", readyBlue.ready, loadedReplicas);
    const changes: { at: number; greenPercent: number }[] = [];
    const url = (base: string) => `${base}/v1/ad?slot=article_mpu&uid=u1&device=desktop&country=JP`;
    load = await startWeightedLoad({
      route53: new Route53Client({}),
      hostedZoneId: info.traffic.hostedZoneId,
      recordName: info.traffic.recordName,
      targets: {
        blue: { url: url(blueInfo.adserverUrl), ready: readyBlue.ready },
        green: { url: url(greenInfo.adserverUrl), ready: readyGreen.ready },
      },
      steadyStateReplicas: loadedReplicas,
      concurrency: 2,
      onWeights: (w) => changes.push({ at: Date.now(), greenPercent: Math.round(100 * (sharesOf(w).green ?? 0)) }),
    });
    const greenCtx = scenarioContext(info, ctx.print, "green", ctx.started);
    const figures: ArmFigures[] = [];
    for (const arm of arms) {
      ctx.print(`\n${arm.arm}: upgrade ${arm.upgrade}`);
      await reset(ctx, sides, original.green.min);
      figures.push(
        await playArm(ctx, { ...arm, load, changes, green: greenCtx, namespace, selector: readyGreen.selector }),
      );
    }
    ctx.print(
      [
        "",
        `cluster upgrade under load (D = ${loadedReplicas} pods serve the whole load at the HPA's target; a cluster`,
        "with share s needs ceil(s × D) Ready pods; a request to one with fewer counts as under-provisioned)",
        formatArms(figures),
      ].join("\n"),
    );
    return {
      measurements: figures.flatMap((f) => [
        { name: `${f.arm}: start → green at 100 %`, samplesMs: [f.toFullMs] },
        { name: `${f.arm}: start → blue released`, samplesMs: [f.totalMs] },
        { name: `${f.arm}: step (each)`, samplesMs: f.steps.map((s) => s.ms) },
      ]),
      facts: { steadyStateReplicas: loadedReplicas, needAtFull: podsNeeded(1, loadedReplicas), arms: figures },
    };
  } finally {
    await load?.stop();
    await Promise.allSettled([readyBlue.stop(), readyGreen.stop()]);
    // Blue's stand-in for load goes; the weights stay where the upgrade left them (green serving).
    await blue.setRange(original.blue).catch(() => {});
    await blue.scaleTo(original.blue.min).catch(() => {});
    await green.setRange(original.green).catch(() => {});
  }
}
