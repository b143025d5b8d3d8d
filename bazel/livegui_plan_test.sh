#!/bin/sh
# The test script of livegui_plan_test (livegui_plan_test.bzl): runs
# livegui-batch on the plan. Bazel's TEST_* environment is read by
# livegui-batch itself (docs/ci.md); this script only finds the binary.
#   livegui_plan_test.sh [--livegui-batch PATH] PLAN.toml [livegui-batch options]
set -eu
batch=livegui-batch
if [ "${1:-}" = "--livegui-batch" ]; then
  batch=$2
  shift 2
  case $batch in /*) ;; *) batch=$PWD/$batch ;; esac
fi
if [ $# -lt 1 ]; then
  echo "livegui_plan_test.sh: give the plan file" >&2
  exit 2
fi
exec "$batch" "$@"
