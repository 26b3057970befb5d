// The harbormaster configs the graph tests and `npm run stack:plan` run sst.config.ts with.
import { readFileSync } from "node:fs";
import { join } from "node:path";

const root = join(import.meta.dirname, "..", "..", "..");
const prodVpc = { privateSubnets: ["subnet-0a1b"], securityGroups: ["sg-0a1b"] };
const greenVpc = { privateSubnets: ["subnet-0c2d"], securityGroups: ["sg-0c2d"] };
const headroom = { namespace: "n", name: "h", unit: { cpu: "1", memory: "1Gi" }, sizing: { mode: "units", units: 1 } };

/** One cluster in a VPC, with every feature: pre-scaling (with an alarm), traffic shifting and Slack. */
export const oneCluster = {
  clusters: { prod: { eksCluster: "prod-eks", region: "us-east-2", vpc: prodVpc, autoScalingGroups: ["spot-a"] } },
  scaling: [{ name: "p", alarms: ["checkout-latency"], headroom }],
  rollouts: [
    {
      name: "app",
      hostedZoneId: "Z0123456789ABC",
      recordName: "app.example.com",
      setIdentifiers: ["blue", "green"],
      insufficientData: "proceed",
      plan: "Canary10Percent5Minutes",
      alarms: ["app-errors"],
    },
  ],
  slack: { defaultChannel: "C0ALERTS" },
};

/** The same cluster with nothing optional: no pre-scaling, traffic or Slack. */
export const oneClusterBare = { clusters: oneCluster.clusters };

/** Three clusters across two regions (home us-east-2) and two VPCs, Slack on, pre-scaling in two groups. */
export const threeClusters = {
  clusters: {
    staging: { eksCluster: "staging", region: "eu-west-1", drainPolicy: { onBlocked: "force" } },
    "production-blue": { eksCluster: "prod-blue", region: "us-east-2", vpc: prodVpc, autoScalingGroups: ["blue-a"] },
    "production-green": { eksCluster: "prod-green", region: "us-east-2", vpc: greenVpc },
  },
  scaling: [{ name: "blue-green", clusters: ["production-blue", "production-green"], headroom }],
  slack: { defaultChannel: "C0ALERTS", vpc: prodVpc },
  alarmTopicArn: ["arn:aws:sns:us-east-2:123456789012:alarms", "arn:aws:sns:eu-west-1:123456789012:alarms"],
};

/** The three clusters without Slack. */
export const threeClustersNoSlack = { ...threeClusters, slack: undefined };

/** The three-cluster example of docs/deploy.md, "2. Configure", read from the guide itself. */
export function deployGuideExample(): unknown {
  const guide = readFileSync(join(root, "docs", "deploy.md"), "utf8");
  const json = /```json\n([\s\S]*?)```/.exec(guide)?.[1];
  if (!json) throw new Error("docs/deploy.md has no JSON example");
  return JSON.parse(json.replace(/^ {3}/gm, ""));
}
