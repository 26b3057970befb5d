// `npm run stack:plan -- <harbormaster.config.json> [--home-region us-east-2] [--stage <stage>]`: runs
// sst.config.ts under Pulumi's mocks with SST's real components (test/helpers/stack-graph) and prints every
// resource the deploy would create, a reviewable stand-in for `sst diff` before the first deploy. Offline: it
// needs `sst install` (the bootstrap runs it), no AWS account and no Pulumi engine.
import { readFileSync } from "node:fs";
import { parseArgs } from "node:util";
import { stackGraph } from "../helpers/stack-graph/graph.ts";
import { planTable } from "../helpers/stack-graph/plan-table.ts";

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: { "home-region": { type: "string" }, stage: { type: "string", default: "plan" } },
});
const [file] = positionals;
const homeRegion = values["home-region"] ?? process.env.AWS_REGION;
if (!file || !homeRegion) {
  console.error("usage: npm run stack:plan -- <harbormaster.config.json> --home-region <region> [--stage <stage>]");
  console.error("The home region is SST's default AWS provider's (AWS_REGION when the flag is absent).");
  process.exit(2);
}
const graph = await stackGraph(JSON.parse(readFileSync(file, "utf8")), { homeRegion, stage: values.stage });
console.log(planTable(graph));
console.log(
  `\n${graph.resources.filter((r) => r.custom).length} resources; outputs: ${Object.keys(graph.outputs)
    .filter((k) => !k.startsWith("_"))
    .join(", ")}`,
);
