// AWS Health schedules the retirement of three instances, one per zone, in one event: Harbormaster moves
// the pods off well before the instances are retired, while replacements join.
import { healthRetirement } from "./aws-events.ts";
import type { ScenarioContext, ScenarioResult } from "./context.ts";
import { interruptNodes, pickNodes } from "./interrupt.ts";

export async function healthRetirementScenario(ctx: ScenarioContext): Promise<ScenarioResult> {
  const targets = await pickNodes(ctx, 1);
  return interruptNodes(
    ctx,
    targets,
    (list) =>
      ctx.put([
        healthRetirement(
          list.map((n) => n.instanceId),
          30 * 60_000,
        ),
      ]),
    {
      replace: true,
      what: "retirement scheduled",
    },
  );
}
