#include "common/aut_scope.hpp"

#include <gtest/gtest.h>

namespace livegui {
namespace {

TEST(AutScope, EachScopeReadsBackFromItsSpelling) {
  for (AutScope scope : {AutScope::File, AutScope::Session}) EXPECT_EQ(parse_aut_scope(to_string(scope)), scope);
  EXPECT_STREQ(to_string(AutScope::File), "file");
  EXPECT_STREQ(to_string(AutScope::Session), "session");
}

TEST(AutScope, AnythingElseIsNoScope) {
  for (const char* text : {"", "Session", "tier", "session ", "files"})
    EXPECT_EQ(parse_aut_scope(text), std::nullopt) << text;
}

}  // namespace
}  // namespace livegui
