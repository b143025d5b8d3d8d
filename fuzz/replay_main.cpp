// A libFuzzer-compatible driver for compilers without -fsanitize=fuzzer:
// runs every file named on the command line, and every regular file below the
// directories named, through LLVMFuzzerTestOneInput once, in sorted order.
// A finding aborts the process (the last "replay:" line names the input).
//
//   plan_parser_replay fuzz/corpus/plan_parser [more files or dirs…]

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size);

namespace {

namespace fs = std::filesystem;

/// The inputs named by `arg`; false (with a message) when it does not exist.
bool collect(const fs::path& arg, std::vector<fs::path>& out) {
  std::error_code ec;
  if (fs::is_regular_file(arg, ec)) {
    out.push_back(arg);
    return true;
  }
  if (!fs::is_directory(arg, ec)) {
    std::fprintf(stderr, "replay: %s is neither a file nor a directory\n", arg.c_str());
    return false;
  }
  for (fs::recursive_directory_iterator it(arg, ec), end; !ec && it != end; it.increment(ec))
    if (it->is_regular_file(ec)) out.push_back(it->path());
  if (ec) {
    std::fprintf(stderr, "replay: listing %s: %s\n", arg.c_str(), ec.message().c_str());
    return false;
  }
  return true;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: %s CORPUS_DIR_OR_FILE...\n", argv[0]);
    return 2;
  }
  std::vector<fs::path> inputs;
  for (int i = 1; i < argc; ++i)
    if (!collect(argv[i], inputs)) return 2;
  std::sort(inputs.begin(), inputs.end());
  if (inputs.empty()) {
    // An empty corpus would make this test pass without testing anything.
    std::fprintf(stderr, "replay: no input files found\n");
    return 2;
  }
  for (const auto& path : inputs) {
    std::ifstream in(path, std::ios::binary);
    std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    if (!in.good() && !in.eof()) {
      std::fprintf(stderr, "replay: cannot read %s\n", path.c_str());
      return 2;
    }
    std::fprintf(stderr, "replay: %s (%zu bytes)\n", path.c_str(), bytes.size());
    LLVMFuzzerTestOneInput(reinterpret_cast<const std::uint8_t*>(bytes.data()), bytes.size());
  }
  std::printf("replayed %zu input(s) without a finding\n", inputs.size());
  return 0;
}
