#pragma once
// results.json: everything a batch produced (entries, tests, attempts,
// durations, dirty starts, the AUT timeline), and the reader `merge` and
// timing-balanced sharding use. Written atomically (temp + rename).

#include <filesystem>
#include <map>
#include <stdexcept>
#include <string>

#include <nlohmann/json.hpp>

#include "batcher/results.hpp"

namespace livegui::batch {

/// A report could not be written or read; what() names the file and why.
class ReportError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

inline constexpr const char* kResultsFormat = "livegui-batch-results";

nlohmann::ordered_json results_to_json(const BatchResults& results);
/// Throws ReportError naming the bad field.
BatchResults results_from_json(const nlohmann::json& doc);

void write_results_json(const std::filesystem::path& file, const BatchResults& results);
BatchResults read_results_json(const std::filesystem::path& file);

/// Unit id → duration in seconds, for balancing shards.
std::map<std::string, double> durations_of(const BatchResults& results);

/// livegui::write_file_atomically (common/atomic_file.hpp) with mode 0644;
/// failures are thrown as ReportError.
void write_file_atomically(const std::filesystem::path& file, const std::string& text);

}  // namespace livegui::batch
