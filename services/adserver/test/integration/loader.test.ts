// The loader CLI as an operator runs it, against a Redis of our own so that "nothing written" can be
// checked over every key.
import { execFile } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import type { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { stringify } from "yaml";
import { keys } from "../../src/redis/keys.ts";
import { campaign, seed, slot } from "../support/factories.ts";
import { RedisProcess } from "../support/redis-process.ts";

const cli = new URL("../../src/loader/cli.ts", import.meta.url).pathname;
const dir = mkdtempSync(join(tmpdir(), "adserver-loader-"));
let redis: RedisProcess;
let client: Redis;

beforeAll(async () => {
  redis = await RedisProcess.start();
  client = redis.client();
});

afterAll(async () => {
  client?.disconnect();
  await redis?.stop();
});

async function runLoader(fileName: string, content: string, ...flags: string[]) {
  const file = join(dir, fileName);
  writeFileSync(file, content);
  try {
    const { stdout, stderr } = await promisify(execFile)(process.execPath, [cli, "--redis", redis.url, ...flags, file]);
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code: number; stdout: string; stderr: string };
    return { code: failed.code, stdout: failed.stdout, stderr: failed.stderr };
  }
}

/** Every key with its type and value: what "writes nothing" is checked against. */
async function snapshot(): Promise<Record<string, unknown>> {
  const result: Record<string, unknown> = {};
  for (const key of (await client.keys("*")).sort()) {
    const type = await client.type(key);
    result[key] = type === "hash" ? await client.hgetall(key) : await client.get(key);
  }
  return result;
}

const good = seed(
  [campaign("c1"), campaign("c2", { targeting: { slots: ["mpu", "top"] } })],
  [slot("mpu"), slot("top")],
);

describe("adserver-load", () => {
  it("loads a YAML file as a new catalog version, each slot with its campaigns", async () => {
    const result = await runLoader("catalog.yaml", stringify(good));
    expect(result).toMatchObject({ code: 0, stdout: "loaded 2 slots, 2 campaigns as catalog version 1\n" });
    expect(await client.get(keys.catalogVersion)).toBe("1");
    const top = JSON.parse((await client.get(keys.slot(1, "top"))) ?? "null");
    expect(top.campaigns.map((c: { id: string }) => c.id)).toEqual(["c2"]);
  });

  it("loads an update from JSON as the next version, and lets the old one expire", async () => {
    const result = await runLoader("catalog.json", JSON.stringify(seed([campaign("c3")])));
    expect(result.code).toBe(0);
    expect(await client.get(keys.catalogVersion)).toBe("2");
    expect(await client.ttl(keys.slot(1, "mpu"))).toBeGreaterThan(0);
    expect(await client.ttl(keys.slot(2, "mpu"))).toBe(-1);
  });

  it("rejects a bad file with the reasons and writes nothing", async () => {
    const before = await snapshot();
    const broken = seed([campaign("c1", { targeting: { slots: ["missing"] } }), campaign("c2", { dailyBudget: -5 })]);
    const result = await runLoader("broken.yaml", stringify(broken));
    expect(result.code).toBe(1);
    expect(result.stderr).toContain("no slot missing");
    expect(result.stderr).toContain("campaigns[1].dailyBudget");
    expect(result.stderr).toContain("nothing was written");
    expect(await snapshot()).toEqual(before);
  });

  it("rejects a file that does not parse, and writes nothing", async () => {
    const before = await snapshot();
    const result = await runLoader("broken.json", '{"slots": [');
    expect(result.code).toBe(1);
    expect(result.stderr).toContain("broken.json is not valid JSON");
    expect(await snapshot()).toEqual(before);
  });

  it("validates without writing under --dry-run", async () => {
    const before = await snapshot();
    const result = await runLoader("dry.yaml", stringify(good), "--dry-run");
    expect(result.stdout).toMatch(/dry\.yaml is valid: 2 slots, 2 campaigns/);
    expect(await snapshot()).toEqual(before);
  });
});
