#include "common/text.hpp"

#include <gtest/gtest.h>

namespace livegui {
namespace {

TEST(Join, PutsTheSeparatorOnlyBetweenParts) {
  EXPECT_EQ(join({}, ", "), "");
  EXPECT_EQ(join({"a"}, ", "), "a");
  EXPECT_EQ(join({"a", "b", "c"}, ", "), "a, b, c");
  EXPECT_EQ(join({"", ""}, "|"), "|");
}

TEST(TailLines, KeepsTheLastLinesWithoutTheFinalNewline) {
  EXPECT_EQ(tail_lines("a\nb\nc\n", 2), "b\nc");
  EXPECT_EQ(tail_lines("a\nb\nc", 5), "a\nb\nc");
  EXPECT_EQ(tail_lines("a\nb\n", 0), "");
}

TEST(Indent, PrefixesEveryLine) { EXPECT_EQ(indent("a\nb\n", "  "), "  a\n  b\n"); }

TEST(PercentEncode, KeepsOnlyTheUnreservedSetAndWhatTheCallerAllows) {
  EXPECT_EQ(percent_encode("Az09-._~"), "Az09-._~");
  EXPECT_EQ(percent_encode("a b/c?d=%"), "a%20b%2Fc%3Fd%3D%25");
  EXPECT_EQ(percent_encode("a b/c", "/"), "a%20b/c");
  EXPECT_EQ(percent_encode("\xc3\xa9"), "%C3%A9");  // UTF-8 bytes, one by one
  EXPECT_EQ(percent_encode(std::string_view("a\0b", 3), "/"), "a%00b");
}

TEST(SignalName, NamesKnownSignalsAndNumbersTheRest) {
  EXPECT_EQ(signal_name(SIGSEGV), "SIGSEGV");
  EXPECT_EQ(signal_name(42), "signal 42");
}

}  // namespace
}  // namespace livegui
