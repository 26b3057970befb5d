// Lambda entry point (Function URL): Argo CD Notifications and GitHub deployment webhooks → deploy events.
import { createDeployWebhookHandler } from "./adapters/traffic/wiring.ts";

export const handler = createDeployWebhookHandler(process.env);
