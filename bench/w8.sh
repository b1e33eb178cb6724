#!/usr/bin/env bash
# W8 (issue 16 item 8): shmlite's jdbc:shmlite:dqlite:// against go-dqlite's database/sql driver on
# one 3-node loopback dqlite cluster, in the same run. See bench/README.md.
#
#   bench/w8.sh [quick|full] [--out DIR] [--driver-src DIR]
#
#   quick  3 latency rounds x 1000 ops, 2 writer rounds of 8 x 100: about 40 s once built
#   full   5 latency rounds x 3000 ops, 3 writer rounds of 8 x 250: about 3 minutes
#   Results: DIR/results.md and DIR/raw/w8.json (default DIR bench/results/w8-MODE).
#
# Starts its own cluster (scripts/dqlite-cluster.sh, installing Debian's go-dqlite and
# libdqlite-dev when missing) in a fresh private directory and always stops it; builds the Go
# client (rust/dqlite/go-latency, from Debian's golang-github-canonical-go-dqlite-dev, installed when
# missing) and bench/target/benchmarks.jar. Ports: SHMLITE_DQLITE_DB_PORT_BASE /
# SHMLITE_DQLITE_API_PORT_BASE as for scripts/dqlite-cluster.sh.
# Needs dev.shmlite:shmlite-jdbc:0.1.0-SNAPSHOT in the local Maven repository (as bench/run.sh), or
# --driver-src DIR to install it from a checkout first. Not part of scripts/test-all.sh.
# Exits non-zero only when something is broken (a client failed, shmlite lost rows or reported
# errors), never because of speed.
set -euo pipefail

bench=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$bench/.." && pwd)
mode=${1:-quick}
shift || true
case "$mode" in
  quick|full) ;;
  -h|--help) sed -n '2,19p' "$0"; exit 0 ;;
  *) echo "w8.sh: mode must be quick or full, not '$mode'" >&2; exit 2 ;;
esac
out=""
driver_src=""
while [ $# -gt 0 ]; do
  case "$1" in
    --out) out=$2; shift 2 ;;
    --driver-src) driver_src=$2; shift 2 ;;
    *) echo "w8.sh: unknown option $1" >&2; exit 2 ;;
  esac
done
out=${out:-$bench/results/w8-$mode}
mkdir -p "$out"
out=$(cd "$out" && pwd)

commit=${SHMLITE_DRIVER_COMMIT:-}
if [ -n "$driver_src" ]; then
  mvn -f "$driver_src/pom.xml" -B -q -pl java install -DskipTests
  commit=$(git -C "$driver_src" rev-parse --short HEAD 2>/dev/null || echo unknown)
fi
export SHMLITE_DRIVER_COMMIT=${commit:-"unknown (local Maven repository)"}

cluster_sh=$root/scripts/dqlite-cluster.sh
dir=$(mktemp -d "${TMPDIR:-/tmp}/shmlite-w8.XXXXXXXX")
trap '"$cluster_sh" stop "$dir/cluster" >/dev/null 2>&1 || true; rm -rf "$dir"' EXIT

"$cluster_sh" install
if ! command -v go >/dev/null 2>&1; then
  echo "w8.sh: needs the go toolchain (apt-get install golang-go) to build the go-dqlite client" >&2
  exit 1
fi
gosrc=/usr/share/gocode/src/github.com/canonical/go-dqlite/driver
if [ ! -d "$gosrc" ]; then
  echo "w8.sh: installing golang-github-canonical-go-dqlite-dev for the Go client" >&2
  sudo=""; [ "$(id -u)" -eq 0 ] || sudo=sudo
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends \
    golang-github-canonical-go-dqlite-dev >/dev/null
fi
(cd "$root/rust/dqlite/go-latency" &&
  GO111MODULE=off GOPATH=/usr/share/gocode CGO_ENABLED=0 go build -o "$dir/go-latency" .)
mvn -f "$bench/pom.xml" -B -q package

"$cluster_sh" start "$dir/cluster"
# shellcheck disable=SC1091
seeds=$(. "$dir/cluster/env" && echo "$SHMLITE_DQLITE_SEEDS")
SHMLITE_DQLITE_SEEDS=$seeds java -Xms256m -Xmx1g -cp "$bench/target/benchmarks.jar" dev.shmlite.bench.W8Dqlite \
  "$mode" --go "$dir/go-latency" --out "$out"
