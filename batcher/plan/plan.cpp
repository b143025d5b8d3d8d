#include "batcher/plan/plan.hpp"

#include <algorithm>
#include <cstdlib>
#include <fstream>
#include <set>
#include <sstream>

#include <toml++/toml.h>

#include "batcher/plan/path_expand.hpp"
#include "batcher/plan/pytest_args.hpp"
#include "common/executable_path.hpp"

namespace livegui::batch {
namespace fs = std::filesystem;

PlanError::PlanError(const SourceLocation& where, const std::string& field, const std::string& why)
    : TomlFieldError(where, field, why) {}

const char* to_string(SplitMode m) { return m == SplitMode::Suite ? "suite" : "binary"; }

const char* to_string(EntryFormat f) {
  switch (f) {
    case EntryFormat::Auto: return "auto";
    case EntryFormat::GTest: return "gtest";
    case EntryFormat::Command: return "command";
    case EntryFormat::Junit: return "junit";
    case EntryFormat::Pytest: return "pytest";
  }
  return "auto";
}

bool reads_junit(EntryFormat f) { return f == EntryFormat::Junit || f == EntryFormat::Pytest; }

namespace {

using TableReader = TomlReader;

struct Context {
  std::string file;
  fs::path base_dir;
  VariableLookup lookup;
  /// Durations written as bare numbers of seconds (deprecated): one note for all.
  std::vector<TomlNote> bare_seconds;
};

/// A plan duration: "500ms", "90s", "2min"; a bare number of seconds is still
/// read (deprecated, noted once for the plan).
std::optional<std::chrono::milliseconds> read_duration(Context& ctx, const TableReader& r, const std::string& key) {
  DurationRule rule;
  rule.old_bare_seconds = true;
  return r.duration(key, rule, ctx.bare_seconds);
}

std::string expand(const Context& ctx, const std::string& text, const SourceLocation& where, const std::string& field) {
  try {
    return expand_variables(text, ctx.lookup);
  } catch (const ExpandError& e) {
    throw PlanError(where, field, e.what());
  }
}

/// ${VAR} expansion inside a table the batcher passes on (the tier's `aut`);
/// an error names the string's own field and position.
void expand_strings(const Context& ctx, const TableReader& r, toml::node& node, const std::string& field) {
  if (auto* t = node.as_table()) {
    for (auto&& [key, value] : *t) expand_strings(ctx, r, value, field + "." + std::string(key.str()));
  } else if (auto* a = node.as_array()) {
    for (std::size_t i = 0; i < a->size(); ++i)
      expand_strings(ctx, r, *a->get(i), field + "[" + std::to_string(i) + "]");
  } else if (auto* str = node.as_string()) {
    *str = expand(ctx, str->get(), r.at(node), field);
  }
}

/// Why a bare program name cannot run: the words a run would say, and the
/// PATH it looked in.
std::string not_on_path(const std::string& program) {
  const char* path = std::getenv("PATH");
  return "'" + program + "' is not found in PATH (" + (path && *path ? path : "unset") + ")";
}

/// The i-th element of the array at `key` (read already, so present).
const toml::node& element(const TableReader& r, const std::string& key, std::size_t i) {
  const toml::node* n = r.get(key);
  const toml::node* el = n && n->as_array() ? n->as_array()->get(i) : nullptr;
  return el ? *el : *n;
}

/// The value `name` of the table at `key` (read already, so present).
const toml::node& member(const TableReader& r, const std::string& key, const std::string& name) {
  const toml::node* n = r.get(key);
  const toml::node* v = n && n->as_table() ? n->as_table()->get(name) : nullptr;
  return v ? *v : *n;
}

fs::path resolve_path(const Context& ctx, const std::string& p) {
  fs::path path(p);
  return (path.is_absolute() ? path : ctx.base_dir / path).lexically_normal();
}

SplitMode parse_split(const TableReader& r, SplitMode fallback) {
  return read_choice(r, "split", {SplitMode::Binary, SplitMode::Suite}).value_or(fallback);
}

EntryFormat parse_format(const TableReader& r) {
  return read_choice(
             r, "format",
             {EntryFormat::Auto, EntryFormat::GTest, EntryFormat::Command, EntryFormat::Junit, EntryFormat::Pytest})
      .value_or(EntryFormat::Auto);
}

bool parse_expect(const TableReader& r) { return r.choice("expect", {"pass", "fail"}).value_or(0) == 1; }

/// `retry = { on = ["crash", "timeout", "degraded", "fail"], max = 1 }`.
RetryPolicy parse_retry(const TableReader& r, const RetryPolicy& fallback) {
  const toml::node* n = r.get("retry");
  if (!n) return fallback;
  const toml::table* t = n->as_table();
  if (!t)
    throw PlanError(r.at(*n), r.field("retry"),
                    "must be a table like { on = [\"crash\"], max = 1 }, got " + TableReader::type_name(*n));
  TableReader rr(*t, r.field("retry"), r.here().file);
  rr.refuse_unknown({"on", "max"});
  RetryPolicy p;
  p.max = static_cast<int>(rr.integer("max", 0, 10).value_or(1));
  auto on = rr.strings("on");
  if (!on)
    throw PlanError(rr.at(*n), rr.field("on"),
                    "say which failures to retry: on = [\"crash\", \"timeout\", \"degraded\"]");
  // An empty list retries nothing: a plan that says retry means some failure.
  if (on->empty())
    throw PlanError(rr.at(*rr.get("on")), rr.field("on"),
                    "is empty: say which failures to retry (\"crash\", \"timeout\", \"degraded\", \"fail\"), or "
                    "leave retry out");
  for (std::size_t i = 0; i < on->size(); ++i) {
    auto why = retry_on_from_string((*on)[i]);
    if (!why)
      throw PlanError(rr.at(*rr.get("on")->as_array()->get(i)), rr.field("on") + "[" + std::to_string(i) + "]",
                      "is '" + (*on)[i] + "'; expected one of: crash, timeout, degraded, fail");
    p.on.insert(*why);
  }
  return p;
}

/// A pytest entry's argv, refused at its element: "--" (the batcher appends
/// --junitxml, -p livegui_pytest and --deselect when resumed: after a "--"
/// pytest would take them for file names, and the entry could only fail),
/// and the options with which pytest runs no test (pytest_args.hpp), also in
/// the entry's $PYTEST_ADDOPTS. `args` is command[1..] followed by the
/// entry's `args`; the first `from_command` of them come from `command`.
void refuse_pytest_args(const TableReader& r, const std::vector<std::string>& args, std::size_t from_command,
                        const std::map<std::string, std::string>& env) {
  for (std::size_t i = 0; i < args.size(); ++i) {
    std::string refused = refused_pytest_option(args[i]);
    if (args[i] != "--" && refused.empty()) continue;
    const bool in_command = i < from_command;
    const toml::node& node = *r.get(in_command ? "command" : "args");
    const toml::node* element = node.as_array() ? node.as_array()->get(in_command ? i + 1 : i - from_command) : nullptr;
    std::string field = in_command ? r.field("command[" + std::to_string(i + 1) + "]")
                                   : r.field("args[" + std::to_string(i - from_command) + "]");
    if (!refused.empty())
      throw PlanError(r.at(element ? *element : node), field,
                      "a format = \"pytest\" entry cannot have \"" + args[i] + "\" in its argv: " + refused);
    throw PlanError(r.at(element ? *element : node), field,
                    "a format = \"pytest\" entry cannot have \"--\" in its argv: livegui-batch appends pytest options "
                    "(--junitxml, -p livegui_pytest, --deselect) to it, which pytest would then take for file names; "
                    "put the test paths before them without \"--\"");
  }
  auto addopts = env.find("PYTEST_ADDOPTS");
  if (addopts == env.end()) return;
  for (const auto& word : split_pytest_addopts(addopts->second)) {
    std::string refused = refused_pytest_option(word);
    if (refused.empty()) continue;
    // Set by the entry's env table, or inherited from its tier's.
    const toml::node* own =
        r.get("env") && r.get("env")->as_table() ? r.get("env")->as_table()->get("PYTEST_ADDOPTS") : nullptr;
    throw PlanError(own ? r.at(*own) : r.here(), r.field("env.PYTEST_ADDOPTS") + (own ? "" : " (from its tier's env)"),
                    "a format = \"pytest\" entry cannot have \"" + word + "\" in $PYTEST_ADDOPTS: " + refused);
  }
}

/// Tier-wide settings that entries inherit unless they set their own.
struct TierDefaults {
  RetryPolicy retry;
  std::optional<std::chrono::milliseconds> test_timeout;
  bool uses_aut = false;
  std::optional<std::chrono::milliseconds> timeout;
  SplitMode split = SplitMode::Binary;
  std::map<std::string, std::string> env;
  std::map<std::string, FieldSource> env_source;
};

void add_entries(Context& ctx, const TierDefaults& tier, const toml::table& table, const std::string& path,
                 std::vector<PlanEntry>& out) {
  TableReader r(table, path, ctx.file);
  r.refuse_unknown({"name", "executable", "executables", "command", "args", "env", "cwd", "timeout", "uses_aut",
                    "split", "format", "expect", "xfail", "retry", "test_timeout"});
  PlanEntry base;
  base.where = r.here();
  int sources = (r.get("executable") ? 1 : 0) + (r.get("executables") ? 1 : 0) + (r.get("command") ? 1 : 0);
  if (sources != 1)
    throw PlanError(base.where, path,
                    sources == 0 ? "an entry needs `executables` (a path or glob) or `command` (an argv array)"
                                 : "give only one of `executable`, `executables`, `command`");
  base.uses_aut = r.boolean("uses_aut").value_or(tier.uses_aut);
  base.timeout = read_duration(ctx, r, "timeout");
  if (!base.timeout) base.timeout = tier.timeout;
  base.split = parse_split(r, tier.split);
  base.format = parse_format(r);
  base.expect_fail = parse_expect(r);
  base.retry = parse_retry(r, tier.retry);
  base.test_timeout = read_duration(ctx, r, "test_timeout");
  if (!base.test_timeout) base.test_timeout = tier.test_timeout;
  if (auto x = r.strings("xfail")) base.xfail = *x;
  if (auto a = r.strings("args"))
    for (std::size_t i = 0; i < a->size(); ++i) {
      FieldSource src{r.at(element(r, "args", i)), r.field("args[" + std::to_string(i) + "]")};
      base.args.push_back(expand(ctx, (*a)[i], src.where, src.field));
      base.args_source.push_back(std::move(src));
    }
  base.env = tier.env;
  base.env_source = tier.env_source;
  if (auto e = r.string_map("env"))
    for (auto& [k, v] : *e) {
      FieldSource src{r.at(member(r, "env", k)), r.field("env." + k)};
      base.env[k] = expand(ctx, v, src.where, src.field);
      base.env_source[k] = std::move(src);
    }
  if (auto c = r.string("cwd")) base.cwd = resolve_path(ctx, expand(ctx, *c, r.at(*r.get("cwd")), r.field("cwd")));
  auto name = r.string("name");

  if (auto argv = r.strings("command")) {
    const toml::node& node = *r.get("command");
    if (argv->empty()) throw PlanError(r.at(node), r.field("command"), "the command is empty");
    if (!name) throw PlanError(r.at(node), r.field("name"), "a `command` entry needs a `name`");
    if (base.split == SplitMode::Suite && base.format != EntryFormat::GTest) {
      if (r.get("split"))
        throw PlanError(r.at(*r.get("split")), r.field("split"),
                        "split = \"suite\" needs a GoogleTest binary; this entry is a command (set format = \"gtest\" "
                        "if it is one)");
      base.split = SplitMode::Binary;  // the tier's default does not apply to commands
    }
    PlanEntry e = base;
    e.name = *name;
    std::string program = expand(ctx, (*argv)[0], r.at(element(r, "command", 0)), r.field("command[0]"));
    if (program.empty())
      throw PlanError(r.at(element(r, "command", 0)), r.field("command[0]"), "is empty: no program to run");
    e.pattern = program;
    std::vector<std::string> rest;
    std::vector<FieldSource> rest_source;
    for (std::size_t i = 1; i < argv->size(); ++i) {
      FieldSource src{r.at(element(r, "command", i)), r.field("command[" + std::to_string(i) + "]")};
      rest.push_back(expand(ctx, (*argv)[i], src.where, src.field));
      rest_source.push_back(std::move(src));
    }
    rest.insert(rest.end(), e.args.begin(), e.args.end());
    rest_source.insert(rest_source.end(), e.args_source.begin(), e.args_source.end());
    e.args = std::move(rest);
    e.args_source = std::move(rest_source);
    if (e.format == EntryFormat::Auto) e.format = EntryFormat::Command;
    if (e.format == EntryFormat::Pytest) refuse_pytest_args(r, e.args, argv->size() - 1, e.env);
    if (program.find('/') == std::string::npos) {
      // A bare name is looked up in PATH when the entry runs (spawn() uses
      // find_executable too); one that is not there is UNRESOLVED now, so
      // --dry-run and --list say what the run would.
      e.executable = program;
      if (find_executable(program).empty()) e.unresolved = not_on_path(program);
    } else {
      e.executable = resolve_path(ctx, program);
      std::error_code ec;  // the throwing overloads escape on ENAMETOOLONG, EACCES
      if (!is_executable_file(e.executable))
        e.unresolved = fs::exists(e.executable, ec) ? e.executable.string() + " is not an executable file"
                                                    : e.executable.string() + " does not exist";
    }
    out.push_back(std::move(e));
    return;
  }

  std::string key = r.get("executable") ? "executable" : "executables";
  auto pattern_raw = r.string(key);
  std::string pattern = expand(ctx, *pattern_raw, r.at(*r.get(key)), r.field(key));
  GlobMatch match = expand_executables(pattern, ctx.base_dir);
  if (match.executables.empty()) {
    PlanEntry e = base;
    fs::path shown = resolve_path(ctx, pattern);
    e.name = name ? *name : shown.filename().string();
    e.pattern = pattern;
    e.executable = shown;
    if (has_glob(pattern)) {
      e.unresolved = "no executable file matches " + shown.string();
      if (!match.ignored.empty())
        e.unresolved += " (" + std::to_string(match.ignored.size()) + " match(es) are not executable files)";
    } else if (std::error_code ec; fs::is_directory(shown, ec)) {
      e.unresolved = shown.string() + " is a directory";
    } else if (fs::exists(shown, ec)) {
      e.unresolved = shown.string() + " is not executable";
    } else {
      e.unresolved = shown.string() + (ec ? " cannot be examined: " + ec.message() : std::string(" does not exist"));
    }
    out.push_back(std::move(e));
    return;
  }
  for (const auto& exe : match.executables) {
    PlanEntry e = base;
    e.pattern = pattern;
    e.executable = exe;
    if (name)
      e.name = match.executables.size() == 1 ? *name : *name + "/" + exe.filename().string();
    else
      e.name = exe.filename().string();
    out.push_back(std::move(e));
  }
}

PlanTier parse_tier(Context& ctx, toml::table& table, const std::string& path, std::set<std::string>& tier_names,
                    std::vector<std::string>& plan_notes) {
  toml::node* aut_node = table.get("aut");
  TableReader r(table, path, ctx.file);
  r.refuse_unknown({"name", "uses_aut", "timeout", "split", "env", "aut", "entries", "retry", "test_timeout"});
  PlanTier tier;
  tier.where = r.here();
  auto name = r.string("name");
  if (!name || name->empty()) throw PlanError(tier.where, r.field("name"), "every tier needs a non-empty name");
  if (!tier_names.insert(*name).second)
    throw PlanError(r.at(*r.get("name")), r.field("name"), "a tier named \"" + *name + "\" already exists");
  tier.name = *name;
  tier.uses_aut = r.boolean("uses_aut").value_or(false);
  tier.timeout = read_duration(ctx, r, "timeout");
  TierDefaults defaults;
  defaults.uses_aut = tier.uses_aut;
  defaults.timeout = tier.timeout;
  defaults.retry = tier.retry = parse_retry(r, RetryPolicy{});
  defaults.test_timeout = tier.test_timeout = read_duration(ctx, r, "test_timeout");
  defaults.split = parse_split(r, SplitMode::Binary);
  if (auto e = r.string_map("env"))
    for (auto& [k, v] : *e) {
      FieldSource src{r.at(member(r, "env", k)), r.field("env." + k)};
      defaults.env[k] = expand(ctx, v, src.where, src.field);
      defaults.env_source[k] = std::move(src);
    }
  if (toml::node* aut = aut_node) {
    toml::table* t = aut->as_table();
    if (!t)
      throw PlanError(r.at(*aut), r.field("aut"),
                      "expected a table (the AUT spec), got " + TableReader::type_name(*aut));
    // ${VAR} expansion in place: the values keep the positions toml++
    // recorded, so errors point into the user's file.
    expand_strings(ctx, r, *t, r.field("aut"));
    tier.aut_where = r.at(*aut);
    std::vector<AppSpecNote> notes;
    try {
      tier.aut = AppSpec::from_toml(*t, ctx.file, ctx.base_dir, &notes);
    } catch (const AppSpecError& e) {
      SourceLocation where = tier.aut_where;
      if (e.at().line > 0) where = {e.at().file, e.at().line, e.at().column};
      std::string field = r.field("aut") + (e.field().empty() ? "" : "." + e.field());
      throw PlanError(where, field, e.field().empty() ? std::string(e.what()) : e.reason());
    }
    for (const auto& n : notes) plan_notes.push_back(n.at.str() + ": " + r.field("aut") + ": " + n.text);
  }
  const toml::node* entries = r.get("entries");
  if (!entries) throw PlanError(tier.where, r.field("entries"), "tier \"" + tier.name + "\" has no entries");
  const toml::array* arr = entries->as_array();
  if (!arr || !arr->is_array_of_tables())
    throw PlanError(r.at(*entries), r.field("entries"), "expected [[tiers.entries]] tables");
  std::size_t i = 0;
  for (const toml::node& node : *arr) {
    add_entries(ctx, defaults, *node.as_table(), r.field("entries") + "[" + std::to_string(i) + "]", tier.entries);
    ++i;
  }
  // Names identify entries in reports, filters and timings: they must be unique.
  std::map<std::string, const PlanEntry*> seen;
  for (const auto& e : tier.entries) {
    auto [it, fresh] = seen.emplace(e.name, &e);
    if (!fresh)
      throw PlanError(e.where, "name",
                      "tier \"" + tier.name + "\" has two entries named \"" + e.name + "\" (" +
                          it->second->executable.string() + " and " + e.executable.string() +
                          "); set `name` on one of them");
  }
  return tier;
}

}  // namespace

namespace {

Plan read_plan(Context& ctx, toml::table& root) {
  TableReader r(root, "", ctx.file);
  r.refuse_unknown({"tiers"});
  Plan plan;
  const toml::node* tiers = r.get("tiers");
  if (!tiers) throw PlanError({ctx.file, 1, 1}, "tiers", "the plan has no tiers (add [[tiers]] tables)");
  const toml::array* arr = tiers->as_array();
  if (!arr || !arr->is_array_of_tables())
    throw PlanError(r.at(*tiers), "tiers", "expected [[tiers]] tables (an array keeps their order explicit)");
  std::set<std::string> names;
  std::size_t i = 0;
  for (toml::node& node : *root.get_as<toml::array>("tiers"))
    plan.tiers.push_back(parse_tier(ctx, *node.as_table(), "tiers[" + std::to_string(i++) + "]", names, plan.notes));
  if (plan.tiers.empty()) throw PlanError({ctx.file, 1, 1}, "tiers", "the plan has no tiers");
  return plan;
}

/// One note for every duration written as a bare number: the first, and how
/// many more (a plan of old timeouts is told once, not once per field).
std::string bare_seconds_note(const std::vector<TomlNote>& found) {
  const TomlNote& first = found.front();
  std::string note = first.at.str() + ": " + first.field + ": " + first.text;
  if (found.size() > 1) {
    note += " (and " + std::to_string(found.size() - 1) + " more: ";
    for (std::size_t i = 1; i < found.size(); ++i)
      note += (i > 1 ? ", " : "") + found[i].at.str() + " " + found[i].field;
    note += ")";
  }
  return note;
}

}  // namespace

Plan parse_plan(const std::string& text, const std::string& source_name, const fs::path& base_dir) {
  toml::table root;
  try {
    root = toml::parse(text, source_name);
  } catch (const toml::parse_error& e) {
    throw PlanError({source_name, static_cast<int>(e.source().begin.line), static_cast<int>(e.source().begin.column)},
                    "", "not valid TOML: " + std::string(e.description()));
  }
  Context ctx{source_name, base_dir, environment_lookup(), {}};
  Plan plan;
  try {
    plan = read_plan(ctx, root);
  } catch (const PlanError&) {
    throw;
  } catch (const TomlFieldError& e) {
    throw PlanError(e.at(), e.field(), e.reason());
  }
  if (!ctx.bare_seconds.empty()) plan.notes.insert(plan.notes.begin(), bare_seconds_note(ctx.bare_seconds));
  return plan;
}

Plan load_plan(const fs::path& file) {
  std::ifstream in(file, std::ios::binary);
  if (!in) throw PlanError({file.string(), 0, 0}, "", "cannot read the plan file");
  std::ostringstream text;
  text << in.rdbuf();
  fs::path base = fs::absolute(file).parent_path();
  Plan plan = parse_plan(text.str(), file.string(), base);
  plan.source = fs::absolute(file);
  return plan;
}

QuickPlan quick_plan(const std::vector<std::string>& paths, const QuickPlanOptions& options) {
  QuickPlan out;
  PlanTier tier;
  tier.name = options.tier;
  tier.uses_aut = options.uses_aut;
  tier.where = {"command line", 0};
  std::map<std::string, std::size_t> names;
  for (const auto& raw : paths) {
    fs::path p = fs::absolute(raw).lexically_normal();
    std::error_code ec;
    if (fs::is_directory(p, ec)) {
      out.skipped.push_back(raw + ": a directory");
      continue;
    }
    PlanEntry e;
    e.pattern = raw;
    e.executable = p;
    e.args = options.args;
    e.uses_aut = options.uses_aut;
    e.split = options.split;
    e.where = {"command line", 0};
    if (!fs::exists(p, ec)) {
      e.unresolved = p.string() + " does not exist";
    } else if (!is_executable_file(p)) {
      out.skipped.push_back(raw + ": not an executable file");
      continue;
    }
    // Same file name in two directories: fall back to the path as given.
    e.name = p.filename().string();
    if (names.count(e.name)) e.name = raw;
    names[e.name]++;
    tier.entries.push_back(std::move(e));
  }
  out.plan.tiers.push_back(std::move(tier));
  return out;
}

}  // namespace livegui::batch
