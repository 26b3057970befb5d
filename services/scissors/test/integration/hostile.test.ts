import type http from "node:http";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Origin, startOrigin } from "./helpers/origin.ts";
import { fixture, pngBomb } from "./helpers/photos.ts";
import { type ScissorsProcess, startScissors } from "./helpers/process.ts";

// The real service process, attacked with a hostile corpus. A "secret" server on loopback stands in for
// everything an attacker wants to reach; the trusted origin sits on another port and redirects.
let secret: Origin;
let origin: Origin;
let scissors: ScissorsProcess;

beforeAll(async () => {
  const rocket = fixture("rocket.jpg");
  secret = await startOrigin({ "/secret.jpg": rocket, "/latest/meta-data/": Buffer.from("iam-credentials") });
  const redirect = (location: string) => (_req: http.IncomingMessage, res: http.ServerResponse) => {
    res.writeHead(302, { location }).end();
  };
  const png = fixture("coffee.png");
  const badCrc = Buffer.from(png);
  badCrc.writeUInt32BE(0xdeadbeef, 29); // the IHDR chunk's CRC
  origin = await startOrigin({
    "/rocket.jpg": rocket,
    "/to-secret.jpg": redirect(`http://127.0.0.1:${secret.port}/secret.jpg`),
    "/to-metadata.jpg": redirect("http://169.254.169.254/latest/meta-data/"),
    "/to-file.jpg": redirect("file:///etc/passwd"),
    "/loop.jpg": redirect("/loop.jpg"),
    "/bomb.png": pngBomb(50_000, 50_000),
    "/wide-bomb.png": pngBomb(1_000_000, 100),
    "/truncated.jpg": rocket.subarray(0, Math.floor(rocket.length * 0.6)),
    "/truncated.png": png.subarray(0, Math.floor(png.length / 2)),
    "/bad-crc.png": badCrc,
    "/garbage.jpg": Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xe0]), Buffer.alloc(5000, 0x42)]),
    "/empty.jpg": Buffer.alloc(0),
    "/html.jpg": Buffer.from("<html><body>not an image</body></html>"),
    "/tiff.jpg": fixture("multipage.tif"),
    "/many-frames.gif": fixture("animated.gif"),
    "/entity.svg": Buffer.from(
      '<?xml version="1.0"?><!DOCTYPE svg [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;">]><svg xmlns="http://www.w3.org/2000/svg">&b;</svg>',
    ),
    "/huge.svg": Buffer.from('<svg xmlns="http://www.w3.org/2000/svg" width="100000" height="100000"></svg>'),
    "/huge-body.jpg": Buffer.concat([rocket, Buffer.alloc(3 * 1024 * 1024)]),
    "/lying-length.jpg": (_req, res) => {
      // No Content-Length: the limit must hold while streaming.
      res.writeHead(200, { "content-type": "image/jpeg" });
      const chunk = Buffer.alloc(64 * 1024, 0xff);
      let sent = 0;
      const pump = () => {
        while (sent < 16 * 1024 * 1024) {
          sent += chunk.length;
          if (!res.write(chunk)) return res.once("drain", pump);
        }
        res.end();
      };
      pump();
    },
  });
  scissors = await startScissors({
    SCISSORS_SOURCES: JSON.stringify([{ prefix: "o", type: "http", origin: origin.url, trustPrivateNetwork: true }]),
    SCISSORS_ALLOWED_HOSTS: "*",
    SCISSORS_MAX_SOURCE_BYTES: String(2 * 1024 * 1024),
    SCISSORS_MAX_FRAMES: "10",
  });
});

afterAll(async () => {
  await scissors?.stop();
  await origin?.close();
  await secret?.close();
});

const s = () => secret.port;
const corpus: [string, () => string][] = [
  ["metadata IP", () => "/http://169.254.169.254/latest/meta-data/"],
  ["localhost", () => `/http://localhost:${s()}/secret.jpg`],
  ["127.0.0.1", () => `/http://127.0.0.1:${s()}/secret.jpg`],
  ["[::1]", () => `/http://[::1]:${s()}/secret.jpg`],
  ["[::ffff:127.0.0.1]", () => `/http://[::ffff:127.0.0.1]:${s()}/secret.jpg`],
  ["[::ffff:7f00:1]", () => `/http://[::ffff:7f00:1]:${s()}/secret.jpg`],
  ["decimal IP", () => `/http://2130706433:${s()}/secret.jpg`],
  ["octal IP", () => `/http://0177.0.0.1:${s()}/secret.jpg`],
  ["hex IP", () => `/http://0x7f.0.0.1:${s()}/secret.jpg`],
  ["short IP", () => `/http://127.1:${s()}/secret.jpg`],
  ["percent-encoded URL", () => `/http%3A%2F%2F127.0.0.1%3A${s()}%2Fsecret.jpg`],
  ["private 10/8", () => "/http://10.0.0.1/x.jpg"],
  ["CGNAT", () => "/http://100.64.0.1/x.jpg"],
  ["0.0.0.0", () => `/http://0.0.0.0:${s()}/secret.jpg`],
  ["redirect to loopback", () => "/o/to-secret.jpg"],
  ["redirect to metadata", () => "/o/to-metadata.jpg"],
  ["redirect to file:", () => "/o/to-file.jpg"],
  ["file:", () => "/file:///etc/passwd"],
  ["gopher:", () => `/gopher://127.0.0.1:${s()}/_x`],
  ["PNG declaring 50,000 × 50,000", () => "/o/bomb.png?width=100"],
  ["PNG declaring 1,000,000 × 100", () => "/o/wide-bomb.png"],
  ["SVG declaring 100,000 × 100,000", () => "/o/huge.svg?width=100"],
  ["SVG with entities", () => "/o/entity.svg"],
  ["truncated JPEG", () => "/o/truncated.jpg?width=100"],
  ["truncated PNG", () => "/o/truncated.png?width=100"],
  ["PNG with a bad CRC", () => "/o/bad-crc.png?width=100"],
  ["garbage after a JPEG marker", () => "/o/garbage.jpg"],
  ["empty file", () => "/o/empty.jpg"],
  ["HTML", () => "/o/html.jpg"],
  ["TIFF under a .jpg name", () => "/o/tiff.jpg"],
  ["too many frames", () => "/o/many-frames.gif?format=webp"],
  ["body over the byte limit", () => "/o/huge-body.jpg"],
  ["body over the limit without Content-Length", () => "/o/lying-length.jpg"],
  ["negative width", () => "/o/rocket.jpg?width=-100"],
  ["huge width", () => "/o/rocket.jpg?width=999999999999999999999999"],
  ["huge height with dpr", () => "/o/rocket.jpg?height=4000&dpr=4"],
  ["float overflow dpr", () => "/o/rocket.jpg?dpr=1e308"],
  ["NaN quality", () => "/o/rocket.jpg?quality=NaN"],
  ["negative blur", () => "/o/rocket.jpg?blur=-5"],
  ["path traversal", () => "/o/..%2f..%2fetc%2fpasswd"],
  ["query over the header limit", () => `/o/rocket.jpg?width=${"9".repeat(20_000)}`],
];

describe("hostile corpus", () => {
  it.each(corpus)("%s gets a 4xx and reaches nothing private", async (_name, path) => {
    const before = secret.hits("/secret.jpg") + secret.hits("/latest/meta-data/");
    const response = await fetch(`${scissors.url}${path()}`);
    await response.arrayBuffer();
    expect(response.status).toBeGreaterThanOrEqual(400);
    expect(response.status).toBeLessThan(500);
    expect(secret.hits("/secret.jpg") + secret.hits("/latest/meta-data/")).toBe(before);
  });

  it("answers a redirect loop with 502 after the redirect cap, not by following it for ever", async () => {
    const before = origin.hits("/loop.jpg");
    const response = await fetch(`${scissors.url}/o/loop.jpg`);
    expect(response.status).toBe(502);
    expect(((await response.json()) as { message: string }).message).toMatch(/redirected more than 3 times/);
    expect(origin.hits("/loop.jpg") - before).toBe(4);
  });

  it("stays healthy, serves real images, and keeps its peak RSS bounded after the whole corpus, twice over", async () => {
    const all = [...corpus, ...corpus].map(([, path]) => fetch(`${scissors.url}${path()}`).then((r) => r.status));
    const statuses = await Promise.all(all);
    expect(statuses.filter((status) => status >= 500)).toEqual([]);
    expect((await fetch(`${scissors.url}/server/avail`)).status).toBe(200);
    expect((await fetch(`${scissors.url}/server/alive`)).status).toBe(200);
    const image = await fetch(`${scissors.url}/o/rocket.jpg?width=64`);
    expect(image.status).toBe(200);
    // Decoding the 50,000² bomb alone would need 7.5 GB; the process never got near it.
    expect(scissors.peakRssMiB()).toBeLessThan(400);
    expect(scissors.child.exitCode).toBeNull();
    expect(scissors.logs.join("\n")).not.toMatch(/unexpected error/);
  });
});
