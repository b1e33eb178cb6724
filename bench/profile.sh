#!/usr/bin/env bash
# Profiles one JMH workload for one peer with perf (cpu-clock sampling: works in VMs without
# hardware counters) and prints where the time goes: by library (JIT-compiled Java, the JVM,
# libshmlite_jni.so = the Rust core + SQLite, libc, the kernel) and the top symbols, Java ones named
# through the JVM's perf map (-XX:+DumpPerfMapAtExit).
#
#   bench/profile.sh BENCHMARK PEER [JMH args...]   (default JMH args: -wi 1 -w 2s -i 1 -r 20s)
#   e.g. bench/profile.sh W1PointSelect shmlite-mem
#        DELAY=15 bench/profile.sh W3Scan shmlite-mem
#
# The benchmark runs in-process (-f 0) so the perf map covers it; perf attaches after DELAY
# seconds (default 8: setup and warm-up are not sampled) for DURATION seconds (default 10).
# Needs bench/target/benchmarks.jar (bench/run.sh builds it) and perf. Output: bench/target/profile/.
set -euo pipefail
bench=$(cd "$(dirname "$0")" && pwd)
name=${1:?usage: profile.sh BENCHMARK PEER [JMH args]}
peer=${2:?peer}
shift 2
if [ $# -eq 0 ]; then set -- -wi 1 -w 2s -i 1 -r 20s; fi
out=$bench/target/profile
mkdir -p "$out"
tag=$name-$peer

java -XX:+UnlockDiagnosticVMOptions -XX:+DumpPerfMapAtExit -XX:+PreserveFramePointer -Xms1g -Xmx4g \
  -cp "$bench/target/benchmarks.jar" org.openjdk.jmh.Main "$name" -p peer="$peer" -f 0 "$@" \
  > "$out/$tag.jmh.txt" 2>&1 &
pid=$!
sleep "${DELAY:-8}"
perf record -e cpu-clock -F 1999 -g -p "$pid" -o "$out/$tag.data" -- sleep "${DURATION:-10}" 2>/dev/null || true
wait "$pid" || true
grep -E '^(Warmup )?Iteration|±' "$out/$tag.jmh.txt" | head -8

echo "== by shared object (self time)"
perf report -i "$out/$tag.data" --no-children --sort dso --stdio 2>/dev/null | grep -E '^ +[0-9]' | head -8
echo "== top symbols (self time)"
perf report -i "$out/$tag.data" --no-children --sort dso,sym --stdio -g none 2>/dev/null \
  | grep -E '^ +[0-9]' | head -"${TOP:-40}" | cut -c1-200
