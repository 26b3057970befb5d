// A mistake in the deployment's config, named by its field (`clusters.blue.drainPolicy`): it fails the deploy.
export class ConfigError extends Error {
  override name = "ConfigError";
}
