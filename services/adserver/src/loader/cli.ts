// adserver-load: validates a seed file and writes it to Redis as a new catalog version.
//   node src/loader/cli.ts [--redis redis://host:port] [--dry-run] catalog.yaml
// Exit codes: 0 loaded (or valid, with --dry-run), 1 invalid file, 2 usage or Redis failure.
import { readFile } from "node:fs/promises";
import { basename } from "node:path";
import { parseArgs } from "node:util";
import { Redis } from "ioredis";
import { parseSeed, SeedFileError } from "./seed-file.ts";
import { writeCatalog } from "./write-catalog.ts";

async function main(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: { redis: { type: "string" }, "dry-run": { type: "boolean", default: false } },
  });
  const [file, ...extra] = positionals;
  if (!file || extra.length > 0) {
    process.stderr.write("usage: adserver-load [--redis redis://host:port] [--dry-run] <catalog.json|yaml>\n");
    return 2;
  }
  let seed: ReturnType<typeof parseSeed>;
  try {
    seed = parseSeed(await readFile(file, "utf8"), file);
  } catch (error) {
    if (!(error instanceof SeedFileError)) throw error;
    process.stderr.write(`${error.message}\nnothing was written\n`);
    return 1;
  }
  const summary = `${seed.slots.length} slots, ${seed.campaigns.length} campaigns`;
  if (values["dry-run"]) {
    process.stdout.write(`${file} is valid: ${summary}\n`);
    return 0;
  }
  const url = values.redis ?? process.env.REDIS_URL;
  if (!url) {
    process.stderr.write("give --redis or set REDIS_URL\n");
    return 2;
  }
  const redis = new Redis(url, { maxRetriesPerRequest: 1, connectTimeout: 5000, lazyConnect: true });
  try {
    await redis.connect();
    const manifest = await writeCatalog(redis, seed, basename(file));
    process.stdout.write(`loaded ${summary} as catalog version ${manifest.version}\n`);
    return 0;
  } catch (error) {
    process.stderr.write(`load failed, the catalog is unchanged: ${(error as Error).message}\n`);
    return 2;
  } finally {
    redis.disconnect();
  }
}

process.exitCode = await main(process.argv.slice(2));
