#include "batcher/run/interrupt_signals.hpp"

#include <csignal>

#include <gtest/gtest.h>

namespace livegui::batch {
namespace {

TEST(BatcherInterruptSignals, TheFirstSignalStaysTheOneTheRunAnswersToWhateverFollows) {
  // Trial11f: a SIGHUP, then SIGINTs and SIGTERMs while the run ended: the
  // run exited 143 and named SIGTERM (the last one read), not SIGHUP.
  InterruptSignals signals;  // blocks them in this thread: raise() leaves them pending
  EXPECT_EQ(signals.first_signal(), 0);
  ASSERT_EQ(::raise(SIGHUP), 0);
  EXPECT_EQ(signals.drain(), 1);
  ASSERT_EQ(::raise(SIGTERM), 0);
  ASSERT_EQ(::raise(SIGINT), 0);
  EXPECT_EQ(signals.drain(), 3);
  EXPECT_EQ(signals.first_signal(), SIGHUP);
  EXPECT_EQ(signals.last_signal(), SIGTERM) << "signalfd reads pending signals lowest number first";
  EXPECT_EQ(signals.drain(), 3) << "nothing pending any more";
}

}  // namespace
}  // namespace livegui::batch
