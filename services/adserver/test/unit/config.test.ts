import { describe, expect, it } from "vitest";
import { loadConfig } from "../../src/config.ts";

const base = { REDIS_URL: "redis://127.0.0.1:6379", ADSERVER_BEACON_SECRET: "0123456789abcdef" };

describe("loadConfig", () => {
  it("applies defaults", () => {
    const config = loadConfig(base);
    expect(config).toMatchObject({ port: 8080, deadlineMs: 30, counterFlushMs: 100, fallback: { creatives: [] } });
  });

  it("rejects a misspelt ADSERVER_ setting", () => {
    expect(() => loadConfig({ ...base, ADSERVER_DEADLINE: "20" })).toThrow("unknown settings: ADSERVER_DEADLINE");
  });

  it("names the setting that is wrong", () => {
    expect(() => loadConfig({ ...base, ADSERVER_BEACON_SECRET: "short" })).toThrow(/at least 16 characters/);
    expect(() => loadConfig({ ...base, ADSERVER_DEADLINE_MS: "ten" })).toThrow(/ADSERVER_DEADLINE_MS/);
    expect(() => loadConfig({ ...base, ADSERVER_RESERVE_MS: "40" })).toThrow(/below ADSERVER_DEADLINE_MS/);
  });

  it("rejects a fallback file that does not validate", () => {
    expect(() => loadConfig({ ...base, ADSERVER_FALLBACK_FILE: "/nonexistent/fallback.json" })).toThrow(
      /not a valid fallback file/,
    );
  });
});
