#pragma once
// The rows of the fault matrix (issue 7) and the outcome each documents, per
// AUT scope. fault_matrix_test.cpp runs every row in both scopes.

#include <map>
#include <string>
#include <vector>

namespace livegui::test_support {

/// What a cell must show, per scope.
struct Expect {
  int exit_code = 0;
  /// "entry/Suite.Name" → result code; exactly these tests, no others.
  std::map<std::string, std::string> tests;
  /// Substring of a [BATCH-WARN] line; "" = no [BATCH-WARN] line at all.
  std::string warn;
  /// Another substring that is as good (a race between two correct outcomes).
  std::string warn_or;
};

struct Row {
  std::string name;
  std::string group;                              ///< "AUT" or "runner"
  std::string fault;                              ///< what is done, for the table
  std::string mode;                               ///< reliability_entry mode of the "faulty" entry
  std::vector<std::string> aut_args;              ///< after --headless --enable-faults
  std::map<std::string, std::string> aut_fields;  ///< extra TOML fields of the aut table
  std::string faulty_timeout;                     ///< "" = the tier's 30 s
  int batcher_signal = 0;                         ///< sent to livegui-batch once a test blocks
  bool windowed = false;                          ///< display = "xvfb", no --headless
  bool hold_port = false;                         ///< a listener of ours holds the AUT's fixed port
  bool never_ready = false;                       ///< the AUT is fake_app, which never says it is ready
  Expect file, session;
};

/// The tests of a cell's plan, "entry/Suite.Name": the faulty entry's, in the
/// order they run, then the next file's.
extern const std::string kBefore, kFault, kTail, kCheck;

/// Every row, in the order of the table in docs/reliability.md.
std::vector<Row> fault_matrix_rows();

}  // namespace livegui::test_support
