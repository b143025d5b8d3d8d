#include "common/executable_path.hpp"

#include <unistd.h>

#include <cstdlib>
#include <system_error>

namespace livegui {

std::filesystem::path find_executable(const std::string& name) {
  namespace fs = std::filesystem;
  if (name.empty()) return {};
  std::error_code ec;  // the throwing overloads escape on EACCES, ENAMETOOLONG
  if (name.find('/') != std::string::npos) {
    fs::path abs = fs::absolute(name, ec);
    return ec ? fs::path(name).lexically_normal() : abs.lexically_normal();
  }
  const char* path = std::getenv("PATH");
  std::string dirs = path && *path ? path : "/usr/local/bin:/usr/bin:/bin";
  std::size_t start = 0;
  while (start <= dirs.size()) {
    auto colon = dirs.find(':', start);
    std::string dir = dirs.substr(start, colon == std::string::npos ? std::string::npos : colon - start);
    fs::path candidate = fs::path(dir.empty() ? "." : dir) / name;
    if (fs::is_regular_file(candidate, ec) && ::access(candidate.c_str(), X_OK) == 0)
      return fs::absolute(candidate, ec).lexically_normal();
    if (colon == std::string::npos) break;
    start = colon + 1;
  }
  return {};
}

}  // namespace livegui
