#include "batcher/select/discovery.hpp"

#include <fcntl.h>
#include <poll.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <map>
#include <sstream>

#include "batcher/run/gtest_output.hpp"
#include "batcher/run/resume_filter.hpp"
#include "batcher/select/gtest_flags.hpp"
#include "common/log.hpp"
#include "common/text.hpp"
#include "harness/subprocess.hpp"

namespace livegui::batch {
namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

std::string safe_file_name(const std::string& id) {
  std::string out;
  bool lossy =
      id.find("__") != std::string::npos || id.find("_/") != std::string::npos || id.find("/_") != std::string::npos;
  for (char c : id) {
    if (c == '/') {
      out += "__";
    } else if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '_' ||
               c == '.') {
      out += c;
    } else {
      out += '_';
      lossy = true;
    }
  }
  if (out.empty() || out == "." || out == "..") lossy = true;
  if (!lossy) return out;
  // Two names that map to one file name ("smoke (fast)", "smoke [fast]")
  // must not share a log: a short stable hash of the name tells them apart.
  std::uint32_t h = 2166136261u;  // FNV-1a
  for (unsigned char c : id) h = (h ^ c) * 16777619u;
  char hex[10];
  std::snprintf(hex, sizeof hex, "-%08x", h);
  return out + hex;
}

std::vector<std::string> list_gtest_tests(const PlanEntry& entry, const fs::path& output_file,
                                          std::chrono::milliseconds timeout, int interrupt_fd) {
  SpawnOptions opt;
  opt.executable = entry.executable;
  opt.args = entry.args;
  opt.args.push_back("--gtest_list_tests");
  opt.env_set = entry.env;
  opt.env_unset = {"GTEST_TOTAL_SHARDS", "GTEST_SHARD_INDEX", "GTEST_OUTPUT"};
  opt.cwd = entry.cwd;
  opt.output_file = output_file;
  Subprocess child = Subprocess::spawn(opt);  // SpawnError is a runtime_error with the reason
  auto deadline = Clock::now() + timeout;
  std::optional<ExitStatus> status;
  for (;;) {
    if ((status = child.try_wait())) break;
    auto left = std::chrono::ceil<std::chrono::milliseconds>(deadline - Clock::now());
    if (left.count() <= 0) break;
    pollfd fds[2] = {{child.pidfd(), POLLIN, 0}, {interrupt_fd, POLLIN, 0}};
    ::poll(fds, interrupt_fd >= 0 ? 2 : 1, static_cast<int>(std::min<long long>(left.count(), 1000)));
    if (interrupt_fd >= 0 && (fds[1].revents & POLLIN)) {
      child.stop(std::chrono::milliseconds(500), std::chrono::milliseconds(1000));
      throw DiscoveryInterrupted("interrupted while listing the tests of " + entry.executable.string());
    }
  }
  if (!status) {
    child.stop(std::chrono::milliseconds(500), std::chrono::milliseconds(1000));
    throw std::runtime_error("listing its tests (--gtest_list_tests) did not finish within " + human_duration(timeout) +
                             "; last output: " + tail_file(output_file, 5));
  }
  // Anything its children left in the group goes too.
  child.stop(std::chrono::milliseconds(500), std::chrono::milliseconds(1000));
  std::ifstream in(output_file, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  if (!status->success()) {
    // Said on the first line (a warning shows only that): where the output
    // is, and its last line; then its last lines for the report.
    std::string last = tail_lines(text.str(), 1);
    while (!last.empty() && (last.back() == '\n' || last.back() == '\r')) last.pop_back();
    throw std::runtime_error("listing its tests (--gtest_list_tests) failed: " + status->describe() +
                             "; its output is in " + output_file.string() +
                             (last.empty() ? std::string("; it printed nothing") : "; its last line: " + last) + "\n" +
                             indent(tail_lines(text.str(), 10), "    "));
  }
  return parse_test_list(text.str());
}

std::string user_gtest_filter(const PlanEntry& entry) {
  std::string filter;
  bool from_args = false;
  for (std::size_t i = 0; i < entry.args.size(); ++i) {
    const std::string& a = entry.args[i];
    if (a.rfind("--gtest_filter=", 0) == 0) {
      filter = a.substr(15);
      from_args = true;
    } else if (a == "--gtest_filter" && i + 1 < entry.args.size()) {
      filter = entry.args[++i];
      from_args = true;
    }
  }
  if (from_args) return filter;
  if (auto it = entry.env.find("GTEST_FILTER"); it != entry.env.end()) return it->second;
  const char* env = std::getenv("GTEST_FILTER");
  return env ? env : "";
}

namespace {

std::string suite_of(const std::string& test) {
  auto dot = test.find('.');
  return dot == std::string::npos ? test : test.substr(0, dot);
}

/// The filter of a split's last unit: what the entry runs (its own
/// filter, else everything) less what the other units run ("*-A.*:B.*").
std::string last_unit_filter(const std::string& own_filter, const std::vector<std::string>& suites,
                             std::map<std::string, std::vector<std::string>>& by_suite) {
  std::vector<std::string> others;
  for (std::size_t i = 0; i + 1 < suites.size(); ++i) {
    if (own_filter.empty())
      others.push_back(suites[i] + ".*");
    else
      others.insert(others.end(), by_suite[suites[i]].begin(), by_suite[suites[i]].end());
  }
  if (others.empty()) return own_filter;
  return exclude_from_filter(own_filter, others);
}

}  // namespace

std::vector<Unit> discover(const Plan& plan, const DiscoveryOptions& options) {
  std::vector<Unit> units;
  std::size_t order = 0;
  std::error_code ec;
  if (!options.scratch_dir.empty()) fs::create_directories(options.scratch_dir, ec);
  for (std::size_t ti = 0; ti < plan.tiers.size(); ++ti) {
    const PlanTier& tier = plan.tiers[ti];
    for (const PlanEntry& entry : tier.entries) {
      Unit u;
      u.tier = tier.name;
      u.tier_index = ti;
      u.name = entry.name;
      u.id = tier.name + "/" + entry.name;
      u.entry = entry;
      u.timeout = entry.timeout.value_or(options.default_timeout);
      u.unresolved = entry.unresolved;
      if (u.unresolved.empty() && (entry.format == EntryFormat::Auto || entry.format == EntryFormat::GTest)) {
        if (entry.executable.is_absolute() && !is_regular_file(entry.executable, ec))
          u.unresolved = entry.executable.string() + " does not exist";
        else
          u.gtest = entry.format == EntryFormat::GTest || looks_like_gtest(entry.executable);
        if (u.gtest && u.unresolved.empty()) u.unresolved = unsupported_gtest_flag(entry);
      }
      bool need_list = u.gtest && u.unresolved.empty() && !options.start_nothing &&
                       (options.list_tests || entry.split == SplitMode::Suite);
      if (need_list) {
        if (options.interrupt_fd >= 0) {
          pollfd p{options.interrupt_fd, POLLIN, 0};
          if (::poll(&p, 1, 0) > 0) throw DiscoveryInterrupted("interrupted during test discovery");
        }
        fs::path out = options.scratch_dir / (file_stem(u.id) + ".list.txt");
        try {
          u.tests = list_gtest_tests(entry, out, options.list_timeout, options.interrupt_fd);
          u.listed = true;
        } catch (const DiscoveryInterrupted&) {
          throw;
        } catch (const std::exception& e) {
          // Not a gate: the binary still runs, as one unit, and its run says
          // which tests it has.
          u.listing_failed = entry.executable.string() + ": " + e.what();
        }
      }
      // A listing that names no test leaves no suite to split by: the binary
      // runs as one unit and its run judges it (it never vanishes).
      if (u.listed && entry.split == SplitMode::Suite && !u.tests.empty()) {
        std::vector<std::string> suites;
        std::map<std::string, std::vector<std::string>> by_suite;
        for (const auto& t : u.tests) {
          std::string s = suite_of(t);
          if (!by_suite.count(s)) suites.push_back(s);
          by_suite[s].push_back(t);
        }
        // With a filter of its own the suite's tests are named one by one,
        // so the entry's exclusions still hold.
        const std::string own_filter = user_gtest_filter(entry);
        for (std::size_t i = 0; i < suites.size(); ++i) {
          const std::string& s = suites[i];
          Unit su = u;
          su.name = entry.name + "/" + s;
          su.id = tier.name + "/" + su.name;
          su.tests = by_suite[s];
          if (i + 1 == suites.size()) {
            // The listing never decides what runs: a main() may register
            // tests only when it is not listing. The last unit runs all that
            // the others do not claim, so such tests run (and count) too.
            su.gtest_filter = last_unit_filter(own_filter, suites, by_suite);
          } else if (!own_filter.empty()) {
            for (const auto& t : su.tests) su.gtest_filter += (su.gtest_filter.empty() ? "" : ":") + t;
          } else {
            su.gtest_filter = s + ".*";
          }
          su.order = order++;
          units.push_back(std::move(su));
        }
        continue;
      }
      u.order = order++;
      units.push_back(std::move(u));
    }
  }
  logger("batcher")->debug("discovered {} units", units.size());
  return units;
}

}  // namespace livegui::batch
