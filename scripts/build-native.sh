#!/usr/bin/env bash
# Builds the JNI library with cargo (release) and copies it where the driver's loader looks:
#   <classes>/dev/shmlite/jdbc/native/<os>-<arch>/<library file>
set -euo pipefail
out=${1:?usage: build-native.sh <classes-dir>}
cd "$(dirname "$0")/.."

case "$(uname -s)" in
  Linux) os=linux; lib=libshmlite_jni.so ;;
  Darwin) os=macos; lib=libshmlite_jni.dylib ;;
  *) echo "build-native.sh: unsupported OS $(uname -s)" >&2; exit 1 ;;
esac
case "$(uname -m)" in
  x86_64|amd64) arch=x86_64 ;;
  aarch64|arm64) arch=aarch64 ;;
  *) echo "build-native.sh: unsupported architecture $(uname -m)" >&2; exit 1 ;;
esac

cargo build --release --locked -p shmlite-jni
# .cargo/config.toml puts cargo's output in rust/target (CARGO_TARGET_DIR overrides it).
target=${CARGO_TARGET_DIR:-rust/target}
dest="$out/dev/shmlite/jdbc/native/$os-$arch"
mkdir -p "$dest"
cp "$target/release/$lib" "$dest/$lib"
echo "build-native.sh: packaged $dest/$lib"
