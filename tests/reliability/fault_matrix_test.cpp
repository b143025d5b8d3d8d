// The fault matrix (issue 7): every fault of the AUT and of the runner,
// crossed with both AUT scopes, each cell a real livegui-batch run on a small
// generated plan whose entries are reliability_entry binaries (livegui::init +
// LiveAppTest against sample_app). For every cell: the documented outcome
// (exit code, each test's result, the [BATCH-WARN] line where it applies),
// every test accounted for in results.json and junit.xml, and no process left
// behind. Each cell writes its outcome as a JSON line for docs/reliability.md
// (tools/reliability_table.py).
#include <netinet/in.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <csignal>
#include <fstream>
#include <regex>
#include <sstream>

#include <gtest/gtest.h>

#include "common/proc_info.hpp"
#include "tests/reliability/fault_matrix_rows.hpp"
#include "tests/reliability/matrix_support.hpp"
#include "tests/support/temp_dir.hpp"
#include "tests/support/test_paths.hpp"

namespace livegui::test_support {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;
using namespace std::chrono_literals;

/// A listening socket on 127.0.0.1 (any port) that is never accepted from.
class PortHolder {
 public:
  PortHolder() {
    fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof a;
    if (fd_ < 0 || ::bind(fd_, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0 || ::listen(fd_, 16) != 0 ||
        ::getsockname(fd_, reinterpret_cast<sockaddr*>(&a), &len) != 0)
      throw std::runtime_error("cannot hold a port on 127.0.0.1");
    port_ = ntohs(a.sin_port);
  }
  ~PortHolder() { ::close(fd_); }
  int port() const { return port_; }

 private:
  int fd_ = -1;
  int port_ = 0;
};

struct Cell {
  Row row;
  std::string scope;
};

void PrintTo(const Cell& cell, std::ostream* out) { *out << cell.row.name << " × " << cell.scope; }

std::string cell_name(const ::testing::TestParamInfo<Cell>& info) {
  return info.param.row.name + "_" + info.param.scope;
}

std::vector<Cell> cells() {
  std::vector<Cell> out;
  for (const auto& r : fault_matrix_rows())
    for (const char* scope : {"file", "session"}) out.push_back({r, scope});
  return out;
}

/// The [BATCH-WARN] lines of `output`, pids replaced by <pid>.
std::vector<std::string> warnings(const std::string& output) {
  static const std::regex pid(R"(\bpid \d+)");
  std::vector<std::string> out;
  std::istringstream lines(output);
  for (std::string line; std::getline(lines, line);) {
    auto at = line.find("[BATCH-WARN] ");
    if (at != std::string::npos) out.push_back(std::regex_replace(line.substr(at), pid, "pid <pid>"));
  }
  return out;
}

/// Plan order: the faulty entry's tests as they run, then the next file's.
int plan_rank(const std::string& test) {
  for (int i = 0; const auto& t : {kBefore, kFault, kTail, kCheck}) {
    if (t == test) return i;
    ++i;
  }
  return 99;
}

std::string describe(int exit_code, const std::map<std::string, std::string>& tests, const std::string& warn,
                     const std::string& warn_or = {}) {
  std::vector<std::pair<std::string, std::string>> ordered(tests.begin(), tests.end());
  std::stable_sort(ordered.begin(), ordered.end(),
                   [](const auto& a, const auto& b) { return plan_rank(a.first) < plan_rank(b.first); });
  std::string out = "exit " + std::to_string(exit_code) + ";";
  for (const auto& [k, v] : ordered) out += " " + k.substr(k.find('/') + 1) + " " + v + ",";
  out.back() = ';';
  out += warn.empty() ? " no warning" : " warns \"" + warn + "\"";
  if (!warn_or.empty()) out += " or \"" + warn_or + "\"";
  return out;
}

class FaultMatrix : public ::testing::TestWithParam<Cell> {
 protected:
  static void SetUpTestSuite() {
    // Orphans of the batcher's children become ours, so the leak check sees them.
    ::prctl(PR_SET_CHILD_SUBREAPER, 1);
  }

  void SetUp() override {
    auto before = leftover_processes();
    ASSERT_TRUE(before.empty()) << "processes before the cell: " << describe_pids(before);
    fs::create_directories(pid_dir());
    // A stale line from an earlier run must not stand in for this one.
    std::error_code ec;
    fs::remove(results_dir() / (GetParam().row.name + "__" + GetParam().scope + ".json"), ec);
  }

  fs::path pid_dir() const { return dir_ / "pids"; }
  fs::path state_dir() const { return dir_ / "state"; }

  std::vector<std::string> batch_args(const fs::path& plan, const fs::path& reports) const {
    return {plan.string(), "--report-dir",   reports.string(), "--state-dir", state_dir().string(),
            "--aut-scope", GetParam().scope, "--term-grace",   "500ms"};
  }

  fs::path write_plan(const MatrixPlan& plan, const std::string& name) {
    fs::path p = dir_ / name;
    std::ofstream(p) << plan.to_toml(pid_dir());
    return p;
  }

  MatrixPlan plan_for(const Row& row, int held_port) const {
    MatrixPlan p;
    p.aut_args = {"--enable-faults"};
    if (!row.windowed) p.aut_args.insert(p.aut_args.begin(), "--headless");
    p.aut_args.insert(p.aut_args.end(), row.aut_args.begin(), row.aut_args.end());
    if (row.never_ready) {
      p.aut_executable = binary("tests/support/fake_app");
      p.aut_args = {"--print", "starting, but never ready"};
    }
    p.aut_fields = {{"display", row.windowed ? "\"xvfb\"" : "\"none\""},
                    {"term_grace", "\"500ms\""},
                    {"kill_wait", "\"2s\""},
                    {"ready_timeout", "\"5s\""},
                    {"heartbeat_threshold", "\"500ms\""}};
    if (held_port) p.aut_fields["port"] = std::to_string(held_port);
    for (const auto& [k, v] : row.aut_fields) p.aut_fields[k] = v;
    p.entries = {{"faulty", row.mode, row.faulty_timeout}, {"after", "check", ""}};
    return p;
  }

  TempDir dir_{"fault-matrix"};
};

/// Writes the cell's line when the test ends, however it ends (an ASSERT
/// returns early): a cell that stopped half-way is recorded as failed.
class CellReport {
 public:
  CellReport(const Row& row, const std::string& scope, const Expect& want)
      : started_(std::chrono::steady_clock::now()) {
    cell_ = {{"row", row.name},
             {"group", row.group},
             {"scope", scope},
             {"fault", row.fault},
             {"observed", "(the cell stopped before the batch ended)"},
             {"leftovers", nullptr},
             {"notes", json::array()}};
    cell_["expected"] = describe(want.exit_code, want.tests, want.warn, want.warn_or);
  }
  ~CellReport() {
    cell_["wall_s"] = std::chrono::duration<double>(std::chrono::steady_clock::now() - started_).count();
    cell_["passed"] = !::testing::Test::HasFailure();
    try {
      write_cell_line(cell_);
    } catch (const std::exception& e) {
      ADD_FAILURE() << e.what();
    }
  }
  json& operator[](const char* key) { return cell_[key]; }
  void note(const std::string& text) { cell_["notes"].push_back(text); }

 private:
  std::chrono::steady_clock::time_point started_;
  json cell_;
};

TEST_P(FaultMatrix, Cell) {
  const Row& row = GetParam().row;
  const std::string& scope = GetParam().scope;
  const Expect& want = scope == "file" ? row.file : row.session;
  CellReport cell(row, scope, want);

  std::optional<PortHolder> holder;
  if (row.hold_port) holder.emplace();
  fs::path plan = write_plan(plan_for(row, holder ? holder->port() : 0), "plan.toml");
  fs::path reports = dir_ / "reports";

  BatchProcess batch(batch_args(plan, reports), dir_.path(), dir_ / "batch-output.txt");
  if (row.batcher_signal) {
    // Once a test blocks, the batch is mid-run: signal it there.
    bool blocking = eventually(
        [&] {
          for (const auto& f : fs::directory_iterator(pid_dir()))
            if (f.path().filename().string().rfind("blocking-", 0) == 0) return true;
          return false;
        },
        30s);
    ASSERT_TRUE(blocking) << "no test blocked within 30 s:\n" << batch.output();
    ASSERT_EQ(::kill(batch.pid(), row.batcher_signal), 0);
  }
  auto status = batch.wait(60s);
  ASSERT_TRUE(status) << "livegui-batch did not end within 60 s:\n" << batch.output();
  std::string output = batch.output();
  int exit_code = shell_code(*status);

  json results = read_json(reports / "results.json");
  const fs::path first_state = run_state_file(state_dir(), batch.pid());
  std::set<pid_t> groups = groups_of_run(results.is_object() ? &results : nullptr, first_state, pid_dir() / "pids.log");
  std::vector<pid_t> left = leftover_processes({groups.begin(), groups.end()});

  if (row.batcher_signal == SIGKILL) {
    // The killed batcher cleans nothing up and writes no report. What the
    // design promises: its reaper (batcher/run/reaper.hpp), which outlives it,
    // stops everything the run started — the entries, the AUT and what the AUT
    // forked (its grandchild) — within a second or two, and the next run on
    // the same state directory reports what the killed run left.
    EXPECT_EQ(exit_code, 128 + SIGKILL);
    EXPECT_FALSE(fs::exists(reports / "results.json")) << "a SIGKILLed batcher cannot have written a report";
    auto killed_at = std::chrono::steady_clock::now();
    std::set<pid_t> aut_groups;
    json state = read_json(first_state);
    if (state.is_object() && state["aut"].is_object()) aut_groups.insert(state["aut"].value("pgid", 0));
    for (pid_t g : aut_groups) groups.insert(g);
    std::vector<pid_t> lingering;
    bool all_gone = eventually(
        [&] {
          lingering = leftover_processes({groups.begin(), groups.end()});
          return lingering.empty();
        },
        5s);
    EXPECT_TRUE(all_gone) << "still running 5 s after the batcher was killed: " << describe_pids(lingering);
    auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - killed_at);
    cell.note("entries, AUT and the AUT's grandchild " + std::string(all_gone ? "gone within " : "NOT gone within ") +
              std::to_string(ms.count()) + " ms of the SIGKILL (the reaper)");
    // The second run, on the same state directory.
    MatrixPlan again = plan_for(row, 0);
    again.entries = {{"after", "check", ""}};
    fs::path plan2 = write_plan(again, "plan-again.toml");
    BatchProcess second(batch_args(plan2, reports), dir_.path(), dir_ / "batch-output-2.txt");
    status = second.wait(60s);
    ASSERT_TRUE(status) << "the second livegui-batch did not end within 60 s:\n" << second.output();
    output = second.output();
    exit_code = shell_code(*status);
    results = read_json(reports / "results.json");
    auto more = groups_of_run(results.is_object() ? &results : nullptr, run_state_file(state_dir(), batch.pid()),
                              pid_dir() / "pids.log");
    groups.insert(more.begin(), more.end());
    left = leftover_processes({groups.begin(), groups.end()});
  }

  // The documented outcome.
  EXPECT_EQ(exit_code, want.exit_code) << output;
  ASSERT_TRUE(results.is_object()) << "no readable results.json:\n" << output;
  std::vector<std::string> problems;
  auto tests = reported_tests(results, read_text(reports / "junit.xml"), "live", problems);
  for (const auto& p : problems) ADD_FAILURE() << p;
  std::map<std::string, std::string> observed;
  for (const auto& [k, t] : tests) observed[k] = t.result;
  EXPECT_EQ(observed, want.tests) << "messages:\n"
                                  << [&] {
                                       std::string s;
                                       for (const auto& [k, t] : tests)
                                         s += "  " + k + " " + t.result + ": " + t.message.substr(0, 300) + "\n";
                                       return s + output;
                                     }();
  auto warns = warnings(output);
  std::string warn_seen = warns.empty() ? std::string() : warns.front();
  if (want.warn.empty()) {
    EXPECT_TRUE(warns.empty()) << "unexpected warning: " << warn_seen << "\n" << output;
  } else {
    auto matches = [&](const std::string& w) {
      return w.find(want.warn) != std::string::npos ||
             (!want.warn_or.empty() && w.find(want.warn_or) != std::string::npos);
    };
    bool found = std::any_of(warns.begin(), warns.end(), matches);
    EXPECT_TRUE(found) << "expected a [BATCH-WARN] line with \"" << want.warn << "\""
                       << (want.warn_or.empty() ? "" : " or \"" + want.warn_or + "\"") << "\n"
                       << output;
    for (const auto& w : warns)
      if (matches(w)) warn_seen = w;
  }
  // Zero processes left: our descendants and every group the run created.
  EXPECT_TRUE(left.empty()) << "left behind: " << describe_pids(left) << "\n" << output;

  cell["observed"] = describe(exit_code, observed, warn_seen.empty() ? "" : warn_seen.substr(13));
  cell["leftovers"] = left.size();
  cell["groups_checked"] = groups.size();
}

INSTANTIATE_TEST_SUITE_P(Matrix, FaultMatrix, ::testing::ValuesIn(cells()), cell_name);

}  // namespace
}  // namespace livegui::test_support
