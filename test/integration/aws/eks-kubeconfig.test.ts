import { CreateClusterCommand, EKSClient } from "@aws-sdk/client-eks";
import { describe, expect, it } from "vitest";
import { connectionSource } from "../../../functions/adapters/eks-connection.ts";
import { uniqueName } from "../../helpers/testbed.ts";

describe("apiserver connection from EKS DescribeCluster", () => {
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
    const source = connectionSource({ clusterName: name, region: process.env.AWS_REGION ?? "us-east-2" });
    const first = await source.get();
    expect(first.fresh).toBe(true);
    expect(first.value.server).toBe(cluster?.endpoint?.replace(/\/+$/, ""));
    expect(first.value.ca?.toString("base64")).toBe(cluster?.certificateAuthority?.data);
    expect(first.value.rejectUnauthorized).toBe(true);
    expect(first.value.headers.authorization).toMatch(/^Bearer k8s-aws-v1\./);
    const second = await source.get();
    expect(second.fresh).toBe(false);
    expect(second.value).toBe(first.value);
  });
});
