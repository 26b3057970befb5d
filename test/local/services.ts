// Scissors and the ad server as local processes, configured as their READMEs say: the ad server on the
// testbed's Redis with the example catalog, Scissors on an S3 bucket in the emulator with a sample image.
// Each cluster gets its own pair, as each EKS cluster runs its own: a load generator that follows the
// weights reaches blue's or green's, and one cluster's processes can stop without the other's.
import { execFile } from "node:child_process";
import { join } from "node:path";
import { promisify } from "node:util";
import { CreateBucketCommand, PutObjectCommand, S3Client } from "@aws-sdk/client-s3";
import sharp from "sharp";
import { freePort } from "../testbed/ports.ts";
import { type RunningComponent, startComponent } from "../testbed/process.ts";

const run = promisify(execFile);
const root = join(import.meta.dirname, "..", "..");
const node = process.execPath;
const adserverDir = join(root, "services", "adserver");
export const imageBucket = "harbormaster-dev-images";

export interface LocalServices {
  scissorsUrl: string;
  adserverUrl: string;
  stop(): Promise<void>;
}

async function answers(url: string): Promise<boolean> {
  try {
    const response = await fetch(url, { signal: AbortSignal.timeout(1000) });
    await response.arrayBuffer();
    return response.ok;
  } catch {
    return false;
  }
}

/** A sample photo-sized image in the bucket the dev overlay configures, so resizes do real work. */
async function seedImages(): Promise<void> {
  const s3 = new S3Client({ forcePathStyle: true });
  await s3.send(new CreateBucketCommand({ Bucket: imageBucket })).catch((error: Error) => {
    if (error.name !== "BucketAlreadyOwnedByYou" && error.name !== "BucketAlreadyExists") throw error;
  });
  const image = await sharp({
    create: { width: 1200, height: 800, channels: 3, background: { r: 40, g: 110, b: 180 } },
  })
    .jpeg({ quality: 85 })
    .toBuffer();
  await s3.send(
    new PutObjectCommand({ Bucket: imageBucket, Key: "sample.jpg", Body: image, ContentType: "image/jpeg" }),
  );
}

/** The catalog and the sample image, once for every cluster's services (they share Redis and the bucket). */
async function seedData(env: { redisUrl: string }): Promise<void> {
  await seedImages();
  await run(node, ["src/loader/cli.ts", "--redis", env.redisUrl, "examples/catalog.yaml"], { cwd: adserverDir });
}

/** One ad server and one Scissors per cluster, keyed by the cluster's name; logs are named after it. */
export async function startClusterServices(
  env: { redisUrl: string; awsEndpoint: string },
  logDir: string,
  clusters: readonly string[],
): Promise<{ byCluster: Record<string, LocalServices>; stop(): Promise<void> }> {
  await seedData(env);
  const started = await Promise.allSettled(clusters.map((name) => startServices(env, logDir, name)));
  const ok = started.flatMap((r) => (r.status === "fulfilled" ? [r.value] : []));
  const stop = async () => {
    await Promise.all(ok.map((s) => s.stop()));
  };
  const failed = started.find((r) => r.status === "rejected");
  if (failed) {
    await stop();
    throw failed.reason;
  }
  return { byCluster: Object.fromEntries(clusters.map((name, i) => [name, ok[i] as LocalServices])), stop };
}

async function startServices(
  env: { redisUrl: string; awsEndpoint: string },
  logDir: string,
  cluster: string,
): Promise<LocalServices> {
  const [scissorsPort, adserverPort] = [await freePort(), await freePort()];
  const running: RunningComponent[] = [];
  try {
    running.push(
      await startComponent({
        name: `adserver-${cluster}`,
        command: node,
        args: [join(adserverDir, "src", "server.ts")],
        logPath: join(logDir, `adserver-${cluster}.log`),
        env: {
          ...process.env,
          PORT: String(adserverPort),
          REDIS_URL: env.redisUrl,
          ADSERVER_BEACON_SECRET: "local-only-beacon-secret-0123456789",
          ADSERVER_FALLBACK_FILE: join(adserverDir, "examples", "fallback.json"),
        },
        ready: () => answers(`http://127.0.0.1:${adserverPort}/ping`),
      }),
    );
    running.push(
      await startComponent({
        name: `scissors-${cluster}`,
        command: node,
        args: [join(root, "services", "scissors", "src", "main.ts")],
        logPath: join(logDir, `scissors-${cluster}.log`),
        env: {
          ...process.env,
          SCISSORS_HOST: "127.0.0.1",
          SCISSORS_PORT: String(scissorsPort),
          SCISSORS_SOURCES: JSON.stringify([{ prefix: "", type: "s3", bucket: imageBucket, forcePathStyle: true }]),
          AWS_ENDPOINT_URL: env.awsEndpoint,
        },
        ready: () => answers(`http://127.0.0.1:${scissorsPort}/server/alive`),
      }),
    );
  } catch (error) {
    for (const component of running) await component.stop();
    throw error;
  }
  return {
    scissorsUrl: `http://127.0.0.1:${scissorsPort}`,
    adserverUrl: `http://127.0.0.1:${adserverPort}`,
    async stop() {
      for (const component of running.reverse()) await component.stop();
    },
  };
}
