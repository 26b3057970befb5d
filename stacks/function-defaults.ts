// One Node.js version everywhere: package.json pins node 24 for scripts and tests, and Lambda runs nodejs24.x.
export const functionRuntime = {
  runtime: "nodejs24.x",
  esbuildTarget: "node24",
  architecture: "arm64",
} as const;
