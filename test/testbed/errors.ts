// Every testbed failure names the component and the log that explains it.
export class TestbedError extends Error {
  readonly component: string;
  readonly logPath: string | undefined;

  constructor(component: string, message: string, options: { logPath?: string; cause?: unknown } = {}) {
    const where = options.logPath ? ` (log: ${options.logPath})` : "";
    super(`${component}: ${message}${where}`, { cause: options.cause });
    this.name = "TestbedError";
    this.component = component;
    this.logPath = options.logPath;
  }
}
