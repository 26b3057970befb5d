// For tests and benchmarks that drive the apiserver with client-node. No function imports it: they all use
// KubeApi, and importing this into a function would put client-node (about 2 MB minified) in its bundle.
import type { RequestContext } from "@kubernetes/client-node";
import {
  type ConfigurationOptions,
  Observable,
  type ObservableMiddleware,
  PatchStrategy,
} from "@kubernetes/client-node";

function preOnly(pre: (context: RequestContext) => void): ObservableMiddleware {
  return {
    pre(context) {
      pre(context);
      return new Observable(Promise.resolve(context));
    },
    post: (response) => new Observable(Promise.resolve(response)),
  };
}

/**
 * Per-request options: a timeout (client-node has no default, and a hung apiserver must not hang a
 * Lambda) and, for patches, the content type (the client's default is JSON Patch).
 */
export function requestOptions(timeoutMs: number, contentType?: PatchStrategy): ConfigurationOptions {
  const middleware = [preOnly((context) => context.setSignal(AbortSignal.timeout(timeoutMs)))];
  if (contentType) middleware.push(preOnly((context) => context.setHeaderParam("Content-Type", contentType)));
  return { middleware, middlewareMergeStrategy: "append" };
}

export { PatchStrategy };
