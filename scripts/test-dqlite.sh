#!/usr/bin/env bash
# Runs the dqlite tests against a real 3-node dqlite cluster on 127.0.0.1: installs Debian's
# dqlite packages when missing, starts the cluster in a fresh private directory, runs
#   1. `cargo test -p shmlite-dqlite` (codec unit tests, cluster tests, failover with 5 leader
#      SIGKILLs),
#   2. `cargo test -p shmlite-core --test dqlite --test dqlite_failover` (the remote session:
#      jdbc:shmlite:dqlite://, and 2 leader SIGKILLs under 2 JDBC-session writers),
#   3. the JDBC driver on the cluster: DqliteJdbcTest through the java module's test-compile
#      phase (which builds the native library, incrementally) and surefire's test goal with
#      -Dshmlite.dqlite=SEEDS (no install, and not the Rust tests the test phase would rerun),
#   4. scripts/test-node.sh: a `shmlite node` joins and leaves the dqlite-demo cluster, and the
#      client's cluster tests run against three `shmlite node`s (1 bootstrap, 2 --join), with
#      their clean exit on SIGTERM (skip with SHMLITE_DQLITE_SKIP_NODE=1),
# and always stops the cluster and removes the directory, also on failure or Ctrl-C. About 3-4
# minutes once compiled.
#
# When the packages cannot be installed, the cluster tests are skipped (each prints why) and
# only the unit tests run. Extra arguments go to cargo test (e.g. a test name filter).
set -euo pipefail
cd "$(dirname "$0")/.."
cluster_sh=scripts/dqlite-cluster.sh
dir=$(mktemp -d "${TMPDIR:-/tmp}/shmlite-dqlite-test.XXXXXXXX")
cleanup() {
  "$cluster_sh" stop "$dir" || true
  rm -rf "$dir"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

if "$cluster_sh" install; then
  "$cluster_sh" start "$dir"
  set -a
  # shellcheck disable=SC1091
  . "$dir/env"
  set +a
  echo "test-dqlite.sh: cluster $SHMLITE_DQLITE_SEEDS" >&2
else
  echo "test-dqlite.sh: SKIPPED cluster tests: Debian's go-dqlite/libdqlite-dev could not be installed" >&2
  unset SHMLITE_DQLITE_SEEDS SHMLITE_DQLITE_CLUSTER_DIR
fi
# --nocapture: the cluster tests print their figures (retries, failover times).
skip=()
if [ "${SHMLITE_DQLITE_SKIP_FAILOVER:-0}" = 1 ]; then
  # test-all.sh: the failover test (5 leader SIGKILLs, ~1 min) runs from this script alone.
  skip=(--skip leader_sigkilled)
fi
cargo test -p shmlite-dqlite "$@" -- --nocapture "${skip[@]}"
cargo test -p shmlite-core --test dqlite --test dqlite_failover -- --nocapture "${skip[@]}"
if [ -n "${SHMLITE_DQLITE_SEEDS:-}" ]; then
  failover=("-Dshmlite.dqlite.dir=$SHMLITE_DQLITE_CLUSTER_DIR")
  if [ "${SHMLITE_DQLITE_SKIP_FAILOVER:-0}" = 1 ]; then failover=(); fi
  mvn -B -pl java test-compile surefire:test -Dtest=DqliteJdbcTest -Dsurefire.failIfNoSpecifiedTests=false \
    "-Dshmlite.dqlite=$SHMLITE_DQLITE_SEEDS" "${failover[@]}"
else
  echo "test-dqlite.sh: SKIPPED DqliteJdbcTest: no cluster" >&2
fi

if [ "${SHMLITE_DQLITE_SKIP_NODE:-0}" != 1 ]; then
  # A shmlite node first joins the dqlite-demo cluster (and leaves it), then three shmlite nodes
  # form a cluster of their own; the cleanup trap stops the dqlite-demo nodes afterwards.
  SHMLITE_NODE_DEMO_SEEDS=${SHMLITE_DQLITE_SEEDS:-} bash scripts/test-node.sh
fi
