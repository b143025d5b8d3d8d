#include "batcher/merge_command.hpp"

#include "batcher/batch.hpp"
#include "batcher/report/durations.hpp"
#include "batcher/report/html_report.hpp"
#include "batcher/report/json_report.hpp"
#include "batcher/report/junit_report.hpp"
#include "batcher/report/merge.hpp"
#include "batcher/report/summary.hpp"

namespace livegui::batch {
namespace fs = std::filesystem;

int run_merge(const MergeOptions& options, std::ostream& out, std::ostream& err) {
  if (options.inputs.empty()) {
    err << "livegui-batch merge: give the shard reports to merge\n";
    return kExitUsage;
  }
  std::vector<BatchResults> parts;
  for (const auto& in : options.inputs) {
    try {
      parts.push_back(read_results_json(in));
    } catch (const std::exception& e) {
      err << "livegui-batch merge: " << e.what() << "\n";
      return kExitUsage;
    }
  }
  BatchResults merged = merge_results(parts);
  fs::path durations = options.durations.empty() ? options.output.parent_path() / "durations.json" : options.durations;
  SummaryOptions so;
  so.report_files = {options.output.string()};
  so.tier_warnings = true;  // the shards printed them; this console did not
  try {
    for (const fs::path& f : {options.output, options.junit, options.html, durations}) {
      std::error_code ec;  // a missing parent (a fresh CI workspace) is created; a failure shows at the write
      if (!f.empty() && f.has_parent_path()) fs::create_directories(f.parent_path(), ec);
    }
    write_results_json(options.output, merged);
    if (!options.junit.empty()) {
      write_junit_xml(options.junit, merged);
      so.report_files.push_back(options.junit.string());
    }
    if (!options.html.empty()) {
      // Screenshots and AUT logs are read relative to the first shard's
      // report directory when the shards were collected side by side.
      BatchResults lanes = timeline_by_shard(merged, parts);
      HtmlReportOptions html;
      html.report_dir = options.inputs.front().parent_path();
      html.timeline = &lanes;
      write_html_report(options.html, merged, html);
      so.report_files.push_back(options.html.string());
    }
    write_durations(durations, durations_of(merged));
    so.report_files.push_back(durations.string());
  } catch (const std::exception& e) {
    err << "livegui-batch merge: " << e.what() << "\n";
    return kExitUsage;
  }
  out << summary_text(merged, so);
  return merged.exit_code;
}

}  // namespace livegui::batch
