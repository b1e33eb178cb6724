#!/usr/bin/env bash
# Runs a 3-node dqlite cluster on 127.0.0.1 out of Debian's `dqlite-demo` (package go-dqlite), for
# the dqlite client tests and benchmarks.
#
#   scripts/dqlite-cluster.sh install            only install the packages if missing
#   scripts/dqlite-cluster.sh start DIR          install the packages if missing, start 3 nodes,
#                                                 wait until `.cluster` lists 3 voters
#   scripts/dqlite-cluster.sh stop DIR           stop exactly the nodes whose PIDs DIR records
#   scripts/dqlite-cluster.sh status DIR         PIDs alive, leader and `.cluster`
#   scripts/dqlite-cluster.sh kill-node DIR N    SIGKILL node N (1..3), for failover tests
#   scripts/dqlite-cluster.sh start-node DIR N   (re)start node N with its data directory
#
# DIR holds one data directory, log and PID file per node, and `env` (the seeds, for the tests).
# It must be empty or missing on `start`; make it with `mktemp -d`, not a predictable name.
#
# Ports: node N listens for the protocol on DB_BASE+N and dqlite-demo's HTTP API on API_BASE+N,
# chosen by `start` (scripts/ports.sh: free and below the kernel's ephemeral range; DB_BASE 29100
# and API_BASE 29150 when those are free, else 100 lower, and so on) and recorded in DIR/ports.
# SHMLITE_DQLITE_DB_PORT_BASE / SHMLITE_DQLITE_API_PORT_BASE set them explicitly.
set -euo pipefail
# shellcheck source=scripts/ports.sh
. "$(dirname "$0")/ports.sh"

DB_PORT_BASE=${SHMLITE_DQLITE_DB_PORT_BASE:-29100}
API_PORT_BASE=${SHMLITE_DQLITE_API_PORT_BASE:-29150}
NODES=3
# Bound on waiting for the cluster to list 3 voters after start (seconds).
START_TIMEOUT_S=${SHMLITE_DQLITE_START_TIMEOUT_S:-60}
# Bound on waiting for one node's protocol port to accept connections (seconds).
NODE_LISTEN_TIMEOUT_S=20
# Bound on waiting for a node to exit after SIGTERM before SIGKILL (tenths of a second).
STOP_GRACE_DS=50
# Bound on one `dqlite` shell call: it retries forever while no node answers.
SHELL_TIMEOUT_S=5

log() { echo "dqlite-cluster.sh: $*" >&2; }
die() { log "$*"; exit 1; }

db_addr() { echo "127.0.0.1:$((DB_PORT_BASE + $1))"; }
api_addr() { echo "127.0.0.1:$((API_PORT_BASE + $1))"; }
seeds() {
  local s="" i
  for i in $(seq 1 $NODES); do s="${s:+$s,}$(db_addr "$i")"; done
  echo "$s"
}

ensure_packages() {
  if command -v dqlite-demo >/dev/null 2>&1 && command -v dqlite >/dev/null 2>&1; then
    return 0
  fi
  log "dqlite-demo/dqlite not found, installing Debian's go-dqlite and libdqlite-dev"
  local sudo=""
  if [ "$(id -u)" -ne 0 ]; then sudo="sudo"; fi
  export DEBIAN_FRONTEND=noninteractive
  $sudo apt-get update -qq
  $sudo apt-get install -y -qq --no-install-recommends go-dqlite libdqlite-dev >/dev/null
  command -v dqlite-demo >/dev/null && command -v dqlite >/dev/null
}

# The PID recorded for node N, if that process is still a dqlite-demo (a recycled PID is not ours).
node_pid() {
  local dir=$1 n=$2 pid
  [ -f "$dir/node$n.pid" ] || return 1
  pid=$(cat "$dir/node$n.pid")
  [ -r "/proc/$pid/cmdline" ] || return 1
  tr '\0' ' ' <"/proc/$pid/cmdline" | grep -q "dqlite-demo .*--db $(db_addr "$n")" || return 1
  echo "$pid"
}

port_open() { (exec 3<>"/dev/tcp/${1%:*}/${1#*:}") 2>/dev/null; }

start_node() {
  local dir=$1 n=$2 join=()
  if node_pid "$dir" "$n" >/dev/null; then
    log "node $n already running (pid $(node_pid "$dir" "$n"))"
    return 0
  fi
  mkdir -p -m 700 "$dir/node$n"
  if [ "$n" -ne 1 ]; then join=(--join "$(db_addr 1)"); fi
  # setsid: the node must not get the caller's terminal signals; we stop it by PID.
  setsid dqlite-demo --api "$(api_addr "$n")" --db "$(db_addr "$n")" -D "$dir/node$n" "${join[@]}" \
    >>"$dir/node$n.log" 2>&1 </dev/null &
  local pid=$!
  echo $pid >"$dir/node$n.pid"
  log "started node $n: pid $pid, db $(db_addr "$n"), api $(api_addr "$n"), data $dir/node$n"
  local deadline=$((SECONDS + NODE_LISTEN_TIMEOUT_S))
  until port_open "$(db_addr "$n")"; do
    # Our own child: alive while not a zombie (its cmdline is bash's until setsid execs).
    if ! [ -d "/proc/$pid" ] || grep -q '^State:.*Z' "/proc/$pid/status" 2>/dev/null; then
      die "node $n exited; log: $(tail -n 5 "$dir/node$n.log")"
    fi
    [ $SECONDS -lt $deadline ] || die "node $n not listening on $(db_addr "$n") after ${NODE_LISTEN_TIMEOUT_S}s"
    sleep 0.1
  done
}

stop_node() {
  local dir=$1 n=$2 sig=${3:-TERM} pid i
  pid=$(node_pid "$dir" "$n") || { rm -f "$dir/node$n.pid"; return 0; }
  kill "-$sig" "$pid" 2>/dev/null || true
  for ((i = 0; i < STOP_GRACE_DS; i++)); do
    [ -d "/proc/$pid" ] || break
    # A zombie (our own child, not yet reaped) counts as gone.
    grep -q '^State:.*Z' "/proc/$pid/status" 2>/dev/null && break
    sleep 0.1
  done
  if [ -d "/proc/$pid" ] && ! grep -q '^State:.*Z' "/proc/$pid/status" 2>/dev/null; then
    kill -KILL "$pid" 2>/dev/null || true
    log "node $n (pid $pid) ignored SIG$sig for $((STOP_GRACE_DS / 10))s: killed"
  fi
  rm -f "$dir/node$n.pid"
  log "stopped node $n (pid $pid, SIG$sig)"
}

stop_all() {
  local dir=$1 n
  for n in $(seq 1 $NODES); do stop_node "$dir" "$n" TERM; done
}

# The `dqlite` shell against the cluster, bounded.
shell() { timeout "$SHELL_TIMEOUT_S" dqlite -s "$(seeds)" shmlite_probe "$1"; }
voters() { shell .cluster 2>/dev/null | grep -c -i voter || true; }

cmd=${1:-}
dir=${2:-}
if [ "$cmd" = install ]; then
  ensure_packages
  exit
fi
[ -n "$cmd" ] && [ -n "$dir" ] || die "usage: $0 install, $0 start|stop|status DIR, or $0 kill-node|start-node DIR N"
# A started cluster's ports are those recorded at its start, whatever this shell's environment
# says: restarting node N with other ports would join it to whatever listens there.
if [ "$cmd" != start ] && [ -f "$dir/ports" ]; then
  # shellcheck disable=SC1091
  . "$dir/ports"
fi

case "$cmd" in
start)
  ensure_packages
  if [ -e "$dir" ] && [ -n "$(ls -A "$dir")" ]; then die "$dir is not empty"; fi
  mkdir -p -m 700 "$dir"
  dir=$(cd "$dir" && pwd)
  # Whatever fails from here on, the nodes started so far are stopped.
  trap 'rc=$?; if [ $rc -ne 0 ]; then log "start failed: stopping what was started"; stop_all "$dir"; fi' EXIT
  # The API bases sit 50 above the protocol bases, so the two families never overlap.
  DB_PORT_BASE=$(port_base "$DB_PORT_BASE" $NODES "${SHMLITE_DQLITE_DB_PORT_BASE:-}")
  API_PORT_BASE=$(port_base "$API_PORT_BASE" $NODES "${SHMLITE_DQLITE_API_PORT_BASE:-}")
  printf 'DB_PORT_BASE=%d\nAPI_PORT_BASE=%d\n' "$DB_PORT_BASE" "$API_PORT_BASE" >"$dir/ports"
  for n in $(seq 1 $NODES); do start_node "$dir" "$n"; done
  deadline=$((SECONDS + START_TIMEOUT_S))
  until [ "$(voters)" -ge $NODES ]; do
    [ $SECONDS -lt $deadline ] || die "cluster did not reach $NODES voters in ${START_TIMEOUT_S}s: $(shell .cluster 2>&1 | tr '\n' ' ')"
    sleep 0.2
  done
  {
    echo "SHMLITE_DQLITE_SEEDS=$(seeds)"
    echo "SHMLITE_DQLITE_CLUSTER_DIR=$dir"
  } >"$dir/env"
  trap - EXIT
  log "cluster up: $NODES voters, seeds $(seeds), leader $(shell .leader 2>/dev/null)"
  ;;
stop)
  [ -d "$dir" ] || die "$dir: no such directory"
  stop_all "$dir"
  ;;
status)
  for n in $(seq 1 $NODES); do
    if pid=$(node_pid "$dir" "$n"); then echo "node $n: pid $pid, db $(db_addr "$n")"; else echo "node $n: down"; fi
  done
  echo "leader: $(shell .leader 2>&1 || echo "none within ${SHELL_TIMEOUT_S}s")"
  shell .cluster 2>&1 || echo "no cluster answer within ${SHELL_TIMEOUT_S}s"
  ;;
kill-node)
  n=${3:?node number}
  stop_node "$dir" "$n" KILL
  ;;
start-node)
  n=${3:?node number}
  start_node "$dir" "$n"
  ;;
*)
  die "unknown command $cmd (start|stop|status|kill-node|start-node)"
  ;;
esac
