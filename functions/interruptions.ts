// Lambda entry point: SQS (EventBridge interruption events and ASG lifecycle notifications) → drains.
import { createInterruptionHandler } from "./adapters/interruption-wiring.ts";

export const handler = createInterruptionHandler(process.env);
