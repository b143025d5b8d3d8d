#include "harness/app_spec.hpp"

#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

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

AppSpecError::AppSpecError(std::string message) : TomlFieldError({}, {}, std::move(message)) {}

AppSpecError::AppSpecError(TomlPosition at, std::string field, std::string why)
    : TomlFieldError(std::move(at), std::move(field), std::move(why), "AUT spec") {}

void AppSpec::validate() const {
  auto bad = [](const std::string& field, const std::string& why) { throw AppSpecError({}, field, why); };
  if (executable.empty()) bad("executable", "is empty; give the absolute path of the app to run");
  if (!executable.is_absolute()) bad("executable", "must be an absolute path, got '" + executable.string() + "'");
  struct stat st {};
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
  if (ready_timeout.count() <= 0) bad("ready_timeout", "must be positive");
  if (heartbeat_threshold.count() <= 0) bad("heartbeat_threshold", "must be positive");
  if (term_grace.count() < 0) bad("term_grace", "must not be negative");
  if (kill_wait.count() <= 0) bad("kill_wait", "must be positive");
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

}  // namespace livegui
