// Every Redis key the ad server and the loader use. Catalog keys carry a version: the loader writes a
// whole new version and then moves the pointer, so readers never see half a catalog.
const prefix = "adserver";

export const keys = {
  catalogVersion: `${prefix}:catalog:version`,
  catalogSequence: `${prefix}:catalog:sequence`,
  manifest: (version: number) => `${prefix}:catalog:v${version}:manifest`,
  slot: (version: number, slotId: string) => `${prefix}:catalog:v${version}:slot:${slotId}`,
  /** Hash: field `<campaign>:<window index>` -> impressions served to this user in that window. */
  userCaps: (uid: string) => `${prefix}:caps:${uid}`,
  /** Ads served for a campaign on a UTC day (yyyymmdd); the pacing counter. */
  delivered: (day: string, campaignId: string) => `${prefix}:delivered:${day}:${campaignId}`,
  /** Hash: `impressions`, `clicks` from beacons, per campaign and UTC day. */
  beacons: (day: string, campaignId: string) => `${prefix}:beacons:${day}:${campaignId}`,
};

/** Counters outlive their day by a week, for reporting. */
export const DAY_COUNTER_TTL_SECONDS = 8 * 86_400;
/** An old catalog version stays readable this long after the pointer moves, for pods that still use it. */
export const OLD_VERSION_TTL_SECONDS = 600;
