import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import { existsSync, mkdirSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { homedir } from "node:os";
import { basename, join } from "node:path";
import { bundle, nodeFlags } from "../../../services/scissors/build.ts";
import type { ScenarioName } from "./scenarios.ts";
import { scenarios } from "./scenarios.ts";

const root = join(import.meta.dirname, "..", "..", "..");
const cache = join(homedir(), ".cache", "harbormaster");
const node = process.execPath;

export interface RunningPeer {
  name: string;
  pid: number;
  url(photo: string, scenario: ScenarioName): string;
  stop(): Promise<void>;
}

export interface Peer {
  name: string;
  version: string;
  start(origin: string): Promise<RunningPeer>;
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

async function waitHttp(url: string, child: ChildProcess, name: string): Promise<void> {
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`${name} exited with ${child.exitCode}`);
    const ok = await fetch(url)
      .then((r) => r.status < 500)
      .catch(() => false);
    if (ok) return;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new Error(`${name} did not answer ${url} within 60 s`);
}

function running(name: string, child: ChildProcess, url: RunningPeer["url"]): RunningPeer {
  return {
    name,
    pid: child.pid as number,
    url,
    stop: async () => {
      if (child.exitCode !== null) return;
      const exited = new Promise((resolve) => child.once("exit", resolve));
      // The whole process group: thumbor's forked workers outlive their parent otherwise.
      const signal = (name: NodeJS.Signals) => {
        try {
          process.kill(-(child.pid as number), name);
        } catch {
          // already gone
        }
      };
      signal("SIGTERM");
      const timer = setTimeout(() => signal("SIGKILL"), 5_000);
      await exited;
      clearTimeout(timer);
    },
  };
}

const hostOf = (origin: string) => origin.replace(/^http:\/\//, "");

/**
 * Every Node arm runs as a bundle, as the Scissors image does (services/scissors/build.ts): run as
 * TypeScript, a process also carries Node's type stripper, some 20 MiB of RSS that no deployment has.
 * Next to this file, so that sharp resolves from the repository's node_modules.
 */
export async function bundled(entry: string): Promise<string> {
  const outfile = join(import.meta.dirname, ".build", `${basename(entry).replace(/\.ts$/, "")}.mjs`);
  await bundle(entry, outfile);
  return outfile;
}

// The allocator the Scissors image preloaded before (Dockerfile), for the arm that still does.
const jemalloc = "/usr/lib/x86_64-linux-gnu/libjemalloc.so.2";

export interface ScissorsVariant {
  /** SCISSORS_* settings over the bench's. */
  env?: Record<string, string>;
  /** Node flags instead of the Dockerfile's (build.ts' nodeFlags). */
  nodeFlags?: string[];
  /** jemalloc preloaded, as the image did before, instead of glibc's malloc with 2 arenas. */
  jemalloc?: boolean;
  /** Another bundle of the service (another commit's, say) instead of this checkout's. */
  bundle?: string;
}

export function scissorsPeer(name: string, cacheBytes: number, variant: ScissorsVariant = {}): Peer {
  return {
    name,
    version: "this repo",
    async start(origin) {
      const port = await freePort();
      // The Node flags and environment of the Dockerfile.
      const main = variant.bundle ?? (await bundled(join(root, "services", "scissors", "src", "main.ts")));
      const preload = variant.jemalloc && existsSync(jemalloc) ? { LD_PRELOAD: jemalloc } : {};
      const child = spawn(node, [...(variant.nodeFlags ?? nodeFlags), main], {
        env: {
          ...process.env,
          // As in the Dockerfile.
          MALLOC_ARENA_MAX: "2",
          ...preload,
          SCISSORS_HOST: "127.0.0.1",
          SCISSORS_PORT: String(port),
          SCISSORS_SOURCES: JSON.stringify([{ prefix: "", type: "http", origin, trustPrivateNetwork: true }]),
          SCISSORS_CACHE_BYTES: String(cacheBytes),
          SCISSORS_LOG_LEVEL: "warn",
          SCISSORS_DRAIN_DELAY_MS: "0",
          ...variant.env,
        },
        detached: true,
        stdio: ["ignore", "ignore", "inherit"],
      });
      const base = `http://127.0.0.1:${port}`;
      await waitHttp(`${base}/server/avail`, child, name);
      return running(name, child, (photo, s) => {
        const { width, height, fit } = scenarios[s];
        return `${base}/${photo}?width=${width}&height=${height}&fit=${fit}&quality=80`;
      });
    },
  };
}

/** node:http, a download and sharp, nothing else (bare-proxy.ts): what Node's HTTP costs, with no features. */
export function bareProxyPeer(): Peer {
  return {
    name: "node:http + sharp",
    version: "bare-proxy.ts",
    async start(origin) {
      const port = await freePort();
      // Scissors' Node flags and environment, so the two differ only in their code.
      const child = spawn(
        node,
        [...nodeFlags, await bundled(join(import.meta.dirname, "bare-proxy.ts")), String(port), origin],
        {
          env: { ...process.env, MALLOC_ARENA_MAX: "2" },
          detached: true,
          stdio: ["ignore", "ignore", "inherit"],
        },
      );
      const base = `http://127.0.0.1:${port}`;
      await waitHttp(`${base}/health`, child, "node:http + sharp");
      return running("node:http + sharp", child, (photo, s) => {
        const { width, height, fit } = scenarios[s];
        return `${base}/${photo}?width=${width}&height=${height}&fit=${fit}`;
      });
    },
  };
}

/**
 * node:http, a download and the whole libvips pipeline in one call off the main thread (vips-floor.ts): the
 * least JavaScript per request. With `photosDir`, the sources come from memory and nothing is downloaded.
 */
export function vipsFloorPeer(name: string, photosDir?: string): Peer {
  return {
    name,
    version: "vips-floor.ts",
    async start(origin) {
      const port = await freePort();
      const source = photosDir ? `mem:${photosDir}` : origin;
      const child = spawn(
        node,
        [...nodeFlags, await bundled(join(import.meta.dirname, "vips-floor.ts")), String(port), source],
        { env: { ...process.env, MALLOC_ARENA_MAX: "2" }, detached: true, stdio: ["ignore", "ignore", "inherit"] },
      );
      const base = `http://127.0.0.1:${port}`;
      await waitHttp(`${base}/health`, child, name);
      return running(name, child, (photo, s) => {
        const { width, height, fit } = scenarios[s];
        return `${base}/${photo}?width=${width}&height=${height}&fit=${fit}`;
      });
    },
  };
}

/** ipx from npm, installed into the cache on first use. */
export function ipxPeer(log: (m: string) => void): Peer {
  const version = "3.1.1";
  const dir = join(cache, `ipx-${version}`);
  return {
    name: "ipx",
    version,
    async start(origin) {
      if (!existsSync(join(dir, ".done"))) {
        log(`ipx: installing ipx@${version} from npm into ${dir}`);
        const work = `${dir}.tmp`;
        rmSync(work, { recursive: true, force: true });
        mkdirSync(join(work, "empty"), { recursive: true });
        writeFileSync(join(work, "package.json"), '{"private":true}');
        execFileSync("npm", ["install", "--no-audit", "--no-fund", "--loglevel=error", `ipx@${version}`], {
          cwd: work,
          stdio: "inherit",
        });
        writeFileSync(join(work, ".done"), "");
        rmSync(dir, { recursive: true, force: true });
        renameSync(work, dir);
      }
      mkdirSync(join(dir, "empty"), { recursive: true });
      const port = await freePort();
      const server = await bundled(join(import.meta.dirname, "ipx-server.ts"));
      const child = spawn(node, [server, dir, String(port), "127.0.0.1"], {
        detached: true,
        stdio: ["ignore", "ignore", "inherit"],
      });
      const base = `http://127.0.0.1:${port}`;
      await waitHttp(`${base}/_/${origin}/none.jpg`, child, "ipx");
      return running("ipx", child, (photo, s) => {
        const { width, height, fit } = scenarios[s];
        return `${base}/s_${width}x${height},fit_${fit},q_80,f_jpeg/${origin}/${photo}`;
      });
    },
  };
}

/** thumbor from PyPI in a virtualenv in the cache; one process per core, no source or result storage. */
export function thumborPeer(log: (m: string) => void): Peer {
  const version = "7.8.0";
  const dir = join(cache, `thumbor-${version}`);
  return {
    name: "thumbor",
    version,
    async start(origin) {
      if (!existsSync(join(dir, ".done"))) {
        // Built in place (a virtualenv cannot be moved); the marker makes an interrupted build start again.
        log(`thumbor: installing thumbor==${version} from PyPI into ${dir}`);
        rmSync(dir, { recursive: true, force: true });
        execFileSync("python3", ["-m", "venv", dir], { stdio: "inherit" });
        execFileSync(join(dir, "bin", "pip"), ["install", "--quiet", `thumbor==${version}`], { stdio: "inherit" });
        writeFileSync(join(dir, ".done"), "");
      }
      const conf = join(dir, "bench.conf");
      writeFileSync(
        conf,
        [
          "ALLOW_UNSAFE_URL = True",
          "STORAGE = 'thumbor.storages.no_storage'",
          "RESULT_STORAGE = None",
          "QUALITY = 80",
          "RESPECT_ORIENTATION = True",
        ].join("\n"),
      );
      const port = await freePort();
      const child = spawn(
        join(dir, "bin", "thumbor"),
        ["-p", String(port), "-i", "127.0.0.1", "-c", conf, "-l", "error", "--processes", "2"],
        { detached: true, stdio: ["ignore", "ignore", "inherit"] },
      );
      const base = `http://127.0.0.1:${port}`;
      await waitHttp(`${base}/healthcheck`, child, "thumbor");
      return running("thumbor", child, (photo, s) => {
        const { width, height, fit } = scenarios[s];
        const mode = fit === "inside" ? "fit-in/" : "";
        return `${base}/unsafe/${mode}${width}x${height}/filters:quality(80)/${hostOf(origin)}/${photo}`;
      });
    },
  };
}

/**
 * imgproxy, built against Debian's libvips-dev, as BENCHMARKS.md names it. The bench tries `go install`
 * from the Go module proxy, which refuses imgproxy here; a binary built by hand from a checkout of the tag
 * (`CGO_ENABLED=1 go build -o <this binary path>`, services/scissors/README.md) is used where present.
 * Returns undefined (and says why) where neither is there.
 */
export function imgproxyPeer(log: (m: string) => void): Peer | undefined {
  const version = "v3.30.1";
  const dir = join(cache, `imgproxy-${version}`);
  const binary = join(dir, "bin", "imgproxy");
  if (!existsSync(binary)) {
    log(`imgproxy: go install github.com/imgproxy/imgproxy/v3@${version} (needs libvips-dev)`);
    try {
      execFileSync("go", ["install", `github.com/imgproxy/imgproxy/v3@${version}`], {
        env: { ...process.env, GOBIN: join(dir, "bin"), CGO_ENABLED: "1" },
        stdio: ["ignore", "inherit", "pipe"],
      });
    } catch (error) {
      const stderr = String((error as { stderr?: Buffer }).stderr ?? "")
        .trim()
        .split("\n")
        .slice(0, 2)
        .join(" ");
      log(`imgproxy: not available, left out of this run: ${stderr}`);
      return undefined;
    }
  }
  return {
    name: "imgproxy",
    version,
    async start(origin) {
      const port = await freePort();
      const child = spawn(binary, [], {
        env: {
          ...process.env,
          IMGPROXY_BIND: `127.0.0.1:${port}`,
          IMGPROXY_ALLOW_LOOPBACK_SOURCE_ADDRESSES: "true",
          IMGPROXY_QUALITY: "80",
          IMGPROXY_LOG_LEVEL: "error",
        },
        detached: true,
        stdio: ["ignore", "ignore", "inherit"],
      });
      const base = `http://127.0.0.1:${port}`;
      await waitHttp(`${base}/health`, child, "imgproxy");
      return running("imgproxy", child, (photo, s) => {
        const { width, height, fit } = scenarios[s];
        const mode = fit === "inside" ? "fit" : "fill";
        return `${base}/insecure/rs:${mode}:${width}:${height}/q:80/plain/${origin}/${photo}@jpg`;
      });
    },
  };
}
