// One Go environment for every build: no toolchain download, no VCS stamping (clones may lack .git),
// and static binaries that run wherever the cache is copied.
export function goEnv(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  return {
    ...process.env,
    GOTOOLCHAIN: "local",
    GOFLAGS: "-mod=mod -buildvcs=false",
    CGO_ENABLED: "0",
    ...extra,
  };
}

// `go build -v` prints one import path per compiled package; anything else is a diagnostic.
export function isPackageLine(line: string): boolean {
  return /^[a-z0-9][\w.-]*(\/[\w.~+-]+)*$/i.test(line) && !line.startsWith("go:");
}
