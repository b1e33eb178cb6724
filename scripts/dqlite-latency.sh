#!/usr/bin/env bash
# Rough latency comparison on a 3-node loopback dqlite cluster: shmlite's Rust client
# (rust/dqlite/examples/latency.rs) against go-dqlite's database/sql driver running the same
# workload (rust/dqlite/go-latency/main.go, built from Debian's golang-github-canonical-go-dqlite-dev
# when `go` is available). Autocommit INSERT and point SELECT p50/p99, ROUNDS alternating runs of
# N operations each. Starts its own cluster in a private directory and always stops it.
#
#   scripts/dqlite-latency.sh [N] [ROUNDS]      (defaults 500 and 2: well under a minute)
set -euo pipefail
cd "$(dirname "$0")/.."
n=${1:-500}
rounds=${2:-2}
cluster_sh=scripts/dqlite-cluster.sh
dir=$(mktemp -d "${TMPDIR:-/tmp}/shmlite-dqlite-bench.XXXXXXXX")
gobin="$dir/go-latency"
trap '"$cluster_sh" stop "$dir" || true; rm -rf "$dir"' EXIT

"$cluster_sh" install
cargo build -q --release -p shmlite-dqlite --example latency
have_go=0
if command -v go >/dev/null 2>&1; then
  if [ ! -d /usr/share/gocode/src/github.com/canonical/go-dqlite/driver ]; then
    echo "dqlite-latency.sh: installing golang-github-canonical-go-dqlite-dev for the Go comparison" >&2
    sudo=""; [ "$(id -u)" -eq 0 ] || sudo=sudo
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends \
      golang-github-canonical-go-dqlite-dev >/dev/null || true
  fi
  if [ -d /usr/share/gocode/src/github.com/canonical/go-dqlite/driver ] &&
    (cd rust/dqlite/go-latency && GO111MODULE=off GOPATH=/usr/share/gocode CGO_ENABLED=0 go build -o "$gobin" .); then
    have_go=1
  fi
fi
[ $have_go -eq 1 ] || echo "dqlite-latency.sh: no Go comparison (go or Debian's go-dqlite sources missing)" >&2

"$cluster_sh" start "$dir/cluster"
set -a
# shellcheck disable=SC1091
. "$dir/cluster/env"
set +a
trap '"$cluster_sh" stop "$dir/cluster" || true; rm -rf "$dir"' EXIT
for r in $(seq 1 "$rounds"); do
  echo "--- round $r: shmlite-dqlite (Rust)"
  ./target/release/examples/latency "$n"
  if [ $have_go -eq 1 ]; then
    echo "--- round $r: go-dqlite database/sql driver"
    "$gobin" "$n"
  fi
done
