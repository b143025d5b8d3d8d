#pragma once
// What an entry's result says about itself: its one-line reason (the worst
// test and the tally), and the tail of the output of the attempt that gave
// its worst result.

#include <cstdint>
#include <filesystem>
#include <string>

#include "batcher/results.hpp"

namespace livegui::batch {

/// The first line of `text` (all of it when it has none).
std::string first_line(const std::string& text);

/// The last `lines` lines of an attempt's output: of <log>.1 and <log> when
/// its log was capped (what was printed last may all be in <log>.1).
/// Reads the files; never throws for a missing one.
std::string output_tail(const std::filesystem::path& log, std::size_t lines, bool capped);

/// "64 MiB", "4 KiB", "100 bytes".
std::string human_bytes(std::uint64_t n);

/// The entry's one-line reason: its worst test and why ("S.T: message"),
/// then the tally and how it was resumed; a command's own message.
std::string describe(const EntryResult& e);

/// The warning for a resume (attempt `attempt`, run with `filter`) that
/// exited non-zero although no test failed (`message`: "the test binary
/// exited with …"): a main() that checks how many tests ran fails then
/// because of the resume, so it is no failure of the entry.
std::string resume_exit_warning(const std::string& entry_name, int attempt, const std::string& filter,
                                const std::string& message);

}  // namespace livegui::batch
