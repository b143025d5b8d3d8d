#include "batcher/select/gtest_flags.hpp"

#include <algorithm>
#include <array>
#include <cctype>
#include <optional>
#include <string_view>

namespace livegui::batch {
namespace {

/// The value of `--gtest_<name>` in `arg` ("" for the bare flag), or nothing
/// when `arg` is not that flag. GoogleTest accepts "--", "-" and "/" prefixes.
std::optional<std::string> flag_value(const std::string& arg, const std::string& name) {
  for (const char* prefix : {"--gtest_", "-gtest_", "/gtest_"}) {
    std::string head = prefix + name;
    if (arg.rfind(head, 0) != 0) continue;
    if (arg.size() == head.size()) return std::string();
    if (arg[head.size()] == '=') return arg.substr(head.size() + 1);
  }
  return std::nullopt;
}

/// A boolean flag as GoogleTest reads it: bare = true; "0", "f…", "F…" = false.
bool flag_true(const std::string& value) {
  return value.empty() || (value[0] != '0' && value[0] != 'f' && value[0] != 'F');
}

/// A boolean variable as GoogleTest reads it: anything but "0" is true.
bool env_true(const std::string& value) { return value != "0"; }

/// GoogleTest forces colour for these values of --gtest_color / GTEST_COLOR.
bool forces_colour(std::string value) {
  std::transform(value.begin(), value.end(), value.begin(), [](unsigned char c) { return std::tolower(c); });
  return value == "yes" || value == "true" || value == "t" || value == "1";
}

/// The flags GoogleTest 1.12 parses (gtest.cc, ParseGoogleTestFlag, plus
/// flagfile). Any other argument with its prefix (HasGoogleTestFlagPrefix:
/// "--", "-" or "/", then "gtest_" or "gtest-", not "gtest_internal_") makes
/// it print its help and run no test, and the binary exits 0.
constexpr std::array<std::string_view, 22> kGtestFlags = {
    "also_run_disabled_tests", "break_on_failure", "catch_exceptions", "color", "death_test_style",
    "death_test_use_fork", "fail_fast", "filter", "flagfile", "list_tests", "output", "brief", "print_time",
    "print_utf8", "random_seed", "repeat", "recreate_environments_when_repeating", "shuffle", "stack_trace_depth",
    "stream_result_to", "throw_on_failure", "install_failure_signal_handler"};

/// True when `arg` has GoogleTest's flag prefix but names no flag it knows.
bool unknown_gtest_flag(const std::string& arg) {
  std::string_view rest = arg;
  if (rest.rfind("--", 0) == 0) rest.remove_prefix(2);
  else if (rest.rfind('-', 0) == 0 || rest.rfind('/', 0) == 0) rest.remove_prefix(1);
  else return false;
  if (rest.rfind("gtest_internal_", 0) == 0) return false;
  if (rest.rfind("gtest-", 0) == 0) return true;
  if (rest.rfind("gtest_", 0) != 0) return false;
  rest.remove_prefix(6);
  const std::string_view name = rest.substr(0, rest.find('='));
  return std::find(kGtestFlags.begin(), kGtestFlags.end(), name) == kGtestFlags.end();
}

constexpr const char* kMarkers = "livegui-batch follows the run by GoogleTest's [ RUN      ] / [       OK ] markers, ";

}  // namespace

std::string unsupported_gtest_flag(const PlanEntry& entry) {
  auto entry_where = [&](const std::string& field) {
    std::string at = entry.where.file.empty() ? std::string("the command line") : entry.where.str();
    return at + ": " + field + ": ";
  };
  // The place the value was written (its element of `args`/`command`, its
  // variable in the tier's or the entry's `env`), else the entry's.
  auto source_where = [&](const FieldSource* src, const std::string& field) {
    return src && !src->where.file.empty() ? src->where.str() + ": " + src->field + ": " : entry_where(field);
  };
  for (std::size_t i = 0; i < entry.args.size(); ++i) {
    const std::string& a = entry.args[i];
    auto where = [&](const std::string& field) {
      return source_where(i < entry.args_source.size() ? &entry.args_source[i] : nullptr, field);
    };
    if (unknown_gtest_flag(a))
      return where("args") + a +
             " is not a GoogleTest flag (a typo?): GoogleTest would print its help and run no test, and the binary "
             "would pass with 0 tests; see the binary's --help";
    if (auto v = flag_value(a, "repeat"); v && *v != "1")
      return where("args") + a +
             " is not supported: livegui-batch reads one run of each test (a hang or crash in a later iteration "
             "could not be told apart); repeat the batch, or list the entry several times";
    if (flag_value(a, "output"))
      return where("args") + a +
             " is not supported: livegui-batch reads the binary's own JSON report (GTEST_OUTPUT), which this "
             "flag replaces; livegui-batch writes junit.xml and results.json for every entry";
    if (auto v = flag_value(a, "brief"); v && flag_true(*v))
      return where("args") + a + " is not supported: " + kMarkers +
             "which brief mode drops for passing tests (a crash could not be pinned on its test); the console "
             "is brief already";
    if (auto v = flag_value(a, "color"); v && forces_colour(*v))
      return where("args") + a + " is not supported: " + kMarkers +
             "which colour codes would break; livegui-batch colours its own console output";
    if (auto v = flag_value(a, "list_tests"); v && flag_true(*v))
      return where("args") + a +
             " is not supported: the binary would list its tests instead of running them; livegui-batch lists "
             "them itself where it needs to (--list)";
    if (flag_value(a, "flagfile"))
      return where("args") + a +
             " is not supported: livegui-batch cannot check the flags in that file (--gtest_filter, "
             "--gtest_repeat, --gtest_output, … change what it reads and how it resumes a crashed binary); "
             "write them in the entry's args";
  }
  auto env = [&](const char* name) -> std::optional<std::string> {
    auto it = entry.env.find(name);
    return it == entry.env.end() ? std::nullopt : std::optional<std::string>(it->second);
  };
  auto refuse = [&](const char* name, const std::string& value, const std::string& why) {
    auto src = entry.env_source.find(name);
    return source_where(src == entry.env_source.end() ? nullptr : &src->second, "env") + name + "=" + value +
           " is not supported: " + why;
  };
  if (auto v = env("GTEST_REPEAT"); v && *v != "1" && !v->empty())
    return refuse("GTEST_REPEAT", *v, "livegui-batch reads one run of each test");
  if (auto v = env("GTEST_OUTPUT"))
    return refuse("GTEST_OUTPUT", *v,
                  "livegui-batch sets it to read the binary's own JSON report; livegui-batch writes junit.xml and "
                  "results.json for every entry");
  if (auto v = env("GTEST_BRIEF"); v && env_true(*v))
    return refuse("GTEST_BRIEF", *v, std::string(kMarkers) + "which brief mode drops for passing tests");
  if (auto v = env("GTEST_COLOR"); v && forces_colour(*v))
    return refuse("GTEST_COLOR", *v, std::string(kMarkers) + "which colour codes would break");
  if (auto v = env("GTEST_LIST_TESTS"); v && env_true(*v))
    return refuse("GTEST_LIST_TESTS", *v, "the binary would list its tests instead of running them");
  if (auto v = env("GTEST_FLAGFILE"))
    return refuse("GTEST_FLAGFILE", *v,
                  "livegui-batch cannot check the flags in that file; write them in the "
                  "entry's args");
  return "";
}

}  // namespace livegui::batch
