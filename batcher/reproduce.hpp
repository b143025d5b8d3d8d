#pragma once
// Pasteable shell commands that rerun an entry or one test by hand.

#include <string>
#include <vector>

#include "batcher/results.hpp"

namespace livegui::batch {

/// Quotes `word` for a POSIX shell (unchanged when it needs no quoting).
std::string shell_quote(const std::string& word);

/// `cd DIR && VAR=value … /path/exe args [--gtest_filter=FILTER]`.
/// `filter` replaces the entry's own filter when not empty.
std::string reproduce_command(const EntryResult& entry, const std::string& filter = {});

}  // namespace livegui::batch
