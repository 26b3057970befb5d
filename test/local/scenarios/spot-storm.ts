// Many spot warnings at once: two nodes in every zone get the two-minute warning in the same second.

import { spotWarning } from "./aws-events.ts";
import type { ScenarioContext, ScenarioResult } from "./context.ts";
import { interruptNodes, pickNodes } from "./interrupt.ts";

export async function spotStorm(ctx: ScenarioContext): Promise<ScenarioResult> {
  const targets = await pickNodes(ctx, 2);
  return interruptNodes(ctx, targets, (list) => ctx.put(list.map((n) => spotWarning(n.instanceId, n.zone))), {
    replace: true,
    what: "spot warning",
  });
}
