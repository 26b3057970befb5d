import { createHmac } from "node:crypto";
import type { LambdaFunctionURLEvent } from "aws-lambda";
import { describe, expect, it } from "vitest";
import { createDeployWebhookHandler } from "../../../functions/adapters/traffic/wiring.ts";
import { maxWebhookBytes } from "../../../functions/core/traffic/webhooks.ts";
import { lambdaContext } from "../../helpers/lambda.ts";
import { trafficRig } from "../../helpers/traffic-rig.ts";

const githubSecret = "github-secret-of-some-length";
const argocdToken = "argocd-token-of-some-length";

function urlEvent(path: string, body: string, headers: Record<string, string>): LambdaFunctionURLEvent {
  return {
    version: "2.0",
    routeKey: "$default",
    rawPath: path,
    rawQueryString: "",
    headers: { "content-type": "application/json", ...headers },
    body,
    isBase64Encoded: false,
    requestContext: { http: { method: "POST", path } },
  } as unknown as LambdaFunctionURLEvent;
}

const deploymentStatus = JSON.stringify({
  deployment: { id: 42, sha: "0123456789abcdef", environment: "production", payload: { target: "green" } },
  deployment_status: { id: 7, state: "success", environment_url: "https://shop.example.com" },
  repository: { name: "shop", full_name: "acme/shop" },
});
const sign = (body: string, secret = githubSecret) =>
  `sha256=${createHmac("sha256", secret).update(body).digest("hex")}`;

async function setup() {
  const rig = await trafficRig();
  const webhook = createDeployWebhookHandler({
    AWS_REGION: process.env.AWS_REGION,
    HARBORMASTER_EVENT_BUS_NAME: rig.bus,
    HARBORMASTER_GITHUB_WEBHOOK_SECRET: githubSecret,
    HARBORMASTER_ARGOCD_WEBHOOK_TOKEN: argocdToken,
  });
  const post = (event: LambdaFunctionURLEvent) => webhook(event, lambdaContext());
  return { rig, post };
}

describe("deploy webhooks at the Function URL", () => {
  it("rejects a GitHub delivery with a bad signature, and puts nothing on the bus", async () => {
    const { rig, post } = await setup();
    const headers = { "x-github-event": "deployment_status", "x-github-delivery": "d-1" };
    const forged = await post(
      urlEvent("/github", deploymentStatus, { ...headers, "x-hub-signature-256": sign(deploymentStatus, "guess") }),
    );
    const unsigned = await post(urlEvent("/github", deploymentStatus, headers));
    const tampered = await post(
      urlEvent("/github", deploymentStatus.replace("green", "blue"), {
        ...headers,
        "x-hub-signature-256": sign(deploymentStatus),
      }),
    );
    expect([forged.statusCode, unsigned.statusCode, tampered.statusCode]).toEqual([401, 401, 401]);
    expect(await rig.receive(1, 2)).toEqual([]);
    expect(await rig.weights()).toEqual({ blue: 100, green: 0 });
  });

  it("a signed GitHub deployment_status success starts the rollout through the bus", async () => {
    const { rig, post } = await setup();
    const answer = await post(
      urlEvent("/github", deploymentStatus, {
        "x-github-event": "deployment_status",
        "x-github-delivery": "d-2",
        "x-hub-signature-256": sign(deploymentStatus),
      }),
    );
    expect(answer.statusCode).toBe(202);
    await rig.deliver();
    expect(await rig.weights()).toEqual({ blue: 90, green: 10 });
    expect(rig.notifications.find((n) => n.type === "deploy_event")).toMatchObject({
      source: "github",
      application: "shop",
      revision: "0123456789ab",
      url: "https://shop.example.com",
    });
  });

  it("Argo CD: a wrong bearer token is rejected; the right one posts a sync with no rollout attached", async () => {
    const { rig, post } = await setup();
    const body = JSON.stringify({ application: "image-pushed", status: "Succeeded", revision: "9f8e7d" });
    expect((await post(urlEvent("/argocd", body, { authorization: "Bearer nope" }))).statusCode).toBe(401);
    expect((await post(urlEvent("/argocd", body, { authorization: `Bearer ${argocdToken}` }))).statusCode).toBe(202);
    await rig.deliver();
    expect(rig.notifications).toEqual([
      expect.objectContaining({
        type: "deploy_event",
        source: "argocd",
        application: "image-pushed",
        status: "succeeded",
      }),
    ]);
  });

  it("answers 400 with the reason for a well-signed body it cannot read", async () => {
    const { post } = await setup();
    const body = JSON.stringify({ status: "Succeeded" });
    const answer = await post(urlEvent("/argocd", body, { authorization: `Bearer ${argocdToken}` }));
    expect(answer.statusCode).toBe(400);
    expect(answer.body).toContain("application");
  });

  // GitHub sends far more fields than we read; one more, of padding, makes a body of exactly `bytes`.
  const paddedStatus = (bytes: number) => {
    const body = (pad: string) => JSON.stringify({ ...JSON.parse(deploymentStatus), pad });
    return body("x".repeat(bytes - body("").length));
  };

  it(`accepts a signed GitHub delivery of ${maxWebhookBytes - 1} bytes`, async () => {
    const { rig, post } = await setup();
    const body = paddedStatus(maxWebhookBytes - 1);
    expect(Buffer.byteLength(body)).toBe(maxWebhookBytes - 1);
    const headers = { "x-github-event": "deployment_status", "x-github-delivery": "d-limit" };
    const answer = await post(urlEvent("/github", body, { ...headers, "x-hub-signature-256": sign(body) }));
    expect(answer.statusCode).toBe(202);
    expect(await rig.receive(1, 5)).toHaveLength(1);
  });

  it(`refuses a delivery of ${maxWebhookBytes + 1} bytes with 413, before checking its signature`, async () => {
    const { rig, post } = await setup();
    const body = paddedStatus(maxWebhookBytes + 1);
    const headers = { "x-github-event": "deployment_status", "x-github-delivery": "d-big" };
    const signed = await post(urlEvent("/github", body, { ...headers, "x-hub-signature-256": sign(body) }));
    const forged = await post(urlEvent("/github", body, { ...headers, "x-hub-signature-256": sign(body, "guess") }));
    const argo = await post(urlEvent("/argocd", body, { authorization: `Bearer ${argocdToken}` }));
    expect([signed.statusCode, forged.statusCode, argo.statusCode]).toEqual([413, 413, 413]);
    expect(JSON.parse(String(signed.body))).toEqual({ error: `the body is over ${maxWebhookBytes} bytes` });
    expect(await rig.receive(1, 2)).toEqual([]);
  });
});
