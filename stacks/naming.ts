// Stage-aware names for resources that AWS names explicitly (schedules, groups, alarms, access entries).
// SST names its own components per stage already; these follow the same `<app>-<stage>-<thing>` shape.

/** `<app>-<stage>-<parts>`, cut to AWS's limit for the resource (64 for most, 255 for alarms). */
export function stageName(app: string, stage: string, parts: readonly string[], max = 64): string {
  const name = [app, stage, ...parts].join("-").replace(/[^A-Za-z0-9-_.]/g, "-");
  return name.length <= max ? name : name.slice(0, max);
}

/** Pulumi logical names are PascalCase: `slack-worker` → `SlackWorker`. */
export function pascal(name: string): string {
  return name
    .split(/[-_\s]+/)
    .map((part) => part.charAt(0).toUpperCase() + part.slice(1))
    .join("");
}
