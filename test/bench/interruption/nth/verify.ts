// End-to-end proof that aws-node-termination-handler runs here as the interruption benchmark's peer:
// a spot interruption warning for a moto instance, put into an SQS queue in moto, makes NTH (queue-processor
// mode, out of cluster) cordon the matching kwok node and evict its pods through the real apiserver.
//
// Run: /work/main/node_modules/.bin/node test/bench/interruption/nth/verify.ts
// Exits 0 when NTH did it; prints the timings. Everything it starts is stopped before it exits.

import { randomUUID } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DescribeInstancesCommand, EC2Client, RunInstancesCommand } from "@aws-sdk/client-ec2";
import { CreateQueueCommand, GetQueueAttributesCommand, SendMessageCommand, SQSClient } from "@aws-sdk/client-sqs";
import { AppsV1Api, CoreV1Api, KubeConfig, type V1Node, type V1Pod } from "@kubernetes/client-node";
import { createSimulatedNode } from "../../../testbed/nodes.ts";
import { startTestbed, type Testbed } from "../../../testbed/testbed.ts";
import { buildNth } from "./build.ts";
import { type RunningNth, startNth } from "./run.ts";

const region = "us-east-2";
const zone = "us-east-2a";
const namespace = "nth-verify";
const replicas = 2;
const spotTaintKey = "aws-node-termination-handler/spot-itn";
const drainedLine = "Node successfully cordoned and drained";

const t0 = Date.now();
const timings: [string, number][] = [];
const say = (message: string) =>
  process.stderr.write(`[nth-verify] +${((Date.now() - t0) / 1000).toFixed(1)}s ${message}\n`);
const ms = (from: number, to = Date.now()) => to - from;

let testbed: Testbed | undefined;
let nth: RunningNth | undefined;
const scratch = mkdtempSync(join(tmpdir(), "harbormaster-nth-verify-"));
const nthLog = join(scratch, "nth.log");
// NTH_VERIFY_KEEP_LOGS=1 keeps the nth and testbed logs of a passing run too (a failing run always keeps them).
const keepLogs = process.env.NTH_VERIFY_KEEP_LOGS === "1";

let interrupted = false;
let cleaning: Promise<void> | undefined;

// Stops everything this run started, once, however many paths ask for it.
function cleanup(keepLogs: boolean): Promise<void> {
  cleaning ??= (async () => {
    await nth?.stop().catch((error: unknown) => say(`stopping nth failed: ${String(error)}`));
    const workDir = testbed?.endpoints.workDir;
    await testbed?.stop().catch((error: unknown) => say(`stopping the testbed failed: ${String(error)}`));
    if (keepLogs) {
      say(`kept for reading: ${scratch}${workDir ? ` and the testbed's logs in ${workDir}/logs` : ""}`);
      return;
    }
    rmSync(scratch, { recursive: true, force: true });
    if (workDir) rmSync(workDir, { recursive: true, force: true });
  })();
  return cleaning;
}

for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.once(signal, () => {
    interrupted = true;
    say(`${signal}: stopping nth and the testbed`);
    void cleanup(keepLogs).finally(() => process.exit(130));
  });
}

async function main(): Promise<void> {
  let t = Date.now();
  const build = await buildNth((message) => say(`nth build: ${message}`));
  timings.push(["build (or cache hit)", ms(t)]);
  say(`aws-node-termination-handler ${build.version}: ${build.binary}`);

  t = Date.now();
  testbed = await startTestbed({
    keepWorkDir: true, // removed in cleanup() unless the run fails
    progress: (component, message) => say(`testbed ${component}: ${message}`),
  });
  timings.push(["testbed start", ms(t)]);
  const { kubeconfigPath, awsEndpoint } = testbed.endpoints;

  const aws = { region, endpoint: awsEndpoint, credentials: { accessKeyId: "testing", secretAccessKey: "testing" } };
  const sqs = new SQSClient(aws);
  const ec2 = new EC2Client(aws);
  const kc = new KubeConfig();
  kc.loadFromFile(kubeconfigPath);
  const core = kc.makeApiClient(CoreV1Api);
  const apps = kc.makeApiClient(AppsV1Api);

  // AWS side: the queue NTH polls, and the instance the warning is about.
  const { QueueUrl: queueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: "nth-verify" }));
  if (!queueUrl) throw new Error("moto returned no QueueUrl");
  const run = await ec2.send(
    new RunInstancesCommand({
      ImageId: "ami-12c6146b",
      InstanceType: "m5.large",
      MinCount: 1,
      MaxCount: 1,
      Placement: { AvailabilityZone: zone },
    }),
  );
  const instanceId = run.Instances?.[0]?.InstanceId;
  if (!instanceId) throw new Error("moto RunInstances returned no instance");
  const described = await ec2.send(new DescribeInstancesCommand({ InstanceIds: [instanceId] }));
  const nodeName = described.Reservations?.[0]?.Instances?.[0]?.PrivateDnsName;
  if (!nodeName) throw new Error(`moto DescribeInstances gave ${instanceId} no PrivateDnsName`);
  say(`queue ${queueUrl}; instance ${instanceId} (${nodeName})`);

  // Kubernetes side: the instance's node (named after its private DNS name, as on EKS) with pods on it.
  await createSimulatedNode(core, { instanceId, name: nodeName, zone });
  await core.createNamespace({ body: { metadata: { name: namespace } } });
  const labels = { app: "nth-verify" };
  await apps.createNamespacedDeployment({
    namespace,
    body: {
      metadata: { name: "victim", labels },
      spec: {
        replicas,
        selector: { matchLabels: labels },
        template: {
          metadata: { labels },
          spec: {
            nodeSelector: { "kubernetes.io/hostname": nodeName },
            terminationGracePeriodSeconds: 5,
            containers: [{ name: "app", image: "registry.k8s.io/pause:3.10" }],
          },
        },
      },
    },
  });
  const podsOnNode = async () =>
    (await core.listNamespacedPod({ namespace, fieldSelector: `spec.nodeName=${nodeName}` })).items;
  t = Date.now();
  const original = await until("the pods run on the node", 60_000, async () => {
    const pods = await podsOnNode();
    const running = pods.filter((pod) => pod.status?.phase === "Running" && !pod.metadata?.deletionTimestamp);
    return running.length === replicas ? running : undefined;
  });
  timings.push([`${replicas} pods Running on the kwok node`, ms(t)]);
  const originalUids = new Set(original.map((pod) => pod.metadata?.uid));
  say(`pods running on ${nodeName}: ${original.map((pod) => pod.metadata?.name).join(", ")}`);

  // NTH, polling the queue.
  t = Date.now();
  nth = await startNth({ binary: build.binary, kubeconfigPath, awsEndpoint, region, queueUrl, logPath: nthLog });
  timings.push(["nth start until its first poll is in flight", ms(t)]);
  say(`nth running (pid ${nth.pid}, log ${nthLog})`);

  // The warning, as EventBridge delivers it to the queue (the shape of AWS's sample event), dated now.
  const now = new Date();
  const event = {
    version: "0",
    id: randomUUID(),
    "detail-type": "EC2 Spot Instance Interruption Warning",
    source: "aws.ec2",
    account: "123456789012",
    time: now.toISOString().replace(/\.\d{3}Z$/, "Z"),
    region,
    resources: [`arn:aws:ec2:${zone}:instance/${instanceId}`],
    detail: { "instance-id": instanceId, "instance-action": "terminate" },
  };
  const sent = Date.now();
  await sqs.send(new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: JSON.stringify(event) }));
  say("spot interruption warning sent");

  // Watch the apiserver for what NTH does.
  const seen: Record<string, number> = {};
  const mark = (what: string) => {
    if (seen[what] === undefined) {
      seen[what] = Date.now();
      say(`${what} (+${ms(sent)} ms after the message was sent)`);
    }
  };
  await until("nth cordons the node and evicts its pods", 150_000, async () => {
    const node: V1Node = await core.readNode({ name: nodeName });
    if (node.spec?.unschedulable) mark("node cordoned");
    // Only with TAINT_NODE=true (NTH's default is false).
    if (node.spec?.taints?.some((taint) => taint.key === spotTaintKey)) mark(`node tainted ${spotTaintKey}`);
    const left: V1Pod[] = (await podsOnNode()).filter((pod) => originalUids.has(pod.metadata?.uid));
    if (left.every((pod) => pod.metadata?.deletionTimestamp)) mark("all pods evicted (terminating)");
    if (left.length === 0) mark("all pods gone");
    if (readLog(nthLog).includes(drainedLine)) mark(`nth logged "${drainedLine}"`);
    return seen["all pods gone"] && seen[`nth logged "${drainedLine}"`] && seen["node cordoned"] ? true : undefined;
  });
  for (const [what, at] of Object.entries(seen)) timings.push([`message sent → ${what}`, ms(sent, at)]);

  // NTH deletes the message once the drain is done (its PostDrainTask).
  await until("nth deletes the SQS message", 30_000, async () => {
    const { Attributes: a } = await sqs.send(
      new GetQueueAttributesCommand({
        QueueUrl: queueUrl,
        AttributeNames: ["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"],
      }),
    );
    return a?.ApproximateNumberOfMessages === "0" && a.ApproximateNumberOfMessagesNotVisible === "0" ? true : undefined;
  });
  timings.push(["message sent → message deleted from the queue", ms(sent)]);

  const replacements = (await core.listNamespacedPod({ namespace })).items.filter(
    (pod) => !originalUids.has(pod.metadata?.uid),
  );
  say(
    `replacement pods: ${replacements.map((pod) => `${pod.metadata?.name} ${pod.status?.phase} node=${pod.spec?.nodeName ?? "-"}`).join(", ")}`,
  );
  const problems = readLog(nthLog)
    .split("\n")
    .filter((line) => / (WRN|ERR|FTL) /.test(line));
  if (problems.length > 0) say(`nth warnings/errors:\n  ${problems.join("\n  ")}`);

  process.stdout.write(
    `\nPASS: aws-node-termination-handler ${build.version} cordoned ${nodeName} and evicted its pods.\n`,
  );
  process.stdout.write(`nth pid ${nth.pid}; settings:\n`);
  for (const [key, value] of Object.entries(nth.settings)) process.stdout.write(`  ${key}=${value}\n`);
  process.stdout.write("\nTimings (this machine, one run):\n");
  const width = Math.max(...timings.map(([what]) => what.length));
  for (const [what, value] of timings)
    process.stdout.write(`  ${what.padEnd(width)}  ${String(value).padStart(7)} ms\n`);
  process.stdout.write(`  ${"total".padEnd(width)}  ${String(ms(t0)).padStart(7)} ms\n`);
}

async function until<T>(what: string, timeoutMs: number, probe: () => Promise<T | undefined>): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting until ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

function readLog(path: string): string {
  try {
    return readFileSync(path, "utf8");
  } catch {
    return "";
  }
}

try {
  await main();
  await cleanup(keepLogs);
  say("stopped nth and the testbed");
} catch (error) {
  if (interrupted)
    await cleaning; // the signal handler cleans up and exits
  else {
    process.stderr.write(`\nFAIL: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    const tail = readLog(nthLog).trimEnd().split("\n").slice(-25).join("\n");
    if (tail) process.stderr.write(`\nlast lines of the nth log (${nthLog}):\n${tail}\n`);
    await cleanup(true);
    process.exit(1);
  }
}
