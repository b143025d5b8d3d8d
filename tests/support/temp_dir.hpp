#pragma once
// A fresh directory per test, removed at the end (kept when LIVEGUI_KEEP_TMP=1).

#include <filesystem>
#include <string>

namespace livegui::test_support {

class TempDir {
 public:
  explicit TempDir(const std::string& tag = "test");
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::filesystem::path& path() const { return path_; }
  std::filesystem::path operator/(const std::string& name) const { return path_ / name; }

 private:
  std::filesystem::path path_;
};

}  // namespace livegui::test_support
