import { CreateBucketCommand, PutObjectCommand, S3Client } from "@aws-sdk/client-s3";
import sharp from "sharp";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createLogger } from "../../src/adapters/log.ts";
import { loadConfig } from "../../src/config.ts";
import { createScissors, type Scissors } from "../../src/server.ts";
import { fixture } from "./helpers/photos.ts";
import { inProcessRuntime, startScissors } from "./helpers/process.ts";

// Sources in an S3 bucket, served by the shared moto emulator through the SDK's standard configuration.
const bucket = `scissors-${Date.now().toString(36)}`;
let scissors: Scissors;
let base: string;

beforeAll(async () => {
  const s3 = new S3Client({ forcePathStyle: true });
  await s3.send(new CreateBucketCommand({ Bucket: bucket }));
  await s3.send(new PutObjectCommand({ Bucket: bucket, Key: "pages/ep1/001.jpg", Body: fixture("rocket.jpg") }));
  await s3.send(new PutObjectCommand({ Bucket: bucket, Key: "pages/big.jpg", Body: Buffer.alloc(300_000, 1) }));
  scissors = createScissors(
    loadConfig({
      SCISSORS_HOST: "127.0.0.1",
      SCISSORS_PORT: "0",
      SCISSORS_SOURCES: JSON.stringify([
        { prefix: "manga", type: "s3", bucket, keyPrefix: "pages/", forcePathStyle: true },
      ]),
      SCISSORS_MAX_SOURCE_BYTES: "200000",
    }),
    createLogger("warn"),
    inProcessRuntime,
  );
  base = await scissors.listen();
});

afterAll(async () => {
  scissors.server.closeAllConnections();
  await new Promise((resolve) => scissors.server.close(resolve));
});

describe("S3 sources", () => {
  it("resizes an object from the bucket", async () => {
    const response = await fetch(`${base}/manga/ep1/001.jpg?width=160&height=90`);
    expect(response.status).toBe(200);
    const meta = await sharp(Buffer.from(await response.arrayBuffer())).metadata();
    expect([meta.format, meta.width, meta.height]).toEqual(["jpeg", 160, 90]);
    expect(response.headers.get("etag")).toMatch(/^"/);
  });

  it("answers 404 for a missing key and 413 for an object over the byte limit", async () => {
    expect((await fetch(`${base}/manga/ep1/404.jpg`)).status).toBe(404);
    const big = await fetch(`${base}/manga/big.jpg`);
    expect(big.status).toBe(413);
    expect(((await big.json()) as { message: string }).message).toMatch(/more than 200000/);
  });
});

describe("S3 sources in the production bundle", () => {
  // The bundle leaves the S3 SDK outside and imports it on first use: this is the path that must resolve.
  it("loads the SDK on the first S3 request and resizes the object", async () => {
    const proc = await startScissors({
      SCISSORS_SOURCES: JSON.stringify([
        { prefix: "manga", type: "s3", bucket, keyPrefix: "pages/", forcePathStyle: true },
      ]),
    });
    try {
      const response = await fetch(`${proc.url}/manga/ep1/001.jpg?width=80&height=45`);
      expect(response.status).toBe(200);
      const meta = await sharp(Buffer.from(await response.arrayBuffer())).metadata();
      expect([meta.format, meta.width, meta.height]).toEqual(["jpeg", 80, 45]);
    } finally {
      await proc.stop();
    }
  });
});
