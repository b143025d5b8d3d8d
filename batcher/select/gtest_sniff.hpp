#pragma once
// Whether an `executable` entry without a `format` is a GoogleTest binary:
// it holds GoogleTest's flag names (linked statically) or names libgtest
// (linked dynamically). Read once per entry before anything runs, so it
// must be cheap: in an ELF file only the sections that can hold those
// strings are read (issue 13: scanning a whole 800 KB binary was 0.3–0.5 ms
// of the batcher's time per entry).

#include <filesystem>

namespace livegui::batch {

/// True when `file` looks like a GoogleTest binary: "gtest_list_tests" in
/// its read-only data (or "libgtest.so" among its dynamic strings). In a
/// 64-bit little-endian ELF file the `.rodata*` and `.dynstr` sections are
/// read; anything else (another ELF class, no section table, neither string
/// found there) is scanned whole, so the answer never differs from a whole
/// scan's. Scripts ("#!") are never GoogleTest; an unreadable file is not.
/// Never throws.
bool looks_like_gtest(const std::filesystem::path& file);

}  // namespace livegui::batch
