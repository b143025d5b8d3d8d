// The smart terminal printer: one progress line, overwritten in place
// ("\r" + text elided to the width + ESC[K), showing the most recently
// started entry that is still running and its elapsed time. Anything else
// (warnings, failure blocks, the summary) first clears the line, prints on
// fresh lines, then redraws it.
#include <map>
#include <vector>

#include "batcher/display/display.hpp"
#include "batcher/display/entry_text.hpp"
#include "batcher/display/terminal.hpp"
#include "common/text.hpp"

namespace livegui::batch {
namespace {

using Clock = std::chrono::steady_clock;

class SmartDisplay : public Display {
 public:
  SmartDisplay(std::ostream& out, const DisplayOptions& options) : out_(out), options_(options) {}

  void tier_started(const std::string&, std::size_t, bool) override {}

  void entry_started(const EntryStart& entry) override {
    running_.push_back({entry, Clock::now()});
    redraw();
  }

  void entry_finished(const EntryResult& result, std::size_t finished, std::size_t total) override {
    for (auto it = running_.begin(); it != running_.end(); ++it) {
      if (it->entry.id == result.id) {
        running_.erase(it);
        break;
      }
    }
    finished_ = finished;
    total_ = total;
    if (is_failure(result.code)) {
      clear();
      out_ << result_line(result, finished, total, options_.color) << "\n" << failure_block(result, options_.color);
    } else if (result.dirty_start || result.code == ResultCode::XFail) {
      clear();
      out_ << result_line(result, finished, total, options_.color) << "\n";
    }
    redraw();
  }

  void warning(const std::string& line) override {
    clear();
    out_ << paint_warning(line, options_.color) << "\n";
    redraw();
  }

  void note(const std::string& line) override {
    if (!options_.verbose) return;
    clear();
    out_ << line << "\n";
    redraw();
  }

  void tick() override { redraw(); }

  void finish() override { clear(); }

  void print(const std::string& text) override {
    clear();
    out_ << text;
    out_.flush();
  }

 private:
  struct Running {
    EntryStart entry;
    Clock::time_point started;
  };

  void clear() {
    if (!drawn_) return;
    out_ << "\r\033[K";
    drawn_ = false;
  }

  void redraw() {
    if (running_.empty()) {
      clear();
      out_.flush();
      return;
    }
    const Running& r = running_.back();
    std::string line = "[" + std::to_string(r.entry.index) + "/" + std::to_string(r.entry.total) + "] " +
                       entry_label(r.entry.tier, r.entry.name);
    if (r.entry.tests > 0) line += " (" + std::to_string(r.entry.tests) + (r.entry.tests == 1 ? " test)" : " tests)");
    line += " " + human_duration(Clock::now() - r.started);
    if (running_.size() > 1) line += " (+" + std::to_string(running_.size() - 1) + " running)";
    std::size_t width = options_.width > 1 ? options_.width - 1 : 79;  // never wrap
    out_ << "\r" << elide_middle(line, width) << "\033[K";
    out_.flush();
    drawn_ = true;
  }

  std::ostream& out_;
  DisplayOptions options_;
  std::vector<Running> running_;
  std::size_t finished_ = 0;
  std::size_t total_ = 0;
  bool drawn_ = false;
};

}  // namespace

std::unique_ptr<Display> make_smart_display(std::ostream& out, const DisplayOptions& options) {
  return std::make_unique<SmartDisplay>(out, options);
}

std::unique_ptr<Display> make_display(std::ostream& out, const DisplayOptions& options) {
  switch (options.kind) {
    case DisplayKind::Smart: return make_smart_display(out, options);
    case DisplayKind::Quiet: return make_quiet_display(out, options);
    case DisplayKind::Plain: break;
  }
  return make_plain_display(out, options);
}

}  // namespace livegui::batch
