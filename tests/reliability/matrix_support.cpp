#include "tests/reliability/matrix_support.hpp"

#include <poll.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <stdexcept>

#include "tests/support/test_paths.hpp"

namespace livegui::test_support {
namespace fs = std::filesystem;
using nlohmann::json;

std::string toml_quote(const std::string& text) {
  std::string out = "\"";
  for (char c : text) {
    if (c == '"' || c == '\\') out += '\\';
    out += c;
  }
  return out + "\"";
}

std::string MatrixPlan::to_toml(const fs::path& pid_dir) const {
  fs::path exe = aut_executable.empty() ? binary("sample_app/sample_app") : aut_executable;
  std::string args;
  for (const auto& a : aut_args) args += (args.empty() ? "" : ", ") + toml_quote(a);
  std::string aut = "executable = " + toml_quote(exe.string()) + ", args = [" + args + "]";
  for (const auto& [k, v] : aut_fields) aut += ", " + k + " = " + v;
  std::string out = "[[tiers]]\nname = \"live\"\nuses_aut = true\ntimeout = " + toml_quote(tier_timeout) +
                    "\naut = { " + aut + " }\n";
  for (const auto& e : entries) {
    out += "\n[[tiers.entries]]\nname = " + toml_quote(e.name) +
           "\nexecutable = " + toml_quote(binary("tests/reliability/reliability_entry").string()) + "\n";
    if (!e.timeout.empty()) out += "timeout = " + toml_quote(e.timeout) + "\n";
    out += "env = { LIVEGUI_RELIABILITY_MODE = " + toml_quote(e.mode) +
           ", LIVEGUI_RELIABILITY_DIR = " + toml_quote(pid_dir.string()) + " }\n";
  }
  return out;
}

namespace {

std::string xml_unescape(std::string s) {
  static const std::pair<const char*, const char*> entities[] = {
      {"&lt;", "<"}, {"&gt;", ">"}, {"&quot;", "\""}, {"&apos;", "'"}, {"&amp;", "&"}};
  for (const auto& [from, to] : entities)
    for (auto pos = s.find(from); pos != std::string::npos; pos = s.find(from, pos + 1))
      s.replace(pos, std::string(from).size(), to);
  return s;
}

std::string attribute(const std::string& tag, const std::string& name) {
  std::string needle = " " + name + "=\"";
  auto at = tag.find(needle);
  if (at == std::string::npos) return {};
  at += needle.size();
  auto end = tag.find('"', at);
  return end == std::string::npos ? std::string() : xml_unescape(tag.substr(at, end - at));
}

/// "live.faulty.Cell" + "Fault" → "faulty/Cell.Fault".
std::string junit_key(const std::string& tier, const std::string& classname, const std::string& name) {
  std::string rest = classname.rfind(tier + ".", 0) == 0 ? classname.substr(tier.size() + 1) : classname;
  auto dot = rest.find('.');
  if (dot == std::string::npos) return rest + "/" + name;
  return rest.substr(0, dot) + "/" + rest.substr(dot + 1) + "." + name;
}

}  // namespace

std::map<std::string, ReportedTest> reported_tests(const json& results, const std::string& xml, const std::string& tier,
                                                   std::vector<std::string>& problems) {
  std::map<std::string, ReportedTest> out;
  for (const auto& e : results.value("entries", json::array())) {
    std::string entry = e.value("name", "");
    for (const auto& t : e.value("tests", json::array())) {
      ReportedTest r;
      r.result = t.value("result", "");
      r.message = t.value("message", "");
      if (r.message.empty()) r.message = e.value("reason", "");
      r.junit = "missing";
      std::string key = entry + "/" + t.value("name", "");
      if (r.result == "SKIPPED" && r.message.empty()) problems.push_back(key + " is SKIPPED without a reason");
      out[key] = r;
    }
  }
  for (auto at = xml.find("<testcase "); at != std::string::npos; at = xml.find("<testcase ", at + 1)) {
    auto tag_end = xml.find('>', at);
    if (tag_end == std::string::npos) break;
    std::string tag = xml.substr(at, tag_end - at + 1);
    std::string key = junit_key(tier, attribute(tag, "classname"), attribute(tag, "name"));
    std::string kind = "pass", message;
    if (tag.size() < 2 || tag[tag.size() - 2] != '/') {
      auto close = xml.find("</testcase>", tag_end);
      std::string body = xml.substr(tag_end, close == std::string::npos ? std::string::npos : close - tag_end);
      for (const char* k : {"failure", "error", "skipped"}) {
        auto child = body.find(std::string("<") + k);
        if (child == std::string::npos) continue;
        kind = k;
        message = attribute(body.substr(child, body.find('>', child) - child + 1), "message");
        break;
      }
    }
    auto it = out.find(key);
    if (it == out.end()) {
      problems.push_back("junit.xml has " + key + " but results.json does not");
      continue;
    }
    it->second.junit = kind;
    it->second.junit_message = message;
    if (kind == "skipped" && message.empty()) problems.push_back(key + " is <skipped> in junit.xml without a message");
  }
  for (const auto& [key, r] : out)
    if (r.junit == "missing") problems.push_back(key + " is in results.json but not in junit.xml");
  return out;
}

fs::path run_state_file(const fs::path& state_dir, pid_t batcher) {
  const std::string prefix = "aut-state-" + std::to_string(batcher) + "-";
  std::error_code ec;
  for (const auto& f : fs::directory_iterator(state_dir, ec)) {
    std::string name = f.path().filename().string();
    if (name.rfind(prefix, 0) == 0 && name.find(".json") != std::string::npos) return f.path();
  }
  return {};
}

std::set<pid_t> groups_of_run(const json* results, const fs::path& state_file, const fs::path& pids_log) {
  std::set<pid_t> groups;
  auto add = [&](pid_t p) {
    if (p > 0) groups.insert(p);
  };
  if (results) {
    for (const auto& e : results->value("entries", json::array()))
      for (const auto& a : e.value("attempts", json::array())) add(a.value("pid", 0));
    for (const auto& ev : results->value("aut_timeline", json::array())) add(ev.value("pid", 0));
  }
  // Read raw: a refused or half-valid file still names the groups to check.
  json state = read_json(state_file);
  if (state.is_object() && state.contains("aut") && state["aut"].is_object()) {
    add(state["aut"].value("pid", 0));
    add(state["aut"].value("pgid", 0));
  }
  std::istringstream lines(read_text(pids_log));
  for (std::string line; std::getline(lines, line);) {
    std::istringstream words(line);
    for (std::string w; words >> w;) {
      for (const char* key : {"entry=", "aut=", "pgid="})
        if (w.rfind(key, 0) == 0) add(std::atoi(w.c_str() + std::string(key).size()));
    }
  }
  return groups;
}

fs::path results_dir() {
  if (const char* d = std::getenv("LIVEGUI_RELIABILITY_RESULTS"); d && *d) return d;
  return binary("tests/reliability/results");
}

void write_cell_line(const json& cell) {
  fs::path dir = results_dir();
  std::error_code ec;
  fs::create_directories(dir, ec);
  std::string name = cell.value("row", "?") + "__" + cell.value("scope", "?") + ".json";
  fs::path tmp = dir / ("." + name + "." + std::to_string(::getpid()));
  {
    std::ofstream out(tmp);
    out << cell.dump() << "\n";
    if (!out) throw std::runtime_error("writing the cell result " + tmp.string() + " failed");
  }
  fs::rename(tmp, dir / name);
}

}  // namespace livegui::test_support
