import { describe, expect, it } from "vitest";
import { loadUpgradeConfig } from "../../../functions/config/upgrade-config.ts";
import type { TrafficDomain } from "../../../functions/core/traffic/domain.ts";

const domain = { name: "app", setIdentifiers: ["blue", "green-eu"] } as TrafficDomain;
const clusters = JSON.stringify({ blue: { eksCluster: "prod-blue" }, green: { eksCluster: "prod-green" } });
const upgrade = {
  name: "web",
  domain: "app",
  blue: { cluster: "blue", alarms: ["blue-5xx"] },
  green: { cluster: "green", setIdentifier: "green-eu" },
  namespaces: ["shop"],
  plan: "Linear10PercentEvery1Minute",
};
const load = (upgrades: unknown[], extra: Record<string, string> = {}) =>
  loadUpgradeConfig(
    {
      AWS_REGION: "us-east-2",
      HARBORMASTER_CLUSTERS: clusters,
      HARBORMASTER_UPGRADES: JSON.stringify(upgrades),
      ...extra,
    },
    [domain],
  );

describe("HARBORMASTER_UPGRADES", () => {
  it("is optional: without it the traffic function has no upgrade", () => {
    expect(loadUpgradeConfig({ AWS_REGION: "us-east-2" }, [domain])).toBeUndefined();
  });

  it("fills the defaults and takes the plan as the traffic domains do", () => {
    const config = load([upgrade]);
    expect(config?.pollSeconds).toBe(10);
    expect(config?.clusters.map((c) => c.name)).toEqual(["blue", "green"]);
    expect(config?.upgrades[0]).toMatchObject({
      margin: 1.2,
      bakeSeconds: 300,
      capacityTimeoutSeconds: 600,
      scaleDownBlue: false,
      mirrorCapacity: true,
      applications: [],
      blue: { cluster: "blue", setIdentifier: "blue", alarms: ["blue-5xx"] },
      green: { cluster: "green", setIdentifier: "green-eu", alarms: [] },
    });
    expect(config?.upgrades[0]?.plan.steps).toHaveLength(10);
    const custom = load([{ ...upgrade, plan: { steps: [{ percent: 25, manual: true }, { percent: 100 }] } }]);
    expect(custom?.upgrades[0]?.plan.steps[0]).toEqual({ percent: 25, pauseSeconds: 0, manual: true });
  });

  it.each([
    [{ ...upgrade, domain: "nope" }, 'HARBORMASTER_UPGRADES[0].domain: unknown traffic domain "nope"'],
    [{ ...upgrade, green: { cluster: "purple" } }, 'HARBORMASTER_UPGRADES[0].green.cluster: unknown cluster "purple"'],
    [{ ...upgrade, green: { cluster: "green" } }, 'HARBORMASTER_UPGRADES[0].green.setIdentifier: "green" is not a set'],
    [{ ...upgrade, green: { cluster: "blue", setIdentifier: "green-eu" } }, "blue and green must be two clusters"],
    [{ ...upgrade, namespaces: [] }, "name the namespaces"],
    [{ ...upgrade, margin: 0.5 }, "margin"],
    [{ ...upgrade, surprise: true }, "surprise"],
  ])("names a bad setting: %#", (entry, message) => {
    expect(() => load([entry])).toThrow(message);
  });

  it("refuses two upgrades of one name", () => {
    expect(() => load([upgrade, upgrade])).toThrow('HARBORMASTER_UPGRADES[1].name: duplicate upgrade "web"');
  });
});
