#pragma once
// ${VAR} / ${VAR:-default} substitution and glob expansion for plan paths.

#include <filesystem>
#include <functional>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

namespace livegui::batch {

/// Substitution failed; what() names the variable.
class ExpandError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

/// Looks a variable up; std::nullopt when unset.
using VariableLookup = std::function<std::optional<std::string>(const std::string&)>;

/// The process environment as a VariableLookup.
VariableLookup environment_lookup();

/// Replaces ${NAME} and ${NAME:-default}; "$$" is a literal "$". Throws
/// ExpandError for an unset variable without default or an unterminated "${".
std::string expand_variables(const std::string& text, const VariableLookup& lookup);

/// True when `pattern` has glob metacharacters (* ? [).
bool has_glob(const std::string& pattern);

/// Result of expanding one executable pattern.
struct GlobMatch {
  std::vector<std::filesystem::path> executables;  ///< regular executable files, sorted
  std::vector<std::filesystem::path> ignored;      ///< matches that are directories or not executable
};

/// Expands `pattern` (absolute, or relative to `base_dir`). Never throws.
GlobMatch expand_executables(const std::string& pattern, const std::filesystem::path& base_dir);

/// True for a regular file we may execute.
bool is_executable_file(const std::filesystem::path& p);

}  // namespace livegui::batch
