#include "common/keep_newest.hpp"

#include <sys/stat.h>

#include <algorithm>
#include <cstdio>
#include <utility>
#include <vector>

namespace livegui {
namespace fs = std::filesystem;

std::size_t keep_newest(const fs::path& dir, std::size_t keep, const NewnessKey& newness) {
  std::vector<std::pair<std::string, fs::path>> found;
  std::error_code ec;
  try {
    for (fs::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
      std::error_code type_ec;
      // Regular files and symlinks (a symlink is judged as itself): never a directory.
      if (it->symlink_status(type_ec).type() == fs::file_type::directory || type_ec) continue;
      if (auto key = newness(*it)) found.emplace_back(std::move(*key), it->path());
    }
  } catch (const std::exception&) {
    return 0;  // a key function that threw: remove nothing rather than guess
  }
  if (found.size() <= keep) return 0;
  // Ties (one timestamp) by name, so every pruner agrees on which go.
  std::sort(found.begin(), found.end());
  std::size_t removed = 0;
  for (std::size_t i = 0; i + keep < found.size(); ++i)
    if (fs::remove(found[i].second, ec)) ++removed;  // a concurrent writer may have removed it first
  return removed;
}

std::optional<std::string> mtime_key(const fs::directory_entry& entry) {
  struct stat st {};
  // The entry itself (lstat): a symlink is not a file we wrote.
  if (::lstat(entry.path().c_str(), &st) != 0 || !S_ISREG(st.st_mode)) return std::nullopt;
  char buf[48];
  std::snprintf(buf, sizeof buf, "%020lld.%09ld", static_cast<long long>(st.st_mtim.tv_sec), st.st_mtim.tv_nsec);
  return std::string(buf);
}

}  // namespace livegui
