import type { InstanceDirectory } from "../core/ports.ts";

/**
 * Instance DNS names from EC2, for nodes that are not named by providerID. Cached: they never change.
 * The EC2 client is loaded on first use: most clusters name nodes by providerID and never need it, and
 * it is the largest AWS client (2 MB of CommonJS from the runtime), which every cold start would parse.
 */
export class Ec2InstanceDirectory implements InstanceDirectory {
  private readonly cache = new Map<string, string[]>();

  async dnsNames(instanceId: string): Promise<string[]> {
    const cached = this.cache.get(instanceId);
    if (cached) return cached;
    const { describeDnsNames } = await import("./ec2-describe.ts");
    const names = await describeDnsNames(instanceId);
    this.cache.set(instanceId, names);
    return names;
  }
}
