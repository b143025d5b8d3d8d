#pragma once
// Small text helpers shared by the modules: file tails for failure reports,
// signal names, human durations, join.

#include <chrono>
#include <cstddef>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

namespace livegui {

/// The last `max_lines` lines of the file (at most `max_bytes` read from its
/// end). Empty when the file is missing or unreadable. Never throws.
std::string tail_file(const std::filesystem::path& path, std::size_t max_lines = 20, std::size_t max_bytes = 64 * 1024);

/// The last `max_lines` lines of `text`.
std::string tail_lines(const std::string& text, std::size_t max_lines);

/// "SIGABRT", "SIGSEGV", … or "signal 42" for numbers without a name.
std::string signal_name(int sig);

/// "0.41 s", "12 ms", "2 min 3 s" — for messages, not for parsing.
std::string human_duration(std::chrono::nanoseconds d);

/// The parts with `sep` between them: join({"a", "b"}, ", ") == "a, b".
std::string join(const std::vector<std::string>& parts, std::string_view sep);

/// Indents every line of `text` with `prefix`.
std::string indent(const std::string& text, const std::string& prefix);

/// `s` with every byte outside RFC 3986's unreserved set (ALPHA DIGIT - . _ ~,
/// section 2.3) and outside `also_plain` written %XX (upper-case hex, 2.1):
/// percent_encode("a b/c") == "a%20b%2Fc"; percent_encode("a b/c", "/") == "a%20b/c".
std::string percent_encode(std::string_view s, std::string_view also_plain = {});

}  // namespace livegui
