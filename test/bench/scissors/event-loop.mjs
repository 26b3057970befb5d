// Preload: the main thread's utilisation and event-loop delay over the process's life, printed at exit.
import { monitorEventLoopDelay, performance } from "node:perf_hooks";

const h = monitorEventLoopDelay({ resolution: 1 });
let start;
process.on("SIGUSR2", () => {
  h.reset();
  h.enable();
  start = performance.eventLoopUtilization();
  process.stdout.write("ELU-START\n");
});
process.on("exit", () => {
  if (!start) return;
  const u = performance.eventLoopUtilization(start);
  h.disable();
  const ms = (n) => (n / 1e6).toFixed(2);
  process.stdout.write(
    `ELU active ${u.active.toFixed(0)} ms of ${(u.active + u.idle).toFixed(0)} (${(u.utilization * 100).toFixed(1)}%); delay p50 ${ms(h.percentile(50))} p99 ${ms(h.percentile(99))} max ${ms(h.max)} mean ${ms(h.mean)} ms\n`,
  );
});
