import type { OutputFormat, TransformOptions } from "../core/options.ts";
import type { TransformSettings } from "./transform.ts";

/** The messages between the service and an SVG renderer process (IPC with structured clone). */
export interface RenderRequest {
  id: number;
  source: Uint8Array;
  options: TransformOptions;
  format: OutputFormat;
  settings: TransformSettings;
}

export type RenderReply =
  | { kind: "ready" }
  | { kind: "done"; id: number; body: Uint8Array; width: number; height: number }
  | { kind: "refused"; id: number; status: number; code: string; message: string };

/** The argument that makes the service's entry point run as a renderer (one bundle serves both). */
export const rendererFlag = "--svg-renderer";
