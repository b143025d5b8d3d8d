// The one place "[BATCH-WARN] " is added: messages are kept without it and
// shown with it, so no caller cuts it off again.
#include "batcher/warning.hpp"

#include <gtest/gtest.h>

namespace livegui::batch {
namespace {

TEST(BatchWarning, ALineIsThePrefixAndTheMessage) {
  EXPECT_EQ(warn_line("live_gui: test_a left the AUT (pid 4121) dead — SIGABRT."),
            "[BATCH-WARN] live_gui: test_a left the AUT (pid 4121) dead — SIGABRT.");
  EXPECT_EQ(warn_line("").size(), kWarnPrefix.size());
}

TEST(BatchWarning, AnEntrysWarningIsShownWithItsTierAndAFullStop) {
  EXPECT_EQ(entry_warn_line("smoke", "test_a left pid 4150 running after it ended (orphaned); stopped it"),
            "[BATCH-WARN] smoke: test_a left pid 4150 running after it ended (orphaned); stopped it.");
}

}  // namespace
}  // namespace livegui::batch
