// The floor for any image proxy on Node: node:http, a keep-alive download and the same sharp call as the
// limit, with none of Scissors' checks, limits, caching, ETags, metrics or timeouts. Not a product anyone
// should run: it is here so the bench can tell what Node's HTTP costs from what Scissors' features cost.
//   node bare-proxy.ts <port> <origin>   → GET /<photo>?width=&height=&fit=
const http = process.getBuiltinModule("node:http");

import sharp from "sharp";

const [port = "0", origin = ""] = process.argv.slice(2);
// The limit's and Scissors' libvips settings.
sharp.cache(false);
sharp.concurrency(1);
const agent = new http.Agent({ keepAlive: true, maxSockets: 64 });
const download = (url: string) =>
  new Promise<Buffer>((resolve, reject) => {
    http
      .get(url, { agent }, (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (chunk: Buffer) => chunks.push(chunk));
        res.on("end", () => resolve(Buffer.concat(chunks)));
        res.on("error", reject);
      })
      .on("error", reject);
  });

http
  .createServer(async (req, res) => {
    try {
      const [path = "/", query = ""] = (req.url ?? "/").split("?");
      if (path === "/health") return void res.end("ok");
      const params = new URLSearchParams(query);
      const source = await download(`${origin}${path}`);
      const body = await sharp(source, { failOn: "warning", autoOrient: true })
        .resize({
          width: Number(params.get("width")),
          height: Number(params.get("height")),
          fit: params.get("fit") as "inside" | "cover",
          withoutEnlargement: true,
        })
        .jpeg({ quality: 80 })
        .toBuffer();
      res.writeHead(200, { "content-type": "image/jpeg", "content-length": body.length }).end(body);
    } catch (error) {
      res.writeHead(500).end(String(error));
    }
  })
  .listen(Number(port), "127.0.0.1");
