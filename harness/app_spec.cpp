#include "harness/app_spec.hpp"

#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <functional>
#include <set>

#include <toml++/toml.h>

#include "harness/state_file.hpp"

namespace livegui {
namespace fs = std::filesystem;

const char* to_string(Readiness r) {
  switch (r) {
    case Readiness::AnnouncedPort: return "announced_port";
    case Readiness::PortFile: return "port_file";
    case Readiness::FixedPort: return "fixed_port";
  }
  return "?";
}

const char* to_string(DisplayMode d) {
  switch (d) {
    case DisplayMode::Inherit: return "inherit";
    case DisplayMode::Xvfb: return "xvfb";
    case DisplayMode::None: return "none";
  }
  return "?";
}

const char* to_string(RespawnPolicy p) {
  switch (p) {
    case RespawnPolicy::OnDeathAndDegraded: return "on_death_and_degraded";
    case RespawnPolicy::Never: return "never";
    case RespawnPolicy::PerSuite: return "per_suite";
    case RespawnPolicy::PerTest: return "per_test";
  }
  return "?";
}

void AppSpec::validate() const {
  auto bad = [](const std::string& field, const std::string& why) {
    throw AppSpecError("AUT spec: field '" + field + "' " + why);
  };
  if (executable.empty()) bad("executable", "is empty; give the absolute path of the app to run");
  if (!executable.is_absolute())
    bad("executable", "must be an absolute path, got '" + executable.string() + "'");
  struct stat st{};
  if (::stat(executable.c_str(), &st) != 0)
    bad("executable", executable.string() + " does not exist (" + std::strerror(errno) + "); is it built?");
  if (S_ISDIR(st.st_mode)) bad("executable", executable.string() + " is a directory");
  if (!S_ISREG(st.st_mode)) bad("executable", executable.string() + " is not a regular file");
  if (::access(executable.c_str(), X_OK) != 0)
    bad("executable", executable.string() + " is not executable (" + std::strerror(errno) + ")");
  std::error_code cwd_error;  // the throwing overload escapes on ENAMETOOLONG, EACCES
  if (!cwd.empty() && !fs::is_directory(cwd, cwd_error))
    bad("cwd", cwd.string() + " is not a directory" + (cwd_error ? " (" + cwd_error.message() + ")" : ""));
  if (port < 0 || port > 65535) bad("port", "must be 0..65535, got " + std::to_string(port));
  if (readiness == Readiness::FixedPort && port == 0)
    bad("port", "must be set (1..65535) when readiness is fixed_port");
  if (ready_timeout.count() <= 0) bad("ready_timeout_ms", "must be positive");
  if (heartbeat_threshold.count() <= 0) bad("heartbeat_threshold_ms", "must be positive");
  if (term_grace.count() < 0) bad("term_grace_ms", "must not be negative");
  if (kill_wait.count() <= 0) bad("kill_wait_ms", "must be positive");
  if (max_consecutive_failed_starts < 1)
    bad("max_consecutive_failed_starts", "must be at least 1, got " + std::to_string(max_consecutive_failed_starts));
  for (const auto& [k, v] : env)
    if (k.empty() || k.find('=') != std::string::npos) bad("env", "has an invalid variable name '" + k + "'");
}

fs::path AppSpec::resolved_state_file() const {
  return state_file.empty() ? default_state_dir() / "aut-state.json" : state_file;
}

fs::path AppSpec::resolved_log_dir() const {
  if (!log_dir.empty()) return log_dir;
  fs::path dir = resolved_state_file().parent_path();
  return dir.empty() ? fs::path(".") : dir;
}

namespace {

/// Reads typed values from a TOML table; errors name the key and, when toml++
/// knows it, file:line:column.
class TomlReader {
 public:
  TomlReader(const toml::table& table, std::string where, fs::path base_dir)
      : table_(table), where_(std::move(where)), base_dir_(std::move(base_dir)) {}

  [[noreturn]] void fail(const std::string& key, const toml::node* node, const std::string& why) const {
    std::string at = where_;
    const toml::source_region& src = node ? node->source() : table_.source();
    if (src.begin.line > 0) {
      std::string file = src.path ? std::string(*src.path) : std::string();
      at += " (" + (file.empty() ? std::string() : file + ":") + std::to_string(src.begin.line) + ":" +
            std::to_string(src.begin.column) + ")";
    }
    throw AppSpecError(at + ": field '" + key + "' " + why);
  }

  const toml::node* find(const std::string& key) {
    seen_.insert(key);
    return table_.get(key);
  }

  std::optional<std::string> string(const std::string& key) {
    const toml::node* n = find(key);
    if (!n) return std::nullopt;
    if (auto v = n->value<std::string>(); v && n->is_string()) return *v;
    fail(key, n, "must be a string, got " + type_of(*n));
  }

  std::optional<std::int64_t> integer(const std::string& key, std::int64_t min, std::int64_t max) {
    const toml::node* n = find(key);
    if (!n) return std::nullopt;
    if (!n->is_integer()) fail(key, n, "must be an integer, got " + type_of(*n));
    auto v = *n->value<std::int64_t>();
    if (v < min || v > max)
      fail(key, n, "must be in " + std::to_string(min) + ".." + std::to_string(max) + ", got " + std::to_string(v));
    return v;
  }

  std::optional<std::chrono::milliseconds> millis(const std::string& key, std::int64_t min) {
    auto v = integer(key, min, 24LL * 3600 * 1000);
    if (!v) return std::nullopt;
    return std::chrono::milliseconds(*v);
  }

  std::optional<bool> boolean(const std::string& key) {
    const toml::node* n = find(key);
    if (!n) return std::nullopt;
    if (!n->is_boolean()) fail(key, n, "must be true or false, got " + type_of(*n));
    return *n->value<bool>();
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

  std::optional<std::vector<std::string>> strings(const std::string& key) {
    const toml::node* n = find(key);
    if (!n) return std::nullopt;
    const toml::array* arr = n->as_array();
    if (!arr) fail(key, n, "must be an array of strings, got " + type_of(*n));
    std::vector<std::string> out;
    for (std::size_t i = 0; i < arr->size(); ++i) {
      const toml::node& item = *arr->get(i);
      if (!item.is_string())
        fail(key + "[" + std::to_string(i) + "]", &item, "must be a string, got " + type_of(item));
      out.push_back(*item.value<std::string>());
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
      out[name] = *v.value<std::string>();
    }
    return out;
  }

  template <typename Enum>
  std::optional<Enum> choice(const std::string& key, std::initializer_list<Enum> options) {
    const toml::node* n = table_.get(key);
    auto s = string(key);
    if (!s) return std::nullopt;
    std::string allowed;
    for (Enum e : options) {
      if (*s == to_string(e)) return e;
      allowed += (allowed.empty() ? "" : ", ") + std::string(to_string(e));
    }
    fail(key, n, "is '" + *s + "'; expected one of: " + allowed);
  }

  void reject_unknown_keys() const {
    for (const auto& [k, v] : table_) {
      std::string name(k.str());
      if (!seen_.count(name)) fail(name, &v, "is not a known AUT setting (typo?)");
    }
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

std::string describe_source(const toml::source_region& src, const std::string& fallback) {
  std::string file = src.path ? std::string(*src.path) : fallback;
  return file + ":" + std::to_string(src.begin.line) + ":" + std::to_string(src.begin.column);
}

AppSpec from_document(const toml::table& doc, const std::string& section, const std::string& source_name,
                      const fs::path& base_dir) {
  const toml::table* table = &doc;
  if (!section.empty()) {
    toml::node_view<const toml::node> view = doc.at_path(section);
    if (!view) throw AppSpecError(source_name + ": no [" + section + "] section");
    table = view.as_table();
    if (!table)
      throw AppSpecError(source_name + ": '" + section + "' must be a table (at " +
                         describe_source(view.node()->source(), source_name) + ")");
  }
  return AppSpec::from_toml(*table, source_name + (section.empty() ? "" : " [" + section + "]"), base_dir);
}

}  // namespace

AppSpec AppSpec::from_toml(const toml::table& table, const std::string& where, const fs::path& base_dir) {
  TomlReader r(table, where, base_dir);
  AppSpec s;
  if (auto v = r.path("executable")) s.executable = *v;
  if (auto v = r.strings("args")) s.args = *v;
  if (auto v = r.string_table("env")) s.env = *v;
  if (auto v = r.path("cwd")) s.cwd = *v;
  if (auto v = r.choice("readiness", {Readiness::AnnouncedPort, Readiness::PortFile, Readiness::FixedPort}))
    s.readiness = *v;
  if (auto v = r.integer("port", 0, 65535)) s.port = static_cast<int>(*v);
  if (auto v = r.millis("ready_timeout_ms", 1)) s.ready_timeout = *v;
  if (auto v = r.millis("heartbeat_threshold_ms", 1)) s.heartbeat_threshold = *v;
  if (auto v = r.millis("term_grace_ms", 0)) s.term_grace = *v;
  if (auto v = r.millis("kill_wait_ms", 1)) s.kill_wait = *v;
  if (auto v = r.boolean("shutdown_request")) s.shutdown_request = *v;
  if (auto v = r.path("log_dir")) s.log_dir = *v;
  if (auto v = r.integer("max_log_bytes", 0, 1LL << 50)) s.max_log_bytes = static_cast<std::uint64_t>(*v);
  if (auto v = r.string("token")) s.token = *v;
  if (auto v = r.choice("display", {DisplayMode::Inherit, DisplayMode::Xvfb, DisplayMode::None})) s.display = *v;
  if (auto v = r.string("xvfb_executable")) s.xvfb_executable = *v;
  if (auto v = r.choice("respawn", {RespawnPolicy::OnDeathAndDegraded, RespawnPolicy::Never, RespawnPolicy::PerSuite,
                                    RespawnPolicy::PerTest}))
    s.respawn = *v;
  if (auto v = r.integer("max_consecutive_failed_starts", 1, 1000)) s.max_consecutive_failed_starts = static_cast<int>(*v);
  if (auto v = r.path("state_file")) s.state_file = *v;
  r.reject_unknown_keys();
  if (s.executable.empty()) r.fail("executable", nullptr, "is missing; give the path of the app to run");
  try {
    s.validate();
  } catch (const AppSpecError& e) {
    std::string msg = e.what();
    const std::string prefix = "AUT spec: ";
    if (msg.rfind(prefix, 0) == 0) msg = msg.substr(prefix.size());
    // Point at the offending key when the message names one we know.
    auto open = msg.find('\'');
    auto close = open == std::string::npos ? open : msg.find('\'', open + 1);
    std::string key = open == std::string::npos ? std::string() : msg.substr(open + 1, close - open - 1);
    const toml::node* node = key.empty() ? nullptr : table.get(key);
    std::string at = where;
    if (node && node->source().begin.line > 0) at += " (" + describe_source(node->source(), where) + ")";
    throw AppSpecError(at + ": " + msg);
  }
  return s;
}

AppSpec AppSpec::from_toml_file(const fs::path& path, const std::string& section) {
  toml::table doc;
  try {
    doc = toml::parse_file(path.string());
  } catch (const toml::parse_error& e) {
    throw AppSpecError("reading AUT spec from " + describe_source(e.source(), path.string()) + ": " +
                       std::string(e.description()));
  }
  fs::path base = fs::absolute(path).parent_path();
  return from_document(doc, section, path.string(), base);
}

AppSpec AppSpec::from_toml_string(const std::string& text, const std::string& section,
                                  const std::string& source_name, const fs::path& base_dir) {
  toml::table doc;
  try {
    doc = toml::parse(text, source_name);
  } catch (const toml::parse_error& e) {
    throw AppSpecError("reading AUT spec from " + describe_source(e.source(), source_name) + ": " +
                       std::string(e.description()));
  }
  return from_document(doc, section, source_name, base_dir);
}

}  // namespace livegui
