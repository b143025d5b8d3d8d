#include "batcher/run/log_cap.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <deque>
#include <string>
#include <string_view>
#include <vector>

namespace livegui::batch {
namespace {

constexpr std::size_t kMarkerLineBytes = 512;   ///< a kept marker line is cut there
constexpr std::size_t kLineStartSearch = 4096;  ///< how far back the kept part looks for a line start

/// The newest marker lines seen, within a byte bound.
class MarkerLines {
 public:
  explicit MarkerLines(std::size_t max_bytes) : max_bytes_(max_bytes) {}

  /// Feeds bytes of a region; a marker line is kept once its newline comes.
  void feed(const char* p, std::size_t n) {
    const char* end = p + n;
    while (p < end) {
      const char* nl = static_cast<const char*>(std::memchr(p, '\n', static_cast<std::size_t>(end - p)));
      const char* stop = nl ? nl : end;
      if (head_.size() < kMarkerLineBytes)
        head_.append(p, std::min<std::size_t>(static_cast<std::size_t>(stop - p), kMarkerLineBytes - head_.size()));
      if (!nl) return;
      if (is_gtest_marker_line(head_.data(), head_.size())) add(head_);
      head_.clear();
      p = nl + 1;
    }
  }
  /// Ends a region: a last line without its newline is left out.
  void end_region() { head_.clear(); }

  /// Reads [from, to) of `fd` as one region.
  void scan(int fd, std::uint64_t from, std::uint64_t to) {
    std::vector<char> buf(1 << 16);
    for (std::uint64_t at = from; at < to;) {
      ssize_t n = ::pread(fd, buf.data(), static_cast<std::size_t>(std::min<std::uint64_t>(buf.size(), to - at)),
                          static_cast<off_t>(at));
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) break;
      feed(buf.data(), static_cast<std::size_t>(n));
      at += static_cast<std::uint64_t>(n);
    }
    end_region();
  }

  bool write_to(int out) const {
    for (const auto& line : lines_)
      if (!write_all(out, line.data(), line.size()) || !write_all(out, "\n", 1)) return false;
    return true;
  }

  static bool write_all(int fd, const char* data, std::size_t size) {
    for (std::size_t done = 0; done < size;) {
      ssize_t w = ::write(fd, data + done, size - done);
      if (w < 0 && errno == EINTR) continue;
      if (w <= 0) return false;
      done += static_cast<std::size_t>(w);
    }
    return true;
  }

 private:
  void add(const std::string& line) {
    lines_.push_back(line);
    bytes_ += line.size() + 1;
    while (bytes_ > max_bytes_ && !lines_.empty()) {
      bytes_ -= lines_.front().size() + 1;
      lines_.pop_front();
    }
  }

  std::size_t max_bytes_;
  std::size_t bytes_ = 0;
  std::deque<std::string> lines_;
  std::string head_;  ///< the current line's first kMarkerLineBytes
};

/// Writes `markers` to `path` atomically (temp + rename, 0600).
void write_markers_file(const std::string& path, const MarkerLines& markers) {
  std::string tmp = path + ".tmp-XXXXXX";
  int out = ::mkostemp(tmp.data(), O_CLOEXEC);
  if (out < 0) return;
  bool ok = markers.write_to(out);
  ::close(out);
  if (!ok || ::rename(tmp.c_str(), path.c_str()) != 0) ::unlink(tmp.c_str());
}

/// Where the kept part starts: `from`, moved back to the start of its line
/// when that is at most kLineStartSearch bytes before (so no marker line is
/// cut in two between the kept markers and the kept bytes).
std::uint64_t line_start(int fd, std::uint64_t from) {
  if (from == 0) return 0;
  std::uint64_t back = std::min<std::uint64_t>(from, kLineStartSearch);
  std::vector<char> buf(static_cast<std::size_t>(back));
  ssize_t n;
  do n = ::pread(fd, buf.data(), buf.size(), static_cast<off_t>(from - back));
  while (n < 0 && errno == EINTR);
  if (n != static_cast<ssize_t>(back)) return from;
  for (std::size_t i = buf.size(); i > 0; --i)
    if (buf[i - 1] == '\n') return from - back + i;
  return from;
}

}  // namespace

bool is_gtest_marker_line(const char* line, std::size_t size) {
  static constexpr std::string_view kMarkers[] = {"[==========]", "[----------]", "[ RUN      ]", "[       OK ]",
                                                  "[  FAILED  ]", "[  SKIPPED ]", "[ DISABLED ]", "[  PASSED  ]"};
  std::string_view text(line, size);
  for (auto m : kMarkers)
    if (text.substr(0, m.size()) == m) return true;
  return false;
}

std::uint64_t cap_log(const std::filesystem::path& log, std::uint64_t max_bytes, const LogWriters* writers) {
  if (max_bytes == 0) return 0;
  int fd = ::open(log.c_str(), O_RDWR | O_NOFOLLOW | O_CLOEXEC);
  if (fd < 0) return 0;
  struct stat st {};
  if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) || static_cast<std::uint64_t>(st.st_size) <= max_bytes) {
    ::close(fd);
    return 0;
  }
  std::string rotated = log.string() + ".1";
  std::string tmp = rotated + ".tmp-XXXXXX";
  int out = ::mkostemp(tmp.data(), O_CLOEXEC);  // 0600
  if (out < 0) {
    ::close(fd);
    return 0;
  }
  const auto size = static_cast<std::uint64_t>(st.st_size);
  std::uint64_t from = line_start(fd, size - max_bytes);
  // The markers of everything dropped: those of the previous <log>.1 (all
  // of them, kept in <log>.1.markers when it was written: reading them
  // there spares re-reading <log>.1), then the log's up to the kept part.
  // A <log>.1.markers without a <log>.1 is a previous attempt's: the
  // executor removes <log>.1 before each attempt.
  MarkerLines markers(static_cast<std::size_t>(std::clamp<std::uint64_t>(max_bytes / 4, 64 << 10, 8 << 20)));
  const std::string markers_file = rotated + ".markers";
  struct stat rst {};
  if (::lstat(rotated.c_str(), &rst) == 0 && S_ISREG(rst.st_mode)) {
    int old = ::open(markers_file.c_str(), O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
    if (old >= 0) {
      struct stat ost {};
      if (::fstat(old, &ost) == 0 && S_ISREG(ost.st_mode))
        markers.scan(old, 0, static_cast<std::uint64_t>(ost.st_size));
      ::close(old);
    }
  }
  markers.scan(fd, 0, from);
  auto head = [&] {
    std::string note = "…[livegui-batch: " + std::to_string(from) +
                       " bytes of output dropped here by the log cap; GoogleTest's markers above are kept]…\n";
    return markers.write_to(out) && MarkerLines::write_all(out, note.data(), note.size());
  };
  bool ok = head();
  std::vector<char> buf(1 << 16);
  std::uint64_t at = from;
  auto copy_until = [&](std::uint64_t end) {
    while (ok && at < end) {
      ssize_t n = ::pread(fd, buf.data(), static_cast<std::size_t>(std::min<std::uint64_t>(buf.size(), end - at)),
                          static_cast<off_t>(at));
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) break;
      ok = MarkerLines::write_all(out, buf.data(), static_cast<std::size_t>(n));
      markers.feed(buf.data(), static_cast<std::size_t>(n));  // for the next cap's <log>.1
      at += static_cast<std::uint64_t>(n);
    }
  };
  // What the child writes while we copy is copied too, up to max_bytes more.
  const std::uint64_t limit = size + max_bytes;
  copy_until(limit);
  // Paused, the child writes nothing until the log is emptied: copy the rest
  // to its last byte. When the child outran the copy, the kept part starts
  // again from the newest max_bytes (the dropped part's markers kept).
  struct Resume {
    const LogWriters* writers = nullptr;
    ~Resume() {
      if (writers && writers->resume) writers->resume();
    }
  } resume;
  if (ok && writers && writers->pause && writers->pause()) {
    resume.writers = writers;
    struct stat paused {};
    if (::fstat(fd, &paused) == 0 && static_cast<std::uint64_t>(paused.st_size) > at) {
      const auto end = static_cast<std::uint64_t>(paused.st_size);
      if (end - from > 2 * max_bytes) {
        const std::uint64_t newest = line_start(fd, end - max_bytes);
        markers.end_region();
        markers.scan(fd, at, newest);
        from = at = newest;
        ok = ::ftruncate(out, 0) == 0 && ::lseek(out, 0, SEEK_SET) == 0 && head();
      }
      copy_until(end);
    }
  }
  markers.end_region();
  ::close(out);
  if (ok) write_markers_file(markers_file, markers);
  if (!ok || ::rename(tmp.c_str(), rotated.c_str()) != 0) {
    ::unlink(tmp.c_str());
    ::close(fd);
    return 0;
  }
  // What the child wrote after the copy (past the limit, or since the last
  // read) is lost with the truncation: count it as dropped too.
  struct stat now {};
  std::uint64_t after = ::fstat(fd, &now) == 0 && static_cast<std::uint64_t>(now.st_size) > at
                            ? static_cast<std::uint64_t>(now.st_size) - at
                            : 0;
  (void)::ftruncate(fd, 0);
  ::close(fd);
  return from + after;
}

}  // namespace livegui::batch
