#include "batcher/run/report_formats.hpp"

#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <fstream>

#include <nlohmann/json.hpp>

#include "batcher/reproduce.hpp"
#include "batcher/run/junit_results.hpp"
#include "batcher/run/pytest_results.hpp"
#include "batcher/run/python_stacks.hpp"
#include "common/atomic_file.hpp"
#include "common/environment.hpp"
#include "common/text.hpp"

namespace livegui::batch {
namespace {

constexpr const char* kJunitPlaceholder = "{junit}";

bool any_arg_contains(const std::vector<std::string>& args, const std::string& needle) {
  return std::any_of(args.begin(), args.end(),
                     [&](const std::string& a) { return a.find(needle) != std::string::npos; });
}

/// The livegui-aut that came with this livegui-batch: installed side by side
/// (bin/), or in the build tree (batcher/ and harness/). Empty when neither.
std::filesystem::path bundled_livegui_aut() {
  std::error_code ec;
  auto self = std::filesystem::read_symlink("/proc/self/exe", ec);
  if (ec) return {};
  for (const auto& candidate :
       {self.parent_path() / "livegui-aut", self.parent_path().parent_path() / "harness" / "livegui-aut"})
    if (::access(candidate.c_str(), X_OK) == 0) return candidate;
  return {};
}

}  // namespace

RunByHandNeeds run_by_hand_needs(EntryFormat format, const std::vector<std::string>& args,
                                 const std::map<std::string, std::string>& env) {
  RunByHandNeeds needs;
  if (format != EntryFormat::Pytest) return needs;
  // The plugin's live_gui fixture supervises the AUT through livegui-aut: the one of this livegui.
  if (!env.count(env::kAutBin)) {
    if (const char* set = std::getenv(env::kAutBin); set && *set) {
      needs.env[env::kAutBin] = set;
    } else {
      static const std::filesystem::path aut = bundled_livegui_aut();
      if (!aut.empty()) needs.env[env::kAutBin] = aut.string();
    }
  }
  if (!any_arg_contains(args, "livegui_pytest")) needs.args = {"-p", "livegui_pytest"};
  return needs;
}

bool substitute_junit_placeholder(std::vector<std::string>& args, const std::string& path) {
  bool placeholder = false;
  const std::string token = kJunitPlaceholder;
  for (auto& arg : args)
    for (auto pos = arg.find(token); pos != std::string::npos; pos = arg.find(token, pos)) {
      arg.replace(pos, token.size(), path);
      pos += path.size();
      placeholder = true;
    }
  return placeholder;
}

std::vector<std::string> by_hand_args(EntryFormat format, const std::vector<std::string>& args,
                                      const std::map<std::string, std::string>& env, const std::string& cwd,
                                      const std::string& junit_by_hand, const std::string& pytest_test) {
  std::vector<std::string> out =
      format == EntryFormat::Pytest && !pytest_test.empty() ? pytest_args_selecting(args, pytest_test, cwd) : args;
  if (reads_junit(format)) substitute_junit_placeholder(out, junit_by_hand);
  auto needs = run_by_hand_needs(format, out, env);
  out.insert(out.end(), needs.args.begin(), needs.args.end());
  return out;
}

ReportFiles prepare_report_attempt(EntryFormat format, SpawnOptions& spawn, const std::filesystem::path& log_dir,
                                   const std::string& stem, const std::vector<std::string>& decided,
                                   const std::vector<std::string>& selected) {
  ReportFiles files;
  files.junit = log_dir / (stem + ".junit.xml");
  spawn.env_set[env::kJunitFile] = files.junit.string();
  bool placeholder = substitute_junit_placeholder(spawn.args, files.junit.string());
  if (format != EntryFormat::Pytest) return files;
  files.events = log_dir / (stem + ".events.jsonl");
  for (std::size_t i = 0; i < spawn.args.size(); ++i) {
    const std::string& a = spawn.args[i];
    if (a.rfind("--junit-prefix=", 0) == 0) files.junit_prefix = a.substr(std::string("--junit-prefix=").size());
    if (a == "--junit-prefix" && i + 1 < spawn.args.size()) files.junit_prefix = spawn.args[i + 1];
  }
  spawn.env_set[env::kEventsFile] = files.events.string();
  files.python_stacks = log_dir / (stem + ".python-stacks.txt");
  spawn.env_set[env::kPythonStacksFile] = files.python_stacks.string();
  if (!placeholder && !any_arg_contains(spawn.args, "--junitxml") && !any_arg_contains(spawn.args, "--junit-xml"))
    spawn.args.push_back("--junitxml=" + files.junit.string());
  auto needs = run_by_hand_needs(format, spawn.args, spawn.env_set);
  for (auto& [k, v] : needs.env) spawn.env_set[k] = v;
  spawn.args.insert(spawn.args.end(), needs.args.begin(), needs.args.end());
  for (const auto& t : decided)
    if (!t.empty()) files.deselected.push_back(t);
  if (!files.deselected.empty()) {
    files.deselect = log_dir / (stem + ".deselect.json");
    write_file_atomically(files.deselect, nlohmann::json(files.deselected).dump() + "\n");
    spawn.env_set[env::kDeselectFile] = files.deselect.string();
  }
  if (!selected.empty()) {
    files.selected = selected;
    files.select = log_dir / (stem + ".select.json");
    write_file_atomically(files.select, nlohmann::json(selected).dump() + "\n");
    spawn.env_set[env::kSelectFile] = files.select.string();
  }
  return files;
}

namespace {

/// The last non-empty line of the attempt's output, bounded (a line of 200 MB
/// is not quoted whole); "" without one.
std::string last_output_line(const std::filesystem::path& output_log) {
  if (output_log.empty()) return "";
  std::string line = tail_file(output_log, 1, 4 * 1024);
  while (!line.empty() && (line.back() == '\n' || line.back() == '\r' || line.back() == ' ')) line.pop_back();
  if (auto nl = line.rfind('\n'); nl != std::string::npos) line.erase(0, nl + 1);
  constexpr std::size_t kMax = 300;
  if (line.size() > kMax) {
    std::size_t cut = kMax;
    while (cut > 0 && (static_cast<unsigned char>(line[cut]) & 0xC0) == 0x80) --cut;  // not inside a UTF-8 character
    line = line.substr(0, cut) + "…";
  }
  return line;
}

}  // namespace

AttemptOutcome read_report_attempt(EntryFormat format, const ReportFiles& files, const std::string& entry_name,
                                   const ExitStatus& status, StopCause stopped_for, std::chrono::milliseconds timeout,
                                   const std::string& interrupt_signal, int attempt,
                                   std::chrono::milliseconds test_timeout, const std::filesystem::path& output_log) {
  if (format == EntryFormat::Pytest) {
    PytestEvidence ev;
    ev.entry_name = entry_name;
    ev.events = read_test_events(files.events);
    ev.report = read_junit_xml(files.junit);
    ev.report_file = files.junit.string();
    ev.status = status;
    ev.stopped_for = stopped_for;
    ev.timeout = timeout;
    ev.test_timeout = test_timeout;
    ev.interrupt_signal = interrupt_signal;
    ev.attempt = attempt;
    ev.junit_prefix = files.junit_prefix;
    ev.selected = files.selected;
    ev.output_last_line = last_output_line(output_log);
    if (!output_log.empty()) {
      // pytest's own words at a usage error come first in its output.
      std::ifstream in(output_log, std::ios::binary);
      ev.output_head.resize(16 * 1024);
      in.read(ev.output_head.data(), static_cast<std::streamsize>(ev.output_head.size()));
      ev.output_head.resize(static_cast<std::size_t>(std::max<std::streamsize>(in.gcount(), 0)));
    }
    return interpret_pytest_attempt(ev);
  }
  JunitEvidence ev;
  ev.entry_name = entry_name;
  ev.report = read_junit_xml(files.junit);
  ev.report_file = files.junit.string();
  ev.status = status;
  ev.stopped_for = stopped_for;
  ev.timeout = timeout;
  ev.interrupt_signal = interrupt_signal;
  ev.attempt = attempt;
  ev.output_last_line = last_output_line(output_log);
  return interpret_junit_attempt(ev);
}

}  // namespace livegui::batch
