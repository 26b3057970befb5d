import { describe, expect, it } from "vitest";
import { loadTrafficConfig } from "../../../functions/config/traffic-config.ts";

const domain = {
  name: "shop",
  hostedZoneId: "/hostedzone/Z123",
  recordName: "Shop.Example.com",
  setIdentifiers: ["blue", "green"],
  alarms: ["shop-5xx"],
  insufficientData: "proceed",
  plan: "Canary10Percent5Minutes",
};
const env = (domains: unknown, extra: Record<string, string> = {}) => ({
  AWS_REGION: "us-east-2",
  HARBORMASTER_TRAFFIC_DOMAINS: typeof domains === "string" ? domains : JSON.stringify(domains),
  HARBORMASTER_TRAFFIC_SCHEDULER_ROLE_ARN: "arn:aws:iam::1:role/s",
  ...extra,
});

describe("loadTrafficConfig", () => {
  it("normalises names and resolves a preset plan", () => {
    const [d] = loadTrafficConfig(env([domain])).domains;
    expect(d).toMatchObject({
      hostedZoneId: "Z123",
      recordName: "shop.example.com.",
      metadataRecordName: "_harbormaster.shop.example.com.",
      recordType: "A",
    });
    expect(d?.plan.steps.map((s) => s.percent)).toEqual([10, 100]);
  });

  it.each([
    ["{", "HARBORMASTER_TRAFFIC_DOMAINS"],
    [[{ ...domain, insufficientData: undefined }], "INSUFFICIENT_DATA means: proceed, wait or rollback"],
    [[{ ...domain, setIdentifiers: ["blue"] }], "two or more weighted record sets"],
    [[{ ...domain, setIdentifiers: ["blue", "blue"] }], "unique"],
    [[{ ...domain, plan: "Canary99Percent" }], "plan"],
    [[{ ...domain, plan: { steps: [{ percent: 50 }, { percent: 20 }] } }], "percent must increase"],
    [[{ ...domain, plan: { steps: [{ percent: 50 }] } }], "the last step must reach 100 percent"],
    [[{ ...domain, name: "Shop_Prod" }], "lower-case"],
    [[domain, { ...domain }], "duplicate name:shop"],
    [[{ ...domain, weights: {} }], "weights"],
    [[], "at least one domain"],
  ])("rejects a bad domain list with a clear reason (%#)", (domains, says) => {
    expect(() => loadTrafficConfig(env(domains))).toThrow(says);
  });

  it("names the missing scheduler role", () => {
    expect(() => loadTrafficConfig({ ...env([domain]), HARBORMASTER_TRAFFIC_SCHEDULER_ROLE_ARN: undefined })).toThrow(
      "HARBORMASTER_TRAFFIC_SCHEDULER_ROLE_ARN",
    );
  });
});
