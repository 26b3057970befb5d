import sharp from "sharp";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createLogger } from "../../src/adapters/log.ts";
import { loadConfig } from "../../src/config.ts";
import { sign } from "../../src/core/signature.ts";
import { createScissors, type Scissors } from "../../src/server.ts";
import { type Origin, startOrigin } from "./helpers/origin.ts";
import { photoSet } from "./helpers/photos.ts";
import { inProcessRuntime } from "./helpers/process.ts";

// The service in this process, against a real origin on loopback serving real photographs.
let origin: Origin;
let scissors: Scissors;
let base: string;

beforeAll(async () => {
  const photos = await photoSet();
  origin = await startOrigin({
    ...Object.fromEntries(Object.entries(photos).map(([name, bytes]) => [`/${name}`, bytes])),
    "/slow.jpg": (_req, res) => {
      setTimeout(() => res.writeHead(200).end(photos["rocket.jpg"]), 300);
    },
    "/tagged.jpg": (_req, res) => {
      res.writeHead(200, { etag: '"v1"' }).end(photos["rocket.jpg"]);
    },
  });
  const config = loadConfig({
    SCISSORS_HOST: "127.0.0.1",
    SCISSORS_PORT: "0",
    SCISSORS_SOURCES: JSON.stringify([{ prefix: "", type: "http", origin: origin.url, trustPrivateNetwork: true }]),
    SCISSORS_PRESETS: JSON.stringify({ thumb: { width: 120, height: 80, fit: "cover", quality: 60 } }),
    SCISSORS_CACHE_BYTES: String(32 * 1024 * 1024),
  });
  scissors = createScissors(config, createLogger("warn"), inProcessRuntime);
  base = await scissors.listen();
});

afterAll(async () => {
  scissors.server.closeAllConnections();
  await new Promise((resolve) => scissors.server.close(resolve));
  await origin.close();
});

async function get(path: string, headers: Record<string, string> = {}) {
  const response = await fetch(`${base}${path}`, { headers });
  const body = Buffer.from(await response.arrayBuffer());
  return { response, body, status: response.status };
}

const meta = (body: Buffer) => sharp(body).metadata();

describe("resizing real photographs", () => {
  it.each([
    ["rocket.jpg", "jpeg", "jpeg"],
    ["rocket-2k.jpg", "jpeg", "jpeg"],
    ["chelsea.webp", "webp", "webp"],
    ["chelsea.avif", "avif", "heif"],
    ["coffee.png", "png", "png"],
  ])("%s keeps its format (%s) and is cropped to width × height", async (name, type, format) => {
    const { status, body, response } = await get(`/${name}?width=200&height=120`);
    expect(status).toBe(200);
    expect(response.headers.get("content-type")).toBe(`image/${type}`);
    expect(await meta(body)).toMatchObject({ format, width: 200, height: 120 });
  });

  it("fits inside, contains with letterbox, fills and covers from outside", async () => {
    const inside = await meta((await get("/rocket-2k.jpg?width=512&height=512&fit=inside")).body);
    expect([inside.width, inside.height]).toEqual([512, 341]);
    const contain = await meta((await get("/rocket-2k.jpg?width=512&height=512&fit=contain")).body);
    expect([contain.width, contain.height]).toEqual([512, 512]);
    const fill = await meta((await get("/rocket-2k.jpg?width=100&height=300&fit=fill")).body);
    expect([fill.width, fill.height]).toEqual([100, 300]);
    const outside = await meta((await get("/rocket-2k.jpg?width=300&height=300&fit=outside")).body);
    expect([outside.width, outside.height]).toEqual([450, 300]);
  });

  it("crops at the requested gravity", async () => {
    const stats = async (gravity: string) =>
      (await sharp((await get(`/rocket.jpg?width=100&height=400&gravity=${gravity}`)).body).stats()).channels[0]?.mean;
    const west = await stats("west");
    const east = await stats("east");
    expect(west).not.toBe(east);
    const attention = await get("/rocket.jpg?width=100&height=100&gravity=attention");
    const entropy = await get("/rocket.jpg?width=100&height=100&gravity=entropy");
    expect([attention.status, entropy.status]).toEqual([200, 200]);
  });

  it("scales by dpr, never enlarges, and blurs", async () => {
    expect(await meta((await get("/rocket.jpg?width=150&dpr=2")).body)).toMatchObject({ width: 300 });
    expect(await meta((await get("/rocket.jpg?width=2000")).body)).toMatchObject({ width: 640 });
    const sharpOne = await get("/rocket.jpg?width=200");
    const blurred = await get("/rocket.jpg?width=200&blur=5");
    expect(blurred.body.length).toBeLessThan(sharpOne.body.length);
  });

  it("lowers JPEG quality and so the size", async () => {
    const high = await get("/rocket-2k.jpg?width=800&quality=95");
    const low = await get("/rocket-2k.jpg?width=800&quality=30");
    expect(low.body.length).toBeLessThan(high.body.length / 2);
  });

  it("converts on request, flattening alpha for JPEG", async () => {
    const jpeg = await get("/coffee-alpha.png?format=jpeg");
    expect(await meta(jpeg.body)).toMatchObject({ format: "jpeg", hasAlpha: false });
    const avif = await get("/rocket.jpg?width=100&format=avif");
    expect(avif.response.headers.get("content-type")).toBe("image/avif");
    expect((await meta(avif.body)).format).toBe("heif");
    expect(avif.response.headers.get("vary")).toBeNull();
  });

  it("keeps animation for WebP and takes the first frame for JPEG", async () => {
    expect(await meta((await get("/animated.gif?format=webp")).body)).toMatchObject({ format: "webp", pages: 24 });
    expect((await meta((await get("/animated.gif?format=jpeg")).body)).pages).toBeUndefined();
  });

  it("applies named presets", async () => {
    const { body } = await get("/rocket.jpg?preset=thumb");
    expect(await meta(body)).toMatchObject({ width: 120, height: 80 });
  });
});

describe("format=auto", () => {
  it("follows Accept and says Vary: Accept", async () => {
    const avif = await get("/rocket.jpg?width=100&format=auto", { accept: "image/avif,image/webp,*/*" });
    expect(avif.response.headers.get("content-type")).toBe("image/avif");
    expect(avif.response.headers.get("vary")).toBe("Accept");
    const webp = await get("/rocket.jpg?width=100&format=auto", { accept: "image/webp,*/*" });
    expect(webp.response.headers.get("content-type")).toBe("image/webp");
    const plain = await get("/rocket.jpg?width=100&format=auto", { accept: "*/*" });
    expect(plain.response.headers.get("content-type")).toBe("image/jpeg");
    expect(plain.response.headers.get("vary")).toBe("Accept");
  });
});

describe("defaults", () => {
  it("auto-rotates from EXIF and strips metadata", async () => {
    const { body } = await get("/rotated.jpg");
    const out = await meta(body);
    expect([out.width, out.height]).toEqual([427, 640]);
    expect(out.exif).toBeUndefined();
    expect(out.orientation).toBeUndefined();
    expect(body.includes("secret-owner")).toBe(false);
  });
});

describe("caching", () => {
  it("sends an ETag and Cache-Control, and 304 for a matching If-None-Match", async () => {
    const first = await get("/coffee.png?width=64");
    const etag = first.response.headers.get("etag") as string;
    expect(etag).toMatch(/^"[\w-]+"$/);
    expect(first.response.headers.get("cache-control")).toMatch(/public, max-age=\d+/);
    const again = await get("/coffee.png?width=64", { "if-none-match": etag });
    expect(again.status).toBe(304);
    expect(again.body.length).toBe(0);
    const other = await get("/coffee.png?width=65", { "if-none-match": etag });
    expect(other.status).toBe(200);
  });

  it("gives the same ETag on another replica, which answers 304 before decoding anything", async () => {
    const first = await get("/tagged.jpg?width=33");
    const etag = first.response.headers.get("etag") as string;
    const replica = createScissors(
      loadConfig({
        SCISSORS_HOST: "127.0.0.1",
        SCISSORS_PORT: "0",
        SCISSORS_SOURCES: JSON.stringify([{ prefix: "", type: "http", origin: origin.url, trustPrivateNetwork: true }]),
      }),
      createLogger("warn"),
      inProcessRuntime,
    );
    const url = await replica.listen();
    try {
      // quality=80 is the default for JPEG: the same output, asked for in other words.
      const again = await fetch(`${url}/tagged.jpg?w=33&quality=80`, { headers: { "if-none-match": etag } });
      expect(again.status).toBe(304);
      expect(again.headers.get("etag")).toBe(etag);
      const metrics = await (await fetch(`${url}/metrics`)).text();
      expect(metrics).toMatch(/scissors_phase_duration_seconds_count\{phase="download"\} 1\n/);
      expect(metrics).not.toMatch(/scissors_phase_duration_seconds_count\{phase="processing"\} [1-9]/);
    } finally {
      replica.server.closeAllConnections();
      await new Promise((resolve) => replica.server.close(resolve));
    }
  });

  it("does the work once for N identical concurrent requests, and serves repeats from the cache", async () => {
    const before = origin.hits("/slow.jpg");
    const answers = await Promise.all(Array.from({ length: 8 }, () => get("/slow.jpg?width=90")));
    expect(answers.map((a) => a.status)).toEqual(new Array(8).fill(200));
    expect(origin.hits("/slow.jpg") - before).toBe(1);
    expect(new Set(answers.map((a) => a.response.headers.get("x-scissors-cache")))).toEqual(
      new Set(["miss", "shared"]),
    );
    const repeat = await get("/slow.jpg?width=90");
    expect(repeat.response.headers.get("x-scissors-cache")).toBe("hit");
    expect(origin.hits("/slow.jpg") - before).toBe(1);
  });
});

describe("errors", () => {
  it.each([
    ["/rocket.jpg?width=abc", 400, /width must be a whole number/],
    ["/rocket.jpg?fit=squash", 400, /fit must be one of/],
    ["/rocket.jpg?bogus=1", 400, /unknown option "bogus"/],
    ["/missing.jpg", 404, /not found/],
    ["/multipage.tif", 415, /not a JPEG, PNG/],
  ])("%s → %i with a readable message", async (path, status, message) => {
    const answer = await get(path);
    expect(answer.status).toBe(status);
    expect(answer.response.headers.get("cache-control")).toBe("no-store");
    expect(JSON.parse(answer.body.toString()).message).toMatch(message);
  });
});

describe("operations", () => {
  it("answers readiness and liveness", async () => {
    expect((await get("/server/avail")).status).toBe(200);
    expect((await get("/server/alive")).status).toBe(200);
  });

  it("exports requests, phase durations, queue depth and errors to Prometheus", async () => {
    const text = (await get("/metrics")).body.toString();
    expect(text).toMatch(/scissors_requests_total\{route="image",status="200"\} \d+/);
    expect(text).toMatch(/scissors_requests_total\{route="image",status="400"\} \d+/);
    for (const phase of ["queue", "download", "processing"]) {
      expect(text).toMatch(new RegExp(`scissors_phase_duration_seconds_count\\{phase="${phase}"\\} [1-9]`));
    }
    expect(text).toMatch(/scissors_queue_depth 0/);
    expect(text).toMatch(/scissors_errors_total\{code="bad_request"\} [1-9]/);
    expect(text).toMatch(/scissors_cache_total\{result="hit"\} [1-9]/);
  });
});

describe("signed URLs", () => {
  it("refuses unsigned and wrongly signed requests, and accepts every configured key", async () => {
    const signed = createScissors(
      loadConfig({
        SCISSORS_HOST: "127.0.0.1",
        SCISSORS_PORT: "0",
        SCISSORS_SOURCES: JSON.stringify([{ prefix: "", type: "http", origin: origin.url, trustPrivateNetwork: true }]),
        SCISSORS_SIGNING_KEYS: "new-key,old-key",
      }),
      createLogger("warn"),
      inProcessRuntime,
    );
    const url = await signed.listen();
    try {
      const path = "/rocket.jpg";
      const query = new URLSearchParams("width=50");
      const status = async (suffix: string) => (await fetch(`${url}${path}?${suffix}`)).status;
      expect(await status("width=50")).toBe(403);
      expect(await status(`width=50&sig=${sign("stolen", path, query)}`)).toBe(403);
      expect(await status(`width=51&sig=${sign("new-key", path, query)}`)).toBe(403);
      expect(await status(`width=50&sig=${sign("new-key", path, query)}`)).toBe(200);
      expect(await status(`width=50&sig=${sign("old-key", path, query)}`)).toBe(200);
    } finally {
      signed.server.closeAllConnections();
      await new Promise((resolve) => signed.server.close(resolve));
    }
  });
});
