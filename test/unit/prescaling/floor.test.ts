import { describe, expect, it } from "vitest";
import { floorFor, floorLevels } from "../../../functions/core/prescaling/floor.ts";

describe("floor rules", () => {
  it.each([
    [{ mode: "absolute", replicas: 12 } as const, 3, 12],
    [{ mode: "multiply", factor: 1.5 } as const, 3, 5],
    [{ mode: "add", replicas: 4 } as const, 3, 7],
  ])("%o from %i replicas is %i", (rule, base, expected) => {
    expect(floorFor(rule, base)).toBe(expected);
  });

  it("caps the floor at maxReplicas when the policy keeps it, and reports the cap", () => {
    expect(floorLevels({ mode: "absolute", replicas: 30 }, 3, 20, "respect")).toEqual({
      levels: { min: 20 },
      capped: { wanted: 30, max: 20 },
    });
  });

  it("raises maxReplicas with the floor only when the policy says so", () => {
    expect(floorLevels({ mode: "absolute", replicas: 30 }, 3, 20, "raise")).toEqual({ levels: { min: 30, max: 30 } });
    expect(floorLevels({ mode: "add", replicas: 2 }, 3, 20, "raise")).toEqual({ levels: { min: 5 } });
  });
});
