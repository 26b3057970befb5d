// The simulated cluster a newcomer's Harbormaster runs against: kwok nodes in three zones, a general pool
// of spot nodes and a dedicated pool for Scissors behind its taint, with the dev overlay applied to them.
import { randomBytes } from "node:crypto";
import type { CoreV1Api, KubeConfig, V1Taint } from "@kubernetes/client-node";
import { applyAll, buildOverlay, isolate, type Manifest, runKey } from "../helpers/k8s-manifests.ts";
import { buildKustomize } from "../testbed/build/kustomize.ts";
import { createSimulatedNode } from "../testbed/nodes.ts";
import { cacheRoot } from "../testbed/paths.ts";
import { silentProgress } from "../testbed/progress.ts";

export const zones = ["us-east-2a", "us-east-2b", "us-east-2c"] as const;
export const scissorsPool = { key: "harbormaster.io/pool", value: "scissors" } as const;
export const capacityTypeLabel = "eks.amazonaws.com/capacityType";
export const poolLabel = "harbormaster.local/pool";

export interface LocalNode {
  name: string;
  instanceId: string;
  zone: string;
  pool: "general" | "scissors";
}

export interface ClusterOptions {
  /** Spot nodes per zone in the general pool. */
  generalPerZone?: number;
  /** Keeps this run's pods on its own nodes (tests share one cluster); the start command owns its cluster. */
  runId?: string;
}

export function instanceId(): string {
  return `i-${randomBytes(9).toString("hex").slice(0, 17)}`;
}

// Real nodes report local disk, and the workloads request some; simulated ones need it said.
const generalCapacity = { cpu: "4", memory: "16Gi", "ephemeral-storage": "100Gi" };
const scissorsCapacity = { cpu: "8", memory: "32Gi", "ephemeral-storage": "100Gi" };

/** Creates one node of a pool; also what a scenario calls to bring replacement capacity. */
export async function addNode(
  core: CoreV1Api,
  pool: LocalNode["pool"],
  zone: string,
  runId?: string,
): Promise<LocalNode> {
  const run: V1Taint[] = runId ? [{ key: runKey, value: runId, effect: "NoSchedule" }] : [];
  const runLabel: Record<string, string> = runId ? { [runKey]: runId } : {};
  const id = instanceId();
  const node =
    pool === "scissors"
      ? await createSimulatedNode(core, {
          instanceId: id,
          zone,
          labels: {
            ...runLabel,
            [scissorsPool.key]: scissorsPool.value,
            [poolLabel]: pool,
            [capacityTypeLabel]: "ON_DEMAND",
          },
          taints: [...run, { ...scissorsPool, effect: "NoSchedule" }],
          capacity: scissorsCapacity,
        })
      : await createSimulatedNode(core, {
          instanceId: id,
          zone,
          labels: { ...runLabel, [poolLabel]: pool, [capacityTypeLabel]: "SPOT" },
          taints: run,
          capacity: generalCapacity,
        });
  return { name: node.metadata?.name ?? "", instanceId: id, zone, pool };
}

export async function createNodes(core: CoreV1Api, options: ClusterOptions = {}): Promise<LocalNode[]> {
  const perZone = options.generalPerZone ?? 3;
  const wanted = zones.flatMap((zone) => [
    addNode(core, "scissors", zone, options.runId),
    ...Array.from({ length: perZone }, () => addNode(core, "general", zone, options.runId)),
  ]);
  return Promise.all(wanted);
}

/** Builds k8s/overlays/dev with the testbed's kustomize and server-side applies it. */
export async function applyDevOverlay(kc: KubeConfig, runId?: string): Promise<Manifest[]> {
  const { binary } = await buildKustomize({ progress: silentProgress, root: cacheRoot() });
  const built = await buildOverlay(binary, "dev");
  const objects = runId ? isolate(built, runId) : built;
  await applyAll(kc, objects);
  return objects;
}
