#pragma once
// A warning of the batch, as users see it:
//   [BATCH-WARN] live_gui: test_extended_sims left the AUT (pid 4121) dead — …
// This is the one place the prefix is added. Messages are kept without it
// (DirtyStart::message, EntryResult::warnings) and shown with it: on the
// console (display), in junit.xml's system-out and in report.html.
// TierResult::warnings keep whole lines (results.json carries them as shown).

#include <string>
#include <string_view>

namespace livegui::batch {

/// What every warning line of the batch starts with.
inline constexpr std::string_view kWarnPrefix = "[BATCH-WARN] ";

/// "[BATCH-WARN] " + message.
inline std::string warn_line(std::string_view message) {
  std::string line(kWarnPrefix);
  line += message;
  return line;
}

/// An entry's warning as printed: "[BATCH-WARN] <tier>: <message>." —
/// `message` as kept in EntryResult::warnings (no tier, no full stop).
inline std::string entry_warn_line(std::string_view tier, std::string_view message) {
  std::string line = warn_line(tier);
  line += ": ";
  line += message;
  line += '.';
  return line;
}

}  // namespace livegui::batch
