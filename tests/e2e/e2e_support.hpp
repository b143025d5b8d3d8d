#pragma once
// Running the real livegui-batch from a test: bounded, output captured to a
// file, environment controlled (plain output, no colour), and output
// normalised (durations, pids, paths, timestamps) for golden files.

#include <sys/types.h>

#include <chrono>
#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "tests/support/files.hpp"

namespace livegui::test_support {

struct BatchRun {
  int exit_code = -1;  ///< -1: did not finish in time (it was stopped)
  bool signaled = false;
  std::string output;  ///< stdout and stderr, in order
};

/// Path of a fixture or tool built in this tree.
std::string built(const std::string& relative);
/// Path of an e2e fixture binary: built("tests/e2e/" + name).
std::string exe(const std::string& name);

/// Runs livegui-batch with `args` in `cwd`, waits at most `timeout`.
BatchRun run_livegui_batch(const std::vector<std::string>& args, const std::filesystem::path& cwd,
                           const std::map<std::string, std::string>& env = {},
                           std::chrono::seconds timeout = std::chrono::seconds(120));

/// Replaces what changes from run to run: the temp dir, build and source
/// paths, durations, pids, timestamps; squeezes runs of spaces.
std::string normalise(const std::string& text, const std::filesystem::path& temp_dir);

/// Compares with tests/e2e/golden/<name>.txt; LIVEGUI_UPDATE_GOLDEN=1 rewrites it.
/// Returns an empty string when equal, else a description of the difference.
std::string compare_golden(const std::string& name, const std::string& normalised);

/// True when `xml` is well-formed enough for CI tools: one root, tags balanced.
bool xml_is_balanced(const std::string& xml, std::string* why = nullptr);

/// The entry called `name` in a parsed results.json, or nullptr.
const nlohmann::json* find_entry(const nlohmann::json& results, const std::string& name);
/// The test called `name` ("Suite.Test") of an entry of results.json, or nullptr.
const nlohmann::json* find_test(const nlohmann::json& entry, const std::string& name);

}  // namespace livegui::test_support
