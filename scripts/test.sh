#!/usr/bin/env bash
# Runs every test of v6sentinel: unit, property, differential (against tshark) and
# end-to-end tests. Needs root for the tests that build network namespaces; see README.
set -euo pipefail
cd "$(dirname "$0")/.."
cargo test --locked --all-targets "$@"
cargo test --locked --doc
