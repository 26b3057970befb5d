// Progress lines for long steps (builds, start-up). Written to stderr so they show under vitest and npm.
export type Progress = (component: string, message: string) => void;

export const stderrProgress: Progress = (component, message) => {
  process.stderr.write(`[testbed] ${component}: ${message}\n`);
};

export const silentProgress: Progress = () => {};

// Reports a running count at most every `intervalMs`, so a 3000-package build prints a few dozen lines.
export function throttledCounter(report: (count: number) => void, intervalMs = 5000): (count: number) => void {
  let last = 0;
  return (count) => {
    const now = Date.now();
    if (now - last >= intervalMs) {
      last = now;
      report(count);
    }
  };
}

export function seconds(sinceMs: number): string {
  return `${((Date.now() - sinceMs) / 1000).toFixed(1)}s`;
}
