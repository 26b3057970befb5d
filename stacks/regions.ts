// EventBridge rules, queues, functions, alarms and EKS access entries are regional: each is created in its
// clusters' region. The app's home region uses SST's default provider, so a deployment in one region keeps
// its resources as they were; every other region gets one `aws.Provider`, shared by all its resources.
import { pascal } from "./naming.ts";

export type RegionOptions = { provider?: aws.Provider };

export function regionProviders(homeRegion: string) {
  const providers = new Map<string, aws.Provider>();
  /** Resource options for the region: `{}` at home, else `{ provider }`. */
  return (region: string): RegionOptions => {
    if (region === homeRegion) return {};
    const provider = providers.get(region) ?? new aws.Provider(`Aws${pascal(region)}`, { region });
    providers.set(region, provider);
    return { provider };
  };
}
