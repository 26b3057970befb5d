import { httpOk } from "../probes.ts";
import type { ComponentSpec } from "../process.ts";
import type { ControlPlaneContext } from "./context.ts";

export function kubeApiserver(ctx: ControlPlaneContext): ComponentSpec {
  const port = ctx.ports["kube-apiserver"];
  return {
    name: "kube-apiserver",
    command: ctx.builds.kubernetes.apiserver,
    args: [
      `--etcd-servers=http://127.0.0.1:${ctx.ports.etcd}`,
      "--bind-address=127.0.0.1",
      "--advertise-address=127.0.0.1",
      `--secure-port=${port}`,
      `--cert-dir=${ctx.apiserverCertDir}`,
      `--token-auth-file=${ctx.credentials.tokenFile}`,
      "--authorization-mode=RBAC",
      "--service-cluster-ip-range=10.96.0.0/16",
      "--service-account-issuer=https://kubernetes.default.svc.cluster.local",
      `--service-account-key-file=${ctx.credentials.serviceAccountPublicKey}`,
      `--service-account-signing-key-file=${ctx.credentials.serviceAccountKey}`,
      "--allow-privileged=true",
      "--profiling=false",
      ...ctx.extraArgs("kube-apiserver"),
    ],
    logPath: ctx.logPath("kube-apiserver"),
    readyTimeoutMs: 90_000,
    // On SIGTERM it stops listening at once, then lingers for seconds; its state is in etcd, so a stop
    // (a test's outage, a teardown) need not wait for that.
    stopGraceMs: 1_000,
    ready: () =>
      httpOk(`https://127.0.0.1:${port}/readyz`, { token: ctx.credentials.adminToken, insecure: true }, "ok"),
  };
}
