// Fuzz target: the AUT state-file reader, livegui::read_state_file
// (harness/state_file.hpp, docs/state-file.md). state_file.hpp exposes no pure
// JSON -> StateFile function, so each input goes through a real file (0600, in
// a scratch directory of this process). Fine: a StateFile, StateFileError. A
// finding: any other exception, a crash, a sanitizer report, a hang, a huge
// allocation, std::nullopt for a file that exists, or a state that does not
// survive write_state_file + read_state_file unchanged.

#include <cstddef>
#include <cstdint>
#include <string>

#include "fuzz/fuzz_support.hpp"
#include "harness/state_file.hpp"

namespace {

namespace fs = std::filesystem;
using livegui::fuzz::finding;

fs::path make_state_dir() {
  fs::path dir = livegui::fuzz::scratch_dir() / "state";
  std::error_code ec;
  fs::create_directory(dir, ec);
  fs::permissions(dir, fs::perms::owner_all, ec);  // what ensure_state_dir() expects: 0700
  if (ec) finding("creating " + dir.string() + ": " + ec.message());
  return dir;
}

/// The fields a write + read must carry unchanged (updated_at is set by the writer).
void check_same(const livegui::StateFile& a, const livegui::StateFile& b) {
  auto differs = [](const char* field) { finding(std::string("state file round trip changed field ") + field); };
  if (a.status != b.status) differs("status");
  if (a.aut.has_value() != b.aut.has_value()) differs("aut");
  if (a.aut) {
    const auto &x = *a.aut, &y = *b.aut;
    if (x.pid != y.pid || x.pgid != y.pgid || x.start_time != y.start_time || x.executable != y.executable ||
        x.port != y.port || x.log_file != y.log_file || x.display != y.display)
      differs("aut.*");
  }
  if (!(a.owner == b.owner) || a.owner_name != b.owner_name) differs("owner");
  if (a.spawn_count != b.spawn_count) differs("spawn_count");
  if (a.last_respawn_reason != b.last_respawn_reason) differs("last_respawn_reason");
  if (a.last_exit.has_value() != b.last_exit.has_value()) differs("last_exit");
  if (a.last_exit) {
    const auto &x = *a.last_exit, &y = *b.last_exit;
    if (x.pid != y.pid || x.status != y.status || x.signaled != y.signaled || x.code != y.code ||
        x.signal != y.signal || x.during_test != y.during_test)
      differs("last_exit.*");
  }
  if (a.degraded_reasons != b.degraded_reasons) differs("degraded_reasons");
  if (a.degraded_during != b.degraded_during) differs("degraded_during");
  if (a.current_test.has_value() != b.current_test.has_value()) differs("current_test");
  if (a.current_test &&
      (a.current_test->suite != b.current_test->suite || a.current_test->name != b.current_test->name))
    differs("current_test.*");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const fs::path dir = make_state_dir();
  const fs::path file = dir / "aut-state.json";
  livegui::fuzz::write_file(file, std::string(reinterpret_cast<const char*>(data), size));

  std::optional<livegui::StateFile> state;
  try {
    state = livegui::read_state_file(file);
  } catch (const livegui::StateFileError&) {
    return 0;  // documented: unusable, and the error names the file and field
  }
  if (!state) finding("read_state_file returned std::nullopt for an existing file");

  // What the harness writes, the batcher must read back as it was. A
  // StateFileError here is a finding too: the writer produced an unreadable file.
  const fs::path copy = dir / "round-trip.json";
  livegui::write_state_file(copy, *state);
  auto back = livegui::read_state_file(copy);
  if (!back) finding("read_state_file returned std::nullopt for the file write_state_file just wrote");
  check_same(*state, *back);
  return 0;
}
