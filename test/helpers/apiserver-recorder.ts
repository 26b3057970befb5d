// A TLS pass-through in front of the testbed's real apiserver that records the evictions it answered.
// The apiserver decides everything; this only watches, so a test can count evictions per pod from the
// outside instead of trusting the counts of the code under test. It serves the apiserver's own
// self-signed certificate, so the kubeconfig's CA trusts it unchanged.
import { once } from "node:events";
import { readFileSync, writeFileSync } from "node:fs";
import { Agent, createServer, request } from "node:https";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { endpoints, uniqueName } from "./testbed.ts";

export interface AnsweredEviction {
  /** namespace/name */
  pod: string;
  status: number;
}

const evictionPath = /^\/api\/v1\/namespaces\/([^/]+)\/pods\/([^/]+)\/eviction(?:\?|$)/;

export async function recordingApiserver() {
  const { workDir, apiserverUrl, kubeconfigPath } = endpoints();
  const certDir = join(workDir, "apiserver-certs");
  const cert = readFileSync(join(certDir, "apiserver.crt"));
  const key = readFileSync(join(certDir, "apiserver.key"));
  const upstream = new URL(apiserverUrl);
  const agent = new Agent({ keepAlive: true, ca: cert });
  const evictions: AnsweredEviction[] = [];

  const server = createServer({ cert, key }, (req, res) => {
    const forward = request(
      {
        host: upstream.hostname,
        port: upstream.port,
        method: req.method,
        path: req.url,
        headers: { ...req.headers, host: upstream.host },
        agent,
      },
      (answer) => {
        const eviction = req.method === "POST" ? evictionPath.exec(req.url ?? "") : null;
        if (eviction) evictions.push({ pod: `${eviction[1]}/${eviction[2]}`, status: answer.statusCode ?? 0 });
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      },
    );
    forward.on("error", () => res.destroy());
    // A client that hangs up (a watch it closes) ends the upstream request too.
    res.on("close", () => {
      if (!res.writableFinished) forward.destroy();
    });
    req.pipe(forward);
  });
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  const url = `https://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const path = join(workDir, `${uniqueName("kubeconfig-recorded")}`);
  writeFileSync(path, readFileSync(kubeconfigPath, "utf8").replace(apiserverUrl, url), { mode: 0o600 });

  return {
    kubeconfigPath: path,
    evictions,
    /** How many evictions of each pod the apiserver accepted (2xx). */
    accepted(pods: readonly string[]): Record<string, number> {
      const counts = Object.fromEntries(pods.map((pod) => [pod, 0]));
      for (const e of evictions) if (e.status < 300 && e.pod in counts) counts[e.pod] = (counts[e.pod] ?? 0) + 1;
      return counts;
    },
    async close() {
      server.closeAllConnections();
      server.close();
      agent.destroy();
    },
  };
}
