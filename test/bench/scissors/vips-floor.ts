// The floor for p99 of a Node image proxy on this libvips (services/scissors/README.md, "p99 at c=2"):
// node:http, a keep-alive download, and the whole decode, resize and encode in ONE call off the main thread
// (libvips' generic operation API through koffi: jpegload with Scissors' shrink-on-load → resize → extract
// for a cover → jpegsave, evaluated by building the jpegsave). No sharp call, no pixels handed to JS, no
// Scissors checks, metrics, ETags or timeouts: the least JavaScript a request can cost. Not a product.
//   node vips-floor.ts <port> <origin>   → GET /<photo>?width=&height=&fit=
//   origin "mem:<dir>" reads the photos from <dir> at start and downloads nothing.
// GET /stats answers the mean of each request's phases since the last /stats, on the server's clock.
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import koffi from "koffi";
import sharp from "sharp";
import { loadedLibvips } from "../../../services/scissors/src/adapters/jpeg-preshrink.ts";
import { preshrinkFor } from "../../../services/scissors/src/core/jpeg-shrink.ts";

const http = process.getBuiltinModule("node:http");
const [port = "0", origin = ""] = process.argv.slice(2);
sharp.cache(false);
sharp.concurrency(1);

const lib = koffi.load(loadedLibvips() as string);
const libc = koffi.load("libc.so.6");
const jpegload = lib.func("int vips_jpegload_buffer(const uint8_t *buf, size_t len, _Out_ void **out, ...)");
const resizeOp = lib.func("int vips_resize(void *in, _Out_ void **out, double scale, ...)");
const extractArea = lib.func("int vips_extract_area(void *in, _Out_ void **out, int l, int t, int w, int h, ...)");
const width = lib.func("int vips_image_get_width(void *image)");
const height = lib.func("int vips_image_get_height(void *image)");
const operationNew = lib.func("void *vips_operation_new(const char *name)");
const setFromString = lib.func("int vips_object_set_from_string(void *object, const char *string)");
const build = lib.func("int vips_object_build(void *object)");
const imageType = lib.func("size_t vips_image_get_type()");
const blobType = lib.func("size_t vips_blob_get_type()");
const blobGet = lib.func("const void *vips_blob_get(void *blob, _Out_ size_t *length)");
const valueInit = lib.func("void *g_value_init(void *value, size_t type)");
const valueSetObject = lib.func("void g_value_set_object(void *value, void *object)");
const valueGetBoxed = lib.func("void *g_value_get_boxed(const void *value)");
const valueUnset = lib.func("void g_value_unset(void *value)");
const setProperty = lib.func("void g_object_set_property(void *object, const char *name, const void *value)");
const getProperty = lib.func("void g_object_get_property(void *object, const char *name, void *value)");
const unrefOutputs = lib.func("void vips_object_unref_outputs(void *object)");
const unref = lib.func("void g_object_unref(void *object)");
const errorBuffer = lib.func("const char *vips_error_buffer()");
const errorClear = lib.func("void vips_error_clear()");
const memcpy = libc.func("void *memcpy(void *dst, const void *src, size_t n)");
const lanczos3 = 5; // VipsKernel
const accessSequential = 1;
const failOnWarning = 3;
const saveOptions = "Q=80,optimize_coding=true,keep=none";

const fail = (what: string) => {
  const message = `${what}: ${String(errorBuffer() ?? "").split("\n")[0]}`;
  errorClear();
  return new Error(message);
};
type Pointer = unknown;
const open = (input: Buffer, shrink: number): Pointer => {
  const out: Pointer[] = [null];
  const options = ["str", "access", "int", accessSequential, "str", "fail_on", "int", failOnWarning];
  if (shrink > 1) options.push("str", "shrink", "int", shrink);
  if (jpegload(input, input.length, out, ...options, "void *", null) !== 0) throw fail("jpegload");
  return out[0];
};

const phases = { n: 0, download: 0, graph: 0, vips: 0, total: 0 };

/** The lazy graph is built on the main thread (no pixels yet); building jpegsave runs it all on a worker. */
async function render(input: Buffer, target: { width: number; height: number; fit: "inside" | "cover" }) {
  const t0 = performance.now();
  const header = open(input, 1);
  const source = { width: width(header) as number, height: height(header) as number };
  unref(header);
  const plan = preshrinkFor(source, target) ?? { shrink: 1, resize: { ...target }, extract: undefined };
  const images: Pointer[] = [open(input, plan.shrink)];
  const last = () => images.at(-1);
  const decoded = { width: width(last()) as number, height: height(last()) as number };
  const box = plan.resize as { width: number; height: number; fit: string };
  const h = box.width / decoded.width;
  const v = box.height / decoded.height;
  const [hs, vs] = box.fit === "inside" ? [Math.min(h, v), Math.min(h, v)] : [h, v];
  const out: Pointer[] = [null];
  if (resizeOp(last(), out, hs, "str", "vscale", "double", vs, "str", "kernel", "int", lanczos3, "void *", null)) {
    throw fail("resize");
  }
  images.push(out[0]);
  const e = plan.extract;
  if (e) {
    if (extractArea(last(), out, e.left, e.top, e.width, e.height, "void *", null)) throw fail("extract");
    images.push(out[0]);
  }
  const save = operationNew("jpegsave_buffer");
  const value = Buffer.alloc(24); // a GValue
  valueInit(value, imageType());
  valueSetObject(value, last());
  setProperty(save, "in", value);
  valueUnset(value);
  if (setFromString(save, saveOptions)) throw fail("jpegsave options");
  const t1 = performance.now();
  try {
    const status = await new Promise<number>((resolve, reject) =>
      build.async(save, (error: Error | null, result: number) => (error ? reject(error) : resolve(result))),
    );
    const t2 = performance.now();
    if (status !== 0) throw fail("jpegsave");
    valueInit(value, blobType());
    getProperty(save, "buffer", value);
    const length: number[] = [0];
    const data = blobGet(valueGetBoxed(value), length);
    const body = Buffer.allocUnsafeSlow(length[0] as number);
    memcpy(body, data, body.length);
    valueUnset(value);
    phases.graph += t1 - t0;
    phases.vips += t2 - t1;
    return body;
  } finally {
    unrefOutputs(save);
    unref(save);
    for (const image of images) unref(image);
  }
}

const agent = new http.Agent({ keepAlive: true, maxSockets: 64 });
const memory = origin.startsWith("mem:") ? origin.slice(4) : undefined;
const photos = new Map<string, Buffer>(
  memory ? readdirSync(memory).map((name) => [`/${name}`, readFileSync(join(memory, name))]) : [],
);
const download = (path: string) =>
  memory
    ? Promise.resolve(photos.get(path) as Buffer)
    : new Promise<Buffer>((resolve, reject) => {
        http
          .get(`${origin}${path}`, { agent }, (res) => {
            const chunks: Buffer[] = [];
            res.on("data", (chunk: Buffer) => chunks.push(chunk));
            res.on("end", () => resolve(Buffer.concat(chunks)));
            res.on("error", reject);
          })
          .on("error", reject);
      });

http
  .createServer(async (req, res) => {
    const t0 = performance.now();
    try {
      const [path = "/", query = ""] = (req.url ?? "/").split("?");
      if (path === "/health") return void res.end("ok");
      if (path === "/stats") {
        const mean = (x: number) => Math.round((x / Math.max(1, phases.n)) * 100) / 100;
        const { n, ...sums } = phases;
        res.end(JSON.stringify({ n, ...Object.fromEntries(Object.entries(sums).map(([k, x]) => [k, mean(x)])) }));
        Object.assign(phases, { n: 0, download: 0, graph: 0, vips: 0, total: 0 });
        return;
      }
      const params = new URLSearchParams(query);
      const source = await download(path);
      const t1 = performance.now();
      const body = await render(source, {
        width: Number(params.get("width")),
        height: Number(params.get("height")),
        fit: params.get("fit") as "inside" | "cover",
      });
      res.writeHead(200, { "content-type": "image/jpeg", "content-length": body.length }).end(body);
      phases.n++;
      phases.download += t1 - t0;
      phases.total += performance.now() - t0;
    } catch (error) {
      res.writeHead(500).end(String(error));
    }
  })
  .listen(Number(port), "127.0.0.1");
