// AppSpec <-> TOML: the one reader of an `aut` table (a plan's tier, the
// LIVEGUI_AUT_SPEC file, a test binary's own spec file) and its writer.
#include <sstream>

#include <toml++/toml.h>

#include "common/duration.hpp"
#include "common/log.hpp"
#include "harness/app_spec.hpp"
#include "harness/toml_reader.hpp"

namespace livegui {
namespace fs = std::filesystem;

namespace {

TomlPosition position_of(const toml::source_region& src, const std::string& fallback_file) {
  return {src.path ? std::string(*src.path) : fallback_file, static_cast<int>(src.begin.line),
          static_cast<int>(src.begin.column)};
}

const std::vector<std::string> kKnownFields = {"executable",
                                               "args",
                                               "env",
                                               "cwd",
                                               "readiness",
                                               "port",
                                               "ready_timeout",
                                               "ready_timeout_ms",
                                               "heartbeat_threshold",
                                               "heartbeat_threshold_ms",
                                               "term_grace",
                                               "term_grace_ms",
                                               "kill_wait",
                                               "kill_wait_ms",
                                               "shutdown_request",
                                               "log_dir",
                                               "max_log_bytes",
                                               "token",
                                               "display",
                                               "xvfb_executable",
                                               "respawn",
                                               "max_consecutive_failed_starts",
                                               "state_file"};

/// The node a field name from AppSpec::validate() refers to, as written
/// (the deprecated `_ms` spelling included).
const toml::node* written(const TomlReader& r, const std::string& field) {
  if (const toml::node* n = r.get(field)) return n;
  return r.get(field + "_ms");
}

AppSpec read_spec(const TomlReader& r, std::vector<TomlNote>& notes) {
  using std::chrono::hours;
  using std::chrono::milliseconds;
  const DurationRule positive{milliseconds(1), hours(24), true, false};
  const DurationRule zero_or_more{milliseconds(0), hours(24), true, false};
  r.refuse_unknown(kKnownFields);
  AppSpec s;
  if (auto v = r.program("executable")) s.executable = *v;
  if (auto v = r.strings("args")) s.args = *v;
  if (auto v = r.string_map("env")) s.env = *v;
  if (auto v = r.path("cwd")) s.cwd = *v;
  if (auto v = read_choice(r, "readiness", {Readiness::AnnouncedPort, Readiness::PortFile, Readiness::FixedPort}))
    s.readiness = *v;
  if (auto v = r.integer("port", 0, 65535)) s.port = static_cast<int>(*v);
  if (auto v = r.duration("ready_timeout", positive, notes)) s.ready_timeout = *v;
  if (auto v = r.duration("heartbeat_threshold", positive, notes)) s.heartbeat_threshold = *v;
  if (auto v = r.duration("term_grace", zero_or_more, notes)) s.term_grace = *v;
  if (auto v = r.duration("kill_wait", positive, notes)) s.kill_wait = *v;
  if (auto v = r.boolean("shutdown_request")) s.shutdown_request = *v;
  if (auto v = r.path("log_dir")) s.log_dir = *v;
  if (auto v = r.integer("max_log_bytes", 0, 1LL << 50)) s.max_log_bytes = static_cast<std::uint64_t>(*v);
  if (auto v = r.string("token")) s.token = *v;
  if (auto v = read_choice(r, "display", {DisplayMode::Inherit, DisplayMode::Xvfb, DisplayMode::None})) s.display = *v;
  if (auto v = r.string("xvfb_executable")) s.xvfb_executable = *v;  // looked up in PATH when Xvfb starts
  if (auto v = read_choice(
          r, "respawn",
          {RespawnPolicy::OnDeathAndDegraded, RespawnPolicy::Never, RespawnPolicy::PerSuite, RespawnPolicy::PerTest}))
    s.respawn = *v;
  if (auto v = r.integer("max_consecutive_failed_starts", 1, 1000))
    s.max_consecutive_failed_starts = static_cast<int>(*v);
  if (auto v = r.path("state_file")) s.state_file = *v;
  if (s.executable.empty()) r.fail("executable", nullptr, "is missing; give the path of the app to run");
  try {
    s.validate();
  } catch (const AppSpecError& e) {
    if (e.field().empty()) throw;
    r.fail(e.field(), written(r, e.field()), e.reason());
  }
  return s;
}

AppSpec from_document(const toml::table& doc, const std::string& section, const std::string& source_name,
                      const fs::path& base_dir) {
  const toml::table* table = &doc;
  // The whole document, asked for (LIVEGUI_AUT_SPEC, as the batcher writes
  // it), but written for `livegui-aut --spec` with its [aut] header: that
  // table. Setting LIVEGUI_AUT_SPEC to the pytest plugin's spec file by hand
  // aborted a test binary ("aut: is not a known field").
  if (section.empty() && doc.size() == 1 && doc.get_as<toml::table>("aut")) table = doc.get_as<toml::table>("aut");
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
  TomlReader r(table, "", where, base_dir);
  std::vector<TomlNote> found_notes;
  AppSpec s;
  try {
    s = read_spec(r, found_notes);
  } catch (const TomlFieldError& e) {
    throw AppSpecError(e.at(), e.field(), e.reason());
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
