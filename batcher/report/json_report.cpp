#include "batcher/report/json_report.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>
#include <system_error>

#include "common/atomic_file.hpp"

namespace livegui::batch {
namespace fs = std::filesystem;
using nlohmann::json;
using nlohmann::ordered_json;

namespace {

double seconds(std::chrono::nanoseconds d) { return std::chrono::duration<double>(d).count(); }
std::chrono::nanoseconds from_seconds(double s) {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::duration<double>(s));
}

ordered_json test_json(const TestResult& t) {
  ordered_json j;
  j["name"] = t.name;
  j["result"] = name(t.code);
  j["is_failure"] = is_failure(t.code);
  j["duration_s"] = seconds(t.duration);
  j["attempt"] = t.attempt;
  if (t.synthetic) j["synthetic"] = true;
  if (!t.message.empty()) j["message"] = t.message;
  if (!t.screenshot.empty()) j["screenshot"] = t.screenshot;
  if (t.disabled) j["disabled"] = true;
  if (!t.output.empty()) j["output"] = t.output;
  if (!t.stacks.empty()) j["stacks"] = t.stacks;
  if (!t.other_stacks.empty()) j["other_stacks"] = t.other_stacks;
  if (!t.aut_unhealthy.empty()) j["aut_unhealthy"] = t.aut_unhealthy;
  if (t.code == ResultCode::XFail) j["expected_by"] = to_string(t.expected_by);
  if (t.error_in != ErrorIn::None) j["error_in"] = to_string(t.error_in);
  if (!t.reproduce.empty()) j["reproduce"] = t.reproduce;
  if (!t.tries.empty()) {
    ordered_json tries = ordered_json::array();
    for (const auto& r : t.tries) {
      ordered_json one = {{"attempt", r.attempt},
                          {"result", name(r.code)},
                          {"retried_for", to_string(r.retried_for)},
                          {"message", r.message}};
      if (r.interrupted) one["interrupted"] = true;
      if (r.error_in != ErrorIn::None) one["error_in"] = to_string(r.error_in);
      tries.push_back(one);
    }
    j["tries"] = tries;
  }
  return j;
}

ordered_json entry_json(const EntryResult& e) {
  ordered_json j;
  j["id"] = e.id;
  j["tier"] = e.tier;
  j["name"] = e.name;
  j["result"] = name(e.code);
  j["is_failure"] = is_failure(e.code);
  j["reason"] = e.reason;
  j["kind"] = e.gtest ? "gtest" : "command";
  j["executable"] = e.executable;
  j["args"] = e.args;
  j["env"] = e.env;
  j["cwd"] = e.cwd;
  j["gtest_filter"] = e.gtest_filter;
  j["uses_aut"] = e.uses_aut;
  j["expect_fail"] = e.expect_fail;
  j["started_unix_ms"] = e.started_unix_ms;
  j["duration_s"] = seconds(e.duration);
  j["reproduce"] = e.reproduce;
  if (e.dirty_start) {
    j["dirty_start"] = {{"kind", to_string(e.dirty_start->kind)},
                        {"message", e.dirty_start->message},
                        {"previous_entry", e.dirty_start->previous_entry},
                        {"aut_pid", e.dirty_start->aut_pid},
                        {"kept", e.dirty_start->kept}};
    if (!e.dirty_start->stacks.empty()) j["dirty_start"]["stacks"] = e.dirty_start->stacks;
  } else {
    j["dirty_start"] = nullptr;
  }
  j["aut_spawns"] = e.aut_spawns;
  j["aut_respawns"] = e.aut_respawns;
  j["warnings"] = e.warnings;
  ordered_json attempts = ordered_json::array();
  for (const auto& a : e.attempts)
    attempts.push_back({{"number", a.number},
                        {"kind", to_string(a.kind)},
                        {"retry", a.retry},
                        {"filter", a.filter},
                        {"exit", a.exit},
                        {"stopped_for", a.stopped_for},
                        {"duration_s", seconds(a.duration)},
                        {"log", a.log},
                        {"pid", a.pid}});
  j["attempts"] = attempts;
  ordered_json tests = ordered_json::array();
  for (const auto& t : e.tests) tests.push_back(test_json(t));
  j["tests"] = tests;
  j["output_tail"] = e.output_tail;
  j["output_log"] = e.output_log;
  j["output_attempt"] = e.output_attempt;
  return j;
}

/// Field access that names what is wrong.
class Reader {
 public:
  Reader(const json& j, std::string where) : j_(j), where_(std::move(where)) {
    if (!j_.is_object()) throw ReportError(where_ + ": expected an object");
  }
  template <typename T>
  T get(const char* key, T fallback) const {
    if (!j_.contains(key) || j_[key].is_null()) return fallback;
    try {
      return j_[key].get<T>();
    } catch (const json::exception&) {
      throw ReportError(where_ + "." + key + ": wrong type (" + j_[key].type_name() + ")");
    }
  }
  template <typename T>
  T need(const char* key) const {
    if (!j_.contains(key)) throw ReportError(where_ + "." + key + ": missing");
    return get<T>(key, T{});
  }
  ResultCode code(const char* key) const {
    auto text = need<std::string>(key);
    auto c = result_code_from_name(text);
    if (!c) throw ReportError(where_ + "." + key + ": unknown result \"" + text + "\"");
    return *c;
  }
  const json& array(const char* key) const {
    static const json empty = json::array();
    if (!j_.contains(key) || j_[key].is_null()) return empty;
    if (!j_[key].is_array()) throw ReportError(where_ + "." + key + ": expected an array");
    return j_[key];
  }
  const json& raw() const { return j_; }
  const std::string& where() const { return where_; }

 private:
  const json& j_;
  std::string where_;
};

/// A test's or a try's "error_in" (absent: None); another value is refused, naming the field.
ErrorIn error_in_of(const Reader& r) {
  const auto where_text = r.get<std::string>("error_in", "");
  if (where_text.empty()) return ErrorIn::None;
  const auto where = error_in_from_name(where_text);
  if (!where)
    throw ReportError(r.where() + ".error_in: unknown \"" + where_text +
                      "\" (setup, teardown, call-and-teardown, collection, unspecified)");
  return *where;
}

EntryResult entry_from(const json& j, const std::string& where) {
  Reader r(j, where);
  EntryResult e;
  e.id = r.need<std::string>("id");
  e.tier = r.need<std::string>("tier");
  e.name = r.need<std::string>("name");
  e.code = r.code("result");
  e.reason = r.get<std::string>("reason", "");
  e.gtest = r.get<std::string>("kind", "gtest") == "gtest";
  e.executable = r.get<std::string>("executable", "");
  e.args = r.get<std::vector<std::string>>("args", {});
  e.env = r.get<std::map<std::string, std::string>>("env", {});
  e.cwd = r.get<std::string>("cwd", "");
  e.gtest_filter = r.get<std::string>("gtest_filter", "");
  e.uses_aut = r.get<bool>("uses_aut", false);
  e.expect_fail = r.get<bool>("expect_fail", false);
  e.started_unix_ms = r.get<std::int64_t>("started_unix_ms", 0);
  e.duration = from_seconds(r.get<double>("duration_s", 0));
  e.reproduce = r.get<std::string>("reproduce", "");
  if (j.contains("dirty_start") && !j["dirty_start"].is_null()) {
    Reader d(j["dirty_start"], where + ".dirty_start");
    DirtyStart ds;
    const auto kind = d.get<std::string>("kind", "");
    const auto parsed = parse_state_verdict_kind(kind);
    if (!parsed) throw ReportError(d.where() + ".kind: unknown kind \"" + kind + "\"");
    ds.kind = *parsed;
    ds.message = d.get<std::string>("message", "");
    ds.previous_entry = d.get<std::string>("previous_entry", "");
    ds.aut_pid = d.get<pid_t>("aut_pid", 0);
    ds.kept = d.get<bool>("kept", false);
    ds.stacks = d.get<std::string>("stacks", "");
    e.dirty_start = ds;
  }
  e.aut_spawns = r.get<int>("aut_spawns", 0);
  e.aut_respawns = r.get<int>("aut_respawns", 0);
  e.warnings = r.get<std::vector<std::string>>("warnings", {});
  std::size_t i = 0;
  for (const auto& a : r.array("attempts")) {
    Reader ar(a, where + ".attempts[" + std::to_string(i++) + "]");
    AttemptRecord rec;
    rec.number = ar.get<int>("number", 1);
    // A record without "kind" (older files): its first process, then resumes.
    const auto kind = ar.get<std::string>("kind", rec.number == 1 ? "first" : "resume");
    const auto parsed = attempt_kind_from_name(kind);
    if (!parsed) throw ReportError(ar.where() + ".kind: unknown kind \"" + kind + "\"");
    rec.kind = *parsed;
    rec.retry = ar.get<int>("retry", 0);
    rec.filter = ar.get<std::string>("filter", "");
    rec.exit = ar.get<std::string>("exit", "");
    rec.stopped_for = ar.get<std::string>("stopped_for", "");
    rec.duration = from_seconds(ar.get<double>("duration_s", 0));
    rec.log = ar.get<std::string>("log", "");
    rec.pid = ar.get<pid_t>("pid", 0);
    e.attempts.push_back(rec);
  }
  i = 0;
  for (const auto& t : r.array("tests")) {
    Reader tr(t, where + ".tests[" + std::to_string(i++) + "]");
    TestResult tst;
    tst.name = tr.need<std::string>("name");
    tst.code = tr.code("result");
    tst.message = tr.get<std::string>("message", "");
    tst.duration = from_seconds(tr.get<double>("duration_s", 0));
    tst.attempt = tr.get<int>("attempt", 1);
    tst.synthetic = tr.get<bool>("synthetic", false);
    tst.screenshot = tr.get<std::string>("screenshot", "");
    tst.disabled = tr.get<bool>("disabled", false);
    tst.output = tr.get<std::string>("output", "");
    tst.stacks = tr.get<std::string>("stacks", "");
    tst.other_stacks = tr.get<std::vector<std::string>>("other_stacks", {});
    tst.aut_unhealthy = tr.get<std::string>("aut_unhealthy", "");
    if (tst.code == ResultCode::XFail) {
      const auto who_text = tr.get<std::string>("expected_by", "plan");
      const auto who = expected_by_from_name(who_text);
      if (!who) throw ReportError(tr.where() + ".expected_by: unknown \"" + who_text + "\" (plan, own-main, runner)");
      tst.expected_by = *who;
    }
    tst.error_in = error_in_of(tr);
    tst.reproduce = tr.get<std::string>("reproduce", "");
    std::size_t k = 0;
    for (const auto& x : tr.array("tries")) {
      Reader xr(x, where + ".tests[" + std::to_string(i - 1) + "].tries[" + std::to_string(k++) + "]");
      const auto why_text = xr.get<std::string>("retried_for", "");
      const auto why = retried_for_from_name(why_text);
      if (!why) throw ReportError(xr.where() + ".retried_for: unknown reason \"" + why_text + "\"");
      tst.tries.push_back({xr.get<int>("attempt", 1), xr.code("result"), *why, xr.get<std::string>("message", ""),
                           xr.get<bool>("interrupted", false), error_in_of(xr)});
    }
    e.tests.push_back(tst);
  }
  e.output_tail = r.get<std::string>("output_tail", "");
  e.output_log = r.get<std::string>("output_log", "");
  e.output_attempt = r.get<int>("output_attempt", 0);
  return e;
}

}  // namespace

ordered_json results_to_json(const BatchResults& results) {
  ordered_json j;
  j["format"] = kResultsFormat;
  j["schema_version"] = BatchResults::kSchemaVersion;
  j["command_line"] = results.command_line;
  j["plan"] = results.plan;
  j["aut_scope"] = to_string(results.aut_scope);
  j["started_unix_ms"] = results.started_unix_ms;
  j["duration_s"] = seconds(results.duration);
  j["shard"] = {{"index", results.shard_index}, {"count", results.shard_count}};
  j["interrupted"] = results.interrupted;
  j["interrupt_reason"] = results.interrupt_reason;
  j["exit_code"] = results.exit_code;
  j["notes"] = results.notes;
  ordered_json tiers = ordered_json::array();
  for (const auto& t : results.tiers) {
    TierCounts c = count_tier(results, t.name);
    ordered_json counts;
    for (ResultCode code : kAllResultCodes) counts[name(code)] = c.count(code);
    tiers.push_back({{"name", t.name},
                     {"uses_aut", t.uses_aut},
                     {"duration_s", seconds(t.duration)},
                     {"entries", c.entries},
                     {"failing_entries", c.failing_entries},
                     {"tests", counts},
                     {"disabled", c.disabled},
                     {"dirty_starts", c.dirty_starts},
                     {"aut_respawns", c.aut_respawns},
                     {"warnings", t.warnings}});
  }
  j["tiers"] = tiers;
  ordered_json entries = ordered_json::array();
  for (const auto& e : results.entries) entries.push_back(entry_json(e));
  j["entries"] = entries;
  ordered_json timeline = ordered_json::array();
  for (const auto& ev : results.aut_timeline)
    timeline.push_back({{"unix_ms", ev.unix_ms},
                        {"event", to_string(ev.event)},
                        {"pid", ev.pid},
                        {"reason", ev.reason},
                        {"tier", ev.tier},
                        {"entry", ev.entry}});
  for (std::size_t k = 0; k < results.aut_timeline.size(); ++k)
    if (!results.aut_timeline[k].test.empty()) timeline[k]["test"] = results.aut_timeline[k].test;
  j["aut_timeline"] = timeline;
  ordered_json carried = ordered_json::array();
  for (const auto& c : results.not_selected)
    carried.push_back({{"id", c.id}, {"result", name(c.code)}, {"tests", c.tests}});
  j["not_selected"] = carried;
  return j;
}

BatchResults results_from_json(const json& doc) {
  Reader r(doc, "results");
  if (r.get<std::string>("format", "") != kResultsFormat)
    throw ReportError("not a livegui-batch results file (format is not \"" + std::string(kResultsFormat) + "\")");
  int version = r.get<int>("schema_version", 0);
  if (version != BatchResults::kSchemaVersion)
    throw ReportError("results schema_version " + std::to_string(version) + " is not supported (expected " +
                      std::to_string(BatchResults::kSchemaVersion) + ")");
  BatchResults b;
  b.command_line = r.get<std::vector<std::string>>("command_line", {});
  b.plan = r.get<std::string>("plan", "");
  const auto scope_text = r.get<std::string>("aut_scope", to_string(AutScope::File));
  const auto scope = parse_aut_scope(scope_text);
  if (!scope) throw ReportError("results.aut_scope: unknown scope \"" + scope_text + "\" (file or session)");
  b.aut_scope = *scope;
  b.started_unix_ms = r.get<std::int64_t>("started_unix_ms", 0);
  b.duration = from_seconds(r.get<double>("duration_s", 0));
  if (doc.contains("shard") && doc["shard"].is_object()) {
    b.shard_index = doc["shard"].value("index", 0);
    b.shard_count = doc["shard"].value("count", 1);
  }
  b.interrupted = r.get<bool>("interrupted", false);
  b.interrupt_reason = r.get<std::string>("interrupt_reason", "");
  b.exit_code = r.get<int>("exit_code", 0);
  b.notes = r.get<std::vector<std::string>>("notes", {});
  std::size_t i = 0;
  for (const auto& t : r.array("tiers")) {
    Reader tr(t, "results.tiers[" + std::to_string(i++) + "]");
    TierResult tier;
    tier.name = tr.need<std::string>("name");
    tier.uses_aut = tr.get<bool>("uses_aut", false);
    tier.duration = from_seconds(tr.get<double>("duration_s", 0));
    tier.warnings = tr.get<std::vector<std::string>>("warnings", {});
    b.tiers.push_back(tier);
  }
  i = 0;
  for (const auto& e : r.array("entries")) {
    b.entries.push_back(entry_from(e, "results.entries[" + std::to_string(i) + "]"));
    ++i;
  }
  i = 0;
  for (const auto& ev : r.array("aut_timeline")) {
    Reader er(ev, "results.aut_timeline[" + std::to_string(i++) + "]");
    TimelineEvent t;
    t.unix_ms = er.get<std::int64_t>("unix_ms", 0);
    const auto event = er.need<std::string>("event");
    const auto kind = timeline_kind_from_name(event);
    if (!kind) throw ReportError(er.where() + ".event: unknown event \"" + event + "\"");
    t.event = *kind;
    t.pid = er.get<pid_t>("pid", 0);
    t.reason = er.get<std::string>("reason", "");
    t.tier = er.get<std::string>("tier", "");
    t.entry = er.get<std::string>("entry", "");
    t.test = er.get<std::string>("test", "");
    b.aut_timeline.push_back(t);
  }
  i = 0;
  for (const auto& c : r.array("not_selected")) {
    Reader cr(c, "results.not_selected[" + std::to_string(i++) + "]");
    b.not_selected.push_back(
        {cr.need<std::string>("id"), cr.code("result"), cr.get<std::vector<std::string>>("tests", {})});
  }
  return b;
}

void write_file_atomically(const fs::path& file, const std::string& text) {
  try {
    livegui::write_file_atomically(file, text, {.mode = 0644});
  } catch (const std::system_error& e) {
    throw ReportError(e.what());
  }
}

void write_results_json(const fs::path& file, const BatchResults& results) {
  // Test output may hold invalid UTF-8: replace it rather than fail the report.
  write_file_atomically(file,
                        results_to_json(results).dump(2, ' ', false, nlohmann::json::error_handler_t::replace) + "\n");
}

BatchResults read_results_json(const fs::path& file) {
  std::ifstream in(file, std::ios::binary);
  if (!in) throw ReportError("reading " + file.string() + ": cannot open it");
  std::ostringstream text;
  text << in.rdbuf();
  json doc = json::parse(text.str(), nullptr, false);
  if (doc.is_discarded()) throw ReportError("reading " + file.string() + ": not valid JSON");
  try {
    return results_from_json(doc);
  } catch (const ReportError& e) {
    throw ReportError("reading " + file.string() + ": " + e.what());
  }
}

std::map<std::string, double> durations_of(const BatchResults& results) {
  std::map<std::string, double> out;
  for (const auto& e : results.entries)
    if (e.code != ResultCode::Skipped) out[e.id] = seconds(e.duration);
  return out;
}

}  // namespace livegui::batch
