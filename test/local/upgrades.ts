// The local stack's cluster upgrades (HARBORMASTER_UPGRADES): blue to green on the ad server's records, with
// short steps and bake so the seed's upgrade plays in minutes, and the same upgrade with capacity mirroring
// off, which the cluster-upgrade scenario runs beside it to measure what mirroring prevents.

export const upgradeName = "blue-to-green";
export const unmirroredUpgradeName = "blue-to-green-nomirror";
/** The HPA the scenario loads and measures: the ad server's, in its namespace. */
export const upgradeHpa = "adserver";

export interface LocalUpgradeInput {
  /** The traffic domain whose SetIdentifiers are the clusters' names. */
  domain: string;
  alarms: { blue: string[]; green: string[] };
  runId?: string;
}

/** The namespaces an upgrade compares and mirrors: the ad server's, renamed for a test's run. */
export function upgradeNamespaces(runId?: string): string[] {
  return [runId ? `${runId}-adserver` : "adserver"];
}

export function localUpgrades(input: LocalUpgradeInput) {
  const base = {
    domain: input.domain,
    blue: { cluster: "blue", setIdentifier: "blue", alarms: input.alarms.blue },
    green: { cluster: "green", setIdentifier: "green", alarms: input.alarms.green },
    namespaces: upgradeNamespaces(input.runId),
    margin: 1.2,
    // Five steps a few seconds apart: each still bakes for the records' TTL plus the alarms' 10 s window.
    plan: {
      name: "local-upgrade",
      steps: [
        { percent: 10, pauseSeconds: 3 },
        { percent: 25, pauseSeconds: 3 },
        { percent: 50, pauseSeconds: 3 },
        { percent: 75, pauseSeconds: 3 },
        { percent: 100, pauseSeconds: 0 },
      ],
    },
    bakeSeconds: 15,
    capacityTimeoutSeconds: 120,
    scaleDownBlue: false,
    // No applications: the blue-green scenario's deploy notices target green too, and must not start one.
    applications: [],
  };
  return [
    { name: upgradeName, ...base, mirrorCapacity: true },
    { name: unmirroredUpgradeName, ...base, mirrorCapacity: false },
  ];
}
