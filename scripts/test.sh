#!/usr/bin/env bash
# All tests: unit, integration, property, doc tests and the interop suite
# against a local oidc-provider, headless Chromium and a local Redis.
# Installs what the interop suite needs first (npm packages, Debian's
# chromium and redis-server), then runs cargo test with every feature.
# Extra arguments go to cargo test.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/interop-setup.sh
cargo test --all-features "$@"
