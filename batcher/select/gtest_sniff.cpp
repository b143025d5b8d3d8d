#include "batcher/select/gtest_sniff.hpp"

#include <elf.h>
#include <fcntl.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <array>
#include <cstring>
#include <string>
#include <string_view>
#include <vector>

namespace livegui::batch {
namespace {

constexpr std::array<std::string_view, 2> kNeedles{"gtest_list_tests", "libgtest.so"};

bool holds_needle(const char* data, std::size_t size) {
  for (std::string_view needle : kNeedles)
    if (::memmem(data, size, needle.data(), needle.size())) return true;
  return false;
}

bool read_exactly(int fd, void* into, std::size_t n, std::uint64_t at) {
  auto* p = static_cast<char*>(into);
  while (n > 0) {
    const ssize_t got = ::pread(fd, p, n, static_cast<off_t>(at));
    if (got <= 0) return false;
    p += got, n -= static_cast<std::size_t>(got), at += static_cast<std::uint64_t>(got);
  }
  return true;
}

/// Scans the `.rodata*` and `.dynstr` sections of a 64-bit little-endian
/// ELF file (elf(5)). True: a needle was found; false: not found there, or
/// the file is not such an ELF file (the caller then scans it whole).
bool sections_hold_needle(int fd, std::uint64_t file_size) {
  Elf64_Ehdr eh{};
  if (!read_exactly(fd, &eh, sizeof eh, 0) || std::memcmp(eh.e_ident, ELFMAG, SELFMAG) != 0 ||
      eh.e_ident[EI_CLASS] != ELFCLASS64 || eh.e_ident[EI_DATA] != ELFDATA2LSB ||
      eh.e_shentsize != sizeof(Elf64_Shdr) || eh.e_shnum == 0 || eh.e_shstrndx >= eh.e_shnum ||
      eh.e_shoff + std::uint64_t{eh.e_shnum} * sizeof(Elf64_Shdr) > file_size)
    return false;
  std::vector<Elf64_Shdr> sh(eh.e_shnum);
  if (!read_exactly(fd, sh.data(), sh.size() * sizeof(Elf64_Shdr), eh.e_shoff)) return false;
  auto contents = [&](const Elf64_Shdr& s, std::string& out) {
    if (s.sh_type == SHT_NOBITS || s.sh_offset + s.sh_size > file_size) return false;
    out.resize(s.sh_size);
    return read_exactly(fd, out.data(), out.size(), s.sh_offset);
  };
  std::string names, data;
  if (!contents(sh[eh.e_shstrndx], names)) return false;
  for (const auto& s : sh) {
    if (s.sh_name >= names.size()) continue;
    const std::string_view name(names.c_str() + s.sh_name);
    if ((name.rfind(".rodata", 0) == 0 || name == ".dynstr") && contents(s, data) &&
        holds_needle(data.data(), data.size()))
      return true;
  }
  return false;
}

}  // namespace

bool looks_like_gtest(const std::filesystem::path& file) {
  const int fd = ::open(file.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return false;
  struct stat st {};
  bool found = false;
  if (::fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && st.st_size > 4) {
    const auto size = static_cast<std::size_t>(st.st_size);
    char head[2] = {};
    const bool script = read_exactly(fd, head, 2, 0) && head[0] == '#' && head[1] == '!';
    if (!script) found = sections_hold_needle(fd, size);
    if (!script && !found) {
      void* map = ::mmap(nullptr, size, PROT_READ, MAP_PRIVATE, fd, 0);
      if (map != MAP_FAILED) {
        found = holds_needle(static_cast<const char*>(map), size);
        ::munmap(map, size);
      }
    }
  }
  ::close(fd);
  return found;
}

}  // namespace livegui::batch
