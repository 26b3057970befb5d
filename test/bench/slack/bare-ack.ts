// The physical limit to compare with: a Function URL handler that checks the signature and answers, with
// no replay store, no queue and no framework. What is left is Node, crypto and JSON.
import { createHmac, timingSafeEqual } from "node:crypto";
import type { LambdaFunctionURLEvent, LambdaFunctionURLResult } from "aws-lambda";

const secret = process.env.HARBORMASTER_SLACK_SIGNING_SECRET ?? "";

export async function handler(event: LambdaFunctionURLEvent): Promise<LambdaFunctionURLResult> {
  const body = event.isBase64Encoded ? Buffer.from(event.body ?? "", "base64").toString("utf8") : (event.body ?? "");
  const ts = event.headers["x-slack-request-timestamp"] ?? "";
  const expected = Buffer.from(`v0=${createHmac("sha256", secret).update(`v0:${ts}:${body}`).digest("hex")}`);
  const given = Buffer.from(event.headers["x-slack-signature"] ?? "");
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return { statusCode: 401, body: "bad" };
  return { statusCode: 200, body: JSON.stringify({ response_type: "ephemeral", text: "Working…" }) };
}
