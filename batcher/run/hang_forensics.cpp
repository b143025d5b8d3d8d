#include "batcher/run/hang_forensics.hpp"

#include "batcher/run/state_guard.hpp"
#include "batcher/run/unit_run.hpp"
#include "common/proc_info.hpp"
#include "harness/stack_capture.hpp"

namespace livegui::batch {

std::string stacks_in_message(const std::string& message) {
  static const std::string kKey = "; stacks: ";
  auto at = message.find(kKey);
  if (at == std::string::npos) return {};
  auto start = at + kKey.size();
  auto end = message.find_first_of(";\n", start);
  std::string path = message.substr(start, end == std::string::npos ? std::string::npos : end - start);
  while (!path.empty() && path.back() == ' ') path.pop_back();
  return path;
}

HangStacks capture_hang_stacks(pid_t binary_pid, const std::filesystem::path& artifact_dir,
                               const std::filesystem::path& state_file, std::chrono::milliseconds budget) {
  auto t0 = std::chrono::steady_clock::now();
  HangStacks out;
  StackCaptureOptions o;
  o.dir = artifact_dir;
  o.budget = budget;
  o.title = "test binary pid " + std::to_string(binary_pid) + " ran out of time";
  out.binary = capture_stacks(binary_pid, o).file;
  if (!state_file.empty()) {
    StateSnapshot snap = read_snapshot(state_file);
    if (snap.state && snap.state->aut && is_same_process(snap.state->aut->pid, snap.state->aut->start_time)) {
      const AutRecord& aut = *snap.state->aut;
      out.aut_stalled = snap.state->status == AutStatus::Degraded;
      StackCaptureOptions a = o;
      a.hook_port = aut.port;  // no token here: an app that wants one answers 401, and a debugger reads it instead
      a.title = "AUT pid " + std::to_string(aut.pid) + (out.aut_stalled ? " (recorded degraded)" : "") +
                " while its test binary (pid " + std::to_string(binary_pid) + ") ran out of time";
      out.aut = capture_stacks(aut.pid, a).file;
    }
  }
  out.took = std::chrono::steady_clock::now() - t0;
  return out;
}

std::string attach_hang_stacks(UnitRun& run, const std::string& entry_name, HangStacks& stacks) {
  if (stacks.binary.empty() && stacks.aut.empty()) return {};
  bool aut_first = stacks.aut_stalled && !stacks.aut.empty();
  run.attach_stacks(aut_first ? std::vector{stacks.aut, stacks.binary} : std::vector{stacks.binary, stacks.aut});
  std::string files = stacks.binary.string();
  if (!stacks.aut.empty()) files += (files.empty() ? "" : " and ") + stacks.aut.string();
  stacks = {};
  return entry_name + " ran out of time; stacks before it was stopped: " + files;
}

}  // namespace livegui::batch
