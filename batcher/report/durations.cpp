#include "batcher/report/durations.hpp"

#include <cmath>
#include <fstream>
#include <sstream>
#include <stdexcept>

#include <nlohmann/json.hpp>

#include "batcher/report/json_report.hpp"

namespace livegui::batch {

Durations read_durations(const std::filesystem::path& file) {
  std::ifstream in(file, std::ios::binary);
  if (!in) throw std::runtime_error(file.string() + ": cannot be read");
  std::ostringstream text;
  text << in.rdbuf();
  nlohmann::json doc = nlohmann::json::parse(text.str(), nullptr, false);
  if (doc.is_discarded() || !doc.is_object()) throw std::runtime_error(file.string() + ": not a JSON object");
  if (doc.value("format", std::string()) != kDurationsFormat)
    return durations_of(read_results_json(file));  // a results JSON; it names its own errors
  const auto it = doc.find("durations");
  if (it == doc.end() || !it->is_object())
    throw std::runtime_error(file.string() + ": 'durations' must be an object of entry id → seconds");
  Durations out;
  for (const auto& [id, secs] : it->items()) {
    if (!secs.is_number() || !std::isfinite(secs.get<double>()) || secs.get<double>() < 0)
      throw std::runtime_error(file.string() + ": durations." + id + " must be a number of seconds (0 or more)");
    out[id] = secs.get<double>();
  }
  return out;
}

void write_durations(const std::filesystem::path& file, const Durations& durations) {
  nlohmann::ordered_json doc;
  doc["format"] = kDurationsFormat;
  doc["version"] = 1;
  doc["durations"] = nlohmann::ordered_json::object();
  for (const auto& [id, secs] : durations) doc["durations"][id] = std::round(secs * 1000) / 1000;
  write_file_atomically(file, doc.dump(2) + "\n");
}

}  // namespace livegui::batch
