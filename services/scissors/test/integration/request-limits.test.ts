import http from "node:http";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Origin, startOrigin } from "./helpers/origin.ts";
import { fixture } from "./helpers/photos.ts";
import { type ScissorsProcess, startScissors } from "./helpers/process.ts";

// The real process's request parser: the request target is bounded, and no request body is read.
const limit = 1024;
let origin: Origin;
let scissors: ScissorsProcess;

beforeAll(async () => {
  const image = fixture("rocket.jpg");
  origin = await startOrigin(Object.fromEntries([100, limit - 1, limit, limit + 1].map((n) => [pathOf(n), image])));
  scissors = await startScissors({
    SCISSORS_SOURCES: JSON.stringify([{ prefix: "", type: "http", origin: origin.url, trustPrivateNetwork: true }]),
    SCISSORS_MAX_URL_BYTES: String(limit),
  });
});

afterAll(async () => {
  await scissors?.stop();
  await origin?.close();
});

/** A request target of exactly `bytes` bytes that names a real image: the file name takes up the length. */
const query = ".jpg?width=10";
const targetOf = (bytes: number) => `/${"p".repeat(bytes - 1 - query.length)}${query}`;
const pathOf = (bytes: number) => targetOf(bytes).split("?")[0] as string;

function request(target: string, body?: Buffer): Promise<{ status: number; message: string }> {
  const { hostname, port } = new URL(scissors.url);
  return new Promise((resolve, reject) => {
    const req = http.request({ hostname, port, path: target, method: "GET" }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (chunk: Buffer) => chunks.push(chunk));
      res.on("end", () => {
        const text = Buffer.concat(chunks).toString();
        resolve({ status: res.statusCode ?? 0, message: text.startsWith("{") ? JSON.parse(text).message : "" });
      });
    });
    req.on("error", reject);
    if (body) req.setHeader("content-length", body.length);
    req.end(body);
  });
}

describe("request target limit", () => {
  it.each([limit - 1, limit])("serves a %i-byte request target", async (bytes) => {
    expect(targetOf(bytes)).toHaveLength(bytes);
    expect((await request(targetOf(bytes))).status).toBe(200);
  });

  it("answers 414 to a request target one byte over the limit", async () => {
    expect(await request(targetOf(limit + 1))).toEqual({
      status: 414,
      message: `request target is ${limit + 1} bytes, more than ${limit}`,
    });
  });
});

describe("request bodies", () => {
  it("accepts an empty body (limit 0) and answers 413 to one byte, without reading it", async () => {
    expect((await request(targetOf(100), Buffer.alloc(0))).status).toBe(200);
    expect(await request(targetOf(100), Buffer.from("x"))).toEqual({
      status: 413,
      message: "request bodies are not accepted (limit 0 bytes)",
    });
  });
});
