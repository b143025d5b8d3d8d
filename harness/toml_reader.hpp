#pragma once
// The one reader of livegui's TOML tables: a batch plan, its tiers' `aut`
// tables, a LIVEGUI_AUT_SPEC file. Values are read field by field into typed
// values; every error names the user's file:line:column and the field's path
// ("tiers[0].entries[2].timeout"); every duration is written as
// common/duration.hpp reads it ("500ms", "1s", "2min"), with the deprecated
// spellings of earlier releases accepted with a note (DurationRule).

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <map>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

namespace toml {
inline namespace v3 {
class node;
class table;
}  // namespace v3
}  // namespace toml

namespace livegui {

/// Where a TOML value was written: the user's file, 1-based line and column.
struct TomlPosition {
  std::string file;  ///< as given to the parser; empty for a value built in code
  int line = 0;      ///< 0: unknown
  int column = 0;    ///< 0: unknown
  /// "plan.toml:7:13"; "plan.toml:7" when the column is unknown; just the
  /// file when the line is.
  std::string str() const;
};

/// A value in a TOML table cannot be used. what() is
/// "file:line:column: field: why" ("field: why" when no position is known,
/// "file:line:column: why" when no field is). The one shape of a
/// configuration error: PlanError and AppSpecError are kinds of it.
class TomlFieldError : public std::runtime_error {
 public:
  TomlFieldError(TomlPosition at, std::string field, std::string why);
  /// Where the bad value (or the table that lacks it) was written.
  const TomlPosition& at() const { return at_; }
  /// The field's path as the reader was told it ("tiers[0].timeout", "args[1]").
  const std::string& field() const { return field_; }
  /// Why, without the position and the field.
  const std::string& reason() const { return reason_; }

 protected:
  /// As above, with `unplaced` ("AUT spec") written where the position goes
  /// when the value was not read from a file (a spec built in code).
  TomlFieldError(TomlPosition at, std::string field, std::string why, const std::string& unplaced);

 private:
  TomlPosition at_;
  std::string field_;
  std::string reason_;
};

/// A value that is accepted but should be rewritten (a deprecated spelling),
/// with where it was written.
struct TomlNote {
  TomlPosition at;
  std::string field;  ///< its path, as in TomlFieldError::field()
  std::string text;   ///< "'term_grace_ms' is deprecated …: write term_grace = \"1s\""
  /// "plan.toml:7:1: 'term_grace_ms' is deprecated …"
  std::string str() const { return at.str() + ": " + text; }
};

/// What a duration field accepts besides "500ms"/"1s"/"2min".
struct DurationRule {
  std::chrono::milliseconds min{1};  ///< the smallest accepted (0ms: zero is allowed)
  /// The largest accepted; milliseconds::max(): no bound beyond the syntax's.
  std::chrono::milliseconds max = std::chrono::milliseconds::max();
  /// Also read `<key>_ms = 1500` (integer milliseconds; the AUT spec's old spelling).
  bool old_ms_field = false;
  /// Also read `<key> = 90` (a bare number of seconds; the plan's old spelling).
  bool old_bare_seconds = false;
};

/// Reads one TOML table. Every accessor returns std::nullopt for an absent
/// key and throws TomlFieldError for a value of the wrong type or range.
class TomlReader {
 public:
  /// `path`: the table's own field path, prefixed to every key in messages
  /// (empty: the document's top level). `file`: named in positions toml++
  /// did not record. `base_dir`: what relative paths are relative to.
  TomlReader(const toml::table& table, std::string path, std::string file, std::filesystem::path base_dir = {});

  /// Throws for the first key not in `known`, at the key, suggesting the
  /// nearest known name ("did you mean 'timeout'?").
  void refuse_unknown(const std::vector<std::string>& known) const;

  /// Where `node` was written (the table's position when toml++ has none).
  TomlPosition at(const toml::node& node) const;
  /// Where the table itself was written.
  TomlPosition here() const;
  /// `key`'s full path ("tiers[0].timeout").
  std::string field(const std::string& key) const;
  const toml::table& table() const { return table_; }
  /// The value at `key`; nullptr when absent.
  const toml::node* get(const std::string& key) const;
  /// Throws TomlFieldError at `node` (at the table when null) for `key`.
  [[noreturn]] void fail(const std::string& key, const toml::node* node, const std::string& why) const;

  std::optional<std::string> string(const std::string& key) const;
  std::optional<bool> boolean(const std::string& key) const;
  /// An integer in [min, max].
  std::optional<std::int64_t> integer(const std::string& key, std::int64_t min, std::int64_t max) const;
  std::optional<std::vector<std::string>> strings(const std::string& key) const;
  std::optional<std::map<std::string, std::string>> string_map(const std::string& key) const;
  /// "500ms", "1s", "2min" in [rule.min, rule.max]; the deprecated spellings
  /// `rule` allows add a TomlNote to `notes`.
  std::optional<std::chrono::milliseconds> duration(const std::string& key, const DurationRule& rule,
                                                    std::vector<TomlNote>& notes) const;
  /// A path; relative ones are resolved against base_dir ("" stays empty).
  std::optional<std::filesystem::path> path(const std::string& key) const;
  /// A path, or a bare program name ("python3") looked up in PATH now, as
  /// the run would; an error when PATH has no such program.
  std::optional<std::filesystem::path> program(const std::string& key) const;
  /// One of `names` (the spellings to_string gives); its index.
  std::optional<std::size_t> choice(const std::string& key, const std::vector<std::string>& names) const;

  /// "a string", "an integer", … for messages.
  static std::string type_name(const toml::node& node);

 private:
  const toml::table& table_;
  std::string path_;
  std::string file_;
  std::filesystem::path base_dir_;
};

/// The value of an enum field: `to_string` of each of `options` is its
/// spelling. Throws like TomlReader::choice.
template <typename Enum>
std::optional<Enum> read_choice(const TomlReader& r, const std::string& key, std::initializer_list<Enum> options) {
  std::vector<std::string> names;
  for (Enum e : options) names.emplace_back(to_string(e));
  auto i = r.choice(key, names);
  if (!i) return std::nullopt;
  return *(options.begin() + *i);
}

}  // namespace livegui
