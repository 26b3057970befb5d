import { readdirSync, readFileSync } from "node:fs";

// Linux's clock ticks per second for /proc/<pid>/stat times (USER_HZ, 100 on every common build).
const ticksPerSecond = 100;

/** The direct children of a process, from every one of its threads' /proc children lists. */
export function childPids(pid: number): number[] {
  try {
    return readdirSync(`/proc/${pid}/task`).flatMap((tid) =>
      readFileSync(`/proc/${pid}/task/${tid}/children`, "latin1").split(" ").filter(Boolean).map(Number),
    );
  } catch {
    return [];
  }
}

/**
 * User plus system CPU seconds a process has used, all its threads together; 0 once it is gone. With
 * `reaped`, those of its children that have ended and been waited for too (the kernel adds them to the
 * parent), so a killed child's CPU stays in the sum.
 */
export function cpuSeconds(pid: number, reaped = false): number {
  try {
    // Fields after the command name, which is in parentheses and may hold spaces.
    const fields = (readFileSync(`/proc/${pid}/stat`, "latin1").split(") ")[1]?.split(" ") ?? []).map(Number);
    const own = (fields[11] ?? 0) + (fields[12] ?? 0);
    return (reaped ? own + (fields[13] ?? 0) + (fields[14] ?? 0) : own) / ticksPerSecond;
  } catch {
    return 0;
  }
}

/** A line of /proc/<pid>/status in MiB (VmRSS now, VmHWM the peak); 0 once the process is gone. */
export function statusMiB(pid: number, field: "VmRSS" | "VmHWM"): number {
  try {
    const status = readFileSync(`/proc/${pid}/status`, "utf8");
    return Number(status.match(new RegExp(`${field}:\\s+(\\d+) kB`))?.[1]) / 1024;
  } catch {
    return 0;
  }
}

/** True while the process runs; a zombie (dead, not yet reaped) counts as gone. */
export function alive(pid: number): boolean {
  try {
    return readFileSync(`/proc/${pid}/stat`, "latin1").split(") ")[1]?.[0] !== "Z";
  } catch {
    return false;
  }
}

/**
 * Samples the peak resident memory of each of a process's children every 20 ms until stopped. A killed
 * child takes its own VmHWM with it, so the peaks are read while it lives.
 */
export function watchChildPeaks(pid: number) {
  const peaks = new Map<number, number>();
  const sample = () => {
    for (const child of childPids(pid)) peaks.set(child, Math.max(peaks.get(child) ?? 0, statusMiB(child, "VmHWM")));
  };
  // Sampled at once and at the end too: refusals can all answer before the first tick on a busy machine,
  // and VmHWM keeps a living child's peak for the last sample.
  sample();
  const timer = setInterval(sample, 20);
  return {
    stop() {
      clearInterval(timer);
      sample();
      return Math.max(0, ...peaks.values());
    },
  };
}
