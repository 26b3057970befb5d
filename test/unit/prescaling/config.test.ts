import { describe, expect, it } from "vitest";
import { loadPrescalingConfig } from "../../../functions/config/prescaling-config.ts";

const policy = {
  name: "ads",
  alarms: ["ads-p99"],
  targets: [{ namespace: "ads", name: "adserver" }],
  floor: { mode: "multiply", factor: 2 },
  headroom: {
    namespace: "ads",
    name: "ads-headroom",
    unit: { cpu: "500m", memory: "1Gi" },
    sizing: { mode: "units", units: 4 },
  },
  windows: [{ name: "lunch", timezone: "Asia/Tokyo", start: "11:30", end: "13:30", rampMinutes: 15 }],
};
const base = { AWS_REGION: "us-east-2", KUBECONFIG: "/tmp/kubeconfig" };
const env = (policies: unknown) => ({ ...base, HARBORMASTER_PRESCALING_POLICIES: JSON.stringify(policies) });

describe("loadPrescalingConfig", () => {
  it("applies defaults", () => {
    const config = loadPrescalingConfig(env([policy]));
    const [p] = config.policies;
    expect(p?.targets[0]?.kind).toBe("HorizontalPodAutoscaler");
    expect(p?.maxReplicas).toBe("respect");
    expect(p?.cooldownMinutes).toBe(10);
    expect(p?.headroom?.priorityClassName).toBe("harbormaster-headroom");
    expect(p?.windows[0]?.days).toHaveLength(7);
    expect(config.checkAlarmState).toBe(true);
  });

  it.each([
    [{ ...base }, "HARBORMASTER_PRESCALING_POLICIES"],
    [{ ...base, HARBORMASTER_PRESCALING_POLICIES: "[" }, "not valid JSON"],
    [env([policy, policy]), "policy names must be unique"],
    [env([{ ...policy, floor: undefined }]), "targets need a floor rule"],
    [env([{ ...policy, targets: [], headroom: undefined }]), "a policy needs targets or headroom"],
    [env([{ ...policy, floor: { mode: "multiply", factor: 0.5 } }]), "factor"],
    [env([{ ...policy, maxReplicas: "ignore" }]), "maxReplicas"],
    [env([{ ...policy, surprise: true }]), "surprise"],
    [env([{ ...policy, headroom: { ...policy.headroom, unit: { cpu: "lots", memory: "1Gi" } } }]), "quantity"],
    [env([{ ...policy, windows: [{ ...policy.windows[0], timezone: "Nowhere/Land" }] }]), "time zone"],
    [{ ...env([policy]), KUBECONFIG: undefined }, "HARBORMASTER_CLUSTER_NAME"],
  ])("rejects a bad setting, naming it (%#)", (e, says) => {
    expect(() => loadPrescalingConfig(e)).toThrow(says);
  });
});
