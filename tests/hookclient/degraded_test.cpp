#include <gtest/gtest.h>

#include "hookclient/hook_client.hpp"

namespace livegui {
namespace {

using namespace std::chrono_literals;

DegradedInfo stalled() {
  DegradedInfo info;
  info.pid = 4121;
  info.cause = DegradedCause::StoppedAdvancingFrames;
  info.frame_age = 1200ms;
  info.last_frame = 5312;
  info.awaiting = "project switched to 'demo'";
  info.app_reasons = {"io pool shut down: cannot schedule new work"};
  return info;
}

TEST(SubprocessDegraded, FormatsTheIssueExample) {
  EXPECT_EQ(SubprocessDegraded::format(stalled()),
            "subprocess degraded: AUT pid 4121 stopped advancing frames 1.2 s ago (last frame 5312) while waiting "
            "for \"project switched to 'demo'\"; app reports: \"io pool shut down: cannot schedule new work\"");
}

TEST(SubprocessDegraded, AddsHarnessContextAndAnIndentedLogTail) {
  DegradedInfo info = stalled();
  info.exit_status = "killed by SIGKILL";
  info.current_test = "LiveWorkflow.FullWorkflow";
  info.log_file = "/tmp/livegui/aut-3.log";
  info.log_tail = "frame 5311\nframe 5312\n";
  SubprocessDegraded e(info);
  EXPECT_EQ(std::string(e.what()),
            "subprocess degraded: AUT pid 4121 stopped advancing frames 1.2 s ago (last frame 5312) while waiting "
            "for \"project switched to 'demo'\"; app reports: \"io pool shut down: cannot schedule new work\"; "
            "exit status: killed by SIGKILL; test: LiveWorkflow.FullWorkflow; AUT log: /tmp/livegui/aut-3.log\n"
            "  last log lines:\n"
            "    frame 5311\n"
            "    frame 5312");
  EXPECT_EQ(e.info().pid, 4121);
}

TEST(SubprocessDegraded, NamesEachCause) {
  DegradedInfo info;
  info.pid = 7;
  info.last_frame = 40;
  info.frame_age = 30ms;
  info.cause = DegradedCause::ProcessExited;
  info.exit_status = "killed by SIGABRT";
  info.awaiting = "x";
  EXPECT_EQ(SubprocessDegraded::format(info),
            "subprocess degraded: AUT pid 7 exited (killed by SIGABRT) while waiting for \"x\"; last frame 40 "
            "(advanced 30 ms before)");
  info.cause = DegradedCause::Unreachable;
  info.exit_status.clear();
  info.detail = "GET /health to 127.0.0.1:1 failed";
  info.awaiting.clear();
  info.request = "click on 'new_project'";
  EXPECT_EQ(SubprocessDegraded::format(info),
            "subprocess degraded: AUT pid 7 stopped answering its hook server during click on 'new_project'; last "
            "frame 40 (advanced 30 ms before); GET /health to 127.0.0.1:1 failed");
  DegradedInfo unknown;
  unknown.cause = DegradedCause::ReportsDegraded;
  EXPECT_EQ(SubprocessDegraded::format(unknown), "subprocess degraded: AUT (pid unknown) reports itself degraded");
}

}  // namespace
}  // namespace livegui
