#include "fuzz/fuzz_support.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <system_error>

namespace livegui::fuzz {
namespace fs = std::filesystem;

namespace {

fs::path temp_root() {
  // tools/fuzz.sh sets this to a directory it removes afterwards: a process
  // that aborts on a finding cannot remove its own scratch directory.
  if (const char* r = std::getenv("LIVEGUI_FUZZ_SCRATCH_ROOT"); r && *r) return r;
  // Targets write a file per input (and the state-file target fsyncs its
  // round trip): tmpfs keeps that from costing disk I/O.
  if (::access("/dev/shm", W_OK | X_OK) == 0) return "/dev/shm";
  if (const char* t = std::getenv("TMPDIR"); t && *t) return t;
  return "/tmp";
}

fs::path* g_scratch = nullptr;

void remove_scratch() {
  if (!g_scratch) return;
  std::error_code ec;
  fs::remove_all(*g_scratch, ec);  // best effort at exit; never throws
}

}  // namespace

[[noreturn]] void finding(const std::string& what) {
  std::fprintf(stderr, "FUZZ FINDING: %s\n", what.c_str());
  std::fflush(stderr);
  std::abort();
}

const fs::path& scratch_dir() {
  static const fs::path dir = [] {
    std::string tmpl = (temp_root() / "livegui-fuzz-XXXXXX").string();
    if (::mkdtemp(tmpl.data()) == nullptr)
      finding("creating a scratch directory from " + tmpl + ": " + std::strerror(errno));
    g_scratch = new fs::path(tmpl);
    std::atexit(remove_scratch);
    return fs::path(tmpl);
  }();
  return dir;
}

void write_file(const fs::path& path, const std::string& bytes, unsigned mode) {
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, mode);
  if (fd < 0) finding("creating " + path.string() + ": " + std::strerror(errno));
  // The umask may have masked bits off a new file; a truncated old one keeps its mode.
  if (::fchmod(fd, mode) != 0) finding("chmod " + path.string() + ": " + std::strerror(errno));
  std::size_t done = 0;
  while (done < bytes.size()) {
    ssize_t n = ::write(fd, bytes.data() + done, bytes.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) finding("writing " + path.string() + ": " + std::strerror(errno));
    done += static_cast<std::size_t>(n);
  }
  ::close(fd);
}

}  // namespace livegui::fuzz
