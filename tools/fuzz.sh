#!/usr/bin/env bash
# Builds the libFuzzer targets with clang (ASan + UBSan, the libraries under
# test instrumented too) and runs each for a while (docs/fuzzing.md).
#
#   tools/fuzz.sh [seconds-per-target]        # default 30; CI runs 10, the long run 600
#
# Build directory: $LIVEGUI_FUZZ_BUILD_DIR, default <repo>/build-fuzz. Each
# target fuzzes with a scratch corpus <build>/fuzz-runs/<target>/corpus (kept
# between runs; the checked-in fuzz/corpus/<target>/ is only read) and writes
# crash/timeout/OOM inputs to <build>/fuzz-runs/<target>/artifacts/.
#
# Exit status: 0 no finding; 1 a finding (the input path is printed) or a build
# failure; 77 clang cannot build libFuzzer binaries here (ctest: skipped).
set -euo pipefail

seconds=${1:-30}
case "$seconds" in '' | *[!0-9]*) echo "usage: $0 [seconds-per-target]" >&2; exit 2 ;; esac
repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
build=${LIVEGUI_FUZZ_BUILD_DIR:-$repo/build-fuzz}
targets=(plan_parser state_file response_parser)

max_len_of() { case "$1" in response_parser) echo 8192 ;; *) echo 16384 ;; esac; }
dict_of() { case "$1" in plan_parser) echo "$repo/fuzz/dict/plan.dict" ;; *) echo "$repo/fuzz/dict/json.dict" ;; esac; }

# --- can this machine build a libFuzzer binary at all? -----------------------
if ! command -v clang++ > /dev/null || ! command -v clang > /dev/null; then
  echo "SKIPPED: clang/clang++ not found in PATH; libFuzzer needs clang (apt-get install clang)"
  exit 77
fi
probe_dir=$(mktemp -d)
# The targets' scratch directories: on tmpfs when there is one, removed here
# even when a target aborted on a finding.
scratch_root=$(mktemp -d /dev/shm/livegui-fuzz-run-XXXXXX 2> /dev/null || mktemp -d)
export LIVEGUI_FUZZ_SCRATCH_ROOT=$scratch_root
trap 'rm -rf "$probe_dir" "$scratch_root"' EXIT
echo 'extern "C" int LLVMFuzzerTestOneInput(const unsigned char*, unsigned long) { return 0; }' > "$probe_dir/p.cpp"
if ! clang++ -fsanitize=fuzzer,address,undefined "$probe_dir/p.cpp" -o "$probe_dir/p" 2> "$probe_dir/err"; then
  echo "SKIPPED: clang++ cannot link -fsanitize=fuzzer,address,undefined here:"
  sed 's/^/  /' "$probe_dir/err" | head -5
  exit 77
fi

# --- configure and build only the fuzz targets -------------------------------
mkdir -p "$build"
exec 9> "$build/.fuzz.lock"
if ! flock -w 900 9; then
  echo "fuzz.sh: another fuzz.sh still holds $build/.fuzz.lock after 15 min" >&2
  exit 1
fi
started=$(date +%s)
# fuzzer-no-link: coverage feedback from the libraries under test, not only
# from the target files. No NDEBUG: assert() is how programmer errors show.
flags="-fsanitize=fuzzer-no-link,address,undefined -fno-sanitize-recover=undefined -fno-omit-frame-pointer"
if ! grep -q '^LIVEGUI_FUZZ:BOOL=ON' "$build/CMakeCache.txt" 2> /dev/null || [ ! -f "$build/build.ninja" ]; then
  echo "== configuring $build (clang, libFuzzer + ASan + UBSan)"
  CC=clang CXX=clang++ cmake -S "$repo" -B "$build" -G Ninja \
    -DCMAKE_BUILD_TYPE=RelWithDebInfo \
    -DCMAKE_C_FLAGS_RELWITHDEBINFO="-O1 -gline-tables-only" \
    -DCMAKE_CXX_FLAGS_RELWITHDEBINFO="-O1 -gline-tables-only" \
    -DCMAKE_C_FLAGS="$flags" -DCMAKE_CXX_FLAGS="$flags" \
    -DCMAKE_EXE_LINKER_FLAGS="-fsanitize=address,undefined" \
    -DLIVEGUI_FUZZ=ON -DLIVEGUI_BUILD_TESTS=OFF -DLIVEGUI_BUILD_BENCH=OFF > "$build/configure.log" 2>&1 || {
    echo "fuzz.sh: configuring $build failed:" >&2
    tail -30 "$build/configure.log" >&2
    exit 1
  }
fi
echo "== building ${targets[*]/%/_fuzzer}"
if ! ninja -C "$build" -j2 "${targets[@]/%/_fuzzer}" > "$build/build.log" 2>&1; then
  echo "fuzz.sh: building the fuzz targets in $build failed:" >&2
  grep -E -A5 'error|FAILED' "$build/build.log" | head -60 >&2
  exit 1
fi
built=$(date +%s)
echo "== built in $((built - started)) s"

# --- run each target ---------------------------------------------------------
export ASAN_OPTIONS=detect_leaks=1:allocator_may_return_null=0
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
stat_of() { sed -n "s/^stat::$1: *//p" "$2" | tail -1; }
findings=0
for t in "${targets[@]}"; do
  run_dir="$build/fuzz-runs/$t"
  mkdir -p "$run_dir/corpus" "$run_dir/artifacts"
  log="$run_dir/fuzz.log"
  # The first corpus directory is the only one libFuzzer writes to.
  status=0
  (cd "$run_dir" && "$build/fuzz/${t}_fuzzer" "$run_dir/corpus" "$repo/fuzz/corpus/$t" \
    -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -max_len="$(max_len_of "$t")" \
    -dict="$(dict_of "$t")" -artifact_prefix="$run_dir/artifacts/" -print_final_stats=1 \
    -error_exitcode=1 -timeout_exitcode=1 > "$log" 2>&1) || status=$?
  runs=$(stat_of number_of_executed_units "$log")
  speed=$(stat_of average_exec_per_sec "$log")
  rss=$(stat_of peak_rss_mb "$log")
  cov=$(grep -oE 'cov: [0-9]+' "$log" | tail -1 | cut -d' ' -f2)
  corpus=$(find "$run_dir/corpus" -type f | wc -l)
  if [ "$status" -eq 0 ]; then
    printf '%-16s %10s runs  %8s exec/s  cov %-6s peak rss %s MB  scratch corpus %s files\n' \
      "$t" "${runs:-?}" "${speed:-?}" "${cov:-?}" "${rss:-?}" "$corpus"
  else
    findings=$((findings + 1))
    echo "FINDING in $t (fuzzer exit status $status) after ${runs:-?} runs; log: $log"
    grep -E 'ERROR: |FUZZ FINDING|terminate called|what\(\)|Test unit written to|^SUMMARY' "$log" | head -20 | sed 's/^/  /'
    echo "  -- last lines of the log:"
    tail -40 "$log" | sed 's/^/  | /'
    echo "  reproduce: $build/fuzz/${t}_fuzzer <input from 'Test unit written to' above>"
  fi
done
echo "== fuzzed ${#targets[@]} targets for ${seconds} s each; total $(($(date +%s) - started)) s; findings: $findings"
[ "$findings" -eq 0 ] || exit 1
