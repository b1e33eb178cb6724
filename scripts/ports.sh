# Sourced by the scripts that start dqlite nodes on 127.0.0.1: picks the ports they listen on.
#
# Why not fixed ports in the 39xxx range, as before: those lie inside Linux's ephemeral range
# (net.ipv4.ip_local_port_range, 32768-60999 by default), from which the kernel takes the local
# port of every outgoing connection on the host. The cluster's own client connections could hold
# 39302 when node 2 came to bind it (one CI run failed so). A port below the ephemeral range is
# never handed out that way, so only a program listening on purpose can hold it, and
# `port_base` checks for that too.

# Lowest port this file hands out: below it are ports services commonly claim.
PORTS_FLOOR=20000
# How many bases `port_base` tries (each 100 below the one before) before it gives up.
PORTS_TRIES=40

# The ephemeral range as "LOW HIGH".
ephemeral_range() {
  cat /proc/sys/net/ipv4/ip_local_port_range 2>/dev/null || echo "32768 60999"
}

# Whether TCP port $1 is in use on this host in any state (listening, connected, TIME_WAIT),
# IPv4 or IPv6, as /proc/net/tcp{,6} list them (column 2 is ADDR:PORT in hex).
port_in_use() {
  local hex
  hex=$(printf '%04X' "$1")
  awk -v p=":$hex" 'NR > 1 && substr($2, length($2) - 4) == p { found = 1 } END { exit !found }' \
    /proc/net/tcp /proc/net/tcp6 2>/dev/null
}

# Prints a base B such that B+1..B+$2 are all free and outside the ephemeral range: $1 when it
# qualifies, else the first of $1-100, $1-200, ... (not below PORTS_FLOOR) that does. An explicit
# base from the environment ($3 non-empty) is used as given, with a warning when it lies in the
# ephemeral range. Fails after PORTS_TRIES bases.
port_base() {
  local base=$1 count=$2 explicit=${3:-} low high try p ok
  read -r low high < <(ephemeral_range)
  if [ -n "$explicit" ]; then
    if [ $((explicit + count)) -ge "$low" ] && [ $((explicit + 1)) -le "$high" ]; then
      echo "ports.sh: warning: ports $((explicit + 1))-$((explicit + count)) lie in the ephemeral range $low-$high; an outgoing connection may hold one" >&2
    fi
    echo "$explicit"
    return 0
  fi
  for ((try = 0; try < PORTS_TRIES; try++, base -= 100)); do
    [ "$base" -ge "$PORTS_FLOOR" ] || break
    ok=1
    for ((p = base + 1; p <= base + count; p++)); do
      if { [ "$p" -ge "$low" ] && [ "$p" -le "$high" ]; } || port_in_use "$p"; then ok=0; break; fi
    done
    if [ $ok = 1 ]; then echo "$base"; return 0; fi
  done
  echo "ports.sh: no $count free ports below the ephemeral range $low-$high from $1 down to $PORTS_FLOOR" >&2
  return 1
}
