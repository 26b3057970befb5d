// The shared shape of the node scenarios: emit one event per chosen node, bring replacement capacity as
// the node group would, and watch each node until Harbormaster has cordoned and drained it.
import type { V1Node } from "@kubernetes/client-node";
import { runKey } from "../../helpers/k8s-manifests.ts";
import { addNode, type LocalNode, poolLabel } from "../cluster.ts";
import { type Measurement, phaseOf, type ScenarioContext, type ScenarioResult, sleep } from "./context.ts";

/**
 * General-pool nodes of this stack that nothing has cordoned yet, spread over the zones; read from the
 * cluster, so replacements an earlier scenario brought count too.
 */
export async function pickNodes(ctx: ScenarioContext, perZone: number): Promise<LocalNode[]> {
  const candidates: LocalNode[] = [];
  for (const node of await ctx.nodes()) {
    const labels = node.metadata?.labels ?? {};
    if (labels[poolLabel] !== "general" || node.spec?.unschedulable || phaseOf(node)) continue;
    if (ctx.info.runId && labels[runKey] !== ctx.info.runId) continue;
    const instanceId = node.spec?.providerID?.split("/").at(-1) ?? "";
    const zone = labels["topology.kubernetes.io/zone"] ?? "";
    candidates.push({ name: node.metadata?.name ?? "", instanceId, zone, pool: "general" });
  }
  const zones = [...new Set(candidates.map((n) => n.zone))].sort();
  return zones.flatMap((zone) => candidates.filter((n) => n.zone === zone).slice(0, perZone));
}

export async function interruptNodes(
  ctx: ScenarioContext,
  targets: LocalNode[],
  emit: (targets: LocalNode[]) => Promise<void>,
  options: { replace: boolean; what: string; timeoutMs?: number },
): Promise<ScenarioResult> {
  if (targets.length === 0) throw new Error("no uncordoned general-pool node left: restart the stack (npm start)");
  const sent = Date.now();
  await emit(targets);
  await ctx.step(
    "event",
    "aws",
    `${options.what} for ${targets.length} nodes: ${targets.map((t) => t.name).join(", ")}`,
  );
  if (options.replace) {
    // The node group launches replacements as soon as it learns of the interruption.
    const added = await Promise.all(targets.map((t) => addNode(ctx.nodeTarget, "general", t.zone)));
    ctx.cluster.nodes.push(...added);
    await ctx.step("event", "node-group", `${added.length} replacement spot nodes joined`);
  }
  const cordoned = new Map<string, number>();
  const drained = new Map<string, number>();
  const names = new Set(targets.map((t) => t.name));
  const deadline = Date.now() + (options.timeoutMs ?? 180_000);
  while (drained.size < targets.length && Date.now() < deadline) {
    const nodes: V1Node[] = (await ctx.nodes()).filter((n) => names.has(n.metadata?.name ?? ""));
    const now = Date.now();
    for (const node of nodes) {
      const name = node.metadata?.name ?? "";
      if (node.spec?.unschedulable && !cordoned.has(name)) {
        cordoned.set(name, now - sent);
        await ctx.step("action", "harbormaster", `cordoned ${name}`);
      }
      if (phaseOf(node) === "drained" && !drained.has(name)) {
        drained.set(name, now - sent);
        await ctx.step("action", "harbormaster", `drained ${name}`);
      }
    }
    await sleep(100);
  }
  const measurements: Measurement[] = [
    { name: `${options.what} → cordoned`, samplesMs: [...cordoned.values()] },
    { name: `${options.what} → drained`, samplesMs: [...drained.values()] },
  ];
  return {
    measurements,
    facts: { targets: targets.map((t) => t.name), cordoned: [...cordoned.keys()], drained: [...drained.keys()] },
  };
}
