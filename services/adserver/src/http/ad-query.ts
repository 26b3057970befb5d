// GET /v1/ad query parameters. Options are data: each names its rule and the message a caller sees.
import { type Device, devices } from "../domain/catalog.ts";
import type { AdRequest } from "../domain/request.ts";

type Parsed<T> = { ok: true; value: T } | { ok: false; message: string };

interface Option<K extends keyof AdRequest> {
  name: K;
  required: boolean;
  parse(raw: string): Parsed<AdRequest[K]>;
}

const ok = <T>(value: T): Parsed<T> => ({ ok: true, value });
const fail = (message: string): Parsed<never> => ({ ok: false, message });

const idPattern = /^[A-Za-z0-9_.-]{1,64}$/;
const uidPattern = /^[A-Za-z0-9_.:-]{1,128}$/;
const sizePattern = /^[1-9]\d{0,3}x[1-9]\d{0,3}$/;
const countryPattern = /^[A-Za-z]{2}$/;

const options = [
  {
    name: "slot",
    required: true,
    parse: (raw) => (idPattern.test(raw) ? ok(raw) : fail("slot must be 1-64 characters of A-Z a-z 0-9 _ . -")),
  } satisfies Option<"slot">,
  {
    name: "uid",
    required: true,
    parse: (raw) => (uidPattern.test(raw) ? ok(raw) : fail("uid must be 1-128 characters of A-Z a-z 0-9 _ . : -")),
  } satisfies Option<"uid">,
  {
    name: "device",
    required: true,
    parse: (raw) => {
      const device = raw.toLowerCase() as Device;
      return devices.includes(device) ? ok(device) : fail(`device must be one of ${devices.join(", ")}`);
    },
  } satisfies Option<"device">,
  {
    name: "country",
    required: true,
    parse: (raw) =>
      countryPattern.test(raw) ? ok(raw.toUpperCase()) : fail("country must be an ISO 3166-1 alpha-2 code, e.g. JP"),
  } satisfies Option<"country">,
  {
    name: "size",
    required: false,
    parse: (raw) => (sizePattern.test(raw) ? ok(raw) : fail('size must be "WIDTHxHEIGHT", e.g. 300x250')),
  } satisfies Option<"size">,
] as const;

/** The request, or every problem with the query in one message. Unknown parameters (cache busters) pass. */
export function parseAdQuery(query: URLSearchParams): Parsed<AdRequest> {
  const problems: string[] = [];
  const request: Partial<Record<keyof AdRequest, unknown>> = {};
  for (const option of options) {
    const values = query.getAll(option.name);
    if (values.length === 0) {
      if (option.required) problems.push(`${option.name} is required`);
      continue;
    }
    if (values.length > 1) {
      problems.push(`${option.name} is given ${values.length} times`);
      continue;
    }
    const parsed = option.parse(values[0] as string);
    if (parsed.ok) request[option.name] = parsed.value;
    else problems.push(parsed.message);
  }
  if (problems.length > 0) return fail(problems.join("; "));
  return ok(request as AdRequest);
}
