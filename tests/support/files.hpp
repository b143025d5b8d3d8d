#pragma once
// Reading what a test's subject wrote: whole files as text or JSON. The one
// place tests read files back (reports, logs, state files).

#include <filesystem>
#include <string>

#include <nlohmann/json.hpp>

namespace livegui::test_support {

/// The whole of `file`, bytes as they are; "" when it is missing or unreadable.
std::string read_text(const std::filesystem::path& file);

/// `file` parsed as JSON; a null value when it is missing, empty or not JSON
/// (never throws: the caller's assertion says what was expected).
nlohmann::json read_json(const std::filesystem::path& file);

}  // namespace livegui::test_support
