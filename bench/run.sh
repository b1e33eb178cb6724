#!/usr/bin/env bash
# Runs the shmlite benchmarks side by side (shmlite, sqlite-jdbc, H2, raw rusqlite) and writes the
# report. See bench/README.md.
#
#   bench/run.sh [smoke|quick|full] [--driver-src DIR] [--out DIR] [--only W1,W4,...] [--peers a,b]
#
#   smoke  tiny sizes, one iteration (CI): checks that everything runs, < 2 minutes once built;
#          results go to bench/target/results/smoke (not committed)
#   quick  a few minutes; results in bench/results/quick/
#   full   about half an hour; results in bench/results/full/
#
# `--only W8` (alone) runs bench/w8.sh instead: shmlite's dqlite:// against go-dqlite on a 3-node
# loopback cluster (quick or full; results in bench/results/w8-MODE/ unless --out).
#
# Needs dev.shmlite:shmlite-jdbc:0.1.0-SNAPSHOT in the local Maven repository (`mvn -B install` at the
# root), or --driver-src DIR to install it first from a checkout (e.g. a git worktree at main).
# Exits non-zero only when something is broken, never because of speed.
set -euo pipefail

bench=$(cd "$(dirname "$0")" && pwd)
mode=${1:-quick}
shift || true
case "$mode" in
  smoke|quick|full) ;;
  -h|--help) sed -n '2,17p' "$0"; exit 0 ;;
  *) echo "run.sh: mode must be smoke, quick or full, not '$mode'" >&2; exit 2 ;;
esac

driver_src=""
out=""
pass=()
while [ $# -gt 0 ]; do
  case "$1" in
    --driver-src) driver_src=$2; shift 2 ;;
    --out) out=$2; shift 2 ;;
    --only|--peers) pass+=("$1" "$2"); shift 2 ;;
    *) echo "run.sh: unknown option $1" >&2; exit 2 ;;
  esac
done
# W8 needs a dqlite cluster and the Go client: its own script, never part of the other workloads.
for ((i = 0; i < ${#pass[@]}; i += 2)); do
  if [ "${pass[i]}" = --only ] && [[ ",${pass[i + 1]}," == *,W8,* ]]; then
    [ "${pass[i + 1]}" = W8 ] || { echo "run.sh: W8 runs alone (--only W8)" >&2; exit 2; }
    [ "$mode" != smoke ] || { echo "run.sh: W8 has quick and full modes only" >&2; exit 2; }
    w8=("$mode")
    [ -z "$out" ] || w8+=(--out "$out")
    [ -z "$driver_src" ] || w8+=(--driver-src "$driver_src")
    exec "$bench/w8.sh" "${w8[@]}"
  fi
done
if [ -z "$out" ]; then
  if [ "$mode" = smoke ]; then out=$bench/target/results/smoke; else out=$bench/results/$mode; fi
fi
mkdir -p "$out"
out=$(cd "$out" && pwd)

start=$(date +%s)
step() { echo; echo "== run.sh $mode: $* ($(( $(date +%s) - start )) s)"; }

commit=${SHMLITE_DRIVER_COMMIT:-}
if [ -n "$driver_src" ]; then
  step "installing the driver from $driver_src"
  mvn -f "$driver_src/pom.xml" -B -q install -DskipTests
  commit=$(git -C "$driver_src" rev-parse --short HEAD 2>/dev/null || echo unknown)
fi
if [ -z "$commit" ]; then
  commit="unknown (local Maven repository)"
fi
export SHMLITE_DRIVER_COMMIT=$commit

step "building bench (Maven) and the rusqlite harness (cargo)"
mvn -f "$bench/pom.xml" -B -q package
CARGO_TARGET_DIR=$bench/target/rust cargo build --release --quiet --manifest-path "$bench/rust/Cargo.toml"

# Only a full run replaces every raw file; a partial run (--only/--peers) keeps the others.
if [ ${#pass[@]} -eq 0 ]; then
  rm -rf "$out/raw"
fi
mkdir -p "$out/raw"

step "benchmarks (raw rusqlite right before JMH W1-W3; JMH W6, W7; plain harnesses W4, W5) and report"
cd "$bench/.."
# Smoke mode measures nothing, so another JMH run on the machine (which holds /tmp/jmh.lock) must
# not make it fail; measured modes keep JMH's lock so two of them never share the cores.
lock=()
if [ "$mode" = smoke ]; then lock=(-Djmh.ignoreLock=true); fi
java -Djava.awt.headless=true "${lock[@]}" -jar "$bench/target/benchmarks.jar" "$mode" --out "$out" \
  --rusqlite "$bench/target/rust/release/shmlite-bench-rusqlite" "${pass[@]}"

step "done: $out/results.md, $out/chart.png"
