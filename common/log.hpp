#pragma once
// One named spdlog logger per module, all writing to stderr. Levels come from
// SPDLOG_LEVEL (e.g. SPDLOG_LEVEL=debug or SPDLOG_LEVEL=harness=debug).
// Logging never throws into the caller.

#include <memory>
#include <string>

#include <spdlog/logger.h>

namespace livegui {

/// Returns the process-wide logger called `name` ("harness", "hookclient", …),
/// creating it on first use. Thread-safe.
std::shared_ptr<spdlog::logger> logger(const std::string& name);

/// Sets the level of every livegui logger ("trace", "debug", "info", "warn",
/// "error", "off"). Unknown names leave the level unchanged and return false.
bool set_log_level(const std::string& level);

}  // namespace livegui
