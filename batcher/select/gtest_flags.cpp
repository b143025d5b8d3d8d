#include "batcher/select/gtest_flags.hpp"

#include <algorithm>
#include <cctype>
#include <optional>

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
