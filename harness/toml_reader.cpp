#include "harness/toml_reader.hpp"

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <sstream>

#include <toml++/toml.h>

#include "common/duration.hpp"
#include "common/executable_path.hpp"

namespace livegui {
namespace fs = std::filesystem;

std::string TomlPosition::str() const {
  if (line <= 0) return file;
  return (file.empty() ? std::string("<string>") : file) + ":" + std::to_string(line) +
         (column > 0 ? ":" + std::to_string(column) : std::string());
}

namespace {
std::string field_error_text(const TomlPosition& at, const std::string& field, const std::string& why,
                             const std::string& unplaced) {
  std::string where = at.file.empty() && at.line <= 0 ? unplaced : at.str();
  return (where.empty() ? std::string() : where + ": ") + (field.empty() ? std::string() : field + ": ") + why;
}
}  // namespace

TomlFieldError::TomlFieldError(TomlPosition at, std::string field, std::string why)
    : TomlFieldError(std::move(at), std::move(field), std::move(why), std::string()) {}

TomlFieldError::TomlFieldError(TomlPosition at, std::string field, std::string why, const std::string& unplaced)
    : std::runtime_error(field_error_text(at, field, why, unplaced)),
      at_(std::move(at)),
      field_(std::move(field)),
      reason_(std::move(why)) {}

namespace {

std::size_t edit_distance(const std::string& a, const std::string& b) {
  std::vector<std::size_t> prev(b.size() + 1), cur(b.size() + 1);
  for (std::size_t j = 0; j <= b.size(); ++j) prev[j] = j;
  for (std::size_t i = 1; i <= a.size(); ++i) {
    cur[0] = i;
    for (std::size_t j = 1; j <= b.size(); ++j)
      cur[j] = std::min({prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1)});
    std::swap(prev, cur);
  }
  return prev[b.size()];
}

TomlPosition position_of(const toml::source_region& src, const std::string& fallback_file) {
  return {src.path ? std::string(*src.path) : fallback_file, static_cast<int>(src.begin.line),
          static_cast<int>(src.begin.column)};
}

const std::string kDurationSyntax = "a duration such as \"500ms\", \"1s\" or \"2min\"";

std::string range_text(const DurationRule& rule) {
  std::string out = rule.min.count() > 0 ? "positive" : format_duration(rule.min) + " or more";
  if (rule.max != std::chrono::milliseconds::max()) out += " and at most " + format_duration(rule.max);
  return out;
}

std::string number_text(const toml::node& n) {
  if (n.is_integer()) return std::to_string(n.as_integer()->get());
  std::ostringstream os;
  os << n.as_floating_point()->get();
  return os.str();
}

}  // namespace

TomlReader::TomlReader(const toml::table& table, std::string path, std::string file, fs::path base_dir)
    : table_(table), path_(std::move(path)), file_(std::move(file)), base_dir_(std::move(base_dir)) {}

void TomlReader::refuse_unknown(const std::vector<std::string>& known) const {
  for (auto&& [key, node] : table_) {
    std::string k(key.str());
    if (std::find(known.begin(), known.end(), k) != known.end()) continue;
    std::string hint;
    std::size_t best = 3;
    for (const auto& candidate : known) {
      auto d = edit_distance(k, candidate);
      if (d < best) best = d, hint = candidate;
    }
    std::string list;
    for (const auto& name : known) list += (list.empty() ? "" : ", ") + name;
    TomlPosition where = key.source().begin.line > 0 ? position_of(key.source(), file_) : at(node);
    throw TomlFieldError(where, field(k),
                         "is not a known field" + (hint.empty() ? std::string() : " (did you mean '" + hint + "'?)") +
                             "; known fields: " + list);
  }
}

TomlPosition TomlReader::at(const toml::node& node) const {
  const toml::source_region& src = node.source().begin.line > 0 ? node.source() : table_.source();
  if (src.begin.line == 0) return {file_, 0, 0};
  return position_of(src, file_);
}

TomlPosition TomlReader::here() const { return at(table_); }

std::string TomlReader::field(const std::string& key) const { return path_.empty() ? key : path_ + "." + key; }

const toml::node* TomlReader::get(const std::string& key) const { return table_.get(key); }

void TomlReader::fail(const std::string& key, const toml::node* node, const std::string& why) const {
  throw TomlFieldError(node ? at(*node) : here(), field(key), why);
}

std::optional<std::string> TomlReader::string(const std::string& key) const {
  const toml::node* n = get(key);
  if (!n) return std::nullopt;
  if (!n->is_string()) fail(key, n, "must be a string, got " + type_name(*n));
  return n->as_string()->get();
}

std::optional<bool> TomlReader::boolean(const std::string& key) const {
  const toml::node* n = get(key);
  if (!n) return std::nullopt;
  if (!n->is_boolean()) fail(key, n, "must be true or false, got " + type_name(*n));
  return n->as_boolean()->get();
}

std::optional<std::int64_t> TomlReader::integer(const std::string& key, std::int64_t min, std::int64_t max) const {
  const toml::node* n = get(key);
  if (!n) return std::nullopt;
  if (!n->is_integer()) fail(key, n, "must be an integer, got " + type_name(*n));
  auto v = n->as_integer()->get();
  if (v < min || v > max)
    fail(key, n, "must be in " + std::to_string(min) + ".." + std::to_string(max) + ", got " + std::to_string(v));
  return v;
}

std::optional<std::vector<std::string>> TomlReader::strings(const std::string& key) const {
  const toml::node* n = get(key);
  if (!n) return std::nullopt;
  const toml::array* arr = n->as_array();
  if (!arr) fail(key, n, "must be an array of strings, got " + type_name(*n));
  std::vector<std::string> out;
  for (std::size_t i = 0; i < arr->size(); ++i) {
    const toml::node& item = *arr->get(i);
    if (!item.is_string()) fail(key + "[" + std::to_string(i) + "]", &item, "must be a string, got " + type_name(item));
    out.push_back(item.as_string()->get());
  }
  return out;
}

std::optional<std::map<std::string, std::string>> TomlReader::string_map(const std::string& key) const {
  const toml::node* n = get(key);
  if (!n) return std::nullopt;
  const toml::table* t = n->as_table();
  if (!t) fail(key, n, "must be a table of strings, got " + type_name(*n));
  std::map<std::string, std::string> out;
  for (const auto& [k, v] : *t) {
    std::string name(k.str());
    if (!v.is_string()) fail(key + "." + name, &v, "must be a string, got " + type_name(v));
    out[name] = v.as_string()->get();
  }
  return out;
}

std::optional<std::chrono::milliseconds> TomlReader::duration(const std::string& key, const DurationRule& rule,
                                                              std::vector<TomlNote>& notes) const {
  const std::string old_key = key + "_ms";
  const toml::node* n = get(key);
  const toml::node* old = rule.old_ms_field ? get(old_key) : nullptr;
  if (n && old) fail(old_key, old, "repeats '" + key + "'; keep only " + key + " (" + kDurationSyntax + ")");
  auto in_range = [&](std::chrono::milliseconds d) { return d >= rule.min && d <= rule.max; };
  if (old) {
    if (!old->is_integer()) fail(old_key, old, "must be an integer (milliseconds), got " + type_name(*old));
    std::chrono::milliseconds d(old->as_integer()->get());
    if (!in_range(d))
      fail(old_key, old,
           "must be in " + std::to_string(rule.min.count()) + ".." +
               (rule.max == std::chrono::milliseconds::max() ? std::string() : std::to_string(rule.max.count())) +
               ", got " + std::to_string(d.count()));
    notes.push_back({at(*old), field(old_key),
                     "'" + old_key + "' is deprecated and goes away in the next release: write " + key + " = \"" +
                         format_duration(d) + "\""});
    return d;
  }
  if (!n) return std::nullopt;
  if (rule.old_bare_seconds && (n->is_integer() || n->is_floating_point())) {
    double secs = n->is_integer() ? static_cast<double>(n->as_integer()->get()) : n->as_floating_point()->get();
    std::optional<std::chrono::milliseconds> d;
    if (std::isfinite(secs) && secs >= 0 && secs < 1e12)
      d = std::chrono::milliseconds(static_cast<long long>(std::llround(secs * 1000)));
    if (!d || !in_range(*d))
      fail(key, n, "is " + number_text(*n) + "; must be " + range_text(rule) + ", written as " + kDurationSyntax);
    notes.push_back({at(*n), field(key),
                     "a bare number of seconds is deprecated and goes away in the next release: write " + key +
                         " = \"" + format_duration(*d) + "\""});
    return d;
  }
  if (!n->is_string()) fail(key, n, "must be " + kDurationSyntax + ", got " + type_name(*n));
  const std::string& text = n->as_string()->get();
  auto d = parse_duration(text);
  if (!d) fail(key, n, "is \"" + text + "\"; expected " + kDurationSyntax);
  if (!in_range(*d)) fail(key, n, "is \"" + text + "\"; must be " + range_text(rule));
  return d;
}

std::optional<fs::path> TomlReader::path(const std::string& key) const {
  auto s = string(key);
  if (!s) return std::nullopt;
  if (s->empty()) return fs::path();
  fs::path p(*s);
  if (!p.is_absolute()) p = (base_dir_ / p).lexically_normal();
  if (p.has_parent_path() && p.filename().empty()) p = p.parent_path();  // "dir/" → "dir"
  return p;
}

std::optional<fs::path> TomlReader::program(const std::string& key) const {
  auto s = string(key);
  if (!s || s->empty() || s->find('/') != std::string::npos) return path(key);
  fs::path found = find_executable(*s);
  if (found.empty()) {
    const char* env_path = std::getenv("PATH");
    fail(key, get(key),
         "is '" + *s + "', which is not found in PATH (" + (env_path ? env_path : "unset") +
             "); give its path, absolute or relative to the file");
  }
  return found;
}

std::optional<std::size_t> TomlReader::choice(const std::string& key, const std::vector<std::string>& names) const {
  auto s = string(key);
  if (!s) return std::nullopt;
  std::string allowed;
  for (std::size_t i = 0; i < names.size(); ++i) {
    if (*s == names[i]) return i;
    allowed += (allowed.empty() ? "" : ", ") + names[i];
  }
  fail(key, get(key), "is '" + *s + "'; expected one of: " + allowed);
}

std::string TomlReader::type_name(const toml::node& n) {
  switch (n.type()) {
    case toml::node_type::string: return "a string";
    case toml::node_type::integer: return "an integer";
    case toml::node_type::floating_point: return "a number";
    case toml::node_type::boolean: return "a boolean";
    case toml::node_type::table: return "a table";
    case toml::node_type::array: return "an array";
    default: return "a date/time";
  }
}

}  // namespace livegui
