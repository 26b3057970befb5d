// One Node.js version everywhere: package.json pins node 24 for scripts and tests, and Lambda runs nodejs24.x.
export const functionRuntime = {
  runtime: "nodejs24.x",
  esbuildTarget: "node24",
  architecture: "arm64",
} as const;

/**
 * What the nodejs24.x runtime already holds in /var/runtime/node_modules: AWS SDK v3 and the Smithy
 * packages it is built on. Left out of every bundle and loaded from there (docs/stacks.md, "The AWS SDK").
 */
export const runtimeProvidedPackages = ["@aws-sdk/*", "@smithy/*"];

/**
 * SST's `nodejs` settings for every function. The bundle test and the cold-start benchmark build with
 * these same values, through the options SST derives from them (test/bench/cold-start/bundle.ts).
 */
export const functionBundling = {
  format: "esm" as const,
  // SST documents minify as on by default, but its Go build reads an absent `minify` as false: say it.
  minify: true,
  esbuild: { external: runtimeProvidedPackages },
};

/** Spread into every sst.aws.Function. */
export const functionDefaults = {
  runtime: functionRuntime.runtime,
  architecture: functionRuntime.architecture,
  nodejs: functionBundling,
};
