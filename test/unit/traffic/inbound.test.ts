import { createHmac } from "node:crypto";
import { describe, expect, it } from "vitest";
import { parseTrafficEvent, UnrecognisedTrafficEvent } from "../../../functions/core/traffic/inbound.ts";
import { readWebhook } from "../../../functions/core/traffic/webhooks.ts";

const event = (source: string, detailType: string, detail: object) => ({
  id: "e-1",
  source,
  "detail-type": detailType,
  time: "2026-01-01T00:00:00Z",
  detail,
});

describe("parseTrafficEvent", () => {
  it("reads schedules, alarms, deploys and control commands", () => {
    expect(
      parseTrafficEvent({ harbormaster: "harbormaster.traffic.step", domain: "d", rolloutId: "r", revision: 2 }),
    ).toEqual({
      kind: "step",
      ticket: { domain: "d", rolloutId: "r", revision: 2 },
    });
    expect(
      parseTrafficEvent(
        event("aws.cloudwatch", "CloudWatch Alarm State Change", { alarmName: "a", state: { value: "ALARM" } }),
      ),
    ).toMatchObject({ kind: "alarm", alarmName: "a", at: Date.parse("2026-01-01T00:00:00Z") });
    expect(
      parseTrafficEvent(
        event("aws.cloudwatch", "CloudWatch Alarm State Change", { alarmName: "a", state: { value: "OK" } }),
      ),
    ).toBeUndefined();
    expect(parseTrafficEvent(event("harbormaster.deploy", "Deployment Failed", { application: "shop" }))).toEqual({
      kind: "deploy",
      deploy: { application: "shop", source: "eventbridge", status: "failed", id: "e-1" },
    });
    expect(
      parseTrafficEvent(event("harbormaster.traffic", "Traffic Control", { domain: "d", action: "promote" })),
    ).toEqual({
      kind: "control",
      domain: "d",
      action: "promote",
      eventId: "e-1",
    });
  });

  it("rejects what it does not know, saying what it was", () => {
    expect(() => parseTrafficEvent(event("aws.ec2", "EC2 Spot Instance Interruption Warning", {}))).toThrow(
      UnrecognisedTrafficEvent,
    );
    expect(() =>
      parseTrafficEvent(event("harbormaster.traffic", "Traffic Control", { domain: "d", action: "explode" })),
    ).toThrow();
  });
});

describe("readWebhook", () => {
  const body = Buffer.from(
    JSON.stringify({ deployment: { id: 1 }, repository: { name: "shop", full_name: "a/shop" } }),
  );
  const signature = `sha256=${createHmac("sha256", "s3cret").update(body).digest("hex")}`;
  const github = (headers: Record<string, string>) =>
    readWebhook(
      "github",
      { path: "/github", headers: { "x-github-event": "deployment", ...headers }, body },
      { github: "s3cret" },
    );

  it("checks the signature over the raw bytes before reading them", () => {
    expect(github({ "x-hub-signature-256": signature })).toMatchObject({
      notice: { application: "shop", status: "started" },
    });
    expect(() =>
      github({ "x-hub-signature-256": `${signature.slice(0, -1)}${signature.endsWith("0") ? "1" : "0"}` }),
    ).toThrow("X-Hub-Signature-256");
    expect(() => github({})).toThrow("X-Hub-Signature-256");
  });

  it("refuses a kind with no secret configured", () => {
    expect(() => readWebhook("argocd", { path: "/argocd", headers: { authorization: "Bearer x" }, body }, {})).toThrow(
      "no secret configured",
    );
  });
});
