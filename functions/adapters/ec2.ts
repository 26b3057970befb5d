import { DescribeInstancesCommand, EC2Client } from "@aws-sdk/client-ec2";
import type { InstanceDirectory } from "../core/ports.ts";

/** Instance DNS names from EC2, for nodes that are not named by providerID. Cached: they never change. */
export class Ec2InstanceDirectory implements InstanceDirectory {
  private readonly cache = new Map<string, string[]>();

  private readonly client: EC2Client;

  constructor(client: EC2Client = new EC2Client({})) {
    this.client = client;
  }

  async dnsNames(instanceId: string): Promise<string[]> {
    const cached = this.cache.get(instanceId);
    if (cached) return cached;
    let names: string[];
    try {
      const result = await this.client.send(new DescribeInstancesCommand({ InstanceIds: [instanceId] }), {
        abortSignal: AbortSignal.timeout(5_000),
      });
      const instance = result.Reservations?.[0]?.Instances?.[0];
      names = [instance?.PrivateDnsName, instance?.PublicDnsName].filter((n): n is string => Boolean(n));
    } catch (error) {
      // An instance of another account or one long gone: not ours, not an error.
      if (error instanceof Error && error.name.startsWith("InvalidInstanceID")) names = [];
      else throw error;
    }
    this.cache.set(instanceId, names);
    return names;
  }
}
