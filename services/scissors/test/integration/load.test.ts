import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Origin, startOrigin } from "./helpers/origin.ts";
import { photoSet } from "./helpers/photos.ts";
import { type ScissorsProcess, startScissors } from "./helpers/process.ts";

let origin: Origin;

beforeAll(async () => {
  const photos = await photoSet();
  origin = await startOrigin({ "/photo.jpg": photos["rocket-2k.jpg"], "/small.jpg": photos["rocket.jpg"] });
});

afterAll(async () => {
  await origin?.close();
});

const sources = () => JSON.stringify([{ prefix: "", type: "http", origin: origin.url, trustPrivateNetwork: true }]);

describe("overload", () => {
  let scissors: ScissorsProcess;
  afterAll(async () => scissors?.stop());

  it("refuses what does not fit the queue with 503 and Retry-After, never a 500, and recovers", async () => {
    scissors = await startScissors({
      SCISSORS_SOURCES: sources(),
      SCISSORS_CONCURRENCY: "1",
      SCISSORS_QUEUE_SIZE: "2",
    });
    // Distinct widths: no two requests share a flight, so every one needs its own processing slot.
    const answers = await Promise.all(
      Array.from({ length: 24 }, (_, i) =>
        fetch(`${scissors.url}/photo.jpg?width=${300 + i}&format=avif`).then(async (r) => {
          await r.arrayBuffer();
          return { status: r.status, retryAfter: r.headers.get("retry-after") };
        }),
      ),
    );
    const statuses = answers.map((a) => a.status);
    expect(statuses.filter((s) => s !== 200 && s !== 503)).toEqual([]);
    expect(statuses.filter((s) => s === 200).length).toBeGreaterThanOrEqual(3);
    const refused = answers.filter((a) => a.status === 503);
    expect(refused.length).toBeGreaterThan(0);
    expect(refused.every((a) => a.retryAfter === "1")).toBe(true);
    const metrics = await (await fetch(`${scissors.url}/metrics`)).text();
    expect(metrics).toMatch(/scissors_errors_total\{code="overloaded"\} [1-9]/);
    expect(metrics).toMatch(/scissors_queue_depth 0/);
    expect((await fetch(`${scissors.url}/small.jpg?width=10`)).status).toBe(200);
  });
});

describe("graceful shutdown", () => {
  it("SIGTERM during a load run: readiness fails at once, in-flight requests finish, 0 failed, exit 0", async () => {
    const scissors = await startScissors({ SCISSORS_SOURCES: sources(), SCISSORS_DRAIN_DELAY_MS: "1000" });
    try {
      let stop = false;
      let terminatedAt = 0;
      let ok = 0;
      let okAfterSigterm = 0;
      const failures: string[] = [];
      // Clients behave as a load balancer behind the readiness probe does: no new requests once it fails.
      const worker = async (id: number) => {
        for (let i = 0; !stop; i++) {
          try {
            const response = await fetch(`${scissors.url}/photo.jpg?width=${200 + ((id * 97 + i) % 300)}`);
            await response.arrayBuffer();
            if (response.status === 200) {
              ok++;
              if (terminatedAt) okAfterSigterm++;
            } else failures.push(`status ${response.status}`);
          } catch (error) {
            failures.push(String((error as Error).cause ?? error));
          }
        }
      };
      const probe = async () => {
        while (!stop) {
          const response = await fetch(`${scissors.url}/server/avail`).catch(() => undefined);
          if (terminatedAt && response?.status !== 200) stop = true;
          await new Promise((resolve) => setTimeout(resolve, 20));
        }
      };
      const workers = [0, 1, 2, 3, 4, 5].map(worker);
      const probing = probe();
      while (ok < 12) await new Promise((resolve) => setTimeout(resolve, 20));
      terminatedAt = Date.now();
      scissors.child.kill("SIGTERM");
      await Promise.all([...workers, probing]);
      expect(failures).toEqual([]);
      expect(okAfterSigterm).toBeGreaterThan(0);
      expect(await scissors.exited).toBe(0);
      expect(scissors.logs.join("\n")).toMatch(/draining: readiness now fails/);
    } finally {
      await scissors.stop();
    }
  });
});
