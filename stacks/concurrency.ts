// Reserved concurrency where it matters (stacks/settings.ts), applied to the feature stacks' functions by name.
import { reservedConcurrency } from "./settings.ts";

/** Sets `concurrency.reserved` on those functions, for every function created after this call. */
export function reserveConcurrency(): void {
  $transform(sst.aws.Function, (args, _opts, name) => {
    const setting = reservedConcurrency[name];
    if (setting && !args.concurrency) args.concurrency = { reserved: setting.reserved };
  });
}
