#pragma once
// One long-lived inotify instance that readiness waits borrow: poll() on its
// fd wakes as soon as the AUT writes its log or port file.
//
// Trap: closing an inotify fd costs ~15-20 ms (the kernel waits for an SRCU
// grace period when it destroys the group), while removing a watch is ~30 µs.
// A fresh instance per start would add that to every respawn, so the
// launcher keeps one for its lifetime.

#include <filesystem>

namespace livegui {

class FileWatch {
 public:
  /// Never throws: without inotify (fd() < 0) callers fall back to back-off polling.
  FileWatch();
  ~FileWatch();
  FileWatch(const FileWatch&) = delete;
  FileWatch& operator=(const FileWatch&) = delete;

  int fd() const { return fd_; }

  /// Watches `path` for writes (IN_MODIFY), or, when `directory` is set,
  /// the directory for files appearing in it. Returns a watch id, -1 on failure.
  int add(const std::filesystem::path& path, bool directory);
  void remove(int watch);
  /// Discards pending events (call after each wake-up).
  void drain();

 private:
  int fd_ = -1;
};

}  // namespace livegui
