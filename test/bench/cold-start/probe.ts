// One cold start in a fresh process: Node's boot, then the bundle's import and init (the module scope
// parses config and builds clients, as Lambda's init phase does). Prints one JSON line.
const file = process.argv[2];
if (!file) throw new Error("usage: probe.ts <bundle.mjs>");
const before = performance.now(); // since the process started: Node's own boot
const mod = (await import(file)) as { handler?: unknown };
const after = performance.now();
if (typeof mod.handler !== "function") throw new Error(`${file} exports no handler`);
console.log(
  JSON.stringify({ bootMs: before, initMs: after - before, totalMs: after, maxRssKb: process.resourceUsage().maxRSS }),
);
