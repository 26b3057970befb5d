// REST paths of the objects the adapters read and write. Names come from config and Slack commands, so
// every segment is encoded.

/** `group` is "" for the core API (/api/v1), else e.g. "apps" (/apis/apps/v1). */
export interface Resource {
  group: string;
  version: string;
  plural: string;
}

export const resources = {
  nodes: { group: "", version: "v1", plural: "nodes" },
  pods: { group: "", version: "v1", plural: "pods" },
  deployments: { group: "apps", version: "v1", plural: "deployments" },
  statefulSets: { group: "apps", version: "v1", plural: "statefulsets" },
  hpas: { group: "autoscaling", version: "v2", plural: "horizontalpodautoscalers" },
  scaledObjects: { group: "keda.sh", version: "v1alpha1", plural: "scaledobjects" },
} as const satisfies Record<string, Resource>;

/** A collection (no name) or one object, in a namespace or cluster-wide (no namespace), with a subresource. */
export function resourcePath(
  resource: Resource,
  at: { namespace?: string; name?: string; subresource?: string } = {},
): string {
  const root = resource.group ? `/apis/${resource.group}/${resource.version}` : `/api/${resource.version}`;
  const segments = [root];
  if (at.namespace !== undefined) segments.push("namespaces", encodeURIComponent(at.namespace));
  segments.push(resource.plural);
  if (at.name !== undefined) segments.push(encodeURIComponent(at.name));
  if (at.subresource !== undefined) segments.push(at.subresource);
  return segments.join("/");
}
