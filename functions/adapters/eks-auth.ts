import { Sha256 } from "@aws-crypto/sha256-js";
import { DescribeClusterCommand, EKSClient } from "@aws-sdk/client-eks";
import { defaultProvider } from "@aws-sdk/credential-provider-node";
import { KubeConfig } from "@kubernetes/client-node";
import { HttpRequest } from "@smithy/protocol-http";
import { SignatureV4 } from "@smithy/signature-v4";
import type { AwsCredentialIdentityProvider } from "@smithy/types";

export interface EksTokenOptions {
  clusterName: string;
  region: string;
  credentials?: AwsCredentialIdentityProvider;
  signingDate?: Date;
}

/**
 * The bearer token aws-iam-authenticator accepts: a presigned STS GetCallerIdentity URL bound to the
 * cluster by the x-k8s-aws-id header. There is no exec plugin inside Lambda, so we mint it ourselves.
 */
export async function eksToken(options: EksTokenOptions): Promise<string> {
  const hostname = `sts.${options.region}.amazonaws.com`;
  const signer = new SignatureV4({
    credentials: options.credentials ?? defaultProvider(),
    region: options.region,
    service: "sts",
    sha256: Sha256,
  });
  const request = new HttpRequest({
    method: "GET",
    protocol: "https:",
    hostname,
    path: "/",
    query: { Action: "GetCallerIdentity", Version: "2011-06-15" },
    headers: { host: hostname, "x-k8s-aws-id": options.clusterName },
  });
  const signed = await signer.presign(request, { expiresIn: 60, signingDate: options.signingDate });
  const query = new URLSearchParams(signed.query as Record<string, string>).toString();
  const url = `https://${hostname}/?${query}`;
  return `k8s-aws-v1.${Buffer.from(url).toString("base64url")}`;
}

/** EKS tokens last 15 minutes; rebuild well before. */
const tokenLifetimeMs = 10 * 60_000;

export interface KubeConfigSource {
  get(): Promise<{ kubeConfig: KubeConfig; fresh: boolean }>;
}

/** Locally (and in tests) a kubeconfig file; in Lambda, EKS DescribeCluster plus a minted token. */
export function kubeConfigSource(env: {
  kubeconfigPath?: string;
  clusterName?: string;
  region: string;
}): KubeConfigSource {
  if (env.kubeconfigPath) {
    const kubeConfig = new KubeConfig();
    kubeConfig.loadFromFile(env.kubeconfigPath);
    let first = true;
    return {
      get: async () => {
        const fresh = first;
        first = false;
        return { kubeConfig, fresh };
      },
    };
  }
  const clusterName = env.clusterName ?? "";
  const eks = new EKSClient({ region: env.region });
  let cached: { kubeConfig: KubeConfig; at: number } | undefined;
  return {
    async get() {
      if (cached && Date.now() - cached.at < tokenLifetimeMs) return { kubeConfig: cached.kubeConfig, fresh: false };
      const { cluster } = await eks.send(new DescribeClusterCommand({ name: clusterName }), {
        abortSignal: AbortSignal.timeout(10_000),
      });
      const token = await eksToken({ clusterName, region: env.region });
      const kubeConfig = new KubeConfig();
      kubeConfig.loadFromOptions({
        clusters: [{ name: clusterName, server: cluster?.endpoint ?? "", caData: cluster?.certificateAuthority?.data }],
        users: [{ name: "harbormaster", token }],
        contexts: [{ name: clusterName, cluster: clusterName, user: "harbormaster" }],
        currentContext: clusterName,
      });
      cached = { kubeConfig, at: Date.now() };
      return { kubeConfig, fresh: true };
    },
  };
}
