import { describe, expect, it } from "vitest";
import { loadPrescalingConfig } from "../../../functions/config/prescaling-config.ts";
import { type ClusterDispatch, clustersFor, policiesOf } from "../../../functions/core/prescaling/clusters.ts";
import type { Policy } from "../../../functions/core/prescaling/policy.ts";
import type { PrescalingTrigger } from "../../../functions/core/prescaling/triggers.ts";

const policy = (name: string, alarms: string[], clusters?: string[]) =>
  ({ name, alarms, clusters, windows: [], targets: [] }) as unknown as Policy;

const cluster = (name: string, policies: Policy[]): ClusterDispatch => ({
  name,
  policies,
  deps: async () => {
    throw new Error("not dispatched in this test");
  },
});

describe("pre-scaling across clusters", () => {
  const all = [policy("web", ["cpu-high"], ["blue", "green"]), policy("batch", ["queue-deep"], ["green"])];
  const blue = cluster("blue", policiesOf(all, "blue", 2));
  const green = cluster("green", policiesOf(all, "green", 2));
  const names = (trigger: PrescalingTrigger) => clustersFor([blue, green], trigger).map((c) => c.name);

  it("gives each cluster only the policies that name it", () => {
    expect(blue.policies.map((p) => p.name)).toEqual(["web"]);
    expect(green.policies.map((p) => p.name)).toEqual(["web", "batch"]);
    expect(policiesOf([policy("solo", [])], "only", 1).map((p) => p.name)).toEqual(["solo"]);
  });

  it("sends an alarm to the clusters whose policies name it, a command to its cluster, the sweep to all", () => {
    const at = 0;
    expect(names({ type: "alarm", id: "1", alarmName: "cpu-high", state: "ALARM", at })).toEqual(["blue", "green"]);
    expect(names({ type: "alarm", id: "2", alarmName: "queue-deep", state: "OK", at })).toEqual(["green"]);
    expect(names({ type: "alarm", id: "3", alarmName: "unrelated", state: "ALARM", at })).toEqual([]);
    expect(names({ type: "window", id: "4", policy: "batch", window: "peak", at })).toEqual(["green"]);
    const scale = { kind: "scale" as const, namespace: "web", name: "api", min: 3 };
    expect(names({ type: "command", id: "5", command: scale, cluster: "blue", actor: "u", at })).toEqual(["blue"]);
    // A command that names no cluster is for nobody when there are two: guessing would scale the wrong one.
    expect(names({ type: "command", id: "6", command: scale, actor: "u", at })).toEqual([]);
    expect(names({ type: "sweep", id: "7", at })).toEqual(["blue", "green"]);
  });

  it("refuses, at start-up, a policy that names no cluster or an unknown one when there are several", () => {
    const env = {
      AWS_REGION: "us-east-2",
      HARBORMASTER_CLUSTERS: JSON.stringify({ blue: { eksCluster: "b" }, green: { eksCluster: "g" } }),
    };
    const headroom = {
      namespace: "hm",
      name: "room",
      unit: { cpu: "1", memory: "1Gi" },
      sizing: { mode: "units", units: 1 },
    };
    const policies = (clusters?: string[]) =>
      JSON.stringify([{ name: "room", alarms: ["a"], headroom, ...(clusters ? { clusters } : {}) }]);
    expect(() => loadPrescalingConfig({ ...env, HARBORMASTER_PRESCALING_POLICIES: policies() })).toThrow(
      'HARBORMASTER_PRESCALING_POLICIES[0].clusters: name the clusters of policy "room"',
    );
    expect(() => loadPrescalingConfig({ ...env, HARBORMASTER_PRESCALING_POLICIES: policies(["red"]) })).toThrow(
      'unknown cluster "red"',
    );
    const config = loadPrescalingConfig({ ...env, HARBORMASTER_PRESCALING_POLICIES: policies(["green"]) });
    expect(config.clusters.map((c) => c.name)).toEqual(["blue", "green"]);
  });
});
