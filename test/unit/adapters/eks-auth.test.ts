import { describe, expect, it } from "vitest";
import { eksToken } from "../../../functions/adapters/eks-connection.ts";

// Pure request shaping: the token aws-iam-authenticator verifies is a presigned STS URL.
describe("eksToken", () => {
  const credentials = async () => ({ accessKeyId: "AKIDEXAMPLE", secretAccessKey: "secret" });

  it("presigns GetCallerIdentity for the cluster, valid for 60 s, with the cluster id header signed", async () => {
    const token = await eksToken({
      clusterName: "prod",
      region: "us-east-2",
      credentials,
      signingDate: new Date("2026-11-23T00:00:00Z"),
    });
    expect(token.startsWith("k8s-aws-v1.")).toBe(true);
    expect(token).not.toContain("=");
    const url = new URL(Buffer.from(token.slice("k8s-aws-v1.".length), "base64url").toString());
    expect(url.host).toBe("sts.us-east-2.amazonaws.com");
    expect(url.searchParams.get("Action")).toBe("GetCallerIdentity");
    expect(url.searchParams.get("Version")).toBe("2011-06-15");
    expect(url.searchParams.get("X-Amz-Expires")).toBe("60");
    expect(url.searchParams.get("X-Amz-Date")).toBe("20261123T000000Z");
    expect(url.searchParams.get("X-Amz-Credential")).toBe("AKIDEXAMPLE/20261123/us-east-2/sts/aws4_request");
    expect(url.searchParams.get("X-Amz-SignedHeaders")?.split(";")).toEqual(["host", "x-k8s-aws-id"]);
    expect(url.searchParams.get("X-Amz-Signature")).toMatch(/^[0-9a-f]{64}$/);
  });

  it("signs differently for another cluster", async () => {
    const at = new Date("2026-11-23T00:00:00Z");
    const a = await eksToken({ clusterName: "a", region: "us-east-2", credentials, signingDate: at });
    const b = await eksToken({ clusterName: "b", region: "us-east-2", credentials, signingDate: at });
    expect(a).not.toBe(b);
  });
});
