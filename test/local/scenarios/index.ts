// Plays a scenario against a running local stack: prints its timeline as it happens, loads the services
// with real requests meanwhile, and ends with a summary of the measured latencies.
import { type LoadResult, percentile, startLoad } from "../load.ts";
import type { LocalStackInfo } from "../stack.ts";
import { asgScaleIn } from "./asg-scale-in.ts";
import { blueGreen } from "./blue-green.ts";
import { clusterUpgrade } from "./cluster-upgrade.ts";
import { type ScenarioContext, type ScenarioResult, scenarioContext } from "./context.ts";
import { healthRetirementScenario } from "./health-retirement.ts";
import { spotStorm } from "./spot-storm.ts";
import { trafficSpike } from "./traffic-spike.ts";

export const scenarios: Record<string, (ctx: ScenarioContext) => Promise<ScenarioResult>> = {
  "spot-storm": spotStorm,
  "asg-scale-in": asgScaleIn,
  "health-retirement": healthRetirementScenario,
  "traffic-spike": trafficSpike,
  "blue-green": blueGreen,
  "cluster-upgrade": clusterUpgrade,
};

/** Scenarios that bring their own load (cluster-upgrade's follows the weights): no trickle beside it. */
const ownLoad = new Set(["cluster-upgrade"]);

export interface PlayedScenario extends ScenarioResult {
  load: LoadResult[];
}

/** `cluster`: whose instances the scenario's events are about; blue (the first) by default. */
export async function playScenario(
  info: LocalStackInfo,
  name: string,
  print: (line: string) => void = () => {},
  cluster?: string,
): Promise<PlayedScenario> {
  const play = scenarios[name];
  if (!play) throw new Error(`unknown scenario ${name}; one of: ${Object.keys(scenarios).join(", ")}`);
  const ctx = scenarioContext(info, print, cluster);
  print(`scenario ${name} on ${ctx.cluster.name}`);
  await ctx.step("note", "scenario", `${name} starts`);
  const loads: ReturnType<typeof startLoad>[] = [];
  if (info.adserverUrl && !ownLoad.has(name))
    loads.push(startLoad("adserver", `${info.adserverUrl}/v1/ad?slot=article_mpu&uid=u1&device=desktop&country=JP`));
  if (info.scissorsUrl && !ownLoad.has(name))
    loads.push(startLoad("scissors", `${info.scissorsUrl}/sample.jpg?width=320&format=webp`));
  const stopLoads = () => Promise.all(loads.map((l) => l.stop()));
  const result = await play(ctx).catch(async (error: unknown) => {
    await stopLoads();
    throw error;
  });
  const load = await stopLoads();
  await ctx.step("note", "scenario", `${name} ends`);
  print(summary(result, load));
  return { ...result, load };
}

export function summary(result: ScenarioResult, load: LoadResult[]): string {
  const lines = ["", "measured latencies (ms)", `  ${"what".padEnd(40)}   n     min     p50     p99     max`];
  for (const m of result.measurements) {
    const sorted = [...m.samplesMs].sort((a, b) => a - b);
    const cell = (v: number) => (sorted.length ? String(Math.round(v)) : "-").padStart(7);
    lines.push(
      `  ${m.name.padEnd(40)} ${String(sorted.length).padStart(3)} ${cell(sorted[0] ?? 0)} ${cell(percentile(sorted, 50))} ${cell(percentile(sorted, 99))} ${cell(sorted.at(-1) ?? 0)}`,
    );
  }
  if (load.length) {
    lines.push("", "service load during the scenario", "  service     requests  errors   p50 ms   p99 ms");
    for (const l of load)
      lines.push(
        `  ${l.target.padEnd(10)} ${String(l.requests).padStart(9)} ${String(l.errors).padStart(7)} ${l.p50Ms.toFixed(1).padStart(8)} ${l.p99Ms.toFixed(1).padStart(8)}`,
      );
  }
  return lines.join("\n");
}
