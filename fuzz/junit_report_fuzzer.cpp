// Fuzz target: the readers of what a format = "junit" / "pytest" runner
// leaves behind: parse_junit_xml (batcher/run/junit_xml.hpp, pugixml) and
// parse_test_events (batcher/run/test_events.hpp), then the pytest
// interpretation of both. Fine: a report or a JunitReadError; any event
// stream. A finding: an exception (both promise never to throw), a crash, a
// sanitizer report, a hang, a huge allocation, or a result that breaks the
// headers' promises (a message over its bound, a case or an ended test
// without a name, a resume after an attempt that named no running test).

#include <cstddef>
#include <cstdint>
#include <sstream>
#include <string>

#include "batcher/run/junit_xml.hpp"
#include "batcher/run/pytest_results.hpp"
#include "batcher/run/test_events.hpp"
#include "fuzz/fuzz_support.hpp"

namespace {

using livegui::fuzz::finding;
namespace lb = livegui::batch;

// Bounded text (4,000 bytes) plus the " …" marker.
constexpr std::size_t kMessageBound = 4000 + 4;

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);

  auto report = lb::parse_junit_xml(text);
  if (const auto* r = std::get_if<lb::JunitReport>(&report)) {
    for (const auto& c : r->cases) {
      if (c.message.size() > kMessageBound) finding("a JUnit case message exceeds its bound");
      if (c.duration.count() < 0) finding("a JUnit case has a negative duration");
    }
  } else if (std::get<lb::JunitReadError>(report).why.empty()) {
    finding("parse_junit_xml rejected a text without saying why");
  }

  std::istringstream in(text);
  lb::TestEvents events = lb::parse_test_events(in);
  for (const auto& e : events.ended) {
    if (e.test.empty()) finding("parse_test_events returned an ended test without a name");
    if (e.message.size() > kMessageBound || e.note.size() > kMessageBound) finding("an event text exceeds its bound");
    if (e.duration.count() < 0) finding("an ended test has a negative duration");
  }

  lb::PytestEvidence ev;
  ev.entry_name = "fuzz";
  ev.events = events;
  ev.report = report;
  ev.status = livegui::ExitStatus::killed(9);
  auto out = lb::interpret_pytest_attempt(ev);
  if (out.resume && !events.running) finding("interpret_pytest_attempt resumes with no test to blame");
  return 0;
}
