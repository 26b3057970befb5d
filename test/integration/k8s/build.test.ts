import { join } from "node:path";
import type {
  V1Container,
  V1Deployment,
  V1Ingress,
  V1PodDisruptionBudget,
  V1PriorityClass,
  V1Service,
  V2HorizontalPodAutoscaler,
} from "@kubernetes/client-node";
import { beforeAll, describe, expect, it } from "vitest";
import { buildOverlay, kustomizeBuild, type Manifest, type Overlay, overlays } from "../../helpers/k8s-manifests.ts";
import { k8sTools } from "../../helpers/k8s-tools.ts";

// What the issue asks of every workload, read from what kustomize really builds for each overlay.
const workloads = {
  scissors: { readiness: "/server/avail", liveness: "/server/alive" },
  adserver: { readiness: "/ping", liveness: "/metrics" },
} as const;

describe.each(overlays)("the %s overlay", (overlay: Overlay) => {
  let objects: Manifest[];
  const find = <T>(kind: string, name: string) => {
    const found = objects.find((o) => o.kind === kind && o.metadata?.name === name);
    if (!found) throw new Error(`${overlay} has no ${kind} ${name}`);
    return found as T;
  };
  const container = (name: string): V1Container => {
    const c = find<V1Deployment>("Deployment", name).spec?.template.spec?.containers[0];
    if (!c) throw new Error(`${name} has no container`);
    return c;
  };

  beforeAll(async () => {
    objects = await buildOverlay((await k8sTools()).kustomize, overlay);
  });

  it("builds, with every image from the harbormaster/ names at a pinned tag", () => {
    expect(objects.length).toBeGreaterThan(20);
    const images = objects.flatMap((o) => {
      const spec = o.kind === "CronJob" ? o.spec.jobTemplate.spec.template.spec : o.spec?.template?.spec;
      return (spec?.containers ?? []).map((c: V1Container) => c.image as string);
    });
    expect(images.length).toBeGreaterThanOrEqual(3);
    for (const image of images) expect(image).toMatch(/^harbormaster\/[a-z-]+:[\w.-]+$/);
    expect(images.some((i) => i.endsWith(":latest"))).toBe(false);
  });

  describe.each(Object.entries(workloads))("%s", (name, endpoints) => {
    it("requests and limits cpu, memory and ephemeral storage", () => {
      const { requests, limits } = container(name).resources ?? {};
      for (const resource of ["cpu", "memory", "ephemeral-storage"]) {
        expect(requests?.[resource]).toBeDefined();
        expect(limits?.[resource]).toBeDefined();
      }
    });

    it("probes readiness and liveness on the service's real endpoints, on the main container", () => {
      const c = container(name);
      expect(c.readinessProbe?.httpGet?.path).toBe(endpoints.readiness);
      expect(c.livenessProbe?.httpGet?.path).toBe(endpoints.liveness);
      expect(c.readinessProbe?.httpGet?.port).toBe("http");
      expect(c.ports?.find((p) => p.name === "http")?.containerPort).toBe(8080);
    });

    it("sleeps in preStop and gives the pod more grace than preStop plus the service's own shutdown", () => {
      const deployment = find<V1Deployment>("Deployment", name);
      const c = container(name);
      const preStop = c.lifecycle?.preStop?.sleep?.seconds ?? 0;
      expect(preStop).toBeGreaterThan(0);
      const values = new Map((c.env ?? []).map((e) => [e.name, Number(e.value)]));
      const env = (key: string) => values.get(key) ?? Number.NaN;
      const shutdownMs =
        name === "scissors"
          ? env("SCISSORS_DRAIN_DELAY_MS") + env("SCISSORS_SHUTDOWN_GRACE_MS")
          : env("ADSERVER_SHUTDOWN_DELAY_MS") + env("ADSERVER_SHUTDOWN_TIMEOUT_MS");
      expect(shutdownMs).toBeGreaterThan(0);
      const grace = deployment.spec?.template.spec?.terminationGracePeriodSeconds ?? 30;
      expect(grace).toBeGreaterThan(preStop + shutdownMs / 1000);
    });

    it("rolls out without losing capacity and leaves the replica count to the HPA", () => {
      const spec = find<V1Deployment>("Deployment", name).spec;
      expect(spec?.strategy?.type).toBe("RollingUpdate");
      expect(spec?.strategy?.rollingUpdate?.maxUnavailable).toBe(0);
      expect(spec?.replicas).toBeUndefined();
    });

    it("spreads over zones, resolves with ndots 1 and outranks the headroom placeholders", () => {
      const pod = find<V1Deployment>("Deployment", name).spec?.template.spec;
      const zone = pod?.topologySpreadConstraints?.find((t) => t.topologyKey === "topology.kubernetes.io/zone");
      expect(zone).toMatchObject({ maxSkew: 1, whenUnsatisfiable: "DoNotSchedule" });
      expect(pod?.dnsConfig?.options).toContainEqual({ name: "ndots", value: "1" });
      const serving = find<V1PriorityClass>("PriorityClass", pod?.priorityClassName ?? "");
      const headroom = find<V1PriorityClass>("PriorityClass", "harbormaster-headroom");
      expect(serving.value).toBeGreaterThan(0);
      expect(headroom.value).toBe(-10);
    });

    it("runs as non-root on a read-only root filesystem with every capability dropped", () => {
      const pod = find<V1Deployment>("Deployment", name).spec?.template.spec;
      const security = container(name).securityContext;
      expect(pod?.securityContext?.runAsNonRoot).toBe(true);
      expect(pod?.securityContext?.runAsUser).toBeGreaterThan(0);
      expect(security?.readOnlyRootFilesystem).toBe(true);
      expect(security?.allowPrivilegeEscalation).toBe(false);
      expect(security?.capabilities?.drop).toEqual(["ALL"]);
    });

    it("has a PDB, an autoscaling/v2 HPA at 60% CPU with behavior, a Service and an ALB Ingress", () => {
      const labels = find<V1Deployment>("Deployment", name).spec?.selector.matchLabels;
      expect(find<V1PodDisruptionBudget>("PodDisruptionBudget", name).spec?.selector?.matchLabels).toEqual(labels);
      const hpa = find<V2HorizontalPodAutoscaler>("HorizontalPodAutoscaler", name);
      expect(hpa.apiVersion).toBe("autoscaling/v2");
      expect(hpa.spec?.scaleTargetRef).toMatchObject({ kind: "Deployment", name });
      expect(hpa.spec?.metrics).toContainEqual({
        type: "Resource",
        resource: { name: "cpu", target: { type: "Utilization", averageUtilization: 60 } },
      });
      expect(hpa.spec?.behavior?.scaleUp).toBeDefined();
      expect(hpa.spec?.behavior?.scaleDown?.stabilizationWindowSeconds).toBeGreaterThan(0);
      expect(hpa.spec?.minReplicas).toBeGreaterThanOrEqual(2);
      expect(find<V1Service>("Service", name).spec?.selector).toEqual(labels);
      const ingress = find<V1Ingress>("Ingress", name);
      expect(ingress.spec?.ingressClassName).toBe("alb");
      expect(ingress.metadata?.annotations?.["alb.ingress.kubernetes.io/target-type"]).toBe("ip");
      expect(ingress.metadata?.annotations?.["alb.ingress.kubernetes.io/healthcheck-path"]).toBe(endpoints.readiness);
      expect(ingress.spec?.rules?.[0]?.host).toMatch(/\.example\.com$/);
    });
  });

  it("keeps Scissors on its dedicated pool through nodeSelector, taint toleration, and nothing else there", () => {
    const scissors = find<V1Deployment>("Deployment", "scissors").spec?.template.spec;
    expect(scissors?.nodeSelector).toEqual({ "harbormaster.io/pool": "scissors" });
    expect(scissors?.tolerations).toEqual([
      { key: "harbormaster.io/pool", operator: "Equal", value: "scissors", effect: "NoSchedule" },
    ]);
    for (const other of ["adserver", "headroom"]) {
      const spec = find<V1Deployment>("Deployment", other).spec?.template.spec;
      expect(spec?.tolerations ?? []).toEqual([]);
    }
  });

  it("leaves the headroom placeholders' count to pre-scaling, at priority -10, never preempting", () => {
    const headroom = find<V1Deployment>("Deployment", "headroom");
    expect(headroom.metadata?.namespace).toBe("harbormaster-system");
    expect(headroom.spec?.replicas).toBeUndefined();
    expect(headroom.spec?.template.spec?.priorityClassName).toBe("harbormaster-headroom");
    expect(find<V1PriorityClass>("PriorityClass", "harbormaster-headroom").preemptionPolicy).toBe("Never");
  });

  it("runs the descheduler CronJob only where the component is included (prod)", () => {
    const cronJobs = objects.filter((o) => o.kind === "CronJob").map((o) => o.metadata?.name);
    expect(cronJobs).toEqual(overlay === "prod" ? ["descheduler"] : []);
    if (overlay === "prod") {
      const spec = find<Manifest>("CronJob", "descheduler").spec;
      expect(spec.concurrencyPolicy).toBe("Forbid");
      // Cluster-wide agents tolerate every taint, dedicated pools included (seed 000).
      expect(spec.jobTemplate.spec.template.spec.tolerations).toEqual([{ operator: "Exists" }]);
    }
  });
});

it("makes every DaemonSet built with the node-agents component tolerate every taint", async () => {
  const { kustomize } = await k8sTools();
  const built = await kustomizeBuild(kustomize, join(import.meta.dirname, "../../fixtures/k8s-node-agent"));
  const daemonSet = built.find((o) => o.kind === "DaemonSet");
  // The fixture's own narrower toleration is replaced, not kept beside it.
  expect(daemonSet?.spec.template.spec.tolerations).toEqual([{ operator: "Exists" }]);
});
