import { type ChildProcess, spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll } from "vitest";
import { freePort } from "../testbed/ports.ts";
import { endpoints, eventually } from "./testbed.ts";

/**
 * The traffic tests need Route53 change batches as AWS applies them (validated against the zone, all or
 * nothing); moto 5.2.1 does not (see traffic-moto/route53_change_batches.py). Until the shared edge
 * carries that patch, each traffic test file runs the shared server.py, unchanged, with the patch
 * installed, from the same virtualenv, and points the SDK at it for the file.
 */
export function useFaithfulRoute53() {
  let child: ChildProcess | undefined;
  beforeAll(async () => {
    const motoPid = endpoints().pids.moto;
    // The shared moto's own interpreter: the testbed's virtualenv, wherever its cache lives.
    const python = motoPid ? readFileSync(`/proc/${motoPid}/cmdline`, "utf8").split("\0")[0] : undefined;
    if (!python) throw new Error("cannot find the testbed's moto interpreter");
    const port = await freePort();
    const server = join(import.meta.dirname, "traffic-moto", "server.py");
    child = spawn(python, [server, "--host", "127.0.0.1", "--port", String(port)], { stdio: "ignore" });
    const endpoint = `http://127.0.0.1:${port}`;
    await eventually(async () => {
      if (child?.exitCode !== null) throw new Error(`moto for the traffic tests exited (${child?.exitCode})`);
      const answer = await fetch(`${endpoint}/_harbormaster/health`);
      if (!answer.ok) throw new Error(`health ${answer.status}`);
    }, 20_000);
    process.env.AWS_ENDPOINT_URL = endpoint;
  });
  afterAll(() => {
    child?.kill("SIGTERM");
    process.env.AWS_ENDPOINT_URL = endpoints().awsEndpoint;
  });
}
