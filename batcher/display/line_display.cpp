// The line printers. Plain (pipes, CI logs, TERM=dumb): one line per
// finished entry, a failure block after a failing one, warnings as they
// come; with --verbose, a line per test too. Quiet (--quiet): only what needs
// attention — failing entries with their blocks, warnings — and the summary.
#include "batcher/display/display.hpp"
#include "batcher/display/entry_text.hpp"
#include "common/text.hpp"

namespace livegui::batch {
namespace {

class LineDisplay : public Display {
 public:
  /// `quiet`: failing entries only, never verbose.
  LineDisplay(std::ostream& out, const DisplayOptions& options, bool quiet)
      : out_(out), options_(options), quiet_(quiet) {
    if (quiet_) options_.verbose = false;
  }

  void tier_started(const std::string& tier, std::size_t entries, bool uses_aut) override {
    if (!options_.verbose) return;
    out_ << "── tier " << tier << ": " << entries << (entries == 1 ? " entry" : " entries")
         << (uses_aut ? " (uses the AUT: one at a time)" : "") << "\n";
    out_.flush();
  }

  void entry_started(const EntryStart& entry) override {
    if (!options_.verbose) return;
    out_ << "[" << entry.index << "/" << entry.total << "] START " << entry_label(entry.tier, entry.name) << "\n";
    out_.flush();
  }

  void entry_finished(const EntryResult& result, std::size_t finished, std::size_t total) override {
    if (quiet_ && !is_failure(result.code)) return;
    out_ << result_line(result, finished, total, options_.color) << "\n";
    if (options_.verbose) {
      for (const auto& t : result.tests) {
        if (t.synthetic && !result.gtest) continue;
        out_ << "    " << paint(name(t.code), t.code, options_.color) << " " << t.name << " "
             << human_duration(t.duration) << "\n";
      }
    }
    if (is_failure(result.code)) out_ << failure_block(result, options_.color);
    out_.flush();
  }

  void warning(const std::string& line) override {
    out_ << paint_warning(line, options_.color) << "\n";
    out_.flush();
  }

  void note(const std::string& line) override {
    if (!options_.verbose) return;
    out_ << line << "\n";
    out_.flush();
  }

  void tick() override {}
  void finish() override { out_.flush(); }

  void print(const std::string& text) override {
    out_ << text;
    out_.flush();
  }

 private:
  std::ostream& out_;
  DisplayOptions options_;
  bool quiet_;
};

}  // namespace

std::unique_ptr<Display> make_plain_display(std::ostream& out, const DisplayOptions& options) {
  return std::make_unique<LineDisplay>(out, options, /*quiet=*/false);
}

std::unique_ptr<Display> make_quiet_display(std::ostream& out, const DisplayOptions& options) {
  return std::make_unique<LineDisplay>(out, options, /*quiet=*/true);
}

}  // namespace livegui::batch
