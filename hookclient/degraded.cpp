// SubprocessDegraded: the one readable paragraph a user sees when the AUT
// cannot serve. Shape (fields appear only when known):
//   subprocess degraded: AUT pid 4121 stopped advancing frames 1.2 s ago (last
//   frame 5312) while waiting for "project switched to 'demo'"; app reports:
//   "io pool shut down: cannot schedule new work"; exit status: …; test: …;
//   AUT log: /path; stacks: /path/stacks-4121.txt
//     last log lines:
//       …

#include <cstdio>
#include <ostream>

#include "common/text.hpp"
#include "hookclient/hook_client.hpp"

namespace livegui {

std::string_view to_string(DegradedCause cause) {
  switch (cause) {
    case DegradedCause::Unknown: return "";
    case DegradedCause::StoppedAdvancingFrames: return "stopped advancing frames";
    case DegradedCause::ReportsDegraded: return "reports degraded";
    case DegradedCause::ProcessExited: return "process exited";
    case DegradedCause::Unreachable: return "unreachable";
  }
  return "";
}

std::ostream& operator<<(std::ostream& out, DegradedCause cause) {
  return out << (cause == DegradedCause::Unknown ? std::string_view("unknown") : to_string(cause));
}

namespace {

std::string age_text(std::chrono::milliseconds age) {
  char buf[48];
  if (age < std::chrono::seconds(1)) {
    std::snprintf(buf, sizeof buf, "%lld ms", static_cast<long long>(age.count()));
  } else if (age < std::chrono::minutes(1)) {
    std::snprintf(buf, sizeof buf, "%.1f s", static_cast<double>(age.count()) / 1000.0);
  } else {
    return human_duration(age);
  }
  return buf;
}

std::string quoted_join(const std::vector<std::string>& items) {
  std::string out;
  for (const auto& s : items) {
    if (!out.empty()) out += ", ";
    out += "\"" + s + "\"";
  }
  return out;
}

// "AUT pid 4121 <what happened>"
std::string headline(const DegradedInfo& info) {
  std::string who = info.pid > 0 ? "AUT pid " + std::to_string(info.pid) : std::string("AUT (pid unknown)");
  std::string frame = info.last_frame >= 0 ? "last frame " + std::to_string(info.last_frame) : std::string();
  if (info.cause == DegradedCause::StoppedAdvancingFrames) {
    std::string s = who + " stopped advancing frames " + age_text(info.frame_age) + " ago";
    if (!frame.empty()) s += " (" + frame + ")";
    return s;
  }
  std::string what;
  if (info.cause == DegradedCause::ReportsDegraded) {
    what = who + " reports itself degraded";
  } else if (info.cause == DegradedCause::ProcessExited) {
    what = who + " exited";
    if (!info.exit_status.empty()) what += " (" + info.exit_status + ")";
  } else if (info.cause == DegradedCause::Unreachable) {
    what = who + " stopped answering its hook server";
  } else {
    what = who + " is degraded";
  }
  return what;
}

}  // namespace

std::string SubprocessDegraded::format(const DegradedInfo& info) {
  std::string out = "subprocess degraded: " + headline(info);
  if (!info.awaiting.empty()) {
    out += " while waiting for \"" + info.awaiting + "\"";
  } else if (!info.request.empty()) {
    out += " during " + info.request;
  }
  if (info.cause != DegradedCause::StoppedAdvancingFrames && info.last_frame >= 0)
    out += "; last frame " + std::to_string(info.last_frame) + " (advanced " + age_text(info.frame_age) + " before)";
  if (!info.app_reasons.empty())
    out += "; app reports: " + quoted_join(info.app_reasons);
  else if (!info.app_status.empty())
    out += "; app reports: status \"" + info.app_status + "\"";
  if (!info.detail.empty()) out += "; " + info.detail;
  if (!info.exit_status.empty() && info.cause != DegradedCause::ProcessExited)
    out += "; exit status: " + info.exit_status;
  if (!info.current_test.empty()) out += "; test: " + info.current_test;
  if (!info.left_stalled_by.empty())
    out += "; the AUT was left stalled by " + info.left_stalled_by + " (the last test that used the AUT before the stall was found)";
  if (!info.log_file.empty()) out += "; AUT log: " + info.log_file;
  if (!info.stacks_file.empty()) out += "; stacks: " + info.stacks_file;
  if (!info.log_tail.empty()) {
    std::string tail = info.log_tail;
    while (!tail.empty() && tail.back() == '\n') tail.pop_back();
    out += "\n  last log lines:\n" + indent(tail, "    ");
  }
  return out;
}

SubprocessDegraded::SubprocessDegraded(DegradedInfo info) : HookError(format(info)), info_(std::move(info)) {}

}  // namespace livegui
