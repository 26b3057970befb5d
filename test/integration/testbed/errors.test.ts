import { execFile } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, symlinkSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { promisify } from "node:util";
import { afterAll, describe, expect, it } from "vitest";
import { buildKwok } from "../../testbed/build/kwok.ts";
import { TestbedError } from "../../testbed/errors.ts";
import { liveComponentPids } from "../../testbed/process.ts";
import { silentProgress } from "../../testbed/progress.ts";
import { startTestbed } from "../../testbed/testbed.ts";

const run = promisify(execFile);
const scratch = mkdtempSync(join(tmpdir(), "harbormaster-errors-"));
const repo = join(import.meta.dirname, "..", "..", "..");

afterAll(() => rmSync(scratch, { recursive: true, force: true }));

async function failure(promise: Promise<unknown>): Promise<TestbedError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(TestbedError);
  return error as TestbedError;
}

/** A PATH holding only the named tools, so the others are "missing" exactly as on a bare machine. */
function pathWith(tools: Record<string, string>): string {
  const bin = mkdtempSync(join(scratch, "bin-"));
  for (const [name, target] of Object.entries(tools)) symlinkSync(target, join(bin, name));
  return bin;
}

// The real executables, not shims that need their manager on PATH.
async function goBinary(): Promise<string> {
  return `${(await run("go", ["env", "GOROOT"])).stdout.trim()}/bin/go`;
}
async function pythonBinary(): Promise<string> {
  return (await run("python3", ["-c", "import sys; print(sys.executable)"])).stdout.trim();
}

async function buildCli(path: string) {
  const cache = mkdtempSync(join(scratch, "cache-"));
  const result = await run(process.execPath, [join(repo, "test/testbed/build.ts")], {
    env: { PATH: path, HOME: scratch, HARBORMASTER_CACHE: cache },
  }).then(
    () => ({ code: 0, stderr: "" }),
    (e: { code: number; stderr: string }) => e,
  );
  return { ...result, cache };
}

describe("testbed errors name the part and its log, and leave nothing running", () => {
  it("reports Go missing when building", async () => {
    const { code, stderr, cache } = await buildCli(pathWith({ python3: await pythonBinary() }));
    expect(code).toBe(1);
    expect(stderr).toContain("kubernetes: `go` was not found on PATH");
    expect(stderr).toContain(`(log: ${cache}/kubernetes-`);
  });

  it("reports Python missing when building", async () => {
    const { code, stderr, cache } = await buildCli(pathWith({ go: await goBinary() }));
    expect(code).toBe(1);
    expect(stderr).toContain("moto: `python3` was not found on PATH");
    expect(stderr).toContain(`(log: ${cache}/moto-`);
  });

  it("reports a failed build with the build log", async () => {
    const root = mkdtempSync(join(scratch, "cache-"));
    const error = await failure(buildKwok({ progress: silentProgress, root }, "v0.0.0-does-not-exist"));
    expect(error.component).toBe("kwok");
    expect(error.logPath).toBe(join(root, "kwok-v0.0.0-does-not-exist.build.log"));
    expect(readFileSync(error.logPath ?? "", "utf8")).toContain("v0.0.0-does-not-exist");
    expect(existsSync(join(root, "kwok-v0.0.0-does-not-exist", ".complete"))).toBe(false);
  });

  it("reports a port in use before starting anything", async () => {
    const blocker = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, "127.0.0.1", resolve));
    const port = (blocker.address() as { port: number }).port;
    try {
      const error = await failure(startTestbed({ progress: silentProgress, ports: { redis: port } }));
      expect(error.component).toBe("redis");
      expect(error.message).toContain(`port ${port} on 127.0.0.1 is already in use`);
      expect(error.logPath).toMatch(/logs\/redis\.log$/);
      expect(liveComponentPids()).toEqual([]);
    } finally {
      blocker.close();
    }
  });

  it("reports a component that dies during start and stops the ones already up", async () => {
    const error = await failure(
      startTestbed({ progress: silentProgress, extraArgs: { "kube-scheduler": ["--no-such-flag"] } }),
    );
    expect(error.component).toBe("kube-scheduler");
    expect(error.message).toContain("exited with code 1 during start");
    expect(readFileSync(error.logPath ?? "", "utf8")).toContain("no-such-flag");
    expect(liveComponentPids()).toEqual([]);
    rmSync(dirname(dirname(error.logPath ?? "")), { recursive: true, force: true });
  });
});
