#pragma once
// JUnit XML for CI systems: one <testsuite> per entry, one <testcase> per
// test. FAIL/XPASS are <failure>, CRASH/TIMEOUT/UNRESOLVED are <error> with
// the type named, SKIPPED and XFAIL are <skipped>. A dirty start is a
// property of the entry's suite and is printed in its <system-out>; the
// output tail of a failing entry goes to <system-out> of its failing tests.

#include <filesystem>
#include <string>

#include "batcher/results.hpp"

namespace livegui::batch {

std::string junit_xml(const BatchResults& results);

/// Throws ReportError (json_report.hpp) when the file cannot be written.
void write_junit_xml(const std::filesystem::path& file, const BatchResults& results);

/// Escapes text for XML content and attributes; drops characters XML 1.0 forbids.
std::string xml_escape(const std::string& text);

}  // namespace livegui::batch
