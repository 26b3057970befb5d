// Lambda entry point: SQS (CloudWatch alarm state changes, schedule windows, the expiry sweep) → pre-scaling.
import { createPrescalingHandler } from "./adapters/prescaling/wiring.ts";

export const handler = createPrescalingHandler(process.env);
