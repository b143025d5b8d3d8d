// Whether an entry is a GoogleTest binary, decided from its ELF sections
// (issue 13), never differently from a scan of the whole file.
#include "batcher/select/gtest_sniff.hpp"

#include <elf.h>

#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>

#include <gtest/gtest.h>

#include "tests/support/temp_dir.hpp"

namespace livegui::batch {
namespace {

namespace fs = std::filesystem;

std::string bytes_of(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

fs::path write(const fs::path& p, const std::string& bytes) {
  std::ofstream(p, std::ios::binary) << bytes;
  return p;
}

TEST(BatcherGtestSniff, AGoogleTestBinaryIsOneAndOtherFilesAreNot) {
  // This very test binary links GoogleTest statically.
  EXPECT_TRUE(looks_like_gtest(fs::read_symlink("/proc/self/exe")));
  EXPECT_FALSE(looks_like_gtest("/bin/true"));
  test_support::TempDir dir{"gtest-sniff"};
  EXPECT_FALSE(looks_like_gtest(write(dir / "script", "#!/bin/sh\n# gtest_list_tests libgtest.so\n")));
  EXPECT_FALSE(looks_like_gtest(write(dir / "empty", "")));
  EXPECT_FALSE(looks_like_gtest(dir / "missing"));
  EXPECT_FALSE(looks_like_gtest(dir.path()));
}

TEST(BatcherGtestSniff, WhereTheSectionsDoNotSayTheWholeFileIsScannedAsBefore) {
  test_support::TempDir dir{"gtest-sniff-fallback"};
  // Not ELF at all.
  EXPECT_TRUE(looks_like_gtest(write(dir / "data", std::string(5000, 'x') + "gtest_list_tests")));
  // An ELF file with the name outside every section (appended after them).
  EXPECT_TRUE(looks_like_gtest(write(dir / "appended", bytes_of("/bin/true") + "libgtest.so.1.12")));
  // A GoogleTest binary whose section table points past its end.
  std::string self = bytes_of(fs::read_symlink("/proc/self/exe"));
  ASSERT_GT(self.size(), sizeof(Elf64_Ehdr));
  auto* eh = reinterpret_cast<Elf64_Ehdr*>(self.data());
  eh->e_shoff = self.size() + 4096;
  EXPECT_TRUE(looks_like_gtest(write(dir / "broken_sections", self)));
  // … and one without the string anywhere stays no.
  std::string plain = bytes_of("/bin/true");
  reinterpret_cast<Elf64_Ehdr*>(plain.data())->e_shnum = 0;
  EXPECT_FALSE(looks_like_gtest(write(dir / "no_sections", plain)));
}

}  // namespace
}  // namespace livegui::batch
