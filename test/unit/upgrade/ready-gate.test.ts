import { describe, expect, it } from "vitest";
import { type ReadyFacts, readyGate } from "../../../functions/core/upgrade/ready-gate.ts";
import { hpaFacts } from "./factories.ts";

const deployment = (name: string, available = true) => ({
  namespace: "shop",
  name,
  available,
  desired: 3,
  ready: available ? 3 : 1,
});

function facts(overrides: Partial<ReadyFacts> = {}): ReadyFacts {
  return {
    blue: { cluster: "blue", deployments: [deployment("web"), deployment("api")], hpas: [hpaFacts()] },
    green: {
      cluster: "green",
      deployments: [deployment("web"), deployment("api")],
      hpas: [hpaFacts()],
      nodes: [{ name: "n1", ready: true }],
    },
    wantedAlarms: ["blue-5xx", "green-5xx"],
    alarms: [
      { name: "blue-5xx", state: "OK", windowSeconds: 60 },
      { name: "green-5xx", state: "OK", windowSeconds: 60 },
    ],
    insufficientDataPasses: false,
    ...overrides,
  };
}

describe("the ready gate", () => {
  it("passes when green runs what blue runs, Available, on Ready nodes, with every alarm OK", () => {
    expect(readyGate(facts())).toEqual({ ready: true });
  });

  it("names every missing thing at once", () => {
    const base = facts();
    const verdict = readyGate({
      ...base,
      green: {
        ...base.green,
        deployments: [deployment("web", false), deployment("extra")],
        hpas: [],
        nodes: [
          { name: "n1", ready: true },
          { name: "n2", ready: false },
        ],
      },
      alarms: [{ name: "blue-5xx", state: "ALARM", windowSeconds: 60 }],
    });
    expect(verdict).toEqual({
      ready: false,
      missing: [
        "green: node n2 is not Ready",
        "green: deployment shop/api is missing",
        "green: deployment shop/web is not Available (1/3 ready)",
        "blue: deployment shop/extra is missing (green runs it, blue does not)",
        "green: hpa shop/web is missing",
        "alarm blue-5xx is in ALARM",
        "alarm green-5xx does not exist",
      ],
    });
  });

  it("refuses a green with no nodes, and INSUFFICIENT_DATA unless the domain proceeds on it", () => {
    const base = facts({ alarms: [{ name: "blue-5xx", state: "INSUFFICIENT_DATA", windowSeconds: 60 }] });
    const noNodes = { ...base, wantedAlarms: ["blue-5xx"], green: { ...base.green, nodes: [] } };
    expect(readyGate(noNodes)).toEqual({
      ready: false,
      missing: ["green: no nodes", "alarm blue-5xx is INSUFFICIENT_DATA"],
    });
    expect(readyGate({ ...noNodes, insufficientDataPasses: true })).toEqual({
      ready: false,
      missing: ["green: no nodes"],
    });
  });
});
