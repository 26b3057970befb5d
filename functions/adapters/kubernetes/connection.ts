// Where the apiserver is and how to authenticate to it, without @kubernetes/client-node: its KubeConfig
// pulls in undici, ws, the generated models and more (about 1.9 MB of a 1 MB bundle budget). The
// interruption function needs only a server URL, a CA, a bearer token or a client certificate.
import { readFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { load } from "js-yaml";

export interface KubeConnection {
  /** https://host[:port], no trailing slash. */
  server: string;
  ca?: string | Buffer;
  cert?: string | Buffer;
  key?: string | Buffer;
  /** False only when the kubeconfig says insecure-skip-tls-verify. */
  rejectUnauthorized: boolean;
  headers: Record<string, string>;
}

/** EKS in Lambda: the endpoint and CA from DescribeCluster, and a minted bearer token. */
export function tokenConnection(server: string, caData: string | undefined, token: string): KubeConnection {
  return {
    server: server.replace(/\/+$/, ""),
    ca: caData ? Buffer.from(caData, "base64") : undefined,
    rejectUnauthorized: true,
    headers: { authorization: `Bearer ${token}` },
  };
}

interface KubeconfigFile {
  "current-context"?: string;
  contexts?: { name: string; context?: { cluster?: string; user?: string } }[];
  clusters?: { name: string; cluster?: Record<string, unknown> }[];
  users?: { name: string; user?: Record<string, unknown> }[];
}

/**
 * A kubeconfig file's current context (locally and in tests): server, CA, bearer token or client
 * certificate. Exec plugins and auth providers are not supported; nothing running this code uses them.
 */
export function connectionFromKubeconfigFile(path: string): KubeConnection {
  const file = load(readFileSync(path, "utf8")) as KubeconfigFile;
  const contextName = file["current-context"];
  const context = file.contexts?.find((c) => c.name === contextName)?.context;
  if (!context) throw new Error(`kubeconfig ${path}: no current context`);
  const cluster = file.clusters?.find((c) => c.name === context.cluster)?.cluster;
  const user = file.users?.find((u) => u.name === context.user)?.user ?? {};
  const server = cluster?.server;
  if (typeof server !== "string") throw new Error(`kubeconfig ${path}: context ${contextName} has no server`);
  const dir = dirname(path);
  const material = (data: unknown, file: unknown) =>
    typeof data === "string"
      ? Buffer.from(data, "base64")
      : typeof file === "string"
        ? readFileSync(resolve(dir, file))
        : undefined;
  const token =
    typeof user.token === "string"
      ? user.token
      : typeof user.tokenFile === "string"
        ? readFileSync(resolve(dir, user.tokenFile), "utf8").trim()
        : undefined;
  if (user.exec || user["auth-provider"])
    throw new Error(`kubeconfig ${path}: exec and auth-provider users are not supported`);
  return {
    server: server.replace(/\/+$/, ""),
    ca: material(cluster?.["certificate-authority-data"], cluster?.["certificate-authority"]),
    cert: material(user["client-certificate-data"], user["client-certificate"]),
    key: material(user["client-key-data"], user["client-key"]),
    rejectUnauthorized: cluster?.["insecure-skip-tls-verify"] !== true,
    headers: token ? { authorization: `Bearer ${token}` } : {},
  };
}
