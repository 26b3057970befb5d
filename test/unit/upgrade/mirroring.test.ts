import { describe, expect, it } from "vitest";
import {
  blueServing,
  capacityReady,
  mirroredFloor,
  mirroredFloors,
} from "../../../functions/core/upgrade/mirroring.ts";
import { hpaFacts } from "./factories.ts";

describe("capacity mirroring", () => {
  it("gives green ceil(blue's replicas × its share after the step × the margin)", () => {
    const green = hpaFacts({ originalMin: 1, max: 50 });
    expect(mirroredFloor(10, 10, 1.2, green)).toBe(2); // 1.2 → 2
    expect(mirroredFloor(10, 50, 1.2, green)).toBe(6);
    expect(mirroredFloor(10, 100, 1.2, green)).toBe(12);
    expect(mirroredFloor(4, 30, 1.25, green)).toBe(2); // 1.5000000000000002 is 1.5 → 2, not 3
    expect(mirroredFloor(20, 30, 1, green)).toBe(6); // exactly 6, no float spill to 7
  });

  it("never goes below green's original minimum, nor above its maximum", () => {
    expect(mirroredFloor(10, 10, 1.2, hpaFacts({ originalMin: 3, min: 8, max: 50 }))).toBe(3);
    expect(mirroredFloor(40, 100, 1.2, hpaFacts({ max: 30 }))).toBe(30);
  });

  it("pairs HPAs by namespace and name and reports green's Ready pods", () => {
    const blue = [hpaFacts({ currentReplicas: 8 }), hpaFacts({ name: "api", currentReplicas: 3 })];
    const green = [
      hpaFacts({ readyPods: 2 }),
      hpaFacts({ name: "api", readyPods: 1 }),
      hpaFacts({ name: "only-green" }),
    ];
    expect(mirroredFloors(blue, green, 50, 1.2)).toEqual([
      { namespace: "shop", hpa: "web", blueReplicas: 8, floor: 5, ready: 2 },
      { namespace: "shop", hpa: "api", blueReplicas: 3, floor: 2, ready: 1 },
    ]);
  });

  it("is ready when every floor has that many Ready pods", () => {
    const floor = { namespace: "shop", hpa: "web", blueReplicas: 4, floor: 3, ready: 3 };
    expect(capacityReady([floor])).toBe(true);
    expect(capacityReady([floor, { ...floor, hpa: "api", ready: 2 }])).toBe(false);
    expect(capacityReady([])).toBe(true);
  });

  it("calls blue serving when each target has its held floor of Ready pods", () => {
    expect(blueServing([hpaFacts({ min: 4, readyPods: 4 })])).toBe(true);
    expect(blueServing([hpaFacts({ min: 4, readyPods: 3 })])).toBe(false);
  });
});
