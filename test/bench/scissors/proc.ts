import { readdirSync, readFileSync } from "node:fs";

function descendants(root: number): number[] {
  const children = new Map<number, number[]>();
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, "utf8");
      const ppid = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
      const list = children.get(ppid) ?? [];
      list.push(Number(entry));
      children.set(ppid, list);
    } catch {
      // The process ended between listing and reading.
    }
  }
  const all: number[] = [];
  const stack = [root];
  while (stack.length) {
    const pid = stack.pop() as number;
    all.push(pid);
    stack.push(...(children.get(pid) ?? []));
  }
  return all;
}

/** Resident memory of a process and all its descendants, in MiB (thumbor forks one process per core). */
export function treeRssMiB(root: number): number {
  let kib = 0;
  for (const pid of descendants(root)) {
    try {
      kib += Number(readFileSync(`/proc/${pid}/status`, "utf8").match(/VmRSS:\s+(\d+)/)?.[1] ?? 0);
    } catch {
      // gone
    }
  }
  return kib / 1024;
}

/**
 * CPU time (user + system, all threads) used so far by a process and its descendants, in ms, including
 * descendants that have ended and been waited for (the kernel adds them to their parent's cutime and
 * cstime): Scissors kills and replaces SVG renderers, whose CPU would otherwise drop out of the sum.
 */
export function treeCpuMs(root: number): number {
  let ticks = 0;
  for (const pid of descendants(root)) {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
      const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      ticks += Number(fields[11]) + Number(fields[12]) + Number(fields[13]) + Number(fields[14]);
    } catch {
      // gone
    }
  }
  return ticks * 10; // USER_HZ is 100 on Linux
}
