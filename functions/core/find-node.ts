import type { NodeInfo } from "./ports.ts";
import type { ProcessorDeps } from "./processor.ts";

/**
 * The node by providerID, else by the instance's EC2 DNS names (nodes registered without a providerID).
 * A batch's instances were described when it was routed, so their private DNS names, which EKS names nodes
 * after, are known without another EC2 call: the node is then one read, not a list of the whole cluster.
 */
export async function findNode(deps: ProcessorDeps, instanceId: string): Promise<NodeInfo | undefined> {
  const byProviderId = await deps.cluster.findNode(instanceId, deps.instances.knownDnsNames(instanceId));
  if (byProviderId) return byProviderId;
  const names = await deps.instances.dnsNames(instanceId);
  return names.length > 0 ? deps.cluster.findNodeByName(instanceId, names) : undefined;
}
