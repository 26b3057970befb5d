// Which channel a notification goes to: the first route whose cluster, namespace and kind all match.
import * as z from "../zod.ts";

export const routeSchema = z.strictObject({
  channel: z.string().check(z.regex(/^[CG][A-Z0-9]+$/)),
  cluster: z.optional(z.string().check(z.minLength(1))),
  namespace: z.optional(z.string().check(z.minLength(1))),
  /** A notification type (drain_blocked), an interruption kind (spot_interrupted) or a feature (traffic). */
  kind: z.optional(z.string().check(z.minLength(1))),
});
export type Route = z.infer<typeof routeSchema>;

export interface RouteFacts {
  cluster?: string;
  namespaces: string[];
  kinds: string[];
}

export function channelFor(routes: readonly Route[], facts: RouteFacts, fallback: string): string {
  const match = routes.find(
    (r) =>
      (!r.cluster || r.cluster === facts.cluster) &&
      (!r.namespace || facts.namespaces.includes(r.namespace)) &&
      (!r.kind || facts.kinds.includes(r.kind)),
  );
  return match?.channel ?? fallback;
}
