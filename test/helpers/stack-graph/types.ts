// What a run of sst.config.ts under Pulumi's mocks is asked for, and what it returns: plain data.

export interface GraphRequest {
  /** The harbormaster config, as HARBORMASTER_CONFIG. */
  config: unknown;
  stage: string;
  /** The default AWS provider's region (SST's home region). */
  homeRegion: string;
  /** SST secrets by name, as `sst secret set` stores them (the CLI passes them as SST_SECRET_<name>). */
  secrets: Record<string, string>;
}

export interface RegisteredResource {
  /** Pulumi type token: `aws:sqs/queue:Queue`, `sst:aws:Function`, `pulumi:providers:aws`. */
  type: string;
  /** Logical name. */
  name: string;
  /** false for components (sst:aws:*), whose inputs stay in the program. */
  custom: boolean;
  /** The region of the resource's provider: the home region unless it or a parent has another provider. */
  region: string;
  /** The inputs as the provider would receive them, every Output resolved. */
  inputs: Record<string, unknown>;
  /** What the mocks answered for it (./mocks.ts): the inputs plus the name, ARN, URL and id AWS would assign. */
  outputs: Record<string, unknown>;
  parent?: { type: string; name: string };
  /** The resource's aliases, by name (or URN). */
  aliases?: string[];
  /** Internal: the provider reference a child inherits. */
  providerRef?: string;
}

export type GraphResult =
  | { resources: Omit<RegisteredResource, "providerRef">[]; outputs: Record<string, unknown>; error?: undefined }
  | { error: string; resources?: undefined; outputs?: undefined };
