import { httpOk } from "../probes.ts";
import type { ComponentSpec } from "../process.ts";
import type { ComponentContext } from "./context.ts";

export function moto(ctx: ComponentContext): ComponentSpec {
  const port = ctx.ports.moto;
  return {
    name: "moto",
    command: ctx.builds.moto.python,
    args: [ctx.builds.moto.server, "--host", "127.0.0.1", "--port", String(port), ...ctx.extraArgs("moto")],
    logPath: ctx.logPath("moto"),
    ready: () => httpOk(`http://127.0.0.1:${port}/_harbormaster/health`),
  };
}
