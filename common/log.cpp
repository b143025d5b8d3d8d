#include "common/log.hpp"
#include "common/log_file.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <map>
#include <mutex>

#include <spdlog/cfg/env.h>
#include <spdlog/sinks/basic_file_sink.h>
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

namespace livegui {
namespace {

std::mutex& registry_mutex() {
  static std::mutex m;
  return m;
}

/// Loggers sent to a file by log_to_file(), by name.
std::map<std::string, spdlog::sink_ptr>& file_sinks() {
  static std::map<std::string, spdlog::sink_ptr> sinks;
  return sinks;
}

std::shared_ptr<spdlog::logger> make_logger(const std::string& name, spdlog::sink_ptr sink) {
  auto created = std::make_shared<spdlog::logger>(name, std::move(sink));
  created->set_pattern("[%H:%M:%S.%e] [%n] [%l] %v");
  spdlog::initialize_logger(created);  // takes the global or SPDLOG_LEVEL's level
  return created;
}

/// The default levels, once, before the first logger and before any level
/// set_log_level() gives (which must not be undone by them): quiet unless
/// asked — warnings and errors only —, SPDLOG_LEVEL overrides.
void load_default_levels_once() {
  static const bool loaded = [] {
    spdlog::set_level(spdlog::level::warn);
    spdlog::cfg::load_env_levels();
    return true;
  }();
  (void)loaded;
}

}  // namespace

std::shared_ptr<spdlog::logger> logger(const std::string& name) {
  std::lock_guard lock(registry_mutex());
  if (auto existing = spdlog::get(name)) return existing;
  static auto sink = std::make_shared<spdlog::sinks::stderr_color_sink_mt>();
  load_default_levels_once();
  auto routed = file_sinks().find(name);
  return make_logger(name, routed != file_sinks().end() ? routed->second : sink);
}

bool log_to_file(const std::vector<std::string>& names, const std::filesystem::path& file) {
  // Private like the AUT logs beside it: created 0600 before spdlog opens it.
  int fd = ::open(file.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC | O_NOFOLLOW, 0600);
  if (fd < 0) return false;
  ::fchmod(fd, 0600);
  ::close(fd);
  spdlog::sink_ptr sink;
  try {
    sink = std::make_shared<spdlog::sinks::basic_file_sink_mt>(file.string());
  } catch (const std::exception&) {
    return false;
  }
  for (const auto& name : names) {
    std::shared_ptr<spdlog::logger> existing;
    {
      std::lock_guard lock(registry_mutex());
      file_sinks()[name] = sink;
      existing = spdlog::get(name);
      if (existing) spdlog::drop(name);  // the next logger(name) makes it again, on the file
    }
    if (existing) existing->flush();
  }
  return true;
}

bool set_log_level(const std::string& level) {
  auto parsed = spdlog::level::from_str(level);
  if (parsed == spdlog::level::off && level != "off") return false;
  // Before: the first logger() would otherwise set the default over it
  // (`--log-level debug` printed nothing when no logger existed yet).
  load_default_levels_once();
  spdlog::set_level(parsed);
  return true;
}

}  // namespace livegui
