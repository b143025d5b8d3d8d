#include "tests/e2e/e2e_support.hpp"

#include <cstdlib>
#include <fstream>
#include <regex>
#include <sstream>

#include "harness/subprocess.hpp"
#include "tests/support/batch_process.hpp"
#include "tests/support/test_paths.hpp"

namespace livegui::test_support {
namespace fs = std::filesystem;

std::string built(const std::string& relative) { return binary(relative).string(); }

std::string exe(const std::string& name) { return built("tests/e2e/" + name); }

BatchRun run_livegui_batch(const std::vector<std::string>& args, const fs::path& cwd,
                           const std::map<std::string, std::string>& env, std::chrono::seconds timeout) {
  const fs::path output = cwd / ("batch-output-" + std::to_string(std::rand()) + ".txt");
  BatchRun run;
  {
    BatchProcess batch(args, cwd, output, env);
    if (auto status = batch.wait(timeout)) {
      run.signaled = status->signaled;
      run.exit_code = shell_code(*status);
    }
    run.output = batch.output();
  }
  std::error_code ec;
  fs::remove(output, ec);
  return run;
}

std::string normalise(const std::string& text, const fs::path& temp_dir) {
  std::string out = text;
  auto replace_all = [&](const std::string& from, const std::string& to) {
    if (from.empty()) return;
    for (std::size_t pos = out.find(from); pos != std::string::npos; pos = out.find(from, pos + to.size()))
      out.replace(pos, from.size(), to);
  };
  replace_all(temp_dir.string(), "<TMP>");
  replace_all(binary("").lexically_normal().string(), "<BUILD>/");
  replace_all(fs::path(LIVEGUI_BUILD_DIR).string(), "<BUILD>");
  replace_all(fs::path(LIVEGUI_SOURCE_DIR).string(), "<SRC>");
  static const std::pair<std::regex, const char*> rules[] = {
      // A source path as the compiler was given it: absolute, or relative to
      // the build directory when ccache's base_dir rewrote it ("../tests/…").
      {std::regex(R"((?:\.\./)+(tests/))"), "$1"},
      {std::regex(R"(\d+ min \d+ s)"), "<T>"},
      {std::regex(R"(\b\d+(\.\d+)? (ms|s)\b)"), "<T>"},
      {std::regex(R"(\bpid \d+)"), "pid <PID>"},
      {std::regex(R"(stacks-\d+\.txt)"), "stacks-<PID>.txt"},
      {std::regex(R"(\.corrupt-\d{8}T\d{6}\.\d{3})"), ".corrupt-<TS>"},
      {std::regex(R"(batch-output-\d+\.txt)"), "batch-output.txt"},
      {std::regex(R"( {2,})"), " "},
      {std::regex(R"( +\n)"), "\n"},
  };
  for (const auto& [re, to] : rules) out = std::regex_replace(out, re, to);
  return out;
}

std::string compare_golden(const std::string& name, const std::string& normalised) {
  fs::path file = source("tests/e2e/golden/" + name + ".txt");
  const char* update = std::getenv("LIVEGUI_UPDATE_GOLDEN");
  if (update && std::string(update) == "1") {
    std::ofstream(file, std::ios::binary) << normalised;
    return {};
  }
  std::string expected = read_text(file);
  if (expected == normalised) return {};
  // Point at the first differing line.
  std::istringstream a(expected), b(normalised);
  std::string la, lb;
  int line = 0;
  while (true) {
    ++line;
    bool ga = static_cast<bool>(std::getline(a, la));
    bool gb = static_cast<bool>(std::getline(b, lb));
    if (!ga && !gb) break;
    if (!ga || !gb || la != lb)
      return "golden " + file.string() + " differs at line " + std::to_string(line) +
             ":\n  expected: " + (ga ? la : "<end>") + "\n  actual:   " + (gb ? lb : "<end>") +
             "\n(rerun with LIVEGUI_UPDATE_GOLDEN=1 to accept)\nfull actual output:\n" + normalised;
  }
  return "golden " + file.string() + " differs";
}

bool xml_is_balanced(const std::string& xml, std::string* why) {
  std::vector<std::string> stack;
  bool root_seen = false;
  for (std::size_t i = xml.find('<'); i != std::string::npos; i = xml.find('<', i + 1)) {
    auto end = xml.find('>', i);
    if (end == std::string::npos) {
      if (why) *why = "unterminated tag";
      return false;
    }
    std::string tag = xml.substr(i + 1, end - i - 1);
    if (tag.empty()) continue;
    if (tag[0] == '?' || tag[0] == '!') continue;
    if (tag[0] == '/') {
      std::string name = tag.substr(1);
      if (stack.empty() || stack.back() != name) {
        if (why) *why = "closing </" + name + "> does not match";
        return false;
      }
      stack.pop_back();
      continue;
    }
    if (stack.empty()) {
      if (root_seen) {
        if (why) *why = "more than one root element";
        return false;
      }
      root_seen = true;
    }
    if (tag.back() == '/') continue;
    stack.push_back(tag.substr(0, tag.find_first_of(" \t\n")));
  }
  if (!stack.empty()) {
    if (why) *why = "<" + stack.back() + "> is never closed";
    return false;
  }
  return root_seen;
}

const nlohmann::json* find_entry(const nlohmann::json& results, const std::string& name) {
  for (const auto& e : results["entries"])
    if (e["name"] == name) return &e;
  return nullptr;
}

const nlohmann::json* find_test(const nlohmann::json& entry, const std::string& name) {
  for (const auto& t : entry["tests"])
    if (t["name"] == name) return &t;
  return nullptr;
}

}  // namespace livegui::test_support
