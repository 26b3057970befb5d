import type { NodeInfo } from "./ports.ts";
import type { ProcessorDeps } from "./processor.ts";

/** The node by providerID, else by the instance's EC2 DNS names (nodes registered without a providerID). */
export async function findNode(deps: ProcessorDeps, instanceId: string): Promise<NodeInfo | undefined> {
  const byProviderId = await deps.cluster.findNode(instanceId);
  if (byProviderId) return byProviderId;
  // Nodes registered without a providerID (or under another name) are found by the instance's DNS names.
  const names = await deps.instances.dnsNames(instanceId);
  return names.length > 0 ? deps.cluster.findNode(instanceId, names) : undefined;
}
