#pragma once
// The one duration syntax of livegui's configuration (plan, AUT spec, command
// line): a number and a unit — "500ms", "1s", "1.5s", "2min", "1h". A bare
// number means seconds (the plan's `timeout = 90` of earlier releases).

#include <chrono>
#include <optional>
#include <string>

namespace livegui {

/// "90s" → 90000 ms, "500ms", "2min", "1h", "1.5" (seconds). Units: ms, s,
/// sec, m, min, h. std::nullopt when malformed, negative or not finite.
/// Never throws.
std::optional<std::chrono::milliseconds> parse_duration(const std::string& text);

/// The shortest exact spelling parse_duration reads back: "500ms", "3s",
/// "2min", "1h" (0 → "0ms").
std::string format_duration(std::chrono::milliseconds d);

}  // namespace livegui
