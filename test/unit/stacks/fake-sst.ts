// Runs sst.config.ts's `run()` against recording stand-ins for SST's and Pulumi's globals, so a test reads
// every resource the stacks would create (type, logical name, args, options) without deploying. A created
// resource's properties are placeholder strings (`InterruptionQueue.arn`), as Outputs would resolve.

export interface Created {
  type: string;
  name: string;
  args: Record<string, unknown>;
  opts: { provider?: { name: string }; aliases?: { name: string }[] } & Record<string, unknown>;
}

function placeholder(path: string): unknown {
  const value = (() => path) as unknown as Record<string | symbol, unknown>;
  return new Proxy(value, {
    get: (_t, prop) => {
      if (prop === Symbol.toPrimitive || prop === "toString") return () => path;
      if (prop === "toJSON") return () => path;
      if (typeof prop === "symbol") return undefined;
      return placeholder(`${path}.${prop}`);
    },
    apply: () => placeholder(`${path}()`),
  });
}

/** `new` on it records the resource and returns its placeholder (a provider: its name and args). */
function resourceClass(type: string, created: Created[]): unknown {
  return new Proxy(function Resource() {}, {
    construct: (_target, [name, args = {}, opts = {}]: [string, Created["args"]?, Created["opts"]?]) => {
      created.push({ type, name, args, opts });
      // Providers are compared by name in the tests.
      if (type === "aws.Provider") return { name, args };
      return placeholder(name) as object;
    },
  });
}

function namespace(prefix: string, created: Created[]): unknown {
  const classes = new Map<string, unknown>();
  return new Proxy(
    {},
    {
      get: (_t, prop: string) => {
        if (prefix === "aws" && prop === "getRegion") return async () => ({ region: "us-east-2" });
        const type = `${prefix}.${prop}`;
        if (/^[A-Z]/.test(prop)) {
          if (!classes.has(type)) classes.set(type, resourceClass(type, created));
          return classes.get(type);
        }
        return namespace(type, created);
      },
    },
  );
}

/** Runs the app's `run()` with HARBORMASTER_CONFIG = `config`, home region us-east-2; returns what it made. */
export async function runStacks(config: unknown): Promise<{ created: Created[]; outputs: unknown }> {
  const created: Created[] = [];
  const globals = globalThis as Record<string, unknown>;
  const saved = { ...process.env };
  Object.assign(globals, {
    $config: (app: unknown) => app,
    $app: { name: "harbormaster", stage: "test" },
    sst: namespace("sst", created),
    aws: namespace("aws", created),
    $jsonStringify: (value: unknown) => JSON.stringify(value),
    $interpolate: (parts: TemplateStringsArray, ...values: unknown[]) => String.raw(parts, ...values.map(String)),
    $output: (value: unknown) => value,
  });
  process.env.HARBORMASTER_CONFIG = JSON.stringify(config);
  try {
    // A computed path, so the type-checker of the tests does not pull in SST's platform types.
    const path = ["..", "..", "..", "sst.config.ts"].join("/");
    const app = (await import(/* @vite-ignore */ path)).default as { run: () => Promise<unknown> };
    return { created, outputs: await app.run() };
  } finally {
    process.env = saved;
  }
}
