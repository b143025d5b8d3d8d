#pragma once
// Text as report.html carries it: escaped for HTML (html_escape) and binary
// data as base64 (embedded screenshots). Pure functions; html_report.cpp and
// html_timeline.cpp write the page with them.

#include <string>

namespace livegui::batch {

/// Escapes text for HTML content and attribute values (& < > " '), replaces
/// invalid UTF-8 and control characters with U+FFFD, and drops ANSI colour
/// sequences. Tabs and newlines are kept.
std::string html_escape(const std::string& text);

/// RFC 4648 base64.
std::string base64_encode(const std::string& bytes);

}  // namespace livegui::batch
