#include "common/log.hpp"

#include <mutex>

#include <spdlog/cfg/env.h>
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

namespace livegui {
namespace {

std::mutex& registry_mutex() {
  static std::mutex m;
  return m;
}

}  // namespace

std::shared_ptr<spdlog::logger> logger(const std::string& name) {
  std::lock_guard lock(registry_mutex());
  if (auto existing = spdlog::get(name)) return existing;
  static auto sink = std::make_shared<spdlog::sinks::stderr_color_sink_mt>();
  static const bool env_loaded = [] {
    // Quiet unless asked: warnings and errors only, SPDLOG_LEVEL overrides.
    spdlog::set_level(spdlog::level::warn);
    spdlog::cfg::load_env_levels();
    return true;
  }();
  (void)env_loaded;
  auto created = std::make_shared<spdlog::logger>(name, sink);
  created->set_pattern("[%H:%M:%S.%e] [%n] [%l] %v");
  spdlog::initialize_logger(created);  // takes the global or SPDLOG_LEVEL's level
  return created;
}

bool set_log_level(const std::string& level) {
  auto parsed = spdlog::level::from_str(level);
  if (parsed == spdlog::level::off && level != "off") return false;
  spdlog::set_level(parsed);
  return true;
}

}  // namespace livegui
