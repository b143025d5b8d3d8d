#include "batcher/bazel_test_env.hpp"

#include <map>

#include <gtest/gtest.h>

namespace livegui::batch {
namespace {

using namespace std::chrono_literals;

std::map<std::string, std::string> g_env;
std::optional<std::string> get(const char* name) {
  auto it = g_env.find(name);
  return it == g_env.end() ? std::nullopt : std::optional<std::string>(it->second);
}

TEST(BazelTestEnv, ReadsTheEncyclopediaVariables) {
  g_env = {{"TEST_UNDECLARED_OUTPUTS_DIR", "/out"},
           {"TEST_TMPDIR", "/tmp/t"},
           {"TESTBRIDGE_TEST_ONLY", "Suite\\.A"},
           {"XML_OUTPUT_FILE", "/out/test.xml"},
           {"TEST_PREMATURE_EXIT_FILE", "/tmp/t/premature"},
           {"TEST_INFRASTRUCTURE_FAILURE_FILE", "/tmp/t/infra"},
           {"TEST_TIMEOUT", "300"}};
  BazelTestEnv b = read_bazel_test_env(get);
  EXPECT_TRUE(b.any());
  EXPECT_EQ(b.undeclared_outputs_dir, "/out");
  EXPECT_EQ(b.tmpdir, "/tmp/t");
  EXPECT_EQ(b.test_only, "Suite\\.A");
  EXPECT_EQ(b.xml_output_file, "/out/test.xml");
  EXPECT_EQ(b.premature_exit_file, "/tmp/t/premature");
  EXPECT_EQ(b.infrastructure_failure_file, "/tmp/t/infra");
  EXPECT_EQ(b.test_timeout, 300s);
}

TEST(BazelTestEnv, NothingSetChangesNothing) {
  g_env = {};
  EXPECT_FALSE(read_bazel_test_env(get).any());
  g_env = {{"TEST_TIMEOUT", "soon"}};
  EXPECT_FALSE(read_bazel_test_env(get).test_timeout) << "a malformed TEST_TIMEOUT is ignored";
}

TEST(BazelTestEnv, TheDeadlineLeavesTimeToStopAndReport) {
  EXPECT_EQ(deadline_margin(300s, 5s), 7s) << "the stop budget plus 2 s";
  EXPECT_EQ(deadline_margin(60s, 0s), 2s);
  EXPECT_EQ(deadline_margin(6s, 5s), 2s) << "never more than a third of the timeout";
}

}  // namespace
}  // namespace livegui::batch
