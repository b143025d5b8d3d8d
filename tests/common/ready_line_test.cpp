#include "common/ready_line.hpp"

#include <gtest/gtest.h>

namespace livegui {
namespace {

TEST(ReadyLine, DecodesPortPidAndProtocol) {
  auto r = parse_ready_line("LIVEGUI_HOOK_READY port=40123 pid=4121 protocol=1");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->port, 40123);
  EXPECT_EQ(r->pid, 4121);
  EXPECT_EQ(r->protocol, 1);
}

TEST(ReadyLine, UnknownKeysAndMalformedValuesAreIgnored) {
  auto r = parse_ready_line("LIVEGUI_HOOK_READY future=x port=80 pid=12ab extra");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->port, 80);
  EXPECT_EQ(r->pid, 0);
}

TEST(ReadyLine, ALineThatIsNotOneIsRefused) {
  EXPECT_FALSE(parse_ready_line("LIVEGUI_HOOK_READY"));
  EXPECT_FALSE(parse_ready_line(" LIVEGUI_HOOK_READY port=1"));
  EXPECT_FALSE(parse_ready_line("LIVEGUI_HOOK_READYport=1"));
  EXPECT_FALSE(parse_ready_line("LIVEGUI_HOOK_READY port=0"));
  EXPECT_FALSE(parse_ready_line("LIVEGUI_HOOK_READY port=70000"));
  EXPECT_FALSE(parse_ready_line("log: LIVEGUI_HOOK_READY port=1"));
}

TEST(ReadyLine, FoundAmongOtherLinesOnlyWhenComplete) {
  auto r = find_ready_line("starting\nLIVEGUI_HOOK_READY port=4000 pid=501 protocol=1\nframe 1\n");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->pid, 501);
  EXPECT_FALSE(find_ready_line("starting\nLIVEGUI_HOOK_READY port=4000"));  // no newline yet
  EXPECT_FALSE(find_ready_line("nothing here\n"));
}

}  // namespace
}  // namespace livegui
