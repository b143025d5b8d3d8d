#!/usr/bin/env bash
# Builds what the demo needs (installing missing Debian packages): the
# libraries, livegui-batch, livegui-aut, the sample app and the demo's test binaries — the
# CMake target livegui_demo, not the test suite, fuzz replays or benchmarks
# (tools/test.sh builds those) — and runs the demo: three
# tiers of real GoogleTest files against sample_app, where one live-GUI file
# breaks the shared AUT and the next one still passes on a fresh AUT; then
# the same story in pytest (examples/pytest_demo).
#
#   tools/demo.sh [extra livegui-batch options…]
#
# Exit code 0 when everything behaved as expected (the plan's intentional
# failures included); non-zero on a real regression.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
export LIVEGUI_BUILD_DIR="$here/build"
echo "demo: building only what the demo needs (target livegui_demo: libraries, livegui-batch, livegui-aut, sample_app, examples/demo); tools/test.sh builds the rest"
"$here/tools/setup.sh" --build-dir "$LIVEGUI_BUILD_DIR" --target livegui_demo
report_dir="$LIVEGUI_BUILD_DIR/demo-report"
state_dir="$LIVEGUI_BUILD_DIR/demo-state"
echo
echo "== livegui demo: livegui-batch examples/demo/demo.toml --aut-scope session"
status=0
"$LIVEGUI_BUILD_DIR/batcher/livegui-batch" "$here/examples/demo/demo.toml" \
  --aut-scope session --report-dir "$report_dir" --state-dir "$state_dir" "$@" || status=$?

# The same story in pytest (examples/pytest_demo, docs/pytest.md).
echo
echo "== livegui pytest demo: livegui-batch examples/pytest_demo/pytest_demo.toml --aut-scope session"
LIVEGUI_SOURCE_DIR="$here" "$LIVEGUI_BUILD_DIR/batcher/livegui-batch" "$here/examples/pytest_demo/pytest_demo.toml" \
  --aut-scope session --report-dir "$LIVEGUI_BUILD_DIR/pytest-demo-report" \
  --state-dir "$LIVEGUI_BUILD_DIR/pytest-demo-state" "$@" || status=$?
exit "$status"
