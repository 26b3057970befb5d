import type { InstanceDirectory } from "../core/ports.ts";

type Ec2 = typeof import("@aws-sdk/client-ec2");

/**
 * Instance DNS names from EC2, for nodes that are not named by providerID. Cached: they never change.
 * The EC2 client is imported on first use: most clusters name nodes by providerID and never need it, and
 * the runtime's copy is 2 MB of CommonJS that every cold start would otherwise parse (150 ms of init,
 * measured by bench:cold-start). The import must name the package itself: esbuild hoists an external
 * package's static import to the top of the bundle even from a lazily imported module.
 */
export class Ec2InstanceDirectory implements InstanceDirectory {
  private readonly cache = new Map<string, string[]>();
  private ec2: Promise<{ sdk: Ec2; client: InstanceType<Ec2["EC2Client"]> }> | undefined;

  async dnsNames(instanceId: string): Promise<string[]> {
    const cached = this.cache.get(instanceId);
    if (cached) return cached;
    this.ec2 ??= import("@aws-sdk/client-ec2").then((sdk) => ({ sdk, client: new sdk.EC2Client({}) }));
    const { sdk, client } = await this.ec2;
    let names: string[];
    try {
      const result = await client.send(new sdk.DescribeInstancesCommand({ InstanceIds: [instanceId] }), {
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
