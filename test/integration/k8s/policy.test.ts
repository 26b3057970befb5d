import { execFile } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { dumpYaml, loadYaml } from "@kubernetes/client-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildOverlay, k8sPath, overlays } from "../../helpers/k8s-manifests.ts";
import { k8sTools } from "../../helpers/k8s-tools.ts";

// The policy check (kube-score, Polaris' stand-in: see k8s/policy/kube-score.yaml) with the settings kept
// in the repository. CRITICAL is Polaris' "danger"; none is allowed, and no warning either.
interface PolicyConfig {
  kubernetesVersion: string;
  enableOptionalTests: string[];
  ignoreTests: { test: string; reason: string }[];
}

interface Finding {
  object: string;
  check: string;
  grade: number;
  comments: string[];
}

const critical = 1;
const warning = 5;
const run = promisify(execFile);

function policyFlags(config: PolicyConfig): string[] {
  return [
    `--kubernetes-version=${config.kubernetesVersion}`,
    ...config.enableOptionalTests.map((test) => `--enable-optional-test=${test}`),
    ...config.ignoreTests.map(({ test }) => `--ignore-test=${test}`),
  ];
}

describe("policy check (kube-score)", () => {
  const dir = mkdtempSync(join(tmpdir(), "k8s-policy-"));
  const config = loadYaml<PolicyConfig>(readFileSync(k8sPath("policy", "kube-score.yaml"), "utf8"));
  let kubeScore: string;
  let kustomize: string;

  beforeAll(async () => {
    ({ kubeScore, kustomize } = await k8sTools());
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  // kube-score exits 1 when it finds anything CRITICAL; the JSON says what, either way.
  async function score(file: string): Promise<Finding[]> {
    const { stdout } = await run(kubeScore, ["score", "--output-format=json", ...policyFlags(config), file], {
      maxBuffer: 16 * 1024 * 1024,
    }).catch((error: { stdout?: string; code?: number }) => {
      if (error.code === 1 && error.stdout) return { stdout: error.stdout };
      throw error;
    });
    const objects = JSON.parse(stdout) as {
      object_name: string;
      checks: { check: { id: string }; grade: number; skipped: boolean; comments: { summary: string }[] | null }[];
    }[];
    return objects.flatMap((o) =>
      o.checks
        .filter((c) => !c.skipped && c.grade <= warning)
        .map((c) => ({
          object: o.object_name,
          check: c.check.id,
          grade: c.grade,
          comments: (c.comments ?? []).map((comment) => comment.summary),
        })),
    );
  }

  it("gives every ignored check a reason", () => {
    expect(config.ignoreTests.length).toBeGreaterThan(0);
    for (const ignored of config.ignoreTests) expect(ignored.reason.length).toBeGreaterThan(40);
  });

  it("finds the dangers in an unsafe deployment (the check can fail)", async () => {
    const findings = await score(join(import.meta.dirname, "..", "..", "fixtures", "k8s-unsafe-deployment.yaml"));
    const dangers = new Set(findings.filter((f) => f.grade === critical).map((f) => f.check));
    expect(dangers).toContain("container-resources");
    expect(dangers).toContain("pod-probes");
    expect(dangers).toContain("container-security-context-readonlyrootfilesystem");
    expect(dangers).toContain("container-image-tag");
  });

  it.each(overlays)("reports no danger and no warning for the %s overlay", async (overlay) => {
    const file = join(dir, `${overlay}.yaml`);
    const objects = await buildOverlay(kustomize, overlay);
    writeFileSync(file, objects.map((o) => dumpYaml(o)).join("---\n"));
    const findings = await score(file);
    expect(findings.filter((f) => f.grade === critical)).toEqual([]);
    expect(findings).toEqual([]);
  });
});
