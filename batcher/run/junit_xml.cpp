#include "batcher/run/junit_xml.hpp"

#include <pugixml.hpp>

#include <cmath>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <system_error>

#include "common/test_report_facts.hpp"

namespace livegui::batch {
namespace {

constexpr std::size_t kMaxMessage = 4000;

std::string bounded(std::string s) {
  if (s.size() > kMaxMessage) s = s.substr(0, kMaxMessage) + " …";
  return s;
}

/// A traceback's end is where its exception is: keep the tail.
std::string bounded_tail(std::string s) {
  if (s.size() > kMaxMessage) s = "… " + s.substr(s.size() - kMaxMessage);
  return s;
}

std::chrono::milliseconds seconds_attr(const pugi::xml_node& node) {
  const char* t = node.attribute("time").value();
  char* end = nullptr;
  double s = std::strtod(t, &end);
  if (end == t || !std::isfinite(s) || s < 0 || s > 1e9) return std::chrono::milliseconds(0);
  return std::chrono::milliseconds(static_cast<long long>(std::llround(s * 1000)));
}

JunitCase read_case(const pugi::xml_node& tc) {
  JunitCase c;
  c.classname = tc.attribute("classname").value();
  c.name = tc.attribute("name").value();
  c.duration = seconds_attr(tc);
  for (pugi::xml_node p : tc.child("properties").children("property")) {
    const std::string property = p.attribute("name").value();
    if (property == "screenshot") c.screenshot = bounded(p.attribute("value").value());
    if (property == kAutUnhealthyProperty) c.aut_unhealthy = bounded(p.attribute("value").value());
  }
  struct Kind {
    const char* element;
    JunitOutcome outcome;
  };
  // A case with several children (pytest writes <error> for a failing
  // teardown after a <failure>) takes the first that is not output.
  for (const Kind& k : {Kind{"failure", JunitOutcome::Failed}, Kind{"error", JunitOutcome::Errored},
                        Kind{"skipped", JunitOutcome::Skipped}}) {
    pugi::xml_node child = tc.child(k.element);
    if (!child) continue;
    c.outcome = k.outcome;
    c.type = child.attribute("type").value();
    std::string message = child.attribute("message").value();
    std::string text = child.text().get();
    c.message = bounded(message.empty() ? text : message);
    c.text = bounded_tail(std::move(text));
    break;
  }
  if (c.outcome == JunitOutcome::Failed || c.outcome == JunitOutcome::Errored) {
    std::string output = tc.child("system-out").text().get();
    const std::string err = tc.child("system-err").text().get();
    if (!err.empty()) output += (output.empty() || output.back() == '\n' ? "" : "\n") + err;
    c.output = bounded_tail(std::move(output));
  }
  return c;
}

void collect(const pugi::xml_node& suite, JunitReport& out, int depth) {
  if (depth > 64) return;  // nested suites deeper than any runner writes: a hostile file
  for (pugi::xml_node child : suite.children()) {
    std::string n = child.name();
    if (n == "testcase")
      out.cases.push_back(read_case(child));
    else if (n == "testsuite")
      collect(child, out, depth + 1);
  }
}

/// Whether the <testcase> starting at `start` ends (its "/>" or its
/// "</testcase>") before `cut`, the offset where a cut-off report broke.
bool ends_before(const std::string& text, std::ptrdiff_t start, std::ptrdiff_t cut) {
  if (start < 0 || start >= cut) return false;
  const auto tag_end = text.find('>', static_cast<std::size_t>(start));
  if (tag_end == std::string::npos || static_cast<std::ptrdiff_t>(tag_end) >= cut) return false;
  if (tag_end > 0 && text[tag_end - 1] == '/') return true;
  const auto close = text.find("</testcase>", tag_end);
  return close != std::string::npos && static_cast<std::ptrdiff_t>(close + 11) <= cut;
}

/// The test cases of a document pugixml parsed up to an error (it keeps
/// what it read) that were written whole before `cut`.
void collect_complete(const pugi::xml_node& node, const std::string& text, std::ptrdiff_t cut,
                      std::vector<JunitCase>& out, int depth) {
  if (depth > 64) return;
  for (pugi::xml_node child : node.children()) {
    const std::string n = child.name();
    if (n == "testcase") {
      if (ends_before(text, child.offset_debug(), cut)) out.push_back(read_case(child));
    } else if (n == "testsuite" || n == "testsuites") {
      collect_complete(child, text, cut, out, depth + 1);
    }
  }
}

}  // namespace

std::string JunitCase::full_name() const {
  if (classname.empty() || classname == name) return name;
  return classname + "." + name;
}

std::variant<JunitReport, JunitReadError> parse_junit_xml(const std::string& text) {
  pugi::xml_document doc;
  pugi::xml_parse_result parsed = doc.load_buffer(text.data(), text.size(), pugi::parse_default, pugi::encoding_utf8);
  if (!parsed) {
    JunitReadError e{"not well-formed XML at offset " + std::to_string(parsed.offset) + ": " + parsed.description(),
                     {}};
    collect_complete(doc, text, parsed.offset, e.complete, 0);
    return e;
  }
  pugi::xml_node root = doc.document_element();
  std::string root_name = root.name();
  if (root_name != "testsuites" && root_name != "testsuite")
    return JunitReadError{"root element is <" + root_name + ">, not <testsuites> or <testsuite>"};
  JunitReport report;
  collect(root, report, 0);
  return report;
}

std::variant<JunitReport, JunitReadError> read_junit_xml(const std::filesystem::path& file) {
  std::error_code ec;
  if (!std::filesystem::exists(file, ec)) return JunitReadError{"missing"};
  std::ifstream in(file, std::ios::binary);
  if (!in) return JunitReadError{"cannot be read"};
  std::ostringstream text;
  text << in.rdbuf();
  return parse_junit_xml(text.str());
}

}  // namespace livegui::batch
