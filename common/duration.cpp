#include "common/duration.hpp"

#include <cmath>
#include <cstdlib>

namespace livegui {

std::optional<std::chrono::milliseconds> parse_duration(const std::string& text) {
  // strtod, not stod: no exceptions, and "inf"/"nan" are refused below.
  const char* begin = text.c_str();
  char* end = nullptr;
  double value = std::strtod(begin, &end);
  if (end == begin) return std::nullopt;
  std::string unit(end);
  unit.erase(0, unit.find_first_not_of(' '));
  double factor = 0;
  if (unit.empty() || unit == "s" || unit == "sec")
    factor = 1000.0;
  else if (unit == "ms")
    factor = 1.0;
  else if (unit == "min" || unit == "m")
    factor = 60'000.0;
  else if (unit == "h")
    factor = 3'600'000.0;
  else
    return std::nullopt;
  if (!std::isfinite(value) || value < 0 || value * factor > 1e15) return std::nullopt;
  return std::chrono::milliseconds(static_cast<long long>(std::llround(value * factor)));
}

std::string format_duration(std::chrono::milliseconds d) {
  long long ms = d.count();
  if (ms != 0 && ms % 3'600'000 == 0) return std::to_string(ms / 3'600'000) + "h";
  if (ms != 0 && ms % 60'000 == 0) return std::to_string(ms / 60'000) + "min";
  if (ms != 0 && ms % 1000 == 0) return std::to_string(ms / 1000) + "s";
  return std::to_string(ms) + "ms";
}

}  // namespace livegui
