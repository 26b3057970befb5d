import type { HpaFacts } from "../../../functions/core/upgrade/ports.ts";

export function hpaFacts(overrides: Partial<HpaFacts> = {}): HpaFacts {
  return {
    namespace: "shop",
    name: "web",
    min: 1,
    max: 20,
    originalMin: 1,
    currentReplicas: 1,
    target: "Deployment/web",
    readyPods: 1,
    ...overrides,
  };
}
