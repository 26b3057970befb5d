// Lambda entry point: the drain queue → drains. The same handler as functions/interruptions.ts, deployed
// as its own function with few environments (stacks/interruptions.ts): the warnings' function cordons and
// hands each drain over here, so few environments race for each disruption budget.
import { createInterruptionHandler } from "./adapters/interruption-wiring.ts";

export const handler = createInterruptionHandler(process.env);
