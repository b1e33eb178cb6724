#!/usr/bin/env bash
# The README's test command (CI runs exactly this):
#   1. mvn -B install: Rust formatting, lints and tests, the driver's, the Hibernate integration
#      module's (integration/), the CLI's and the framework modules' (frameworks/,
#      spring-boot-starter/) tests, then the jars (driver with its native library, sources,
#      javadoc, executable CLI) into ~/.m2;
#   2. checks what was installed: the jars, the module name and the POM's metadata;
#   3. the executable CLI jar, alone, from another directory;
#   4. examples/maven-consumer and examples/gradle-consumer, built and tested against the installed
#      artifact by its coordinates (Gradle is installed with apt-get when missing), and
#      examples/flyway-maven-plugin: Flyway's Maven plugin on a shmlite URL alone;
#   5. the benchmark harness in smoke mode (tiny sizes, no speed assertion);
#   6. the dqlite client's, the remote session's and the JDBC driver's (DqliteJdbcTest) tests on a
#      real 3-node loopback cluster (scripts/test-dqlite.sh; Debian's dqlite packages installed
#      when missing), without the failover test, then the client's tests on a cluster of three
#      `shmlite node`s from step 1's CLI jar (scripts/test-node.sh).
# Ends with a summary and the line "test-all: N passed, N failed, N skipped".
set -uo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
version=0.1.0-SNAPSHOT
repo=${M2_REPO:-$HOME/.m2/repository}
logs="$root/target/test-all"
mkdir -p "$logs"
start=$SECONDS
failed_step=""
summary=()
passed=0 failures=0 skipped=0

# Adds up tests/failures/errors/skipped of JUnit XML reports; prints "passed failed skipped".
count_reports() {
  local files=("$@") t=0 f=0 s=0 line
  for file in "${files[@]}"; do
    [ -f "$file" ] || continue
    line=$(grep -m1 -o '<testsuite [^>]*>' "$file") || continue
    local tests errs fails skips
    tests=$(sed -n 's/.* tests="\([0-9]*\)".*/\1/p' <<<"$line")
    errs=$(sed -n 's/.* errors="\([0-9]*\)".*/\1/p' <<<"$line")
    fails=$(sed -n 's/.* failures="\([0-9]*\)".*/\1/p' <<<"$line")
    skips=$(sed -n 's/.* skipped="\([0-9]*\)".*/\1/p' <<<"$line")
    t=$((t + ${tests:-0})); f=$((f + ${errs:-0} + ${fails:-0})); s=$((s + ${skips:-0}))
  done
  echo "$((t - f - s)) $f $s"
}

# Records one line of the summary and adds a step's counts to the totals.
record() { # status, label, seconds, [passed failed skipped]
  local detail=""
  if [ $# -ge 6 ]; then
    passed=$((passed + $4)); failures=$((failures + $5)); skipped=$((skipped + $6))
    detail="  ($4 passed, $5 failed, $6 skipped)"
  fi
  local time="$3 s"
  [ "$3" = - ] && time=""
  summary+=("$(printf '  %-4s %-62s %5s%s' "$1" "$2" "$time" "$detail")")
  if [ "$1" = FAIL ] && [ -z "$failed_step" ]; then
    failed_step=$2
  fi
}

banner() { printf '\n==== test-all: %s ====\n' "$1"; }

# 1. Everything Maven builds and tests. Old reports go first, so the counts are this run's.
banner "mvn -B install (Rust and Java tests, install into $repo)"
rm -rf java/target/surefire-reports integration/target/surefire-reports cli/target/surefire-reports \
  frameworks/target/surefire-reports spring-boot-starter/target/surefire-reports
t0=$SECONDS
mvn -B install 2>&1 | tee "$logs/mvn-install.log"
status=$?
# cargo prints "test result: ok. 12 passed; 0 failed; 1 ignored; ..." once per test binary
# (matched without the "test result" prefix: cargo's stderr can split that line in the log)
read -r rp rf rs < <(sed -n 's/.*[^0-9]\([0-9][0-9]*\) passed; \([0-9][0-9]*\) failed; \([0-9][0-9]*\) ignored; [0-9]* measured.*/\1 \2 \3/p' \
  "$logs/mvn-install.log" | awk '{p += $1; f += $2; s += $3} END {print p + 0, f + 0, s + 0}')
read -r jp jf js < <(count_reports java/target/surefire-reports/TEST-*.xml)
read -r ip ifl isk < <(count_reports integration/target/surefire-reports/TEST-*.xml)
read -r cp cf cs < <(count_reports cli/target/surefire-reports/TEST-*.xml)
read -r fp ff fs < <(count_reports frameworks/target/surefire-reports/TEST-*.xml)
read -r bp bf bs < <(count_reports spring-boot-starter/target/surefire-reports/TEST-*.xml)
mvn_time=$((SECONDS - t0))
if [ $status -eq 0 ]; then result=PASS; else result=FAIL; fi
record "$result" "mvn -B install" "$mvn_time"
record "" "  Rust core and JNI layer (cargo test)" "-" "$rp" "$rf" "$rs"
record "" "  shmlite-jdbc (JUnit)" "-" "$jp" "$jf" "$js"
record "" "  shmlite-integration-tests (JUnit: Hibernate)" "-" "$ip" "$ifl" "$isk"
record "" "  shmlite-cli (JUnit)" "-" "$cp" "$cf" "$cs"
record "" "  shmlite-frameworks (JUnit)" "-" "$fp" "$ff" "$fs"
record "" "  shmlite-spring-boot-starter (JUnit)" "-" "$bp" "$bf" "$bs"

if [ $status -eq 0 ]; then
  # 2. The published artifact, as a consumer's build will see it.
  banner "installed artifacts"
  t0=$SECONDS
  problems=()
  dir="$repo/dev/shmlite/shmlite-jdbc/$version"
  jar="$dir/shmlite-jdbc-$version.jar"
  for f in "$jar" "$dir/shmlite-jdbc-$version-sources.jar" "$dir/shmlite-jdbc-$version-javadoc.jar" \
      "$dir/shmlite-jdbc-$version.pom" "$repo/dev/shmlite/shmlite-parent/$version/shmlite-parent-$version.pom"; do
    [ -f "$f" ] || problems+=("missing $f")
  done
  if [ ${#problems[@]} -eq 0 ]; then
    jar tf "$jar" | grep -q '^dev/shmlite/jdbc/native/.*/libshmlite_jni\.' || problems+=("no native library in $jar")
    jar --describe-module --file "$jar" 2>/dev/null | grep -q '^dev\.shmlite\.jdbc' \
      || problems+=("$jar declares no module name dev.shmlite.jdbc")
    jar tf "$dir/shmlite-jdbc-$version-sources.jar" | grep -q '^dev/shmlite/jdbc/ShmliteDriver\.java$' \
      || problems+=("sources jar lacks ShmliteDriver.java")
    jar tf "$dir/shmlite-jdbc-$version-javadoc.jar" | grep -q '/ShmliteDriver\.html$' \
      || problems+=("javadoc jar lacks ShmliteDriver.html")
    # the driver's POM names itself; the rest of the metadata is inherited from the parent POM
    for tag in name description; do
      grep -q "<$tag>" "$dir/shmlite-jdbc-$version.pom" || problems+=("shmlite-jdbc POM has no <$tag>")
    done
    for tag in url licenses scm developers; do
      grep -q "<$tag[ >]" "$repo/dev/shmlite/shmlite-parent/$version/shmlite-parent-$version.pom" \
        || problems+=("parent POM has no <$tag>")
    done
    grep -q '<name>Apache-2.0</name>' "$repo/dev/shmlite/shmlite-parent/$version/shmlite-parent-$version.pom" \
      || problems+=("parent POM does not name the Apache-2.0 license")
    # the driver has no runtime dependencies: every dependency its POM lists is a test dependency
    [ "$(grep -c '<dependency>' "$dir/shmlite-jdbc-$version.pom")" = "$(grep -c '<scope>test</scope>' "$dir/shmlite-jdbc-$version.pom")" ] \
      || problems+=("shmlite-jdbc POM lists a non-test dependency")
  fi
  # the framework artifacts carry the service registrations their libraries look up
  fw_jar="$repo/dev/shmlite/shmlite-frameworks/$version/shmlite-frameworks-$version.jar"
  boot_jar="$repo/dev/shmlite/shmlite-spring-boot-starter/$version/shmlite-spring-boot-starter-$version.jar"
  for entry in "$fw_jar META-INF/services/org.flywaydb.core.extensibility.Plugin" \
      "$fw_jar META-INF/services/liquibase.database.Database" \
      "$boot_jar META-INF/spring/org.springframework.boot.autoconfigure.AutoConfiguration.imports" \
      "$boot_jar META-INF/spring.factories"; do
    read -r file member <<<"$entry"
    if [ ! -f "$file" ]; then
      problems+=("missing $file")
    elif ! jar tf "$file" | grep -qx "$member"; then
      problems+=("$file lacks $member")
    fi
  done
  for p in "${problems[@]}"; do echo "test-all: $p"; done
  if [ ${#problems[@]} -eq 0 ]; then
    echo "jar (with native library, module dev.shmlite.jdbc), sources, javadoc and POM metadata present"
    record PASS "installed jar, sources, javadoc, POM metadata" "$((SECONDS - t0))"
  else
    record FAIL "installed jar, sources, javadoc, POM metadata" "$((SECONDS - t0))"
  fi

  # 3. The CLI's executable jar works alone (driver, native library and JLine shaded in).
  banner "java -jar cli/target/shmlite-cli-$version.jar"
  t0=$SECONDS
  out=$(cd /tmp && printf 'CREATE TABLE t(x);\nINSERT INTO t VALUES (41), (1);\nSELECT sum(x) AS s FROM t;\n' \
    | java -jar "$root/cli/target/shmlite-cli-$version.jar" shell mem:test-all 2>&1)
  echo "$out"
  if grep -q '^| 42 |$' <<<"$out"; then
    record PASS "executable CLI jar runs alone" "$((SECONDS - t0))"
  else
    record FAIL "executable CLI jar runs alone" "$((SECONDS - t0))"
  fi

  # 4a. Maven consumer: a separate build resolving dev.shmlite:shmlite-jdbc from the local repository.
  banner "examples/maven-consumer (mvn verify exec:java)"
  t0=$SECONDS
  (cd examples/maven-consumer && mvn -B clean verify exec:java) 2>&1 | tee "$logs/maven-consumer.log"
  status=$?
  read -r p f s < <(count_reports examples/maven-consumer/target/surefire-reports/TEST-*.xml)
  if [ $status -eq 0 ] && grep -q '^shm: total 6$' "$logs/maven-consumer.log"; then result=PASS; else result=FAIL; fi
  record "$result" "examples/maven-consumer (Maven $(mvn -v 2>/dev/null | sed -n 's/.*Apache Maven \([0-9.]*\).*/\1/p' | head -1))" \
    "$((SECONDS - t0))" "$p" "$f" "$s"

  # 4b. Flyway's Maven plugin configured by a shmlite URL alone (shmlite-frameworks as its dependency).
  banner "examples/flyway-maven-plugin (flyway:migrate info validate clean)"
  t0=$SECONDS
  # the file database lives in target/, which must exist before SQLite creates the file
  (cd examples/flyway-maven-plugin && rm -rf target && mkdir target \
    && mvn -B flyway:migrate flyway:info flyway:validate flyway:clean) 2>&1 | tee "$logs/flyway-maven-plugin.log"
  status=${PIPESTATUS[0]}
  if [ "$status" -eq 0 ] && grep -q 'Successfully applied 2 migrations' "$logs/flyway-maven-plugin.log" \
      && grep -q 'Successfully cleaned schema "main"' "$logs/flyway-maven-plugin.log"; then
    result=PASS
  else
    result=FAIL
  fi
  record "$result" "examples/flyway-maven-plugin (Flyway Maven plugin, URL only)" "$((SECONDS - t0))"

  # 4c. Gradle consumer (Groovy DSL) with the Gradle the machine has, Debian's 4.4.1 when installed here.
  banner "examples/gradle-consumer (gradle clean test run)"
  t0=$SECONDS
  if bash scripts/ensure-gradle.sh; then
    gradle_version=$(gradle --version 2>/dev/null | sed -n 's/^Gradle \([0-9.]*\).*/\1/p')
    gradle_env=()
    jdk17=/usr/lib/jvm/java-17-openjdk-$(dpkg --print-architecture 2>/dev/null || echo amd64)
    if [ "${gradle_version%%.*}" = 4 ] && [ -x "$jdk17/bin/java" ]; then
      # Debian's Gradle 4.4 runs on Debian's JDK 17 (its Groovy 2.4 cannot read newer class files)
      gradle_env=(env "JAVA_HOME=$jdk17")
    fi
    (cd examples/gradle-consumer && "${gradle_env[@]}" gradle --no-daemon --console=plain clean test run) 2>&1 \
      | tee "$logs/gradle-consumer.log"
    status=$?
    read -r p f s < <(count_reports examples/gradle-consumer/build/test-results/*/TEST-*.xml)
    if [ $status -eq 0 ] && grep -q '^shm: total 6$' "$logs/gradle-consumer.log"; then result=PASS; else result=FAIL; fi
    record "$result" "examples/gradle-consumer (Gradle $gradle_version, Groovy DSL)" "$((SECONDS - t0))" "$p" "$f" "$s"
  else
    record FAIL "examples/gradle-consumer (could not install Gradle)" "$((SECONDS - t0))"
  fi

  # 5. The benchmark harness in smoke mode (tiny sizes, one iteration): it must keep working.
  #    Speed is never asserted here; bench/run.sh exits non-zero only when something is broken.
  banner "bench/run.sh smoke"
  t0=$SECONDS
  bash bench/run.sh smoke 2>&1 | tee "$logs/bench-smoke.log"
  if [ "${PIPESTATUS[0]}" -eq 0 ]; then result=PASS; else result=FAIL; fi
  record "$result" "benchmark harness, smoke mode (bench/run.sh smoke)" "$((SECONDS - t0))"
else
  record SKIP "installed artifacts, CLI jar and consumer examples (mvn install failed)" "-"
fi

# 6. The dqlite client (crate shmlite-dqlite) against a real 3-node cluster on 127.0.0.1 (Debian's
#    dqlite packages installed when missing; every node stopped at the end, also on failure).
#    The leader-SIGKILL failover test runs with `scripts/test-dqlite.sh` alone (about a minute).
banner "scripts/test-dqlite.sh (dqlite client, real cluster)"
t0=$SECONDS
SHMLITE_DQLITE_SKIP_FAILOVER=1 bash scripts/test-dqlite.sh 2>&1 | tee "$logs/dqlite.log"
status=${PIPESTATUS[0]}
read -r dp df ds < <(sed -n 's/.*[^0-9]\([0-9][0-9]*\) passed; \([0-9][0-9]*\) failed; \([0-9][0-9]*\) ignored; [0-9]* measured.*/\1 \2 \3/p' \
  "$logs/dqlite.log" | awk '{p += $1; f += $2; s += $3} END {print p + 0, f + 0, s + 0}')
# DqliteJdbcTest's surefire summary ("Tests run: N, Failures: F, Errors: E, Skipped: S", last one).
read -r jp jf js < <(grep -E '^\[(INFO|ERROR|WARNING)\] Tests run: [0-9]+, Failures' "$logs/dqlite.log" | tail -1 \
  | sed -n 's/.*Tests run: \([0-9]*\), Failures: \([0-9]*\), Errors: \([0-9]*\), Skipped: \([0-9]*\).*/\1 \2 \3 \4/p' \
  | awk '{print $1 - $2 - $3 - $4, $2 + $3, $4} END {if (NR == 0) print 0, 0, 0}')
dp=$((dp + jp)); df=$((df + jf)); ds=$((ds + js))
if [ "$status" -eq 0 ]; then result=PASS; else result=FAIL; fi
record "$result" "dqlite client and the JDBC driver on a 3-node loopback cluster" "$((SECONDS - t0))" "$dp" "$df" "$ds"

banner "summary"
printf '%s\n' "${summary[@]}"
echo "  total time $((SECONDS - start)) s"
if [ -n "$failed_step" ]; then
  echo "  FAILED: $failed_step (logs in target/test-all/)"
fi
echo "test-all: $passed passed, $failures failed, $skipped skipped"
[ -z "$failed_step" ] && [ "$failures" -eq 0 ]
