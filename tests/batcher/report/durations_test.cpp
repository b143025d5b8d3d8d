#include "batcher/report/durations.hpp"

#include <fstream>

#include <gtest/gtest.h>

#include "batcher/report/json_report.hpp"
#include "tests/support/temp_dir.hpp"

namespace livegui::batch {
namespace {

using namespace std::chrono_literals;
using test_support::TempDir;

std::string read_error(const std::filesystem::path& file) {
  try {
    read_durations(file);
  } catch (const std::exception& e) {
    return e.what();
  }
  return "<no error>";
}

TEST(Durations, WrittenFileReadsBack) {
  TempDir dir("durations");
  write_durations(dir / "durations.json", {{"unit/a", 1.25}, {"live/b", 14.2}});
  Durations back = read_durations(dir / "durations.json");
  EXPECT_EQ(back, (Durations{{"unit/a", 1.25}, {"live/b", 14.2}}));
}

TEST(Durations, AResultsJsonIsReadToo) {
  TempDir dir("durations");
  BatchResults r;
  EntryResult ran;
  ran.id = "unit/a";
  ran.tier = "unit";
  ran.name = "a";
  ran.duration = 2500ms;
  EntryResult skipped = ran;
  skipped.id = "unit/b";
  skipped.name = "b";
  skipped.code = ResultCode::Skipped;
  r.entries = {ran, skipped};
  write_results_json(dir / "results.json", r);
  EXPECT_EQ(read_durations(dir / "results.json"), (Durations{{"unit/a", 2.5}})) << "a skipped entry has no duration";
}

TEST(Durations, BadFilesAreNamed) {
  TempDir dir("durations");
  EXPECT_NE(read_error(dir / "missing.json").find("missing.json: cannot be read"), std::string::npos);
  std::ofstream(dir / "bad.json") << R"({"format": "livegui-batch-durations", "durations": {"a/b": "slow"}})";
  EXPECT_EQ(read_error(dir / "bad.json"),
            (dir / "bad.json").string() + ": durations.a/b must be a number of seconds (0 or more)");
  std::ofstream(dir / "text.json") << "not json";
  EXPECT_NE(read_error(dir / "text.json").find("not a JSON object"), std::string::npos);
}

}  // namespace
}  // namespace livegui::batch
