// Pinned versions of every real component the testbed builds. Changing one invalidates its cache entry.
export const versions = {
  kubernetes: "v1.36.3",
  etcd: "v3.6.8", // the version kubernetes v1.36.3 pins in its own go.mod
  kwok: "v0.8.0",
  moto: "5.2.1",
  kustomize: "v5.8.1", // v5.8.3 needs Go 1.27
  kubeScore: "v1.20.0",
} as const;
