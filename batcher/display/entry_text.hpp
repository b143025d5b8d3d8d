#pragma once
// Text shared by the printers and the summary: result lines, the failure
// block (header, failing tests with their reproduction commands, the output
// tail), and colours.

#include <cstddef>
#include <string>

#include "batcher/results.hpp"

namespace livegui::batch {

/// Wraps `text` in the colour of `code` when `color`.
std::string paint(const std::string& text, ResultCode code, bool color);
/// Yellow (warnings), when `color`.
std::string paint_warning(const std::string& text, bool color);

/// "tier › name".
std::string entry_label(const std::string& tier, const std::string& name);

/// "(3 tests)", "(1 test)", "" for command entries.
std::string tests_phrase(const EntryResult& result);

/// "[ 3/40] PASS  unit › test_foo (3 tests) 0.12 s" (+ " — reason" when not passed).
std::string result_line(const EntryResult& result, std::size_t finished, std::size_t total, bool color);

/// The block printed after a failing entry: what failed, how to reproduce
/// each failure, resumes, dirty start, and the output tail.
std::string failure_block(const EntryResult& result, bool color);

/// One later process of an entry, in its runner's terms: "resumed in a fresh
/// process (attempt 2, --gtest_filter=*-S.a:S.b): exit code 0", "resumed in a
/// fresh process (attempt 2, --deselect t.py::a --deselect t.py::b): …",
/// "retry 1 of the failed tests, on a fresh AUT (attempt 2, --gtest_filter=S.b): …",
/// "retry 1 of the whole entry, in a fresh process (attempt 2): …". Never
/// a --gtest_filter for an entry that is not a GoogleTest binary.
std::string attempt_line(const EntryResult& result, const AttemptRecord& attempt);

/// `text` safe for a terminal: control bytes a child printed (ESC, BEL, a
/// lone CR, …) become visible escapes ("\x1b"); newlines and tabs stay.
std::string console_safe(const std::string& text);

}  // namespace livegui::batch
