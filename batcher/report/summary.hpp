#pragma once
// The end-of-batch summary: a table per tier (passed / failed / crashed /
// timed out / unresolved / skipped / expected failures / unexpected passes /
// dirty starts / AUT respawns / duration), every failure with its
// reproduction command, and where the reports are.

#include <string>
#include <vector>

#include "batcher/results.hpp"

namespace livegui::batch {

struct SummaryOptions {
  bool color = false;
  std::vector<std::string> report_files;  ///< listed at the end
  std::size_t max_failures_listed = 50;
  /// Print each tier's [BATCH-WARN] lines. A run leaves it false: the
  /// console printed them live, once; `livegui-batch merge`, which printed
  /// nothing before, sets it.
  bool tier_warnings = false;
};

std::string summary_text(const BatchResults& results, const SummaryOptions& options);

}  // namespace livegui::batch
