#!/usr/bin/env bash
# Installs the Debian 12 packages livegui needs (only the missing ones), then
# configures and builds with CMake + Ninja.
#
#   tools/setup.sh [--deps-only] [--sanitize[=address|thread]] [--build-dir DIR] [--jobs N] [--target T]…
#
# --sanitize (= address): AddressSanitizer + UBSan; --sanitize=thread: TSan.
# --jobs N bounds the build's parallelism (default: Ninja's).
# --target T builds only T (and what it depends on), repeatable; without it,
# everything is built. Idempotent: a second run installs nothing and rebuilds
# incrementally.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
build_dir="$here/build"
deps_only=0
sanitize=OFF
targets=()
jobs=()
while [ $# -gt 0 ]; do
  case "$1" in
    --deps-only) deps_only=1 ;;
    --sanitize|--sanitize=address) sanitize=address ;;
    --sanitize=thread) sanitize=thread ;;
    --sanitize=*) echo "setup.sh: unknown sanitizer '${1#--sanitize=}' (address or thread)" >&2; exit 2 ;;
    --jobs) jobs=(--parallel "$2"); shift ;;
    --build-dir) build_dir=$2; shift ;;
    --target) targets+=(--target "$2"); shift ;;
    -h|--help) sed -n '2,13p' "$0"; exit 0 ;;
    *) echo "setup.sh: unknown option '$1' (see --help)" >&2; exit 2 ;;
  esac
  shift
done

packages=(
  build-essential cmake ninja-build pkg-config
  libboost1.81-dev libcpp-httplib-dev libssl-dev zlib1g-dev libbrotli-dev
  libgtest-dev libgmock-dev libspdlog-dev libfmt-dev libcli11-dev nlohmann-json3-dev
  libtomlplusplus-dev libimgui-dev libglfw3-dev libx11-dev libgl-dev libgl1-mesa-dri libstb-dev xvfb
  procps chromium libpugixml-dev python3-pytest python3-pytest-xdist elfutils gdb
  bazel-bootstrap unzip zip   # tools/bazel_smoke.sh: the livegui_plan_test macro under real Bazel, offline
)

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed'; then
    missing+=("$p")
  fi
done

if [ ${#missing[@]} -gt 0 ]; then
  echo "setup: installing missing packages: ${missing[*]}"
  sudo=()
  if [ "$(id -u)" -ne 0 ]; then sudo=(sudo); fi
  export DEBIAN_FRONTEND=noninteractive
  "${sudo[@]}" apt-get update -qq
  "${sudo[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}"
else
  echo "setup: all ${#packages[@]} packages already installed"
fi

[ "$deps_only" = 1 ] && exit 0

cmake -S "$here" -B "$build_dir" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DLIVEGUI_SANITIZE="$sanitize" >/dev/null
cmake --build "$build_dir" "${jobs[@]}" "${targets[@]}"
