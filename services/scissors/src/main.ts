// Entry point: `node services/scissors/src/main.ts` (or its bundle). Configuration comes from SCISSORS_*
// variables. The same file, run with --svg-renderer, is one of the service's SVG renderer processes: one
// artifact serves both, so a deployment cannot pair a service with a renderer of another version.
import { rendererFlag } from "./adapters/svg-protocol.ts";

if (process.argv.includes(rendererFlag)) await import("./svg-renderer.ts");
else await import("./service.ts");
