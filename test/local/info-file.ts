// Where the start command leaves the running stack's endpoints for `npm run scenario`.
import { tmpdir } from "node:os";
import { join } from "node:path";

export function infoPath(): string {
  return process.env.HARBORMASTER_LOCAL_INFO ?? join(tmpdir(), "harbormaster-local.json");
}
