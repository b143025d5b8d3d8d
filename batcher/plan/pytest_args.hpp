#pragma once
// The options a format = "pytest" entry may not give pytest itself: those
// that make pytest report, list or plan its tests instead of running them.
// pytest then exits 0 with no test run, and the entry would PASS having
// tested nothing. The plan refuses them where they are written (plan.cpp),
// so --dry-run says the same as a run.

#include <string>
#include <vector>

namespace livegui::batch {

/// Why `arg` in a pytest entry's argv cannot be run (its tests would not
/// run: --collect-only, --co, --setup-plan, --setup-only, --fixtures,
/// --funcargs, --fixtures-per-test, --markers, --help, -h, --version, -V,
/// --cache-show[=GLOB]), as "pytest would only collect the tests, not run
/// them; …", or because it disables a plugin the entry needs ("-p
/// no:livegui_pytest", "-p no:junitxml": the word "no:NAME", or "-pno:NAME");
/// "" when it can.
std::string refused_pytest_option(const std::string& arg);

/// The words of $PYTEST_ADDOPTS as pytest splits them (shell-like: blanks
/// separate, quotes group). Never throws; an unclosed quote ends the text.
std::vector<std::string> split_pytest_addopts(const std::string& text);

}  // namespace livegui::batch
