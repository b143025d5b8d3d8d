#!/usr/bin/env bash
# Builds livegui (installing missing Debian packages) and runs the whole test
# suite with ctest.
#
#   tools/test.sh [--sanitize] [extra ctest args…]
#
# --sanitize builds with ASan+UBSan in build-asan/ and runs the suite there.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
build_dir="$here/build"
setup_args=()
if [ "${1:-}" = "--sanitize" ]; then
  shift
  build_dir="$here/build-asan"
  setup_args+=(--sanitize)
fi
"$here/tools/setup.sh" --build-dir "$build_dir" "${setup_args[@]}"
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=0}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1}
ctest --test-dir "$build_dir" --output-on-failure -j2 --timeout 300 "$@"
