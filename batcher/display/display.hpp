#pragma once
// Progress display, behind an interface (after ninja's Status): the
// executor reports events, a printer draws them. Smart: one overwritten line
// on a terminal. Plain: one line per finished entry. Quiet: failures and
// warnings only. A failing entry's output is printed as one block after the
// entry ends, never interleaved with progress.

#include <chrono>
#include <cstddef>
#include <memory>
#include <ostream>
#include <string>

#include "batcher/results.hpp"

namespace livegui::batch {

struct EntryStart {
  std::string id;
  std::string tier;
  std::string name;
  std::size_t tests = 0;  ///< 0 = not known yet
  std::size_t index = 0;  ///< 1-based start order
  std::size_t total = 0;
};

class Display {
 public:
  virtual ~Display() = default;
  virtual void tier_started(const std::string& tier, std::size_t entries, bool uses_aut) = 0;
  virtual void entry_started(const EntryStart& entry) = 0;
  /// The entry is done (all its attempts). `finished` of `total` are done now.
  virtual void entry_finished(const EntryResult& result, std::size_t finished, std::size_t total) = 0;
  /// A [BATCH-WARN] line; printed on its own line before the next entry starts.
  virtual void warning(const std::string& line) = 0;
  /// Extra information (shown with --verbose by the plain printer).
  virtual void note(const std::string& line) = 0;
  /// Time passes: redraw what depends on it. Cheap.
  virtual void tick() = 0;
  /// No more progress: leave the terminal on a fresh line.
  virtual void finish() = 0;
  /// A block of text (the summary), printed as is.
  virtual void print(const std::string& text) = 0;
};

enum class DisplayKind { Smart, Plain, Quiet };

struct DisplayOptions {
  DisplayKind kind = DisplayKind::Plain;
  bool color = false;
  bool verbose = false;
  std::size_t width = 80;  ///< terminal columns (smart printer)
};

std::unique_ptr<Display> make_smart_display(std::ostream& out, const DisplayOptions& options);
std::unique_ptr<Display> make_plain_display(std::ostream& out, const DisplayOptions& options);
std::unique_ptr<Display> make_quiet_display(std::ostream& out, const DisplayOptions& options);
std::unique_ptr<Display> make_display(std::ostream& out, const DisplayOptions& options);

}  // namespace livegui::batch
