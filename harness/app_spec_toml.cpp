// AppSpec <-> TOML: the one reader of an `aut` table (a plan's tier, the
// LIVEGUI_AUT_SPEC file, a test binary's own spec file) and its writer.
#include <unistd.h>

#include <cstdlib>
#include <set>
#include <sstream>

#include <toml++/toml.h>

#include "common/duration.hpp"
#include "common/log.hpp"
#include "harness/app_spec.hpp"

namespace livegui {
namespace fs = std::filesystem;

namespace {

TomlPosition position_of(const toml::source_region& src, const std::string& fallback_file) {
  TomlPosition p;
  p.file = src.path ? std::string(*src.path) : fallback_file;
  p.line = static_cast<int>(src.begin.line);
  p.column = static_cast<int>(src.begin.column);
  return p;
}

/// A bare program name ("python3") as PATH resolves it; empty when not found.
fs::path find_in_path(const std::string& name) {
  const char* path = std::getenv("PATH");
  std::string dirs = path && *path ? path : "/usr/local/bin:/usr/bin:/bin";
  std::size_t start = 0;
  while (start <= dirs.size()) {
    std::size_t colon = dirs.find(':', start);
    std::string dir = dirs.substr(start, colon == std::string::npos ? std::string::npos : colon - start);
    fs::path candidate = fs::path(dir.empty() ? "." : dir) / name;
    std::error_code ec;
    if (fs::is_regular_file(candidate, ec) && ::access(candidate.c_str(), X_OK) == 0)
      return fs::absolute(candidate, ec).lexically_normal();
    if (colon == std::string::npos) break;
    start = colon + 1;
  }
  return {};
}

/// Reads typed values from one TOML table; every error carries the
/// file:line:column of the offending value (or of the table).
class TomlReader {
 public:
  TomlReader(const toml::table& table, std::string where, fs::path base_dir)
      : table_(table), where_(std::move(where)), base_dir_(std::move(base_dir)) {}

  TomlPosition at(const toml::node* node) const {
    const toml::source_region& src = node ? node->source() : table_.source();
    if (src.begin.line == 0) return TomlPosition{where_, 0, 0};
    return position_of(src, where_);
  }

  [[noreturn]] void fail(const std::string& key, const toml::node* node, const std::string& why) const {
    throw AppSpecError(at(node), key, why);
  }

  const toml::node* find(const std::string& key) {
    seen_.insert(key);
    return table_.get(key);
  }

  std::optional<std::string> string(const std::string& key) {
    const toml::node* n = find(key);
    if (!n) return std::nullopt;
    if (!n->is_string()) fail(key, n, "must be a string, got " + type_of(*n));
    return n->as_string()->get();
  }

  std::optional<std::int64_t> integer(const std::string& key, std::int64_t min, std::int64_t max) {
    const toml::node* n = find(key);
    if (!n) return std::nullopt;
    if (!n->is_integer()) fail(key, n, "must be an integer, got " + type_of(*n));
    auto v = n->as_integer()->get();
    if (v < min || v > max)
      fail(key, n, "must be in " + std::to_string(min) + ".." + std::to_string(max) + ", got " + std::to_string(v));
    return v;
  }

  /// `key` = "1s" / "500ms" / "2min", or the deprecated `key_ms` = integer.
  std::optional<std::chrono::milliseconds> duration(const std::string& key, std::int64_t min_ms,
                                                    std::vector<AppSpecNote>& notes) {
    const std::string old_key = key + "_ms";
    const toml::node* n = find(key);
    const toml::node* old = find(old_key);
    if (n && old) fail(old_key, old, "repeats '" + key + "'; keep only " + key + " (a duration such as \"1s\")");
    constexpr std::int64_t kMax = 24LL * 3600 * 1000;
    if (old) {
      if (!old->is_integer()) fail(old_key, old, "must be an integer (milliseconds), got " + type_of(*old));
      auto v = old->as_integer()->get();
      if (v < min_ms || v > kMax)
        fail(old_key, old,
             "must be in " + std::to_string(min_ms) + ".." + std::to_string(kMax) + ", got " + std::to_string(v));
      std::chrono::milliseconds d(v);
      notes.push_back({at(old), "'" + old_key + "' is deprecated and goes away in the next release: write " + key +
                                    " = \"" + format_duration(d) + "\""});
      return d;
    }
    if (!n) return std::nullopt;
    if (!n->is_string()) fail(key, n, "must be a duration such as \"500ms\", \"1s\" or \"2min\", got " + type_of(*n));
    const std::string& text = n->as_string()->get();
    auto d = parse_duration(text);
    if (!d) fail(key, n, "is \"" + text + "\"; expected a duration such as \"500ms\", \"1s\" or \"2min\"");
    if (d->count() < min_ms || d->count() > kMax)
      fail(key, n, "is \"" + text + "\"; must be " + (min_ms > 0 ? "positive" : "0ms or more") + " and at most 24h");
    return d;
  }

  std::optional<bool> boolean(const std::string& key) {
    const toml::node* n = find(key);
    if (!n) return std::nullopt;
    if (!n->is_boolean()) fail(key, n, "must be true or false, got " + type_of(*n));
    return n->as_boolean()->get();
  }

  std::optional<fs::path> path(const std::string& key) {
    auto s = string(key);
    if (!s) return std::nullopt;
    if (s->empty()) return fs::path();
    fs::path p(*s);
    if (!p.is_absolute()) p = (base_dir_ / p).lexically_normal();
    if (p.has_parent_path() && p.filename().empty()) p = p.parent_path();  // "dir/" → "dir"
    return p;
  }

  /// A path, or a bare program name looked up in PATH now (as the shell would).
  std::optional<fs::path> program(const std::string& key) {
    auto s = string(key);
    if (!s || s->empty() || s->find('/') != std::string::npos) {
      seen_.erase(key);
      return path(key);
    }
    fs::path found = find_in_path(*s);
    if (found.empty()) {
      const char* env_path = std::getenv("PATH");
      fail(key, table_.get(key),
           "is '" + *s + "', which is not found in PATH (" + (env_path ? env_path : "unset") +
               "); give its path, absolute or relative to the file");
    }
    return found;
  }

  std::optional<std::vector<std::string>> strings(const std::string& key) {
    const toml::node* n = find(key);
    if (!n) return std::nullopt;
    const toml::array* arr = n->as_array();
    if (!arr) fail(key, n, "must be an array of strings, got " + type_of(*n));
    std::vector<std::string> out;
    for (std::size_t i = 0; i < arr->size(); ++i) {
      const toml::node& item = *arr->get(i);
      if (!item.is_string()) fail(key + "[" + std::to_string(i) + "]", &item, "must be a string, got " + type_of(item));
      out.push_back(item.as_string()->get());
    }
    return out;
  }

  std::optional<std::map<std::string, std::string>> string_table(const std::string& key) {
    const toml::node* n = find(key);
    if (!n) return std::nullopt;
    const toml::table* t = n->as_table();
    if (!t) fail(key, n, "must be a table of strings, got " + type_of(*n));
    std::map<std::string, std::string> out;
    for (const auto& [k, v] : *t) {
      std::string name(k.str());
      if (!v.is_string()) fail(key + "." + name, &v, "must be a string, got " + type_of(v));
      out[name] = v.as_string()->get();
    }
    return out;
  }

  template <typename Enum>
  std::optional<Enum> choice(const std::string& key, std::initializer_list<Enum> options) {
    auto s = string(key);
    if (!s) return std::nullopt;
    std::string allowed;
    for (Enum e : options) {
      if (*s == to_string(e)) return e;
      allowed += (allowed.empty() ? "" : ", ") + std::string(to_string(e));
    }
    fail(key, table_.get(key), "is '" + *s + "'; expected one of: " + allowed);
  }

  void reject_unknown_keys() const {
    for (const auto& [k, v] : table_) {
      std::string name(k.str());
      if (seen_.count(name)) continue;
      TomlPosition key_at = k.source().begin.line > 0 ? position_of(k.source(), where_) : at(&v);
      throw AppSpecError(key_at, name, "is not a known AUT setting (typo?)");
    }
  }

  /// The node a field name from AppSpec::validate() refers to, as written
  /// (the deprecated `_ms` spelling included).
  const toml::node* written(const std::string& field) const {
    if (const toml::node* n = table_.get(field)) return n;
    return table_.get(field + "_ms");
  }

 private:
  static std::string type_of(const toml::node& n) {
    switch (n.type()) {
      case toml::node_type::string: return "a string";
      case toml::node_type::integer: return "an integer";
      case toml::node_type::floating_point: return "a float";
      case toml::node_type::boolean: return "a boolean";
      case toml::node_type::array: return "an array";
      case toml::node_type::table: return "a table";
      default: return "a date/time";
    }
  }

  const toml::table& table_;
  std::string where_;
  fs::path base_dir_;
  std::set<std::string> seen_;
};

AppSpec from_document(const toml::table& doc, const std::string& section, const std::string& source_name,
                      const fs::path& base_dir) {
  const toml::table* table = &doc;
  if (!section.empty()) {
    toml::node_view<const toml::node> view = doc.at_path(section);
    if (!view) throw AppSpecError(source_name + ": no [" + section + "] section");
    table = view.as_table();
    if (!table) throw AppSpecError(position_of(view.node()->source(), source_name), section, "must be a table");
  }
  return AppSpec::from_toml(*table, source_name, base_dir);
}

toml::table parse_document(const std::string& text, const std::string& source_name) {
  try {
    return toml::parse(text, source_name);
  } catch (const toml::parse_error& e) {
    throw AppSpecError("reading AUT spec from " + position_of(e.source(), source_name).str() + ": " +
                       std::string(e.description()));
  }
}

}  // namespace

AppSpec AppSpec::from_toml(const toml::table& table, const std::string& where, const fs::path& base_dir,
                           std::vector<AppSpecNote>* notes) {
  TomlReader r(table, where, base_dir);
  std::vector<AppSpecNote> found_notes;
  AppSpec s;
  if (auto v = r.program("executable")) s.executable = *v;
  if (auto v = r.strings("args")) s.args = *v;
  if (auto v = r.string_table("env")) s.env = *v;
  if (auto v = r.path("cwd")) s.cwd = *v;
  if (auto v = r.choice("readiness", {Readiness::AnnouncedPort, Readiness::PortFile, Readiness::FixedPort}))
    s.readiness = *v;
  if (auto v = r.integer("port", 0, 65535)) s.port = static_cast<int>(*v);
  if (auto v = r.duration("ready_timeout", 1, found_notes)) s.ready_timeout = *v;
  if (auto v = r.duration("heartbeat_threshold", 1, found_notes)) s.heartbeat_threshold = *v;
  if (auto v = r.duration("term_grace", 0, found_notes)) s.term_grace = *v;
  if (auto v = r.duration("kill_wait", 1, found_notes)) s.kill_wait = *v;
  if (auto v = r.boolean("shutdown_request")) s.shutdown_request = *v;
  if (auto v = r.path("log_dir")) s.log_dir = *v;
  if (auto v = r.integer("max_log_bytes", 0, 1LL << 50)) s.max_log_bytes = static_cast<std::uint64_t>(*v);
  if (auto v = r.string("token")) s.token = *v;
  if (auto v = r.choice("display", {DisplayMode::Inherit, DisplayMode::Xvfb, DisplayMode::None})) s.display = *v;
  if (auto v = r.string("xvfb_executable")) s.xvfb_executable = *v;  // looked up in PATH when Xvfb starts
  if (auto v = r.choice("respawn", {RespawnPolicy::OnDeathAndDegraded, RespawnPolicy::Never, RespawnPolicy::PerSuite,
                                    RespawnPolicy::PerTest}))
    s.respawn = *v;
  if (auto v = r.integer("max_consecutive_failed_starts", 1, 1000))
    s.max_consecutive_failed_starts = static_cast<int>(*v);
  if (auto v = r.path("state_file")) s.state_file = *v;
  r.reject_unknown_keys();
  if (s.executable.empty()) r.fail("executable", nullptr, "is missing; give the path of the app to run");
  try {
    s.validate();
  } catch (const AppSpecError& e) {
    if (e.field().empty()) throw;
    r.fail(e.field(), r.written(e.field()), e.reason());
  }
  if (notes) {
    notes->insert(notes->end(), found_notes.begin(), found_notes.end());
  } else {
    for (const auto& n : found_notes) logger("harness")->warn("{}", n.str());
  }
  return s;
}

std::string AppSpec::to_toml(bool with_token) const {
  toml::table t;
  t.insert("executable", executable.string());
  toml::array a;
  for (const auto& arg : args) a.push_back(arg);
  t.insert("args", std::move(a));
  toml::table e;
  for (const auto& [k, v] : env) e.insert(k, v);
  t.insert("env", std::move(e));
  if (!cwd.empty()) t.insert("cwd", cwd.string());
  t.insert("readiness", to_string(readiness));
  t.insert("port", port);
  t.insert("ready_timeout", format_duration(ready_timeout));
  t.insert("heartbeat_threshold", format_duration(heartbeat_threshold));
  t.insert("term_grace", format_duration(term_grace));
  t.insert("kill_wait", format_duration(kill_wait));
  t.insert("shutdown_request", shutdown_request);
  if (!log_dir.empty()) t.insert("log_dir", log_dir.string());
  t.insert("max_log_bytes", static_cast<std::int64_t>(max_log_bytes));
  if (with_token && !token.empty()) t.insert("token", token);
  t.insert("display", to_string(display));
  t.insert("xvfb_executable", xvfb_executable.string());
  t.insert("respawn", to_string(respawn));
  t.insert("max_consecutive_failed_starts", max_consecutive_failed_starts);
  if (!state_file.empty()) t.insert("state_file", state_file.string());
  std::ostringstream os;
  os << t << "\n";
  return os.str();
}

AppSpec AppSpec::from_toml_file(const fs::path& path, const std::string& section) {
  std::error_code ec;
  if (!fs::exists(path, ec)) throw AppSpecError("reading AUT spec from " + path.string() + ": the file does not exist");
  toml::table doc;
  try {
    doc = toml::parse_file(path.string());
  } catch (const toml::parse_error& e) {
    throw AppSpecError("reading AUT spec from " + position_of(e.source(), path.string()).str() + ": " +
                       std::string(e.description()));
  }
  return from_document(doc, section, path.string(), fs::absolute(path).parent_path());
}

AppSpec AppSpec::from_toml_string(const std::string& text, const std::string& section, const std::string& source_name,
                                  const fs::path& base_dir) {
  toml::table doc = parse_document(text, source_name);
  return from_document(doc, section, source_name, base_dir);
}

}  // namespace livegui
