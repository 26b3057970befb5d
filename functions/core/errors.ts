// Errors the core distinguishes. Each keeps its cause for the logs.
export class HarbormasterError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** AWS no longer has the lifecycle action: completed by a duplicate event, or expired. */
export class LifecycleActionNotFound extends HarbormasterError {}

export class ConfigurationError extends HarbormasterError {}
