import http, { type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

export type Route = Buffer | ((req: IncomingMessage, res: ServerResponse) => void);

/** A real HTTP origin on loopback that serves the given routes and counts the requests it gets. */
export async function startOrigin(routes: Record<string, Route>) {
  const hits = new Map<string, number>();
  const server = http.createServer((req, res) => {
    const path = (req.url ?? "/").split("?")[0] as string;
    hits.set(path, (hits.get(path) ?? 0) + 1);
    const route = routes[path];
    if (route === undefined) {
      res.writeHead(404).end("not found");
    } else if (Buffer.isBuffer(route)) {
      res.writeHead(200, { "content-type": "application/octet-stream", "content-length": route.length }).end(route);
    } else {
      route(req, res);
    }
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    port,
    url: `http://127.0.0.1:${port}`,
    routes,
    hits: (path: string) => hits.get(path) ?? 0,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

export type Origin = Awaited<ReturnType<typeof startOrigin>>;
