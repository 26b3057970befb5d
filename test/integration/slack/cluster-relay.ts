// A second "cluster" on the shared apiserver: a TCP relay of its own, with its own kubeconfig. What a command
// sends to a cluster passes through that cluster's relay only, so a test can tell which cluster it reached.
import { once } from "node:events";
import { readFileSync, rmSync, writeFileSync } from "node:fs";
import { connect, createServer, type Socket } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { uniqueName } from "../../helpers/testbed.ts";

export interface ClusterRelay {
  /** A kubeconfig like the testbed's, pointed at this relay (TLS is end to end; the relay sees bytes only). */
  kubeconfigPath: string;
  /** Bytes relayed to the apiserver since the last reset. */
  bytesIn(): number;
  reset(): void;
  close(): Promise<void>;
}

export async function clusterRelay(apiserverUrl: string, kubeconfigPath: string): Promise<ClusterRelay> {
  const upstream = new URL(apiserverUrl);
  let bytes = 0;
  const sockets = new Set<Socket>();
  const server = createServer((client) => {
    const api = connect(Number(upstream.port), upstream.hostname);
    for (const socket of [client, api]) {
      sockets.add(socket);
      socket.on("error", () => socket.destroy());
      socket.on("close", () => sockets.delete(socket));
    }
    client.on("data", (chunk: Buffer) => {
      bytes += chunk.length;
    });
    client.pipe(api).pipe(client);
  });
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  const address = server.address();
  const port = typeof address === "object" && address ? address.port : 0;
  // The apiserver's certificate names 127.0.0.1, whatever the port, so only the port changes.
  const path = join(tmpdir(), `${uniqueName("relay")}.kubeconfig`);
  writeFileSync(path, readFileSync(kubeconfigPath, "utf8").replaceAll(apiserverUrl, `https://127.0.0.1:${port}`));
  return {
    kubeconfigPath: path,
    bytesIn: () => bytes,
    reset: () => {
      bytes = 0;
    },
    async close() {
      for (const socket of sockets) socket.destroy();
      server.close();
      rmSync(path, { force: true });
    },
  };
}
