#!/bin/sh
# Runs the livegui_plan_test macro under real Bazel (Debian's bazel-bootstrap),
# offline: a tiny workspace in a temp dir with one plan test, shard_count = 2,
# the livegui-batch and test binaries of BUILD_DIR copied in. Checks that each
# shard ran its part, that Bazel got livegui-batch's JUnit (XML_OUTPUT_FILE)
# and that the reports landed in the undeclared outputs.
#   tools/bazel_smoke.sh BUILD_DIR
# Exit 0: passed; 1: failed; 77: skipped (no bazel).
set -eu
build=$(cd "${1:?give the build directory}" && pwd)
here=$(cd "$(dirname "$0")/.." && pwd)
command -v bazel >/dev/null 2>&1 || { echo "bazel_smoke: no bazel (apt-get install bazel-bootstrap); skipped"; exit 77; }
work=$(mktemp -d "${TMPDIR:-/tmp}/livegui-bazel-smoke-XXXXXX")
trap 'chmod -R u+w "$work" 2>/dev/null; rm -rf "$work"' EXIT
ws=$work/ws
mkdir -p "$ws/bazel" "$ws/offline/coverage" "$ws/offline/rules_cc/cc" "$ws/offline/rules_java/java"

# Bazel's own test rules name repositories it would download; offline, the
# native rules stand in for rules_cc and rules_java, and coverage is absent.
echo 'workspace(name = "remote_coverage_tools")' > "$ws/offline/coverage/WORKSPACE"
printf 'package(default_visibility = ["//visibility:public"])\nsh_binary(name = "coverage_report_generator", srcs = ["none.sh"])\nsh_binary(name = "lcov_merger", srcs = ["none.sh"])\n' > "$ws/offline/coverage/BUILD"
printf '#!/bin/sh\necho "no coverage offline" >&2\nexit 1\n' > "$ws/offline/coverage/none.sh"
chmod +x "$ws/offline/coverage/none.sh"
echo 'workspace(name = "rules_cc")' > "$ws/offline/rules_cc/WORKSPACE"
: > "$ws/offline/rules_cc/BUILD"
printf 'package(default_visibility = ["//visibility:public"])\nalias(name = "toolchain_type", actual = "@bazel_tools//tools/cpp:toolchain_type")\n' > "$ws/offline/rules_cc/cc/BUILD"
for r in cc_binary cc_library cc_test cc_proto_library cc_toolchain cc_toolchain_suite objc_library; do
  echo "$r = native.$r"
done > "$ws/offline/rules_cc/cc/defs.bzl"
echo 'workspace(name = "rules_java")' > "$ws/offline/rules_java/WORKSPACE"
: > "$ws/offline/rules_java/BUILD"
: > "$ws/offline/rules_java/java/BUILD"
for r in java_binary java_import java_library java_proto_library java_runtime java_toolchain; do
  echo "$r = native.$r"
done > "$ws/offline/rules_java/java/defs.bzl"
cat > "$ws/WORKSPACE" <<'WS'
workspace(name = "livegui_smoke")
local_repository(name = "remote_coverage_tools", path = "offline/coverage")
local_repository(name = "rules_cc", path = "offline/rules_cc")
local_repository(name = "rules_java", path = "offline/rules_java")
WS
echo offline > "$ws/.bazelignore"

cp "$here/bazel/livegui_plan_test.bzl" "$here/bazel/livegui_plan_test.sh" "$here/bazel/BUILD.bazel" "$ws/bazel/"
cp "$build/batcher/livegui-batch" "$build/tests/e2e/e2e_passing" "$ws/"
cat > "$ws/plan.toml" <<'PLAN'
[[tiers]]
name = "unit"
[[tiers.entries]]
name = "one"
executable = "e2e_passing"
[[tiers.entries]]
name = "two"
executable = "e2e_passing"
[[tiers.entries]]
name = "three"
executable = "e2e_passing"
[[tiers.entries]]
name = "four"
executable = "e2e_passing"
PLAN
cat > "$ws/BUILD" <<'B'
load("//bazel:livegui_plan_test.bzl", "livegui_plan_test")
exports_files(["livegui-batch"])
livegui_plan_test(
    name = "plan_test",
    plan = "plan.toml",
    data = ["e2e_passing"],
    livegui_batch = ":livegui-batch",
    shard_count = 2,
)
B

cd "$ws"
status=0
bazel --output_user_root="$work/root" --batch test //:plan_test --test_output=errors >"$work/bazel.txt" 2>&1 || status=$?
if [ $status -ne 0 ]; then
  tail -40 "$work/bazel.txt"
  echo "bazel_smoke: bazel test failed ($status)"
  exit 1
fi
logs=$ws/bazel-testlogs/plan_test
fail=0
total=0
for s in 1 2; do
  xml=$logs/shard_${s}_of_2/test.xml
  n=$(grep -o '<testcase ' "$xml" 2>/dev/null | wc -l)
  echo "shard $s/2: $n testcases in $(basename "$xml")"
  # Each shard ran part of the plan: 2 of the 4 entries, 3 tests each.
  [ "$n" -eq 6 ] || { echo "bazel_smoke: shard $s's test.xml is not livegui-batch's JUnit of 2 entries"; fail=1; }
  total=$((total + n))
  [ -s "$logs/shard_${s}_of_2/test.outputs/outputs.zip" ] || { echo "bazel_smoke: no undeclared outputs for shard $s"; fail=1; }
  if ! unzip -l "$logs/shard_${s}_of_2/test.outputs/outputs.zip" | grep -q "results-shard-${s}-of-2.json"; then
    echo "bazel_smoke: shard $s's results JSON is not in the undeclared outputs"; fail=1
  fi
done
grep "plan_test" "$work/bazel.txt" | tail -2
[ $fail -eq 0 ] && echo "bazel_smoke: passed ($total testcases over 2 shards)"
exit $fail
