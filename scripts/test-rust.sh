#!/usr/bin/env bash
# The Rust side of the README test command: formatting, lints, then the core's tests.
set -euo pipefail
cd "$(dirname "$0")/.."
cargo fmt --all -- --check
cargo clippy --locked --all-targets -- -D warnings
cargo test --locked --workspace
