#pragma once
// report.html: one self-contained page for people (results.json is for
// programs, junit.xml for CI). No network and no external assets: inline CSS,
// no script, a Content-Security-Policy that forbids loading anything but
// data: images, failure screenshots embedded as data: URIs (PNG, base64) up
// to a cap per image and in total, linked beyond it. Sections: the summary
// per tier (the numbers of the text summary), the [BATCH-WARN] dirty-state
// warnings, the AUT timeline (html_timeline.hpp), failure details
// (reproduction command, message, output tail, AUT log tail, screenshot), and
// every entry with its tests, collapsible. Every piece of text from tests,
// plans or logs is escaped. Written atomically, so an interrupted run leaves
// either the previous page or a complete new one (marked partial).

#include <cstddef>
#include <filesystem>
#include <map>
#include <string>

#include <sys/types.h>

#include "batcher/report/html_text.hpp"
#include "batcher/results.hpp"

namespace livegui::batch {

struct HtmlReportOptions {
  /// Where the reports go: relative screenshot paths and logs/aut/ are read from here.
  std::filesystem::path report_dir;
  std::size_t max_image_bytes = 2 * 1024 * 1024;         ///< larger screenshots are linked, not embedded
  std::size_t max_total_image_bytes = 16 * 1024 * 1024;  ///< embedded screenshots in all; the rest are linked
  std::size_t max_message_bytes = 16 * 1024;  ///< per test message / output tail / log tail (the end is kept)
  std::size_t output_tail_lines = 40;
  std::size_t aut_log_tail_lines = 30;
  /// When set, the AUT timeline is drawn from these results instead (merge
  /// --html: one group of lanes per shard, see timeline_by_shard); the
  /// entries must be the page's, in the same order.
  const BatchResults* timeline = nullptr;
};

/// The whole page. Reads screenshots and log tails from disk; never throws
/// for a missing or unreadable file (the page says so instead).
std::string html_report(const BatchResults& results, const HtmlReportOptions& options);

/// Throws ReportError (json_report.hpp) when the file cannot be written.
void write_html_report(const std::filesystem::path& file, const BatchResults& results,
                       const HtmlReportOptions& options);

/// AUT log files in `dir` (logs/aut/ of a report) by the pid their ready line
/// announces ("LIVEGUI_HOOK_READY port=… pid=…"). Never throws.
std::map<pid_t, std::filesystem::path> aut_logs_by_pid(const std::filesystem::path& dir);

}  // namespace livegui::batch
