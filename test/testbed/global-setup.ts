import type { TestProject } from "vitest/node";
import { startTestbed, type TestbedEndpoints } from "./testbed.ts";

declare module "vitest" {
  export interface ProvidedContext {
    testbed: TestbedEndpoints;
  }
}

// One testbed for the whole integration run; test files isolate themselves by namespace and node labels.
export default async function setup(project: TestProject) {
  const testbed = await startTestbed();
  project.provide("testbed", testbed.endpoints);
  return async function teardown() {
    await testbed.stop();
  };
}
