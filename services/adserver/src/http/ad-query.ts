// GET /v1/ad query parameters. Options are data: each names its rule and the message a caller sees.
import { type Device, devices } from "../domain/catalog.ts";
import type { AdRequest } from "../domain/request.ts";

type Parsed<T> = { ok: true; value: T } | { ok: false; message: string };

interface Option<K extends keyof AdRequest> {
  name: K;
  required: boolean;
  /** The value, normalised, or undefined when `raw` breaks the rule. */
  parse(raw: string): AdRequest[K] | undefined;
  message: string;
}

const idPattern = /^[A-Za-z0-9_.-]{1,64}$/;
const uidPattern = /^[A-Za-z0-9_.:-]{1,128}$/;
const sizePattern = /^[1-9]\d{0,3}x[1-9]\d{0,3}$/;
const countryPattern = /^[A-Za-z]{2}$/;

const options = [
  {
    name: "slot",
    required: true,
    parse: (raw) => (idPattern.test(raw) ? raw : undefined),
    message: "slot must be 1-64 characters of A-Z a-z 0-9 _ . -",
  } satisfies Option<"slot">,
  {
    name: "uid",
    required: true,
    parse: (raw) => (uidPattern.test(raw) ? raw : undefined),
    message: "uid must be 1-128 characters of A-Z a-z 0-9 _ . : -",
  } satisfies Option<"uid">,
  {
    name: "device",
    required: true,
    parse: (raw) => {
      const device = raw.toLowerCase() as Device;
      return devices.includes(device) ? device : undefined;
    },
    message: `device must be one of ${devices.join(", ")}`,
  } satisfies Option<"device">,
  {
    name: "country",
    required: true,
    parse: (raw) => (countryPattern.test(raw) ? raw.toUpperCase() : undefined),
    message: "country must be an ISO 3166-1 alpha-2 code, e.g. JP",
  } satisfies Option<"country">,
  {
    name: "size",
    required: false,
    parse: (raw) => (sizePattern.test(raw) ? raw : undefined),
    message: 'size must be "WIDTHxHEIGHT", e.g. 300x250',
  } satisfies Option<"size">,
] as const;

const optionIndex = new Map<string, number>(options.map((option, i) => [option.name, i]));

/**
 * The request, or every problem with the query in one message. `query` is the URL's query string, without
 * the `?`. Unknown parameters (cache busters) pass.
 */
export function parseAdQuery(query: string): Parsed<AdRequest> {
  const values: Array<string | undefined> = [undefined, undefined, undefined, undefined, undefined];
  const counts = [0, 0, 0, 0, 0];
  collect(query, values, counts);
  const problems: string[] = [];
  const request: Partial<Record<keyof AdRequest, string>> = {};
  for (let i = 0; i < options.length; i++) {
    const option = options[i] as (typeof options)[number];
    const count = counts[i] as number;
    let problem: string | undefined;
    if (count === 0) {
      if (option.required) problem = `${option.name} is required`;
    } else if (count > 1) problem = `${option.name} is given ${count} times`;
    else {
      const value = option.parse(values[i] as string);
      if (value === undefined) problem = option.message;
      else request[option.name] = value;
    }
    if (problem !== undefined) problems.push(problem);
  }
  if (problems.length > 0) return { ok: false, message: problems.join("; ") };
  return { ok: true, value: request as AdRequest };
}

/**
 * Each known parameter's first value and how often it is given. A query with `%` or `+` is decoded by
 * URLSearchParams; one without them (the usual case) means the same split on `&` and `=`, done by hand.
 */
function collect(query: string, values: Array<string | undefined>, counts: number[]): void {
  const add = (name: string, value: string) => {
    const i = optionIndex.get(name);
    if (i === undefined) return;
    if (counts[i] === 0) values[i] = value;
    counts[i] = (counts[i] as number) + 1;
  };
  if (query.includes("%") || query.includes("+")) {
    for (const [name, value] of new URLSearchParams(query)) add(name, value);
    return;
  }
  let start = 0;
  while (start <= query.length) {
    let end = query.indexOf("&", start);
    if (end === -1) end = query.length;
    if (end > start) {
      const eq = query.indexOf("=", start);
      if (eq === -1 || eq > end) add(query.slice(start, end), "");
      else add(query.slice(start, eq), query.slice(eq + 1, end));
    }
    start = end + 1;
  }
}
