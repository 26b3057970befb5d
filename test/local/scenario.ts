// `npm run scenario -- <name> [cluster]`: plays a scenario against the stack `npm start` is running, on blue
// unless a cluster is named (`npm run scenario -- spot-storm green`).
import { readFileSync } from "node:fs";
import { infoPath } from "./info-file.ts";
import { playScenario, scenarios } from "./scenarios/index.ts";
import { type LocalStackInfo, useEmulator } from "./stack.ts";

async function main(): Promise<void> {
  const [name, cluster] = process.argv.slice(2);
  if (!name || !scenarios[name]) {
    process.stderr.write(`usage: npm run scenario -- <${Object.keys(scenarios).join("|")}> [cluster]\n`);
    process.exit(2);
  }
  let info: LocalStackInfo;
  try {
    info = JSON.parse(readFileSync(infoPath(), "utf8")) as LocalStackInfo;
  } catch {
    process.stderr.write(`no running local stack (${infoPath()}): start one with npm start\n`);
    process.exit(2);
  }
  useEmulator(info.awsEndpoint);
  await playScenario(info, name, (line) => process.stdout.write(`${line}\n`), cluster);
  process.stdout.write(`\nlive view: ${info.statusUrl}\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(`scenario failed: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
