// An SVG renderer process, started by the service (adapters/svg-renderers.ts) with `main.ts --svg-renderer`.
// It renders one SVG at a time. librsvg cannot be interrupted, so the service kills this process when a
// render passes its deadline or its memory bound; nothing here needs to clean up after itself.
import type { RenderReply, RenderRequest } from "./adapters/svg-protocol.ts";
import { renderSvg } from "./adapters/svg-render.ts";
import { ScissorsError } from "./core/errors.ts";

// A failed send means the service is gone (the IPC channel closed): nothing will read an answer.
const reply = (message: RenderReply) =>
  process.send?.(message, (error: Error | null) => error && process.kill(process.pid, "SIGKILL"));

process.on("message", (request: RenderRequest) => {
  renderSvg(request.source, request.options, request.format, request.settings).then(
    (result) => reply({ kind: "done", id: request.id, body: result.body, width: result.width, height: result.height }),
    (error: unknown) => {
      const known = error instanceof ScissorsError ? error : undefined;
      reply({
        kind: "refused",
        id: request.id,
        status: known?.status ?? 422,
        code: known?.code ?? "invalid_image",
        message: known?.message ?? "SVG could not be rendered",
      });
    },
  );
});
// The service is gone: nothing will read an answer. SIGKILL, since exit() would wait for a running render.
process.on("disconnect", () => process.kill(process.pid, "SIGKILL"));
reply({ kind: "ready" });
