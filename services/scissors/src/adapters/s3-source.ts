import type { Readable } from "node:stream";
import type { S3Client } from "@aws-sdk/client-s3";
import { deadline } from "../core/deadline.ts";
import { badGateway, notFound, ScissorsError, timedOut, tooLarge } from "../core/errors.ts";
import type { FetchedSource } from "./http-source.ts";
import { readLimited } from "./read-limited.ts";

// Loaded on first use: the SDK is about 10 MB of JavaScript heap, and every full garbage collection walks
// it again, in a process that may have no S3 source at all.
let sdk: Promise<typeof import("@aws-sdk/client-s3")> | undefined;
const clients = new Map<boolean, S3Client>();

// The SDK's standard configuration (region, credentials, AWS_ENDPOINT_URL) applies; nothing test-only here.
function client(s3: typeof import("@aws-sdk/client-s3"), forcePathStyle: boolean): S3Client {
  let existing = clients.get(forcePathStyle);
  if (!existing) {
    existing = new s3.S3Client({ forcePathStyle });
    clients.set(forcePathStyle, existing);
  }
  return existing;
}

export async function fetchS3Source(
  ref: { bucket: string; key: string; forcePathStyle: boolean },
  settings: { maxBytes: number; timeoutMs: number },
  outer?: AbortSignal,
): Promise<FetchedSource> {
  sdk ??= import("@aws-sdk/client-s3");
  const s3 = await sdk;
  const timeout = deadline(settings.timeoutMs, () => timedOut("source download took too long"), outer);
  const abortSignal = timeout.signal;
  try {
    const object = await client(s3, ref.forcePathStyle).send(
      new s3.GetObjectCommand({ Bucket: ref.bucket, Key: ref.key }),
      { abortSignal },
    );
    const body = object.Body as Readable;
    if ((object.ContentLength ?? 0) > settings.maxBytes) {
      body.destroy();
      throw tooLarge(`source is ${object.ContentLength} bytes, more than ${settings.maxBytes}`);
    }
    const bytes = await readLimited(body, settings.maxBytes, object.ContentLength).finally(() => body.destroy());
    return { bytes, validator: object.ETag ? `s3://${ref.bucket}/${ref.key} ${object.ETag}` : undefined };
  } catch (error) {
    if (error instanceof ScissorsError) throw error;
    if (
      error instanceof s3.NoSuchKey ||
      (error instanceof s3.S3ServiceException && error.$metadata.httpStatusCode === 404)
    ) {
      throw notFound("source image not found");
    }
    if (timeout.expired) throw timedOut(`source download took longer than ${settings.timeoutMs} ms`);
    if (outer?.aborted) throw outer.reason;
    throw badGateway(`source download failed: ${(error as Error).name}`);
  } finally {
    timeout.clear();
  }
}
