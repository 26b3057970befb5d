// The ready gate before any weight moves: green can take traffic only when it runs what blue runs.
import type { AlarmState } from "../traffic/ports.ts";
import type { DeploymentFacts, HpaFacts, NodeFacts } from "./ports.ts";

export interface SideFacts {
  cluster: string;
  deployments: DeploymentFacts[];
  hpas: HpaFacts[];
}

export interface ReadyFacts {
  blue: SideFacts;
  green: SideFacts & { nodes: NodeFacts[] };
  /** The alarms the gate wants (both sides' and the domain's), and what CloudWatch answered. */
  wantedAlarms: readonly string[];
  alarms: readonly AlarmState[];
  /** INSUFFICIENT_DATA passes only under the domain's `proceed` policy (a new cluster often has no data). */
  insufficientDataPasses: boolean;
}

export type ReadyVerdict = { ready: true } | { ready: false; missing: string[] };

const keyOf = (o: { namespace: string; name: string }) => `${o.namespace}/${o.name}`;

/** Every reason green is not ready, each naming its object, so one refusal lists everything to fix. */
export function readyGate(facts: ReadyFacts): ReadyVerdict {
  const { blue, green } = facts;
  const missing: string[] = [];
  if (green.nodes.length === 0) missing.push(`${green.cluster}: no nodes`);
  for (const node of green.nodes) if (!node.ready) missing.push(`${green.cluster}: node ${node.name} is not Ready`);

  const greenDeployments = new Map(green.deployments.map((d) => [keyOf(d), d]));
  const blueDeployments = new Set(blue.deployments.map(keyOf));
  for (const d of blue.deployments) {
    if (!greenDeployments.has(keyOf(d))) missing.push(`${green.cluster}: deployment ${keyOf(d)} is missing`);
  }
  for (const d of green.deployments) {
    if (!blueDeployments.has(keyOf(d)))
      missing.push(`${blue.cluster}: deployment ${keyOf(d)} is missing (green runs it, blue does not)`);
    else if (!d.available)
      missing.push(`${green.cluster}: deployment ${keyOf(d)} is not Available (${d.ready}/${d.desired} ready)`);
  }

  const greenHpas = new Set(green.hpas.map(keyOf));
  const blueHpas = new Set(blue.hpas.map(keyOf));
  for (const h of blue.hpas) if (!greenHpas.has(keyOf(h))) missing.push(`${green.cluster}: hpa ${keyOf(h)} is missing`);
  for (const h of green.hpas) if (!blueHpas.has(keyOf(h))) missing.push(`${blue.cluster}: hpa ${keyOf(h)} is missing`);

  const states = new Map(facts.alarms.map((a) => [a.name, a.state]));
  for (const name of facts.wantedAlarms) {
    const state = states.get(name);
    if (!state) missing.push(`alarm ${name} does not exist`);
    else if (state === "ALARM") missing.push(`alarm ${name} is in ALARM`);
    else if (state === "INSUFFICIENT_DATA" && !facts.insufficientDataPasses)
      missing.push(`alarm ${name} is INSUFFICIENT_DATA`);
  }
  return missing.length === 0 ? { ready: true } : { ready: false, missing };
}
