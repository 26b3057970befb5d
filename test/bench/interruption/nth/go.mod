// Wrapper module for building aws-node-termination-handler (NTH), the benchmark's peer, from the Go
// module proxy. `go install github.com/aws/aws-node-termination-handler/cmd@v1.25.1` cannot be used:
// it asks the proxy for the module's version list (to check deprecation), which this proxy answers 403.
// build.ts copies this file and go.sum into the cache and runs `go build` there.
module harbormaster.local/bench/nth

go 1.24

require github.com/aws/aws-node-termination-handler v1.25.1
