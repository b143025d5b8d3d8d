#include "batcher/run/python_stacks.hpp"

#include <cstdio>
#include <fstream>
#include <sstream>

#include "common/backoff.hpp"
#include "common/log.hpp"
#include "common/proc_info.hpp"

namespace livegui::batch {
namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

namespace {

constexpr const char* kHeaderStart = "livegui_pytest: Python stacks of pid ";
// faulthandler's dump of each thread starts with one of these lines.
constexpr const char* kThreadLines[] = {"most recent call first", "Stack (most recent call first)"};

std::uintmax_t size_of(const fs::path& file) {
  std::error_code ec;
  auto n = fs::file_size(file, ec);
  return ec ? 0 : n;
}

bool has_dump(const fs::path& file) {
  std::ifstream in(file);
  std::stringstream text;
  text << in.rdbuf();
  for (const char* line : kThreadLines)
    if (text.str().find(line) != std::string::npos) return true;
  return false;
}

}  // namespace

std::optional<PythonStacksHeader> parse_python_stacks_header(const std::string& line) {
  const std::string start = kHeaderStart;
  if (line.rfind(start, 0) != 0) return std::nullopt;
  // "<pid> (start time <ticks>) on SIGUSR1"
  long long pid = 0;
  unsigned long long ticks = 0;
  char sig[16] = {};
  int used = 0;
  const std::string rest = line.substr(start.size());
  if (std::sscanf(rest.c_str(), "%lld (start time %llu) on %15s%n", &pid, &ticks, sig, &used) != 3 || pid <= 0 ||
      static_cast<std::size_t>(used) != rest.size())
    return std::nullopt;
  if (std::string(sig) != "SIGUSR1" || kPythonStacksSignal != SIGUSR1) return std::nullopt;
  return PythonStacksHeader{static_cast<pid_t>(pid), ticks};
}

fs::path capture_python_stacks(const fs::path& file, pid_t group, const fs::path& artifact_dir,
                               std::chrono::milliseconds wait) {
  auto log = logger("batcher");
  std::string first;
  {
    std::ifstream in(file);
    if (!in || !std::getline(in, first)) return {};  // no plugin, or run without the batcher's variable
  }
  auto header = parse_python_stacks_header(first);
  if (!header) {
    log->debug("{}: not a livegui_pytest stacks header: {}", file.string(), first);
    return {};
  }
  auto st = read_proc_stat(header->pid);
  if (!st || st->state == 'Z' || st->start_time != header->start_time || st->pgid != group || group <= 0) {
    log->debug("python stacks: pid {} is not the entry's pytest (gone, reused, or outside group {}); not signalled",
               header->pid, group);
    return {};
  }
  const std::uintmax_t before = size_of(file);
  if (::kill(header->pid, kPythonStacksSignal) != 0) return {};
  // faulthandler writes the whole dump from its signal handler: wait for it
  // to appear, then for one look at an unchanged size.
  const auto deadline = Clock::now() + wait;
  Backoff backoff(std::chrono::milliseconds(2), std::chrono::milliseconds(50));
  std::uintmax_t seen = before;
  bool grew = false;
  for (;;) {
    std::uintmax_t now = size_of(file);
    if (grew && now == seen && has_dump(file)) break;
    grew = grew || now > before;
    seen = now;
    if (!backoff.pause_until(deadline)) break;
  }
  if (!has_dump(file)) {
    log->info("python stacks: pid {} wrote none to {} within {} ms", header->pid, file.string(), wait.count());
    return {};
  }
  std::error_code ec;
  fs::create_directories(artifact_dir, ec);
  fs::path target = artifact_dir / ("python-stacks-" + std::to_string(header->pid) + ".txt");
  for (int n = 2; fs::exists(target, ec); ++n)
    target = artifact_dir / ("python-stacks-" + std::to_string(header->pid) + "-" + std::to_string(n) + ".txt");
  fs::rename(file, target, ec);
  if (ec) {
    fs::copy_file(file, target, ec);
    if (ec) return file;  // named where it is
  }
  return target;
}

}  // namespace livegui::batch
