import type { InstanceDirectory } from "../core/ports.ts";
import type { ResourceTag } from "../core/routing/tags.ts";

type Ec2 = typeof import("@aws-sdk/client-ec2");
type Instance = import("@aws-sdk/client-ec2").Instance;

/** EC2 takes up to 200 values in one filter. */
const idsPerCall = 200;

/**
 * Instances as EC2 describes them: the DNS names of nodes not named by providerID, and the tags that say
 * which cluster an instance belongs to. A batch's instances are described in one call (a filter, so an
 * unknown id is simply absent instead of failing the call). Cached: neither ever changes.
 * The EC2 client is imported on first use: most clusters name nodes by providerID and never need it, and
 * the runtime's copy is 2 MB of CommonJS that every cold start would otherwise parse (150 ms of init,
 * measured by bench:cold-start). The import must name the package itself: esbuild hoists an external
 * package's static import to the top of the bundle even from a lazily imported module.
 */
export class Ec2InstanceDirectory implements InstanceDirectory {
  private readonly names = new Map<string, string[]>();
  private readonly tags = new Map<string, ResourceTag[]>();
  private ec2: Promise<{ sdk: Ec2; client: InstanceType<Ec2["EC2Client"]> }> | undefined;
  /** Calls made to EC2, for the logs and the benchmark. */
  calls = 0;

  async dnsNames(instanceId: string): Promise<string[]> {
    if (!this.names.has(instanceId)) await this.describe([instanceId]);
    return this.names.get(instanceId) ?? [];
  }

  knownDnsNames(instanceId: string): readonly string[] {
    return this.names.get(instanceId) ?? [];
  }

  /** Tags of every instance EC2 knows; unknown instances are absent. */
  async instanceTags(instanceIds: readonly string[]): Promise<Map<string, ResourceTag[]>> {
    await this.describe(instanceIds.filter((id) => !this.names.has(id)));
    return new Map(instanceIds.flatMap((id) => (this.tags.has(id) ? [[id, this.tags.get(id) ?? []] as const] : [])));
  }

  private async describe(instanceIds: readonly string[]): Promise<void> {
    if (instanceIds.length === 0) return;
    this.ec2 ??= import("@aws-sdk/client-ec2").then((sdk) => ({ sdk, client: new sdk.EC2Client({}) }));
    const { sdk, client } = await this.ec2;
    for (let i = 0; i < instanceIds.length; i += idsPerCall) {
      const ids = instanceIds.slice(i, i + idsPerCall);
      const found = new Map<string, Instance>();
      let token: string | undefined;
      do {
        this.calls++;
        const page = await client.send(
          new sdk.DescribeInstancesCommand({
            Filters: [{ Name: "instance-id", Values: ids }],
            NextToken: token,
          }),
          { abortSignal: AbortSignal.timeout(5_000) },
        );
        for (const instance of (page.Reservations ?? []).flatMap((r) => r.Instances ?? []))
          if (instance.InstanceId) found.set(instance.InstanceId, instance);
        token = page.NextToken;
      } while (token);
      for (const id of ids) {
        const instance = found.get(id);
        // An instance of another account or one long gone: no names, no tags; not an error.
        this.names.set(
          id,
          [instance?.PrivateDnsName, instance?.PublicDnsName].filter((n): n is string => Boolean(n)),
        );
        if (instance)
          this.tags.set(
            id,
            (instance.Tags ?? []).map((t) => ({ key: t.Key ?? "", value: t.Value ?? "" })),
          );
      }
    }
  }
}
