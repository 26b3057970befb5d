// What the AWS provider would answer, for Pulumi's mock monitor (pulumi.runtime.setMocks): each resource's
// outputs are its inputs plus the attributes AWS assigns (ARN, URL, id), built from the resource's region
// and name so that a reference (a rule target's `arn`, a queue policy's `queueUrl`) resolves to the value
// the referenced resource would have. The account is moto's default, so replayed ARNs match moto's.
import { createHash } from "node:crypto";

export const account = "123456789012";

export interface MockResourceArgs {
  type: string;
  name: string;
  inputs: Record<string, unknown>;
  provider?: string;
  custom?: boolean;
  id?: string;
}

/** A provider reference is `<urn>::<id>`; a provider's id is its logical name here, so the region is found. */
export function awsMocks(homeRegion: string) {
  const providerRegions = new Map<string, string>();
  const regionOf = (provider: string | undefined) => {
    const id = provider?.split("::").at(-1);
    return (id && providerRegions.get(id)) || homeRegion;
  };
  return {
    regionOf,
    newResource(args: MockResourceArgs): { id: string; state: Record<string, unknown> } {
      if (args.type === "pulumi:providers:aws") {
        const id = `${args.name}-provider`;
        providerRegions.set(id, String(args.inputs.region || homeRegion));
        return { id, state: args.inputs };
      }
      const region = regionOf(args.provider);
      const name = String(args.inputs.name ?? autoName(args.name));
      const computed = attributes(args.type, region, name, args.inputs);
      return { id: String(computed.id ?? name), state: { ...args.inputs, name, ...computed } };
    },
    call(args: { token: string; inputs: Record<string, unknown>; provider?: string }): Record<string, unknown> {
      const region = regionOf(args.provider);
      switch (args.token) {
        case "aws:index/getRegion:getRegion":
          return { name: region, region, id: region, description: region, endpoint: `ec2.${region}.amazonaws.com` };
        case "aws:index/getPartition:getPartition":
          return { partition: "aws", dnsSuffix: "amazonaws.com", id: "aws", reverseDnsPrefix: "com.amazonaws" };
        case "aws:index/getCallerIdentity:getCallerIdentity":
          return { accountId: account, arn: `arn:aws:iam::${account}:user/test`, userId: "test", id: account };
        case "aws:iam/getPolicyDocument:getPolicyDocument":
          // The provider's result carries its inputs too: SST reads `statements` back from it.
          return { ...args.inputs, json: JSON.stringify(policyDocument(args.inputs)), id: "policy" };
        default:
          throw new Error(`no mock for the invoke ${args.token}`);
      }
    },
  };
}

/** Pulumi's auto-naming: the logical name and a random suffix (here a digest, so runs are repeatable). */
function autoName(logical: string): string {
  return `${logical}-${createHash("sha256").update(logical).digest("hex").slice(0, 7)}`;
}

function attributes(type: string, region: string, name: string, inputs: Record<string, unknown>) {
  const arn = (service: string, resource: string, where = region) =>
    `arn:aws:${service}:${where}:${account}:${resource}`;
  switch (type) {
    case "aws:sqs/queue:Queue": {
      const url = `https://sqs.${region}.amazonaws.com/${account}/${name}`;
      return { id: url, url, arn: arn("sqs", name) };
    }
    case "aws:lambda/function:Function":
      return { arn: arn("lambda", `function:${name}`), invokeArn: arn("lambda", `function:${name}/invocations`) };
    case "aws:lambda/functionUrl:FunctionUrl":
      return { functionUrl: `https://${autoName(name)}.lambda-url.${region}.on.aws/` };
    case "aws:cloudwatch/eventRule:EventRule":
      return { arn: arn("events", `rule/${name}`) };
    case "aws:iam/role:Role":
      return { arn: arn("iam", `role/${name}`, "") };
    case "aws:dynamodb/table:Table":
      return { arn: arn("dynamodb", `table/${name}`), streamArn: arn("dynamodb", `table/${name}/stream/0`) };
    case "aws:scheduler/scheduleGroup:ScheduleGroup":
      return { arn: arn("scheduler", `schedule-group/${name}`) };
    case "aws:cloudwatch/logGroup:LogGroup":
      return { arn: arn("logs", `log-group:${name}`) };
    case "aws:eks/accessEntry:AccessEntry":
      return { id: `${inputs.clusterName}:${inputs.principalArn}` };
    case "aws:ssm/parameter:Parameter":
      return { arn: arn("ssm", `parameter/${name}`) };
    default:
      return { arn: arn(type.split(":")[1]?.split("/")[0] ?? "unknown", name) };
  }
}

interface Statement {
  effect?: string;
  actions?: string[];
  resources?: string[];
  principals?: { type: string; identifiers: string[] }[];
  conditions?: { test: string; variable: string; values: string[] }[];
}

/** aws.iam.getPolicyDocument, as the provider renders it: one action or resource as a string, else a list. */
function policyDocument(inputs: Record<string, unknown>) {
  const one = (values: string[]) => (values.length === 1 ? values[0] : values);
  const statements = (inputs.statements ?? []) as Statement[];
  return {
    Version: "2012-10-17",
    Statement: statements.map((s) => ({
      Effect: s.effect ?? "Allow",
      ...(s.actions && { Action: one(s.actions) }),
      ...(s.resources && { Resource: one(s.resources) }),
      ...(s.principals && {
        Principal: Object.fromEntries(s.principals.map((p) => [p.type, one(p.identifiers)])),
      }),
      ...(s.conditions && {
        Condition: Object.fromEntries(s.conditions.map((c) => [c.test, { [c.variable]: one(c.values) }])),
      }),
    })),
  };
}
