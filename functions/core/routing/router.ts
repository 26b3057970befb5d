// Routes each instance of a batch to the configured cluster that owns it, in the order that costs least:
// the ASG (config, then its tags), the instance's tags (one EC2 call for the whole batch), and only then
// a look for the node in every cluster. Answers are cached, so a burst costs each environment one lookup.
import { eksClusterFromTags, type ResourceTag } from "./tags.ts";
import { TtlCache } from "./ttl-cache.ts";

export interface ResourceDirectory {
  /** Tags of each instance EC2 still knows; instances it does not know are absent. One call per batch. */
  instanceTags(instanceIds: readonly string[]): Promise<Map<string, ResourceTag[]>>;
  /** Tags of each Auto Scaling group; groups it does not know are absent. */
  groupTags(groupNames: readonly string[]): Promise<Map<string, ResourceTag[]>>;
}

export interface RoutableCluster {
  name: string;
  eksCluster: string;
  autoScalingGroups: readonly string[];
  /** Whether a node of this cluster names the instance in its providerID; throws when it cannot be asked. */
  hasNode(instanceId: string): Promise<boolean>;
  /** Whether a node without a providerID carries one of the instance's DNS names (custom AMIs). */
  hasNodeNamed(instanceId: string): Promise<boolean>;
}

/** What the router needs to know of one instance's messages. */
export interface RouteRequest {
  instanceId: string;
  /** The ASG of a lifecycle message about the instance, if any. */
  groupName?: string;
}

export type Route =
  | { status: "routed"; cluster: string; by: "asg" | "tags" | "node" }
  /** No configured cluster owns it: delete the message at once. `eksCluster` when tags named another. */
  | { status: "foreign"; eksCluster?: string }
  /** It may be the node of a cluster that could not be asked: retry later. */
  | { status: "unreachable"; clusters: string[]; error: string };

const routedTtlMs = 60 * 60_000;
const foreignTtlMs = 60_000;

export class ClusterRouter {
  private readonly clusters: readonly RoutableCluster[];
  private readonly directory: ResourceDirectory;
  private readonly byEks: Map<string, string>;
  private readonly byGroup: Map<string, string>;
  private readonly instances: TtlCache<string, Route>;
  private readonly groups: TtlCache<string, string | null>;

  constructor(clusters: readonly RoutableCluster[], directory: ResourceDirectory, now: () => number) {
    this.clusters = clusters;
    this.directory = directory;
    this.byEks = new Map(clusters.map((c) => [c.eksCluster, c.name]));
    this.byGroup = new Map(clusters.flatMap((c) => c.autoScalingGroups.map((g) => [g, c.name] as const)));
    this.instances = new TtlCache(now);
    this.groups = new TtlCache(now);
  }

  /** One route per requested instance. Never throws: a failed lookup falls through to the next step. */
  async route(requests: readonly RouteRequest[]): Promise<Map<string, Route>> {
    const routes = new Map<string, Route>();
    const open: RouteRequest[] = [];
    for (const request of requests) {
      const cached = this.instances.get(request.instanceId);
      if (cached) routes.set(request.instanceId, cached);
      else if (!routes.has(request.instanceId)) open.push(request);
    }
    if (open.length === 0) return routes;
    // The whole batch is described in one EC2 call, first: its tags route it, and its private DNS names
    // (which EKS names nodes after) let each cluster find a node with one read instead of listing them all.
    // Listing every node is the dearest read there is: at 300 lost nodes, 48 environments listing 600
    // nodes each at once timed out 800 times.
    const described = this.directory.instanceTags(open.map((r) => r.instanceId)).catch(() => undefined);
    // One cluster: every lookup would end in it or nowhere, which its node answers alone. A lifecycle
    // message is its, though: a launching instance has no node yet, and its hook targets this queue.
    if (this.clusters.length === 1) {
      const [only] = this.clusters;
      const lifecycle = new Map<string, Route>(
        open.flatMap((r) =>
          r.groupName && only ? [[r.instanceId, { status: "routed", cluster: only.name, by: "asg" }]] : [],
        ),
      );
      const ok = await described;
      const rest = open.filter((r) => !lifecycle.has(r.instanceId));
      return this.settle(routes, open, new Map([...lifecycle, ...(await this.byNode(rest, !ok))]));
    }

    const [byGroup, tags] = await Promise.all([this.routeByGroup(open), described]);
    const ungrouped = open.filter((r) => !byGroup.has(r.instanceId));
    const byTags = this.routeByTags(ungrouped, tags ?? new Map());
    const rest = ungrouped.filter((r) => !byTags.has(r.instanceId));
    const byNode = await this.byNode(rest, !tags);
    return this.settle(routes, open, new Map([...byGroup, ...byTags, ...byNode]));
  }

  private settle(routes: Map<string, Route>, open: RouteRequest[], found: Map<string, Route>) {
    for (const { instanceId } of open) {
      const route = found.get(instanceId) ?? { status: "foreign" };
      routes.set(instanceId, route);
      if (route.status === "routed") this.instances.set(instanceId, route, routedTtlMs);
      else if (route.status === "foreign") this.instances.set(instanceId, route, foreignTtlMs);
    }
    return routes;
  }

  private async routeByGroup(requests: readonly RouteRequest[]): Promise<Map<string, Route>> {
    const routes = new Map<string, Route>();
    const unknown = new Set<string>();
    for (const { groupName } of requests) {
      if (groupName && !this.byGroup.has(groupName) && this.groups.get(groupName) === undefined) unknown.add(groupName);
    }
    if (unknown.size > 0) {
      const tags = await this.directory.groupTags([...unknown]).catch(() => undefined);
      // A failed lookup caches nothing: the next batch asks again.
      for (const group of tags ? unknown : []) {
        const eks = eksClusterFromTags(tags?.get(group) ?? []);
        // Without tags the instance's own tags or node still decide; the miss is cached briefly.
        this.groups.set(group, (eks && this.byEks.get(eks)) ?? null, eks ? routedTtlMs : foreignTtlMs);
      }
    }
    for (const { instanceId, groupName } of requests) {
      const cluster = groupName && (this.byGroup.get(groupName) ?? this.groups.get(groupName));
      if (cluster) routes.set(instanceId, { status: "routed", cluster, by: "asg" });
    }
    return routes;
  }

  private routeByTags(requests: readonly RouteRequest[], tags: Map<string, ResourceTag[]>): Map<string, Route> {
    const routes = new Map<string, Route>();
    for (const { instanceId } of requests) {
      const eks = eksClusterFromTags(tags.get(instanceId) ?? []);
      if (!eks) continue;
      const cluster = this.byEks.get(eks);
      routes.set(
        instanceId,
        cluster ? { status: "routed", cluster, by: "tags" } : { status: "foreign", eksCluster: eks },
      );
    }
    return routes;
  }

  // Every cluster is asked at once; one that cannot answer makes the instance's route unknown, not foreign.
  // By providerID first; by DNS name (nodes without one) only for what no cluster names that way.
  private async byNode(requests: readonly RouteRequest[], describeAgain: boolean): Promise<Map<string, Route>> {
    const routes = new Map<string, Route>();
    const ask = async (instanceIds: readonly string[], has: (c: RoutableCluster, id: string) => Promise<boolean>) => {
      await Promise.all(
        instanceIds.map(async (instanceId) => {
          const answers = await Promise.all(
            this.clusters.map((c) =>
              has(c, instanceId).then(
                (found) => ({ cluster: c.name, found, error: undefined }),
                (error: unknown) => ({ cluster: c.name, found: false, error: String(error) }),
              ),
            ),
          );
          const owner = answers.find((a) => a.found);
          const failed = answers.filter((a) => a.error !== undefined);
          if (owner) routes.set(instanceId, { status: "routed", cluster: owner.cluster, by: "node" });
          else if (failed.length > 0)
            routes.set(instanceId, {
              status: "unreachable",
              clusters: failed.map((f) => f.cluster),
              error: failed[0]?.error ?? "",
            });
        }),
      );
    };
    await ask(
      requests.map((r) => r.instanceId),
      (c, id) => c.hasNode(id),
    );
    const unnamed = requests.map((r) => r.instanceId).filter((id) => !routes.has(id));
    if (unnamed.length === 0) return routes;
    // The DNS names came with the batch's description; if that failed, one more call for these.
    if (describeAgain) await this.directory.instanceTags(unnamed).catch(() => undefined);
    await ask(unnamed, (c, id) => c.hasNodeNamed(id));
    return routes;
  }
}
