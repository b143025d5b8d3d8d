#include "batcher/run/hang_forensics.hpp"

#include <algorithm>

#include "batcher/run/python_stacks.hpp"
#include "batcher/run/state_guard.hpp"
#include "batcher/run/unit_run.hpp"
#include "common/proc_info.hpp"
#include "harness/stack_capture.hpp"

namespace livegui::batch {
namespace {

/// How long the pytest process gets to write its Python stacks.
constexpr std::chrono::milliseconds kPythonStacksWait{2000};

}  // namespace

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
                               const std::filesystem::path& state_file, std::chrono::milliseconds budget,
                               const std::filesystem::path& python_stacks) {
  auto t0 = std::chrono::steady_clock::now();
  HangStacks out;
  // The interpreter answers from its own signal handler, which a debugger
  // attached to it would hold up: first.
  if (!python_stacks.empty())
    out.python = capture_python_stacks(python_stacks, binary_pid, artifact_dir, std::min(budget, kPythonStacksWait));
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
  if (stacks.binary.empty() && stacks.aut.empty() && stacks.python.empty()) return {};
  bool aut_first = stacks.aut_stalled && !stacks.aut.empty();
  run.attach_stacks(aut_first ? std::vector{stacks.aut, stacks.python, stacks.binary}
                              : std::vector{stacks.python, stacks.binary, stacks.aut});
  std::string files;
  for (const auto& f : {stacks.binary, stacks.aut})
    if (!f.empty()) files += (files.empty() ? "" : " and ") + f.string();
  if (!stacks.python.empty())
    files += (files.empty() ? "" : "; ") + std::string("its Python stacks: ") + stacks.python.string();
  stacks = {};
  return entry_name + " ran out of time; stacks before it was stopped: " + files;
}

}  // namespace livegui::batch
