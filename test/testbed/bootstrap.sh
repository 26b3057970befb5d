#!/usr/bin/env bash
# Sets up a fresh machine for the README's start and test commands: npm packages (including the pinned
# Node.js), redis-server, SST's platform types, and the testbed's components (built once, then cached).
set -euo pipefail
cd "$(dirname "$0")/../.."
say() { printf '[bootstrap] %s\n' "$*" >&2; }

if ! command -v redis-server >/dev/null 2>&1; then
  say "installing redis-server (Debian package)"
  sudo=""; [ "$(id -u)" = 0 ] || sudo="sudo"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends redis-server >/dev/null
fi

# Headless Chromium for the live view's browser test (driven by playwright-core, which bundles no browser).
if ! command -v chromium >/dev/null 2>&1; then
  say "installing chromium (Debian package)"
  sudo=""; [ "$(id -u)" = 0 ] || sudo="sudo"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends chromium >/dev/null
fi

if [ ! -x node_modules/.bin/node ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  say "installing npm packages from package-lock.json"
  # Not `npm ci`: it refuses a lockfile without the optional platform builds (biome's android and musl
  # CLIs) that some registries do not carry; `npm install` installs the locked versions and skips those.
  npm install --no-audit --no-fund --loglevel=error
fi
node=node_modules/.bin/node

# sst.config.ts and stacks/ type-check against the providers SST installs; offline, never deploying.
if [ ! -f .sst/platform/config.d.ts ]; then
  say "installing SST platform types (sst install, offline)"
  PATH="$PWD/node_modules/.bin:$PATH" SST_SKIP_DEPENDENCY_CHECK=1 SST_NO_BUN=1 SST_TELEMETRY_DISABLED=1 \
    node_modules/.bin/sst install --stage local >/dev/null
fi

"$node" test/testbed/build.ts
