#pragma once
// One run per report directory: results.json, junit.xml, report.html, logs/
// and artifacts/ (an entry's markers, the AUT's logs) are written by one run
// at a time. Two runs that name the same directory (two CI jobs of one
// checkout, both with the default ./livegui-report) would each read the
// other's artifacts and overwrite its reports, silently. The run holds an
// exclusive flock(2) on the directory itself (no lock file to leave behind)
// for as long as it lives; the fd is close-on-exec, so no entry, orphan or
// AUT keeps it after the run.

#include <sys/types.h>

#include <filesystem>
#include <stdexcept>

namespace livegui::batch {

/// Another live process holds the report directory.
struct ReportDirInUse : std::runtime_error {
  using std::runtime_error::runtime_error;
};

class ReportDirLock {
 public:
  /// Takes LOCK_EX on `dir` (which must exist) without blocking. Throws
  /// ReportDirInUse, saying which process holds it when /proc/locks tells,
  /// when another one does. A file system that cannot lock a directory
  /// (flock fails otherwise) is not a reason to refuse the run: then nothing
  /// is held, and held() is false.
  explicit ReportDirLock(const std::filesystem::path& dir);
  /// Releases the lock. Never throws.
  ~ReportDirLock();
  ReportDirLock(const ReportDirLock&) = delete;
  ReportDirLock& operator=(const ReportDirLock&) = delete;

  bool held() const { return fd_ >= 0; }

 private:
  int fd_ = -1;
};

/// The pid holding a flock(2) on the file with device `dev` and inode `ino`,
/// from /proc/locks (0 when none is listed). Never throws.
pid_t flock_holder(dev_t dev, ino_t ino);

}  // namespace livegui::batch
