"""livegui_plan_test: a livegui-batch plan run as one Bazel test.

An sh_test around livegui-batch. Under `bazel test`, livegui-batch takes its
report directory, state directory, filter, JUnit file, shard and deadline from
Bazel's TEST_* variables (docs/ci.md), so the macro only passes the plan.

    livegui_plan_test(
        name = "gui_tests",
        plan = "plan.toml",
        data = [":test_workflow", "//app:sample_app"],
        shard_count = 2,
    )

Args:
  name: the test's name.
  plan: the plan file (a label); its relative paths resolve against its
    directory in the runfiles tree.
  data: the test executables, the AUT and anything else the plan names.
  livegui_batch: the livegui-batch binary (a label); by default the one on
    the execution host's PATH ("livegui-batch"), given as a string.
  args: more livegui-batch options (e.g. ["--aut-scope", "session"]).
  **kwargs: passed to sh_test (shard_count, size, timeout, tags, env, …).
"""

def livegui_plan_test(name, plan, data = [], livegui_batch = None, args = [], **kwargs):
    runner_data = [plan] + data
    runner_args = ["$(rootpath %s)" % plan]
    if livegui_batch:
        runner_data.append(livegui_batch)
        runner_args = ["--livegui-batch", "$(rootpath %s)" % livegui_batch] + runner_args
    native.sh_test(
        name = name,
        srcs = [Label("//bazel:livegui_plan_test.sh")],
        data = runner_data,
        args = runner_args + args,
        **kwargs
    )
