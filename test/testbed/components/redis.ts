import { redisPing } from "../probes.ts";
import type { ComponentSpec } from "../process.ts";
import type { ComponentContext } from "./context.ts";

export function redis(ctx: ComponentContext<"redis">): ComponentSpec {
  const port = ctx.ports.redis;
  return {
    name: "redis",
    command: "redis-server",
    // No persistence: each run starts empty and never writes to the working directory.
    args: [
      "--bind",
      "127.0.0.1",
      "--port",
      String(port),
      "--save",
      "",
      "--appendonly",
      "no",
      "--dir",
      ctx.workDir,
      ...ctx.extraArgs("redis"),
    ],
    logPath: ctx.logPath("redis"),
    ready: () => redisPing(port),
  };
}
