#include "batcher/select/discovery.hpp"

#include <set>

#include <gtest/gtest.h>

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

}  // namespace
}  // namespace livegui::batch
