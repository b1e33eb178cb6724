#!/usr/bin/env bash
# A 3-node dqlite cluster of `shmlite node`s (the CLI's executable jar) on 127.0.0.1, tested:
#   1. installs Debian's dqlite packages when missing (scripts/dqlite-cluster.sh install);
#   2. builds the CLI jar when it is missing or older than the sources (mvn -pl java,cli package,
#      nothing installed into ~/.m2);
#   (with SHMLITE_NODE_DEMO_SEEDS set: a shmlite node joins that cluster of dqlite-demo nodes as a
#   voter, is removed again and exits 0 on SIGTERM;)
#   3. checks that the JNI library does not link libdqlite; starts node 1 (bootstraps), then nodes 2 and 3 with --join (ADD + ASSIGN voter), each in a
#      fresh private data directory under `mktemp -d`;
#   4. checks that the cluster lists 3 voters (CLUSTER, through the `dqlite` shell);
#   5. runs the dqlite client's cluster tests against it (rust/dqlite/tests/cluster.rs: every value
#      type round trip, prepared statements, transactions, streaming, errors, 8 writers x 100
#      inserts, leader discovery);
#   6. SIGKILLs the leader, commits through the two others, restarts it from its data directory
#      (no --join) and checks that the cluster has 3 voters again and the row;
#   7. SIGTERMs every node and asserts exit code 0, "stopped" in its log, no process left and no
#      port still listening.
# Every node it started is stopped (SIGKILL as a last resort) on any failure or Ctrl-C.
#
# Ports: node N listens on BASE+N, BASE chosen by scripts/ports.sh (free and below the kernel's
# ephemeral range: 29320 when free, else 100 lower, and so on; node 7, which joins the
# dqlite-demo cluster, is BASE+7); SHMLITE_NODE_PORT_BASE sets it explicitly. The jar can be given
# with SHMLITE_CLI_JAR. About 30-60 s once compiled.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
# shellcheck source=scripts/ports.sh
. scripts/ports.sh

NODES=3
# 7 ports: nodes 1-3, and node 7 of the dqlite-demo step.
PORT_BASE=$(port_base 29320 7 "${SHMLITE_NODE_PORT_BASE:-}")
# Bound on one node printing "running" after its start (JVM start, libdqlite, bootstrap or join;
# `shmlite node` itself gives up after 120 s).
READY_TIMEOUT_S=150
# Bound on the cluster listing 3 voters once all nodes run.
VOTERS_TIMEOUT_S=60
# Bound on a node exiting after SIGTERM (`shmlite node` bounds its stop by 15 s).
EXIT_TIMEOUT_S=30
# Bound on the first commit after the leader's SIGKILL (5-12 s measured on dqlite-demo nodes).
FAILOVER_TIMEOUT_S=60
# Bound on one `dqlite` shell call: it retries forever while no node answers.
SHELL_TIMEOUT_S=5

log() { echo "test-node.sh: $*" >&2; }
die() { log "FAILED: $*"; exit 1; }

addr() { echo "127.0.0.1:$((PORT_BASE + $1))"; }
seeds() {
  local s="" i
  for i in $(seq 1 $NODES); do s="${s:+$s,}$(addr "$i")"; done
  echo "$s"
}

if ! scripts/dqlite-cluster.sh install; then
  log "SKIPPED: Debian's go-dqlite/libdqlite-dev could not be installed"
  exit 0
fi

version=0.1.0-SNAPSHOT
jar=${SHMLITE_CLI_JAR:-$root/cli/target/shmlite-cli-$version.jar}
if [ -z "${SHMLITE_CLI_JAR:-}" ]; then
  if [ ! -f "$jar" ] || [ -n "$(find cli/src java/src rust/core/src rust/jni/src rust/node/src rust/dqlite/src \
      -newer "$jar" -type f -print -quit)" ]; then
    log "building the CLI jar (mvn -B -q -pl java,cli package -DskipTests)"
    mvn -B -q -pl java,cli package -DskipTests
  fi
fi
[ -f "$jar" ] || die "no CLI jar at $jar"

dir=$(mktemp -d "${TMPDIR:-/tmp}/shmlite-node-test.XXXXXXXX")
declare -A pids=()

# Alive and not a zombie (our own children stay zombies until `wait`).
alive() { [ -d "/proc/$1" ] && ! grep -q '^State:.*Z' "/proc/$1/status" 2>/dev/null; }

cleanup() {
  local n
  for n in "${!pids[@]}"; do
    if alive "${pids[$n]}"; then
      log "cleanup: SIGKILL node $n (pid ${pids[$n]})"
      kill -KILL "${pids[$n]}" 2>/dev/null || true
    fi
    wait "${pids[$n]}" 2>/dev/null || true
  done
  rm -rf "$dir"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# How many times node $1's log says it runs (the log is appended to across restarts).
runs() {
  local c
  c=$(grep -cs 'shmlite node: running' "$dir/node$1.log") || true
  echo "${c:-0}"
}

# Starts node $1 (joining node 1, or JOIN_SEEDS when set) and waits until it runs.
start_node() {
  local n=$1 join=()
  if [ -n "${JOIN_SEEDS:-}" ]; then
    join=(--join "$JOIN_SEEDS")
  elif [ "$n" -ne 1 ] && [ -z "${RESTART:-}" ]; then
    join=(--join "$(addr 1)")
  fi
  # setsid: the node must not get the caller's terminal signals; this script stops it by PID.
  setsid java -jar "$jar" node --id "$n" --address "$(addr "$n")" --data-dir "$dir/node$n" "${join[@]}" \
    >>"$dir/node$n.log" 2>&1 </dev/null &
  pids[$n]=$!
  local deadline=$((SECONDS + READY_TIMEOUT_S))
  local before
  before=$(runs "$n")
  until [ "$(runs "$n")" -gt "$before" ]; do
    alive "${pids[$n]}" || die "node $n exited: $(tail -n 5 "$dir/node$n.log")"
    [ $SECONDS -lt $deadline ] || die "node $n not running after ${READY_TIMEOUT_S}s: $(tail -n 5 "$dir/node$n.log")"
    sleep 0.2
  done
  log "node $n running (pid ${pids[$n]}): $(grep 'shmlite node: joined' "$dir/node$n.log" || echo "no --join")"
}

# The JNI library never links libdqlite (it is dlopen'ed when a node starts), so the driver and
# mem:/shm: work without it.
native=$(unzip -Z1 "$jar" | grep '/libshmlite_jni\.so$' | head -1)
[ -n "$native" ] || die "no JNI library in $jar"
unzip -p "$jar" "$native" >"$dir/libshmlite_jni.so"
needed=$(readelf -d "$dir/libshmlite_jni.so" | grep NEEDED || true)
if grep -qi dqlite <<<"$needed"; then die "the JNI library links libdqlite: $needed"; fi
log "the JNI library does not link libdqlite ($(grep -o '\[[^]]*\]' <<<"$needed" | tr '\n' ' '))"

shell() { timeout "$SHELL_TIMEOUT_S" dqlite -s "${2:-$(seeds)}" shmlite_probe "$1"; }

# Stops node $1 with SIGTERM and asserts a clean exit: code 0, "stopped" logged, port closed.
stop_node() {
  local n=$1 deadline code=0
  kill -TERM "${pids[$n]}" 2>/dev/null || true
  deadline=$((SECONDS + EXIT_TIMEOUT_S))
  while alive "${pids[$n]}"; do
    [ $SECONDS -lt $deadline ] || die "node $n (pid ${pids[$n]}) still running ${EXIT_TIMEOUT_S}s after SIGTERM"
    sleep 0.1
  done
  wait "${pids[$n]}" || code=$?
  unset "pids[$n]"
  [ "$code" -eq 0 ] || die "node $n exited with $code after SIGTERM: $(tail -n 5 "$dir/node$n.log")"
  grep -q 'shmlite node: stopped' "$dir/node$n.log" || die "node $n did not report stopping: $(tail -n 5 "$dir/node$n.log")"
  if (exec 3<>"/dev/tcp/127.0.0.1/$((PORT_BASE + n))") 2>/dev/null; then
    die "port $((PORT_BASE + n)) still accepts connections after node $n exited"
  fi
}

if [ -n "${SHMLITE_NODE_DEMO_SEEDS:-}" ]; then
  # A shmlite node joins a cluster of Debian's dqlite-demo nodes (test-dqlite.sh's), is listed
  # as a voter, is removed again (REMOVE through the dqlite shell) and stops cleanly.
  JOIN_SEEDS=$SHMLITE_NODE_DEMO_SEEDS start_node 7
  members=$(shell .cluster "$SHMLITE_NODE_DEMO_SEEDS" 2>&1 | tr '\n' ' ')
  grep -q "|$(addr 7)|voter" <<<"$members" || die "node 7 not a voter of the dqlite-demo cluster: $members"
  shell ".remove $(addr 7)" "$SHMLITE_NODE_DEMO_SEEDS" >/dev/null || die "REMOVE of node 7 failed"
  stop_node 7
  log "ok: a shmlite node joined the dqlite-demo cluster as a voter ($members), was removed and exited 0"
fi

for n in $(seq 1 $NODES); do start_node "$n"; done

deadline=$((SECONDS + VOTERS_TIMEOUT_S))
until [ "$(shell .cluster 2>/dev/null | grep -c -i voter || true)" -eq $NODES ]; do
  [ $SECONDS -lt $deadline ] || die "the cluster did not list $NODES voters in ${VOTERS_TIMEOUT_S}s: $(shell .cluster 2>&1 | tr '\n' ' ')"
  sleep 0.2
done
log "CLUSTER lists $NODES voters: $(shell .cluster 2>/dev/null | tr '\n' ' ')"

# The client's cluster suite against the shmlite nodes (the failover and membership tests drive
# dqlite-cluster.sh's dqlite-demo nodes and run from test-dqlite.sh).
SHMLITE_DQLITE_SEEDS=$(seeds) cargo test -p shmlite-dqlite --test cluster -- --nocapture

# SIGKILL of the leader: the two others elect a new one and keep committing, and the killed node
# restarts from its data directory (no --join) and is a voter again with every row.
leader=$(shell .leader 2>/dev/null) || die "no leader known"
victim=$(( ${leader##*:} - PORT_BASE ))
[ "$victim" -ge 1 ] && [ "$victim" -le $NODES ] || die "leader $leader is not one of ours"
kill -KILL "${pids[$victim]}"
code=0
wait "${pids[$victim]}" || code=$?
unset "pids[$victim]"
[ "$code" -eq 137 ] || die "node $victim exited with $code after SIGKILL (expected 137)"
t0=$SECONDS
deadline=$((SECONDS + FAILOVER_TIMEOUT_S))
until shell "CREATE TABLE IF NOT EXISTS failover (x INTEGER)" >/dev/null 2>&1 \
    && shell "INSERT INTO failover VALUES (1)" >/dev/null 2>&1; do
  [ $SECONDS -lt $deadline ] || die "no commit within ${FAILOVER_TIMEOUT_S}s after SIGKILL of the leader (node $victim)"
  sleep 0.2
done
log "leader node $victim SIGKILLed: the next commit after $((SECONDS - t0)) s, new leader $(shell .leader 2>/dev/null)"
RESTART=1 start_node "$victim"
deadline=$((SECONDS + VOTERS_TIMEOUT_S))
until [ "$(shell .cluster 2>/dev/null | grep -c -i voter || true)" -eq $NODES ] \
    && [ "$(shell "SELECT count(*) AS n FROM failover" 2>/dev/null | grep -c '^ *1 *$' || true)" -ge 1 ]; do
  [ $SECONDS -lt $deadline ] || die "node $victim did not come back as a voter in ${VOTERS_TIMEOUT_S}s"
  sleep 0.2
done
log "node $victim restarted from its data directory: $NODES voters again, the row committed while it was down is there"

# All three get SIGTERM at once (as a host shutdown would), then each is checked.
for n in $(seq 1 $NODES); do kill -TERM "${pids[$n]}"; done
for n in $(seq 1 $NODES); do stop_node "$n"; done
log "ok: $NODES shmlite nodes formed a cluster (1 bootstrap, 2 joins), passed the cluster tests, survived a SIGKILL of the leader and exited 0 on SIGTERM"
