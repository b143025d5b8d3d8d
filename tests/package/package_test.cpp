// The installed package, used the way docs/adopting.md tells adopters to:
// `cmake --install` this build to a temporary prefix, check what landed there
// (and that no build-tree path leaked into the CMake files), then configure,
// build and run tests/package/consumer/ against it — its test binary
// directly, its generated plan through the installed livegui-batch, and its
// CTest tests. Every command is bounded; nothing may be left running.
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "common/text.hpp"
#include "harness/subprocess.hpp"
#include "tests/support/files.hpp"
#include "tests/support/temp_dir.hpp"
#include "tests/support/test_paths.hpp"

namespace livegui::test_support {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;
using nlohmann::json;

struct CommandRun {
  int exit_code = -1;  ///< -1: did not finish in time (it was stopped)
  fs::path log;
  std::string output;
  std::string describe;  ///< the command line and its output tail, for failure messages
};

/// Runs `argv` in its own process group with output to `log`, for at most `timeout`.
CommandRun run(const std::vector<std::string>& argv, const fs::path& cwd, const fs::path& log,
               std::chrono::seconds timeout, const std::map<std::string, std::string>& env = {}) {
  SpawnOptions opt;
  opt.executable = argv.at(0);
  opt.args.assign(argv.begin() + 1, argv.end());
  opt.cwd = cwd;
  opt.output_file = log;
  // The consumer's runs must not inherit this test's sharding, filter or AUT.
  opt.env_unset = {"GTEST_TOTAL_SHARDS",
                   "GTEST_SHARD_INDEX",
                   "TEST_TOTAL_SHARDS",
                   "TEST_SHARD_INDEX",
                   "TEST_SHARD_STATUS_FILE",
                   "GTEST_FILTER",
                   "GTEST_OUTPUT",
                   "LIVEGUI_STATE_DIR",
                   "LIVEGUI_STATE_FILE",
                   "LIVEGUI_AUT_SPEC",
                   "LIVEGUI_AUT_SCOPE",
                   "LIVEGUI_LOG_DIR",
                   "LIVEGUI_BATCH_ENTRY",
                   "LIVEGUI_BATCH_ENTRY_NAME",
                   "LIVEGUI_ARTIFACT_DIR",
                   "SPDLOG_LEVEL",
                   "MAKEFLAGS"};
  opt.env_set = {{"NO_COLOR", "1"}, {"TERM", "dumb"}, {"CMAKE_BUILD_PARALLEL_LEVEL", "2"}};
  for (const auto& [k, v] : env) opt.env_set[k] = v;

  CommandRun r;
  r.log = log;
  std::string line;
  for (const auto& a : argv) line += (line.empty() ? "" : " ") + a;
  Subprocess child = Subprocess::spawn(opt);
  auto status = child.wait_for(timeout);
  if (status) {
    r.exit_code = status->signaled ? 128 + status->signal : status->code;
  } else {
    child.stop(2s, 2s);
  }
  r.output = read_text(log);
  r.describe = "$ " + line + "\n" +
               (status ? status->describe() : "did not finish within " + human_duration(timeout) + "; stopped") +
               "; last lines of " + log.string() + ":\n" + tail_lines(r.output, 60);
  return r;
}

bool contains(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

const json* find_by_name(const json& array, const std::string& name) {
  for (const auto& item : array)
    if (item["name"] == name) return &item;
  return nullptr;
}

TEST(Package, InstalledPackageBuildsAndRunsAConsumerProject) {
  TempDir dir("package");
  const fs::path prefix = dir / "prefix";
  const fs::path build = dir / "consumer-build";
  const fs::path cmake = LIVEGUI_CMAKE_COMMAND;

  // 1. Install this build.
  auto install =
      run({cmake, "--install", LIVEGUI_BUILD_DIR, "--prefix", prefix}, dir.path(), dir / "install.log", 120s);
  ASSERT_EQ(install.exit_code, 0) << install.describe;

  const fs::path cmake_dir = prefix / LIVEGUI_INSTALL_LIBDIR / "cmake/livegui";
  for (const fs::path& p :
       {prefix / "bin/livegui-batch", prefix / "bin/livegui-aut", prefix / "bin/livegui-sample-app",
        prefix / "lib/python3/dist-packages/livegui_pytest/__init__.py",
        prefix / "lib/python3/dist-packages/livegui_pytest/plugin.py", cmake_dir / "liveguiConfig.cmake",
        cmake_dir / "liveguiConfigVersion.cmake", cmake_dir / "liveguiTargets.cmake",
        cmake_dir / "LiveguiTesting.cmake", prefix / "include/livegui/harness/gtest_integration.hpp",
        prefix / "include/livegui/harness/app_handle.hpp", prefix / "include/livegui/hookclient/hook_client.hpp",
        prefix / "include/livegui/hookserver/hook_server.hpp", prefix / "include/livegui/common/log.hpp",
        prefix / LIVEGUI_INSTALL_LIBDIR / "liblivegui_harness.a",
        prefix / LIVEGUI_INSTALL_LIBDIR / "liblivegui_gtest.a"})
    EXPECT_TRUE(fs::exists(p)) << p << " was not installed\n" << install.describe;

  // The sample app the docs invite users to try is installed and runs.
  auto sample = run({prefix / "bin/livegui-sample-app", "--help"}, dir.path(), dir / "sample-app.log", 30s);
  EXPECT_EQ(sample.exit_code, 0) << sample.describe;
  EXPECT_TRUE(contains(sample.output, "--enable-faults")) << sample.describe;

  // The installed CMake files must not point back into this build or source tree.
  for (const auto& entry : fs::directory_iterator(cmake_dir)) {
    std::string text = read_text(entry.path());
    EXPECT_FALSE(contains(text, LIVEGUI_BUILD_DIR)) << entry.path() << " names the build tree " << LIVEGUI_BUILD_DIR;
    EXPECT_FALSE(contains(text, LIVEGUI_SOURCE_DIR)) << entry.path() << " names the source tree " << LIVEGUI_SOURCE_DIR;
  }
  if (HasFailure()) return;

  // 2. Configure and build the consumer against the prefix, as this build was built.
  std::vector<std::string> configure = {cmake,
                                        "-S",
                                        source("tests/package/consumer"),
                                        "-B",
                                        build,
                                        "-G",
                                        LIVEGUI_CMAKE_GENERATOR,
                                        "-DCMAKE_MAKE_PROGRAM=" LIVEGUI_CMAKE_MAKE_PROGRAM,
                                        "-DCMAKE_CXX_COMPILER=" LIVEGUI_CXX_COMPILER,
                                        "-DCMAKE_BUILD_TYPE=" LIVEGUI_BUILD_TYPE,
                                        "-DCMAKE_PREFIX_PATH=" + prefix.string(),
                                        "-DCMAKE_FIND_PACKAGE_NO_PACKAGE_REGISTRY=ON"};
  if (!std::string(LIVEGUI_CONSUMER_CXX_FLAGS).empty())
    configure.push_back("-DCMAKE_CXX_FLAGS=" LIVEGUI_CONSUMER_CXX_FLAGS);
  if (!std::string(LIVEGUI_CONSUMER_LINK_FLAGS).empty())
    configure.push_back("-DCMAKE_EXE_LINKER_FLAGS=" LIVEGUI_CONSUMER_LINK_FLAGS);
  auto configured = run(configure, dir.path(), dir / "configure.log", 180s);
  ASSERT_EQ(configured.exit_code, 0) << configured.describe;
  EXPECT_TRUE(contains(read_text(build / "CMakeCache.txt"), "livegui_DIR:PATH=" + cmake_dir.string()))
      << "the consumer did not find the package in " << cmake_dir;

  auto built = run({cmake, "--build", build, "--parallel", "2"}, dir.path(), dir / "build.log", 600s);
  ASSERT_EQ(built.exit_code, 0) << built.describe;

  const fs::path plan = build / "consumer-plan.toml";
  ASSERT_TRUE(fs::exists(plan)) << "livegui_add_live_test() generated no plan at " << plan;
  std::string plan_text = read_text(plan);
  EXPECT_TRUE(contains(plan_text, "xfail = [\"ConsumerLive.KnownBug\"]")) << plan_text;
  EXPECT_TRUE(contains(plan_text, (build / "consumer_app").string())) << plan_text;

  // 3. The test binary on its own (file scope, its own AUT).
  auto direct = run({build / "consumer_live_test", "--gtest_filter=-ConsumerLive.KnownBug"}, dir.path(),
                    dir / "direct.log", 120s, {{"LIVEGUI_STATE_FILE", (dir / "direct-state/aut-state.json").string()}});
  EXPECT_EQ(direct.exit_code, 0) << direct.describe;
  EXPECT_TRUE(contains(direct.output, "[  PASSED  ] 2 tests.")) << direct.describe;

  // 4. The generated plan through the installed livegui-batch.
  auto report = dir / "report";
  auto batch = run({prefix / "bin/livegui-batch", plan, "--report-dir", report, "--state-dir", dir / "batch-state"},
                   dir.path(), dir / "batch.log", 180s);
  EXPECT_EQ(batch.exit_code, 0) << batch.describe;
  if (fs::exists(report / "results.json")) {
    json results = json::parse(read_text(report / "results.json"));
    const json* entry = find_by_name(results["entries"], "consumer_live_test");
    ASSERT_NE(entry, nullptr) << batch.describe;
    EXPECT_EQ((*entry)["tier"], "live");
    EXPECT_EQ((*entry)["result"], "XFAIL") << (*entry)["reason"];
    for (const auto& [test, expected] :
         std::map<std::string, std::string>{{"ConsumerLive.ClickAndSet", "PASS"},
                                            {"ConsumerLive.WrongTypeIsAProtocolError", "PASS"},
                                            {"ConsumerLive.KnownBug", "XFAIL"}}) {
      const json* t = find_by_name((*entry)["tests"], test);
      ASSERT_NE(t, nullptr) << test << " missing\n" << batch.describe;
      EXPECT_EQ((*t)["result"], expected) << test;
    }
  } else {
    ADD_FAILURE() << "no results.json\n" << batch.describe;
  }

  // 5. Its CTest tests: the binary, and the plan in session scope (livegui_add_plan_test).
  auto ctest = run({LIVEGUI_CTEST_COMMAND, "--test-dir", build, "--output-on-failure", "--timeout", "120"}, dir.path(),
                   dir / "ctest.log", 300s);
  EXPECT_EQ(ctest.exit_code, 0) << ctest.describe;
  EXPECT_TRUE(contains(ctest.output, "100% tests passed, 0 tests failed out of 2")) << ctest.describe;

  EXPECT_TRUE(leftover_processes().empty()) << describe_pids(leftover_processes());
}

}  // namespace
}  // namespace livegui::test_support
