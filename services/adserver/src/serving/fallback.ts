// House ads served when the catalog cannot be read in time (Redis down or slow and nothing cached).
import { z } from "zod";
import { creativeSchema } from "../domain/catalog.ts";
import type { AdRequest } from "../domain/request.ts";

export const fallbackSchema = z.strictObject({
  creatives: z.array(
    z.strictObject({
      ...creativeSchema.shape,
      /** Slots this house ad may fill; all slots when absent. */
      slots: z.array(z.string()).min(1).optional(),
    }),
  ),
});
export type Fallback = z.output<typeof fallbackSchema>;
export type FallbackCreative = Fallback["creatives"][number];

export function chooseFallback(fallback: Fallback, request: AdRequest): FallbackCreative | undefined {
  return fallback.creatives.find(
    (c) => (!c.slots || c.slots.includes(request.slot)) && (!request.size || c.size === request.size),
  );
}
