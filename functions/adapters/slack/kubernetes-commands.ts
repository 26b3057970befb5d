// status, nodes, cordon, uncordon and drain, through the interruption feature's Kubernetes adapter and drain core.
import { drainNode } from "../../core/drain/drainer.ts";
import { readState } from "../../core/drain/node-state.ts";
import type { DrainPolicy } from "../../core/drain/policy.ts";
import type { Clock } from "../../core/ports.ts";
import { type ClusterCommands, CommandRefused, type CommandResult } from "../../core/slack/ports.ts";
import { isStatus, KubeApi, mergePatchType, type Query } from "../kubernetes/api.ts";
import { KubernetesCluster } from "../kubernetes/cluster.ts";
import type { KubeConnection } from "../kubernetes/connection.ts";
import { toNodeInfo } from "../kubernetes/mapping.ts";
import { resourcePath, resources } from "../kubernetes/paths.ts";
import type { List, WireNode, WirePod } from "../kubernetes/wire.ts";

export const cordonedByAnnotation = "harbormaster.io/cordoned-by";
const timeoutMs = 10_000;
const listedNodes = 40;

export interface KubernetesCommandOptions {
  policy: DrainPolicy;
  clock: Clock;
  /** A Slack drain's own deadline. */
  drainTimeoutMs: number;
  /** When this invocation must stop draining and answer (Lambda's remaining time minus a margin). */
  pauseAt: () => number;
}

export class KubernetesCommands implements ClusterCommands {
  private readonly api: KubeApi;
  private readonly cluster: KubernetesCluster;
  private readonly options: KubernetesCommandOptions;

  constructor(connection: KubeConnection, options: KubernetesCommandOptions) {
    this.api = new KubeApi(connection);
    this.cluster = new KubernetesCluster(connection);
    this.options = options;
  }

  async status(): Promise<CommandResult> {
    const nodes = await this.listNodes();
    const pending = await this.api.send<List<WirePod>>(
      "GET",
      resourcePath(resources.pods),
      request({ fieldSelector: "status.phase=Pending", limit: 500 }),
    );
    const infos = nodes.map(toNodeInfo);
    const ready = infos.filter((n) => n.ready).length;
    const cordoned = infos.filter((n) => n.unschedulable).length;
    const interrupted = infos.filter((n) => readState(n)).length;
    return {
      summary: `${infos.length} nodes: ${ready} ready, ${cordoned} cordoned, ${interrupted} interrupted · ${pending.items.length} pending pods`,
    };
  }

  async nodes(): Promise<CommandResult> {
    const nodes = (await this.listNodes()).map(toNodeInfo).sort((a, b) => a.name.localeCompare(b.name));
    const lines = nodes.slice(0, listedNodes).map((n) => {
      const state = readState(n);
      const flags = [
        n.ready ? "Ready" : "NotReady",
        n.unschedulable ? "cordoned" : "",
        state ? `${state.phase} (${state.kinds.join(",")})` : "",
        n.labels["topology.kubernetes.io/zone"] ?? "",
      ].filter(Boolean);
      return `${n.name}  ${flags.join(" · ")}`;
    });
    const more = nodes.length > listedNodes ? ` (first ${listedNodes} shown)` : "";
    return { summary: `${nodes.length} nodes${more}`, lines };
  }

  async cordon(node: string, actor: string): Promise<CommandResult> {
    const before = await this.patch(node, {
      metadata: { annotations: { [cordonedByAnnotation]: actor } },
      spec: { unschedulable: true },
    });
    return { summary: before.spec?.unschedulable ? `${node} was already cordoned` : `${node} cordoned` };
  }

  async uncordon(node: string, _actor: string): Promise<CommandResult> {
    const info = toNodeInfo(await this.read(node));
    const state = readState(info);
    if (state && Date.parse(state.deadline) > this.options.clock.now() && state.phase !== "drained")
      throw new CommandRefused(`${node} is being drained for ${state.kinds.join(", ")} until ${state.deadline}`);
    await this.patch(node, {
      metadata: { annotations: { [cordonedByAnnotation]: null } },
      spec: { unschedulable: false },
    });
    return { summary: info.unschedulable ? `${node} uncordoned` : `${node} was not cordoned` };
  }

  async drain(node: string, actor: string): Promise<CommandResult> {
    await this.cordon(node, actor);
    const { clock, policy } = this.options;
    const outcome = await drainNode(this.cluster, clock, node, {
      deadline: clock.now() + this.options.drainTimeoutMs,
      pauseAt: this.options.pauseAt(),
      policy,
    });
    const blocked = outcome.blocked.map(
      (b) => `${b.namespace}/${b.name} blocked by ${b.budgets.join(", ") || b.message}`,
    );
    switch (outcome.status) {
      case "drained":
        return {
          summary: `${node} drained: ${outcome.evicted} pods evicted${outcome.forced ? `, ${outcome.forced} forced` : ""}`,
        };
      case "paused":
        return {
          summary: `${node} still draining: ${outcome.evicted} evicted, ${outcome.remaining} remaining`,
          lines: blocked,
        };
      case "failed":
        throw new CommandRefused(
          `${node} not drained (${outcome.reason}): ${outcome.remaining} pods remain${blocked.length ? `; ${blocked.join("; ")}` : ""}`,
        );
    }
  }

  private async listNodes(): Promise<WireNode[]> {
    return (await this.api.send<List<WireNode>>("GET", resourcePath(resources.nodes), request({ limit: 1000 }))).items;
  }

  private async read(name: string): Promise<WireNode> {
    try {
      return await this.api.send<WireNode>("GET", resourcePath(resources.nodes, { name }), request());
    } catch (error) {
      if (isStatus(error, 404)) throw new CommandRefused(`no node named ${name}`);
      throw error;
    }
  }

  // A merge patch of unschedulable and one annotation: no list is replaced, so no resourceVersion guard is needed.
  private async patch(name: string, body: object): Promise<WireNode> {
    const before = await this.read(name);
    await this.api.send("PATCH", resourcePath(resources.nodes, { name }), {
      ...request(),
      body,
      contentType: mergePatchType,
    });
    return before;
  }
}

function request(query?: Query) {
  return { query, timeoutMs };
}
