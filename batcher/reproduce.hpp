#pragma once
// Pasteable shell commands that rerun an entry or one test by hand.

#include <string>
#include <vector>

#include "batcher/results.hpp"

namespace livegui::batch {

/// Quotes `word` for a POSIX shell (unchanged when it needs no quoting).
std::string shell_quote(const std::string& word);

/// `cd DIR && VAR=value … /path/exe args [--gtest_filter=FILTER]`.
/// `filter` replaces the entry's own filter when not empty; a test name is
/// a filter too, and a suite-level result's name (suite_level_name) becomes
/// the filter that reproduces it.
std::string reproduce_command(const EntryResult& entry, const std::string& filter = {});

/// The line that reruns test `test` of `entry` by hand: test.reproduce when
/// the run set one (a pytest test: its node id), a GoogleTest test's
/// --gtest_filter (reproduce_command(entry, test.name)), else the entry's own.
std::string test_reproduce_line(const EntryResult& entry, const TestResult& test);

/// A pytest argv that runs only `node_id`: `args` without the arguments that
/// select tests (a path ending in ".py", a node id holding "::", a directory
/// that exists relative to `cwd`) unless they are the value of an option that
/// takes one (`-c FILE`, `--rootdir DIR`, `-p NAME`, …), with `node_id`
/// appended. Reads the file system (is it a directory?); never throws.
std::vector<std::string> pytest_args_selecting(const std::vector<std::string>& args, const std::string& node_id,
                                               const std::string& cwd);

/// The name of a failure GoogleTest reports outside any test of suite
/// `suite`, in its SetUpTestSuite / TearDownTestSuite:
/// "W.<suite set-up/tear-down>"; for `suite` = "" (a global environment or
/// listener): "<global set-up/tear-down>".
std::string suite_level_name(const std::string& suite);

/// True when `name` is one suite_level_name() gives: a failure GoogleTest
/// reports outside any test, which it counts in neither "tests" nor "failures".
bool is_suite_level_name(const std::string& name);

/// The --gtest_filter that reproduces test result `name`: the name itself;
/// "W.*" for a suite-level result of W; "*" for a global one.
std::string reproduce_filter_for(const std::string& name);

}  // namespace livegui::batch
