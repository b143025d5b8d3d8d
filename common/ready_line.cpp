#include "common/ready_line.hpp"

#include <cstdlib>
#include <sstream>
#include <string_view>

namespace livegui {

std::optional<ReadyLine> parse_ready_line(const std::string& line) {
  const std::string_view prefix(kReadyLinePrefix);
  if (line.compare(0, prefix.size(), prefix) != 0) return std::nullopt;
  ReadyLine out;
  std::istringstream fields(line.substr(prefix.size()));
  std::string kv;
  while (fields >> kv) {
    auto eq = kv.find('=');
    if (eq == std::string::npos) continue;
    std::string key = kv.substr(0, eq);
    const char* value = kv.c_str() + eq + 1;
    char* end = nullptr;
    long n = std::strtol(value, &end, 10);
    if (end == value || *end != '\0') continue;
    if (key == "port") out.port = static_cast<int>(n);
    if (key == "pid") out.pid = static_cast<pid_t>(n);
    if (key == "protocol") out.protocol = static_cast<int>(n);
  }
  if (out.port <= 0 || out.port > 65535) return std::nullopt;
  return out;
}

std::optional<ReadyLine> find_ready_line(const std::string& text) {
  std::size_t start = 0;
  for (std::size_t nl; (nl = text.find('\n', start)) != std::string::npos; start = nl + 1)
    if (auto ready = parse_ready_line(text.substr(start, nl - start))) return ready;
  return std::nullopt;
}

}  // namespace livegui
