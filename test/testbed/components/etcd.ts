import { join } from "node:path";
import { httpOk } from "../probes.ts";
import type { ComponentSpec } from "../process.ts";
import type { ControlPlaneContext } from "./context.ts";

export function etcd(ctx: ControlPlaneContext, peerPort: number): ComponentSpec {
  const client = `http://127.0.0.1:${ctx.ports.etcd}`;
  const peer = `http://127.0.0.1:${peerPort}`;
  return {
    name: "etcd",
    command: ctx.builds.kubernetes.etcd,
    args: [
      `--name=${ctx.name}`,
      `--data-dir=${join(ctx.workDir, "etcd")}`,
      `--listen-client-urls=${client}`,
      `--advertise-client-urls=${client}`,
      `--listen-peer-urls=${peer}`,
      `--initial-advertise-peer-urls=${peer}`,
      `--initial-cluster=${ctx.name}=${peer}`,
      // Test data is thrown away; fsync would only make every write wait on the disk.
      "--unsafe-no-fsync",
      "--log-level=warn",
      ...ctx.extraArgs("etcd"),
    ],
    logPath: ctx.logPath("etcd"),
    ready: () => httpOk(`${client}/health`, {}, '"health":"true"'),
  };
}
