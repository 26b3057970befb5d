import { GetObjectCommand, NoSuchKey, S3Client, S3ServiceException } from "@aws-sdk/client-s3";
import { badGateway, notFound, ScissorsError, timedOut, tooLarge } from "../core/errors.ts";
import type { FetchedSource } from "./http-source.ts";
import { readLimited } from "./read-limited.ts";

const clients = new Map<boolean, S3Client>();

// The SDK's standard configuration (region, credentials, AWS_ENDPOINT_URL) applies; nothing test-only here.
function client(forcePathStyle: boolean): S3Client {
  let existing = clients.get(forcePathStyle);
  if (!existing) {
    existing = new S3Client({ forcePathStyle });
    clients.set(forcePathStyle, existing);
  }
  return existing;
}

export async function fetchS3Source(
  ref: { bucket: string; key: string; forcePathStyle: boolean },
  settings: { maxBytes: number; timeoutMs: number },
  outer?: AbortSignal,
): Promise<FetchedSource> {
  const timeout = AbortSignal.timeout(settings.timeoutMs);
  const abortSignal = outer ? AbortSignal.any([outer, timeout]) : timeout;
  try {
    const object = await client(ref.forcePathStyle).send(new GetObjectCommand({ Bucket: ref.bucket, Key: ref.key }), {
      abortSignal,
    });
    const body = object.Body as AsyncIterable<Uint8Array> & { destroy?: () => void };
    if ((object.ContentLength ?? 0) > settings.maxBytes) {
      body.destroy?.();
      throw tooLarge(`source is ${object.ContentLength} bytes, more than ${settings.maxBytes}`);
    }
    const bytes = await readLimited(body, settings.maxBytes).finally(() => body.destroy?.());
    return { bytes, validator: object.ETag ? `s3://${ref.bucket}/${ref.key} ${object.ETag}` : undefined };
  } catch (error) {
    if (error instanceof ScissorsError) throw error;
    if (error instanceof NoSuchKey || (error instanceof S3ServiceException && error.$metadata.httpStatusCode === 404)) {
      throw notFound("source image not found");
    }
    if (timeout.aborted) throw timedOut(`source download took longer than ${settings.timeoutMs} ms`);
    if (outer?.aborted) throw outer.reason;
    throw badGateway(`source download failed: ${(error as Error).name}`);
  }
}
