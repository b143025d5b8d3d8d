#include "tests/support/files.hpp"

#include <fstream>
#include <sstream>

namespace livegui::test_support {

std::string read_text(const std::filesystem::path& file) {
  std::ifstream in(file, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

nlohmann::json read_json(const std::filesystem::path& file) {
  std::string text = read_text(file);
  if (text.empty()) return nlohmann::json();
  return nlohmann::json::parse(text, nullptr, false);
}

}  // namespace livegui::test_support
