// ipx as its users deploy it on Node: createIPX with HTTP storage for the origin, behind node:http.
//   node ipx-server.ts <ipx install dir> <port> <allowed domain>
import http from "node:http";
import { join } from "node:path";
import { pathToFileURL } from "node:url";

interface IpxModule {
  createIPX(options: unknown): unknown;
  ipxHttpStorage(options: unknown): unknown;
  ipxFSStorage(options: unknown): unknown;
  createIPXNodeServer(ipx: unknown): http.RequestListener;
}

const [dir = ".", port = "0", domain = "127.0.0.1"] = process.argv.slice(2);
const ipx = (await import(pathToFileURL(join(dir, "node_modules", "ipx", "dist", "index.mjs")).href)) as IpxModule;
const instance = ipx.createIPX({
  storage: ipx.ipxFSStorage({ dir: join(dir, "empty") }),
  httpStorage: ipx.ipxHttpStorage({ domains: [domain] }),
});
http.createServer(ipx.createIPXNodeServer(instance)).listen(Number(port), "127.0.0.1");
