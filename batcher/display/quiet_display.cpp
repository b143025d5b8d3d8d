// The quiet printer (--quiet): only what needs attention — failing entries
// with their blocks, warnings — and the summary.
#include "batcher/display/display.hpp"
#include "batcher/display/entry_text.hpp"

namespace livegui::batch {
namespace {

/// --quiet: only what needs attention (failures, warnings) and the summary.
class QuietDisplay : public Display {
 public:
  QuietDisplay(std::ostream& out, const DisplayOptions& options) : out_(out), options_(options) {}
  void tier_started(const std::string&, std::size_t, bool) override {}
  void entry_started(const EntryStart&) override {}
  void entry_finished(const EntryResult& result, std::size_t finished, std::size_t total) override {
    if (!is_failure(result.code)) return;
    out_ << result_line(result, finished, total, options_.color) << "\n" << failure_block(result, options_.color);
    out_.flush();
  }
  void warning(const std::string& line) override {
    out_ << paint_warning(line, options_.color) << "\n";
    out_.flush();
  }
  void note(const std::string&) override {}
  void tick() override {}
  void finish() override { out_.flush(); }
  void print(const std::string& text) override {
    out_ << text;
    out_.flush();
  }

 private:
  std::ostream& out_;
  DisplayOptions options_;
};

}  // namespace

std::unique_ptr<Display> make_quiet_display(std::ostream& out, const DisplayOptions& options) {
  return std::make_unique<QuietDisplay>(out, options);
}

}  // namespace livegui::batch
