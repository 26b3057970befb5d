// Scissors and the ad server as local processes, configured as their READMEs say: the ad server on the
// testbed's Redis with the example catalog, Scissors on an S3 bucket in the emulator with a sample image.
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

export async function startServices(
  env: { redisUrl: string; awsEndpoint: string },
  logDir: string,
): Promise<LocalServices> {
  await seedImages();
  const adserverDir = join(root, "services", "adserver");
  await run(node, ["src/loader/cli.ts", "--redis", env.redisUrl, "examples/catalog.yaml"], { cwd: adserverDir });
  const [scissorsPort, adserverPort] = [await freePort(), await freePort()];
  const running: RunningComponent[] = [];
  try {
    running.push(
      await startComponent({
        name: "adserver",
        command: node,
        args: [join(adserverDir, "src", "server.ts")],
        logPath: join(logDir, "adserver.log"),
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
        name: "scissors",
        command: node,
        args: [join(root, "services", "scissors", "src", "main.ts")],
        logPath: join(logDir, "scissors.log"),
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
