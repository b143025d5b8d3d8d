// The pytest options a format = "pytest" entry may not give (plan/pytest_args):
// those with which pytest runs no test, and those that disable a plugin the
// entry needs. plan_test.cpp checks that the plan reader refuses them at
// their element; here, which words are refused and why.
#include "batcher/plan/pytest_args.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace livegui::batch {
namespace {

using ::testing::HasSubstr;
using ::testing::StartsWith;

TEST(BatcherPytestArgs, CacheShowInEitherSpellingRunsNoTest) {
  EXPECT_THAT(refused_pytest_option("--cache-show"), StartsWith("pytest would only show its cache, not run the tests"));
  EXPECT_THAT(refused_pytest_option("--cache-show=cache/*"), StartsWith("pytest would only show its cache"));
  EXPECT_EQ(refused_pytest_option("--cache-clear"), "");  // it runs the tests
}

TEST(BatcherPytestArgs, DisablingTheLiveguiPluginOrTheJunitWriterIsRefused) {
  // "-p no:livegui_pytest" is two words: the second is refused wherever it stands.
  EXPECT_THAT(refused_pytest_option("no:livegui_pytest"), HasSubstr("disables the livegui_pytest plugin"));
  EXPECT_THAT(refused_pytest_option("-pno:livegui_pytest"), HasSubstr("disables the livegui_pytest plugin"));
  EXPECT_THAT(refused_pytest_option("no:junitxml"), HasSubstr("disables pytest's JUnit writer"));
  EXPECT_THAT(refused_pytest_option("-pno:junitxml"), HasSubstr("disables pytest's JUnit writer"));
  // Other plugins may go.
  EXPECT_EQ(refused_pytest_option("no:cacheprovider"), "");
  EXPECT_EQ(refused_pytest_option("-pno:randomly"), "");
  EXPECT_EQ(refused_pytest_option("-p"), "");
}

TEST(BatcherPytestArgs, AddoptsAreSplitAsPytestSplitsThem) {
  EXPECT_EQ(split_pytest_addopts("-q '--co' \"a b\" c\\ d"), (std::vector<std::string>{"-q", "--co", "a b", "c d"}));
}

}  // namespace
}  // namespace livegui::batch
