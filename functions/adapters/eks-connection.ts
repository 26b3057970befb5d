import { Sha256 } from "@aws-crypto/sha256-js";
import { DescribeClusterCommand, EKSClient } from "@aws-sdk/client-eks";
import { defaultProvider } from "@aws-sdk/credential-provider-node";
import { HttpRequest } from "@smithy/protocol-http";
import { SignatureV4 } from "@smithy/signature-v4";
import type { AwsCredentialIdentityProvider } from "@smithy/types";
import { connectionFromKubeconfigFile, type KubeConnection, tokenConnection } from "./kubernetes/connection.ts";

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
export const tokenLifetimeMs = 10 * 60_000;

export interface ClusterSource<T> {
  /** `fresh`: built anew (a new token), so clients made from the previous one should be replaced. */
  get(): Promise<{ value: T; fresh: boolean }>;
}

export interface ClusterLocation {
  kubeconfigPath?: string;
  clusterName?: string;
  region: string;
}

/**
 * Locally (and in tests) a kubeconfig file, read once; in Lambda, EKS DescribeCluster plus a minted
 * token, rebuilt before the token expires. `build` turns either into the client's own form.
 */
export function clusterSource<T>(
  env: ClusterLocation,
  build: {
    file(path: string): T;
    eks(endpoint: string, caData: string | undefined, token: string): T;
  },
): ClusterSource<T> {
  const path = env.kubeconfigPath;
  if (path) {
    let value: T | undefined;
    return {
      get: async () => {
        const fresh = value === undefined;
        value ??= build.file(path);
        return { value, fresh };
      },
    };
  }
  const clusterName = env.clusterName ?? "";
  const eks = new EKSClient({ region: env.region });
  let cached: { value: T; at: number } | undefined;
  return {
    async get() {
      if (cached && Date.now() - cached.at < tokenLifetimeMs) return { value: cached.value, fresh: false };
      const { cluster } = await eks.send(new DescribeClusterCommand({ name: clusterName }), {
        abortSignal: AbortSignal.timeout(10_000),
      });
      const token = await eksToken({ clusterName, region: env.region });
      const value = build.eks(cluster?.endpoint ?? "", cluster?.certificateAuthority?.data, token);
      cached = { value, at: Date.now() };
      return { value, fresh: true };
    },
  };
}

/** The apiserver connection the interruption function uses (no client-node). */
export function connectionSource(env: ClusterLocation): ClusterSource<KubeConnection> {
  return clusterSource(env, { file: connectionFromKubeconfigFile, eks: tokenConnection });
}
