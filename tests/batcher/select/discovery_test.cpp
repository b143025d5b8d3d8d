#include "batcher/select/discovery.hpp"

#include <fstream>
#include <set>

#include <gtest/gtest.h>

#include "tests/support/temp_dir.hpp"

namespace livegui::batch {
namespace {

TEST(BatcherDiscovery, FileNamesAreUniquePerNameAndStable) {
  // Plain names keep their readable form.
  EXPECT_EQ(safe_file_name("default/e2e_hang"), "default__e2e_hang");
  EXPECT_EQ(safe_file_name("live/test_x/Suite"), "live__test_x__Suite");
  // Names that map to one file name get a stable hash each.
  std::string paren = safe_file_name("unit/smoke (fast)");
  std::string bracket = safe_file_name("unit/smoke [fast]");
  EXPECT_NE(paren, bracket);
  EXPECT_EQ(paren.rfind("unit__smoke__fast_-", 0), 0u) << paren;
  EXPECT_EQ(paren, safe_file_name("unit/smoke (fast)"));
  // "/" becomes "__", so names that already hold "__" or "_/" are told apart too.
  std::set<std::string> names;
  for (const char* id : {"a/b__c", "a__b/c", "a_/b", "a/_b", "a/b_c", "t/..", "t/."}) names.insert(safe_file_name(id));
  EXPECT_EQ(names.size(), 7u);
  EXPECT_NE(safe_file_name(".."), "..");
}

TEST(BatcherDiscovery, AFailedListingSaysOnItsFirstLineWhereItsOutputIsAndItsLastLine) {
  // Trialm: a main() that exits 1 when listing (after printing its list)
  // gave the warning "listing … failed: exit code 1; last output:" and
  // nothing: the output followed on lines a one-line warning drops.
  test_support::TempDir dir{"listing-fails"};
  PlanEntry entry;
  entry.executable = "/bin/sh";
  entry.args = {"-c", "printf 'S.\\n  a\\n  b\\nran 0 of 6\\n'; exit 1", "sh"};
  const auto out = dir / "x.list.txt";
  try {
    list_gtest_tests(entry, out, std::chrono::seconds(30), -1);
    FAIL() << "a listing that exits 1 is an error";
  } catch (const std::runtime_error& e) {
    const std::string first = std::string(e.what()).substr(0, std::string(e.what()).find('\n'));
    EXPECT_NE(first.find("failed: exit code 1"), std::string::npos) << e.what();
    EXPECT_NE(first.find("its output is in " + out.string()), std::string::npos) << e.what();
    EXPECT_NE(first.find("its last line: ran 0 of 6"), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace livegui::batch
