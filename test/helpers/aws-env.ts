import { inject } from "vitest";

// The AWS SDK's standard configuration points every client at the emulator; no test-only code path.
const { awsEndpoint } = inject("testbed");
process.env.AWS_ENDPOINT_URL = awsEndpoint;
process.env.AWS_REGION ??= "us-east-2";
process.env.AWS_ACCESS_KEY_ID = "testing";
process.env.AWS_SECRET_ACCESS_KEY = "testing";
delete process.env.AWS_PROFILE;
