// The HTTP limit on this machine: node:http answering every request with a fixed JSON body of the ad
// server's response size and the same headers, and doing nothing else.
//   node bare-server.ts <port> <bodyBytes>
import { createServer } from "node:http";

const [port = 0, bytes = 400] = process.argv.slice(2).map(Number);
const filler = "x".repeat(Math.max(0, bytes - '{"requestId":"","slot":"slot-0"}'.length));
const body = JSON.stringify({ requestId: filler, slot: "slot-0" });

createServer({ keepAlive: true }, (_req, res) => {
  res.writeHead(200, {
    "content-type": "application/json; charset=utf-8",
    "content-length": Buffer.byteLength(body),
    "cache-control": "no-store",
  });
  res.end(body);
}).listen(port, "127.0.0.1", () => process.stdout.write("ready\n"));
