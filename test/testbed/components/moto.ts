import type { Builds } from "../build/index.ts";
import { httpOk } from "../probes.ts";
import type { ComponentSpec } from "../process.ts";
import type { ComponentContext } from "./context.ts";

export function moto(ctx: ComponentContext<"moto">, build: Builds["moto"]): ComponentSpec {
  const port = ctx.ports.moto;
  return {
    name: "moto",
    command: build.python,
    args: [build.server, "--host", "127.0.0.1", "--port", String(port), ...ctx.extraArgs("moto")],
    logPath: ctx.logPath("moto"),
    ready: () => httpOk(`http://127.0.0.1:${port}/_harbormaster/health`),
  };
}
