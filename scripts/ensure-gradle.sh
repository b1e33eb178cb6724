#!/usr/bin/env bash
# Makes sure a `gradle` command exists, installing Debian's Gradle (4.4.1) with apt-get when it is
# missing: the build environment cannot install a current Gradle, and the Gradle consumer example
# is written to build with both.
set -euo pipefail
if command -v gradle >/dev/null 2>&1; then
  exit 0
fi
echo "ensure-gradle.sh: gradle not found, installing Debian's gradle package" >&2
if [ "$(id -u)" -eq 0 ]; then sudo=""; else sudo="sudo"; fi
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
$sudo apt-get install -y -qq --no-install-recommends gradle >/dev/null
command -v gradle >/dev/null
