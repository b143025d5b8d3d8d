#!/usr/bin/env bash
# Builds livegui (installing missing Debian packages) and runs the whole test
# suite with ctest.
#
#   tools/test.sh [--sanitize[=address|thread]] [--jobs N] [extra ctest args…]
#
# --sanitize (or --sanitize=address) builds with AddressSanitizer + UBSan in
# build-asan/, --sanitize=thread with ThreadSanitizer in build-tsan/, and runs
# the whole suite there. The runtime options point at the suppression files in
# tools/sanitizers/ (only for the libraries we cannot instrument: Mesa's
# llvmpipe and Debian's compiled cpp-httplib); a report fails the test that
# produced it. --jobs N bounds the build's parallelism.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
build_dir="$here/build"
setup_args=()
sanitizer=none
while [ $# -gt 0 ]; do
  case "$1" in
    --sanitize|--sanitize=address) sanitizer=address; build_dir="$here/build-asan"; setup_args+=(--sanitize=address) ;;
    --sanitize=thread) sanitizer=thread; build_dir="$here/build-tsan"; setup_args+=(--sanitize=thread) ;;
    --sanitize=*) echo "test.sh: unknown sanitizer '${1#--sanitize=}' (address or thread)" >&2; exit 2 ;;
    --jobs) setup_args+=(--jobs "$2"); shift ;;
    *) break ;;
  esac
  shift
done
"$here/tools/setup.sh" --build-dir "$build_dir" "${setup_args[@]}"
supp="$here/tools/sanitizers"
# A sanitizer report ends the process with exitcode 66 (never a code a test
# binary uses on purpose), so ctest fails the test that produced it.
# handle_segv/sigbus/sigfpe=0: the suite crashes processes on purpose (the
# sample app's faults, the fixtures) and asserts they die *by that signal*;
# the sanitizer's own handler would turn the crash into exit 66 instead.
# Memory errors are still caught where they happen, by the instrumentation.
no_crash_handlers=handle_segv=0:handle_sigbus=0:handle_sigfpe=0
case "$sanitizer" in
  none)
    # Unchanged from before the sanitizer variants (a plain build ignores these).
    export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=0}
    export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1}
    ;;
  address)
    # Leaks are not checked: AUTs and children are ended by signals on purpose,
    # and GoogleTest's exit paths do not free everything.
    export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=0:exitcode=66:$no_crash_handlers:suppressions=$supp/asan.supp}
    export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1:suppressions=$supp/ubsan.supp}
    ;;
  thread)
    # atexit_sleep_ms=0: ThreadSanitizer's exit() and _exit() otherwise sleep
    # 1 s first (to catch races with threads still running at exit); an app
    # that ends on purpose (the sample app losing its X display) would keep
    # answering /health, stalled, for that second, and be found degraded
    # rather than dead, which no plain build ever sees.
    export TSAN_OPTIONS=${TSAN_OPTIONS:-halt_on_error=0:exitcode=66:second_deadlock_stack=1:atexit_sleep_ms=0:$no_crash_handlers:suppressions=$supp/tsan.supp}
    ;;
esac
# Sanitized binaries run 2-15x slower: a longer default per-test bound.
timeout=300
[ "$sanitizer" = none ] || timeout=900
ctest --test-dir "$build_dir" --output-on-failure -j2 --timeout "$timeout" "$@"
