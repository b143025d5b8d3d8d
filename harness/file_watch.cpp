#include "harness/file_watch.hpp"

#include <sys/inotify.h>
#include <unistd.h>

namespace livegui {

FileWatch::FileWatch() { fd_ = ::inotify_init1(IN_NONBLOCK | IN_CLOEXEC); }

FileWatch::~FileWatch() {
  if (fd_ >= 0) ::close(fd_);
}

int FileWatch::add(const std::filesystem::path& path, bool directory) {
  if (fd_ < 0) return -1;
  uint32_t mask = directory ? (IN_MOVED_TO | IN_CLOSE_WRITE | IN_CREATE) : IN_MODIFY;
  return ::inotify_add_watch(fd_, path.c_str(), mask);
}

void FileWatch::remove(int watch) {
  if (fd_ >= 0 && watch >= 0) ::inotify_rm_watch(fd_, watch);
  drain();
}

void FileWatch::drain() {
  if (fd_ < 0) return;
  alignas(inotify_event) char buf[4096];
  while (::read(fd_, buf, sizeof buf) > 0) {}
}

}  // namespace livegui
