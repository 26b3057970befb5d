// The stack graph as a table for review before a first deploy (`npm run stack:plan`): one row per resource
// AWS would create, its region and the inputs that matter. A reference to another resource of the graph (an
// ARN, URL or name) is shown as that resource's logical name, since physical names get random suffixes.
import type { Resource, StackGraph } from "./graph.ts";
import { environment, types } from "./wiring.ts";

type Inputs = Record<string, unknown>;

function describe(r: Resource, ref: (v: unknown) => string): string {
  const i = r.inputs;
  const json = (text: unknown) => JSON.parse(String(text ?? "{}")) as Inputs;
  switch (r.type) {
    case types.queue: {
      const redrive = i.redrivePolicy ? json(i.redrivePolicy) : undefined;
      return [
        `visibility ${i.visibilityTimeoutSeconds}s`,
        i.messageRetentionSeconds && `retention ${i.messageRetentionSeconds}s`,
        i.fifoQueue && "fifo",
        redrive && `dlq ${ref(redrive.deadLetterTargetArn)} after ${redrive.maxReceiveCount}`,
      ]
        .filter(Boolean)
        .join(", ");
    }
    case types.lambda: {
      const vpc = i.vpcConfig as { subnetIds?: string[] } | undefined;
      return [
        i.handler,
        `${i.runtime} ${(i.architectures as string[]).join()}`,
        `${i.memorySize} MB`,
        `${i.timeout}s`,
        i.reservedConcurrentExecutions !== undefined && `reserved ${i.reservedConcurrentExecutions}`,
        vpc?.subnetIds && `vpc ${vpc.subnetIds.join(" ")}`,
        `env ${Object.keys(environment(r))
          .filter((k) => !k.startsWith("SST_"))
          .join(" ")}`,
      ]
        .filter(Boolean)
        .join(", ");
    }
    case types.mapping: {
      const scaling = i.scalingConfig as { maximumConcurrency?: number } | undefined;
      return [
        `${ref(i.eventSourceArn)} → ${ref(i.functionName)}`,
        `batch ${i.batchSize}`,
        i.maximumBatchingWindowInSeconds && `window ${i.maximumBatchingWindowInSeconds}s`,
        (i.functionResponseTypes as string[]).includes("ReportBatchItemFailures") && "partial",
        scaling?.maximumConcurrency && `max concurrency ${scaling.maximumConcurrency}`,
      ]
        .filter(Boolean)
        .join(", ");
    }
    case types.rule: {
      const pattern = json(i.eventPattern);
      return `${pattern.source} ${JSON.stringify(pattern["detail-type"])}${pattern.detail ? ` ${JSON.stringify(pattern.detail)}` : ""}`;
    }
    case types.target:
      return `${ref(i.rule)} → ${ref(i.arn)}`;
    case types.role: {
      const inline = (i.inlinePolicies ?? []) as { policy: string }[];
      const actions = inline.flatMap((p) =>
        (json(p.policy).Statement as { Action: string | string[] }[]).flatMap((s) => s.Action),
      );
      return actions.length ? `may ${actions.join(" ")}` : "";
    }
    case types.rolePolicy:
      return `${ref(i.role)}: ${(json(i.policy).Statement as { Action: unknown }[]).map((s) => s.Action).join(" ")}`;
    case types.accessEntry:
      return `${i.clusterName} ← ${ref(i.principalArn)} as ${(i.kubernetesGroups as string[]).join()}`;
    case types.accessPolicy:
      return `${i.clusterName} ← ${ref(i.principalArn)}: ${String(i.policyArn).split("/").at(-1)}`;
    case types.alarm:
      return `${i.namespace} ${i.metricName} ${Object.values(i.dimensions as Inputs)
        .map(ref)
        .join()} > ${i.threshold}`;
    case "aws:sqs/queuePolicy:QueuePolicy":
      return `${ref(i.queueUrl)} from ${(json(i.policy).Statement as { Principal: { Service: string[] } }[]).map((s) => s.Principal.Service).join()}`;
    case "aws:scheduler/schedule:Schedule":
      return `${i.scheduleExpression} ${i.scheduleExpressionTimezone} → ${ref((i.target as Inputs).arn)}`;
    case "aws:lambda/permission:Permission":
      return `${i.principal} → ${ref(i.function)}${i.sourceArn ? ` from ${ref(i.sourceArn)}` : ""}`;
    case "aws:lambda/functionUrl:FunctionUrl":
      return `${ref(i.functionName)}, auth ${i.authorizationType}`;
    case "pulumi:providers:aws":
      return String(i.region);
    default:
      return i.name ? String(i.name) : "";
  }
}

/** Rows of: type, logical name, region, key inputs; the resources AWS creates, by region, type and name. */
export function planRows(graph: StackGraph): string[][] {
  const byValue = new Map<unknown, string>();
  for (const r of graph.resources)
    if (r.custom)
      for (const key of ["arn", "url", "name", "id"]) if (r.outputs[key]) byValue.set(r.outputs[key], r.name);
  const ref = (v: unknown) => byValue.get(v) ?? String(v);
  return graph.resources
    .filter((r) => r.custom && !r.type.startsWith("random:") && r.type !== "sst:sst:LinkRef")
    .sort((a, b) => a.region.localeCompare(b.region) || a.type.localeCompare(b.type) || a.name.localeCompare(b.name))
    .map((r) => [
      r.type.replace(/^aws:([a-z0-9]+)\/\w+:/i, "aws.$1.").replace(/^pulumi:providers:/, "provider."),
      r.name,
      r.region,
      describe(r, ref),
    ]);
}

export function planTable(graph: StackGraph): string {
  const rows = [["TYPE", "NAME", "REGION", "KEY INPUTS"], ...planRows(graph)];
  const widths = [0, 1, 2].map((c) => Math.max(...rows.map((row) => (row[c] ?? "").length)));
  return rows
    .map((row) =>
      row
        .map((cell, c) => (c < 3 ? cell.padEnd(widths[c] ?? 0) : cell))
        .join("  ")
        .trimEnd(),
    )
    .join("\n");
}
