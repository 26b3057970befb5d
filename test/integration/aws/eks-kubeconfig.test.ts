import { CreateClusterCommand, EKSClient } from "@aws-sdk/client-eks";
import { describe, expect, it } from "vitest";
import { kubeConfigSource } from "../../../functions/adapters/eks-auth.ts";
import { uniqueName } from "../../helpers/testbed.ts";

describe("kubeconfig from EKS DescribeCluster", () => {
  it("takes the endpoint and CA from the cluster and mints a token, reusing it until it nears expiry", async () => {
    const eks = new EKSClient({});
    const name = uniqueName("cluster");
    const { cluster } = await eks.send(
      new CreateClusterCommand({
        name,
        roleArn: "arn:aws:iam::123456789012:role/eks",
        resourcesVpcConfig: { subnetIds: ["subnet-1"] },
      }),
    );
    const source = kubeConfigSource({ clusterName: name, region: process.env.AWS_REGION ?? "us-east-2" });
    const first = await source.get();
    expect(first.fresh).toBe(true);
    const current = first.kubeConfig.getCurrentCluster();
    expect(current?.server).toBe(cluster?.endpoint);
    expect(current?.caData).toBe(cluster?.certificateAuthority?.data);
    expect(first.kubeConfig.getCurrentUser()?.token).toMatch(/^k8s-aws-v1\./);
    const second = await source.get();
    expect(second.fresh).toBe(false);
    expect(second.kubeConfig).toBe(first.kubeConfig);
  });
});
