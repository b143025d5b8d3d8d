#include "batcher/bazel_test_env.hpp"

#include <algorithm>
#include <cerrno>
#include <csignal>
#include <ctime>
#include <system_error>

namespace livegui::batch {

bool BazelTestEnv::any() const {
  return !undeclared_outputs_dir.empty() || !tmpdir.empty() || !test_only.empty() || !xml_output_file.empty() ||
         !premature_exit_file.empty() || !infrastructure_failure_file.empty() || test_timeout.has_value();
}

BazelTestEnv read_bazel_test_env(EnvGet get) {
  auto path = [&](const char* name) {
    auto v = get(name);
    return v && !v->empty() ? std::filesystem::path(*v) : std::filesystem::path();
  };
  BazelTestEnv b;
  b.undeclared_outputs_dir = path("TEST_UNDECLARED_OUTPUTS_DIR");
  b.tmpdir = path("TEST_TMPDIR");
  if (auto v = get("TESTBRIDGE_TEST_ONLY")) b.test_only = *v;
  b.xml_output_file = path("XML_OUTPUT_FILE");
  b.premature_exit_file = path("TEST_PREMATURE_EXIT_FILE");
  b.infrastructure_failure_file = path("TEST_INFRASTRUCTURE_FAILURE_FILE");
  if (auto v = get("TEST_TIMEOUT")) {
    std::size_t used = 0;
    long secs = 0;
    try {
      secs = std::stol(*v, &used);
    } catch (...) {
      used = 0;
    }
    if (used == v->size() && secs > 0) b.test_timeout = std::chrono::seconds(secs);
  }
  return b;
}

std::chrono::milliseconds deadline_margin(std::chrono::seconds test_timeout, std::chrono::milliseconds stop_budget) {
  using namespace std::chrono_literals;
  std::chrono::milliseconds margin = std::max<std::chrono::milliseconds>(stop_budget + 2s, 2s);
  std::chrono::milliseconds third = std::chrono::duration_cast<std::chrono::milliseconds>(test_timeout) / 3;
  return std::min(margin, third);
}

SelfDeadline::SelfDeadline(std::chrono::milliseconds after) : at_(std::chrono::steady_clock::now() + after) {
  sigevent sev{};
  sev.sigev_notify = SIGEV_SIGNAL;
  sev.sigev_signo = SIGTERM;
  timer_t id{};
  if (::timer_create(CLOCK_MONOTONIC, &sev, &id) != 0)
    throw std::system_error(errno, std::generic_category(), "timer_create for the TEST_TIMEOUT deadline");
  itimerspec spec{};
  auto ms = std::max<long long>(after.count(), 1);
  spec.it_value.tv_sec = static_cast<time_t>(ms / 1000);
  spec.it_value.tv_nsec = static_cast<long>((ms % 1000) * 1'000'000);
  if (::timer_settime(id, 0, &spec, nullptr) != 0) {
    int e = errno;
    ::timer_delete(id);
    throw std::system_error(e, std::generic_category(), "timer_settime for the TEST_TIMEOUT deadline");
  }
  timer_ = id;
}

SelfDeadline::~SelfDeadline() { ::timer_delete(static_cast<timer_t>(timer_)); }

bool SelfDeadline::reached() const { return std::chrono::steady_clock::now() >= at_; }

}  // namespace livegui::batch
