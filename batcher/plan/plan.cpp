#include "batcher/plan/plan.hpp"

#include <algorithm>
#include <cmath>
#include <fstream>
#include <set>
#include <sstream>

#include <toml++/toml.h>

#include "batcher/plan/path_expand.hpp"
#include "batcher/plan/pytest_args.hpp"

namespace livegui::batch {
namespace fs = std::filesystem;

std::string SourceLocation::str() const {
  if (line <= 0) return file;
  return file + ":" + std::to_string(line) + (column > 0 ? ":" + std::to_string(column) : std::string());
}

PlanError::PlanError(const SourceLocation& where, const std::string& field, const std::string& why)
    : std::runtime_error(where.str() + ": " + (field.empty() ? "" : field + ": ") + why),
      where_(where),
      field_(field) {}

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

std::size_t edit_distance(const std::string& a, const std::string& b) {
  std::vector<std::size_t> prev(b.size() + 1), cur(b.size() + 1);
  for (std::size_t j = 0; j <= b.size(); ++j) prev[j] = j;
  for (std::size_t i = 1; i <= a.size(); ++i) {
    cur[0] = i;
    for (std::size_t j = 1; j <= b.size(); ++j)
      cur[j] = std::min({prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1)});
    std::swap(prev, cur);
  }
  return prev[b.size()];
}

/// Reads one TOML table field by field, so every error names file:line and
/// the field's path, and unknown fields are reported (with a suggestion).
class TableReader {
 public:
  TableReader(const toml::table& table, std::string path, const std::string& file, std::vector<std::string> known)
      : table_(table), path_(std::move(path)), file_(file), known_(std::move(known)) {
    for (auto&& [key, node] : table_) {
      std::string k(key.str());
      if (std::find(known_.begin(), known_.end(), k) != known_.end()) continue;
      std::string hint;
      std::size_t best = 3;
      for (const auto& candidate : known_) {
        auto d = edit_distance(k, candidate);
        if (d < best) best = d, hint = candidate;
      }
      throw PlanError(at(node), field(k),
                      "unknown field" + (hint.empty() ? std::string() : " (did you mean '" + hint + "'?)") +
                          "; known fields: " + join_known());
    }
  }

  SourceLocation at(const toml::node& node) const { return {file_, static_cast<int>(node.source().begin.line)}; }
  SourceLocation here() const { return {file_, static_cast<int>(table_.source().begin.line)}; }
  std::string field(const std::string& key) const { return path_.empty() ? key : path_ + "." + key; }
  const toml::node* get(const std::string& key) const { return table_.get(key); }

  std::optional<std::string> string(const std::string& key) const {
    const toml::node* n = get(key);
    if (!n) return std::nullopt;
    if (!n->is_string()) throw PlanError(at(*n), field(key), "expected a string, got " + type_name(*n));
    return n->as_string()->get();
  }

  std::optional<bool> boolean(const std::string& key) const {
    const toml::node* n = get(key);
    if (!n) return std::nullopt;
    if (!n->is_boolean()) throw PlanError(at(*n), field(key), "expected true or false, got " + type_name(*n));
    return n->as_boolean()->get();
  }

  std::optional<std::vector<std::string>> strings(const std::string& key) const {
    const toml::node* n = get(key);
    if (!n) return std::nullopt;
    const toml::array* arr = n->as_array();
    if (!arr) throw PlanError(at(*n), field(key), "expected an array of strings, got " + type_name(*n));
    std::vector<std::string> out;
    std::size_t i = 0;
    for (const toml::node& el : *arr) {
      if (!el.is_string())
        throw PlanError(at(el), field(key) + "[" + std::to_string(i) + "]", "expected a string, got " + type_name(el));
      out.push_back(el.as_string()->get());
      ++i;
    }
    return out;
  }

  std::optional<std::map<std::string, std::string>> string_map(const std::string& key) const {
    const toml::node* n = get(key);
    if (!n) return std::nullopt;
    const toml::table* t = n->as_table();
    if (!t) throw PlanError(at(*n), field(key), "expected a table of strings, got " + type_name(*n));
    std::map<std::string, std::string> out;
    for (auto&& [k, v] : *t) {
      if (!v.is_string())
        throw PlanError(at(v), field(key) + "." + std::string(k.str()), "expected a string, got " + type_name(v));
      out[std::string(k.str())] = v.as_string()->get();
    }
    return out;
  }

  std::optional<std::chrono::milliseconds> duration(const std::string& key) const {
    const toml::node* n = get(key);
    if (!n) return std::nullopt;
    std::optional<std::chrono::milliseconds> d;
    if (n->is_integer() || n->is_floating_point()) {
      double secs = n->is_integer() ? static_cast<double>(n->as_integer()->get()) : n->as_floating_point()->get();
      if (secs > 0 && std::isfinite(secs))
        d = std::chrono::milliseconds(static_cast<long long>(std::llround(secs * 1000)));
    } else if (n->is_string()) {
      d = parse_duration(n->as_string()->get());
    } else {
      throw PlanError(at(*n), field(key), "expected seconds or a duration like \"90s\", got " + type_name(*n));
    }
    if (!d || d->count() <= 0)
      throw PlanError(at(*n), field(key), "expected a positive duration (seconds, or \"500ms\", \"90s\", \"2min\")");
    return d;
  }

  static std::string type_name(const toml::node& n) {
    switch (n.type()) {
      case toml::node_type::string: return "a string";
      case toml::node_type::integer: return "an integer";
      case toml::node_type::floating_point: return "a number";
      case toml::node_type::boolean: return "a boolean";
      case toml::node_type::table: return "a table";
      case toml::node_type::array: return "an array";
      default: return "a date/time";
    }
  }

 private:
  std::string join_known() const {
    std::string out;
    for (const auto& k : known_) out += (out.empty() ? "" : ", ") + k;
    return out;
  }

  const toml::table& table_;
  std::string path_;
  std::string file_;
  std::vector<std::string> known_;
};

struct Context {
  std::string file;
  fs::path base_dir;
  VariableLookup lookup;
};

std::string expand(const Context& ctx, const std::string& text, const SourceLocation& where, const std::string& field) {
  try {
    return expand_variables(text, ctx.lookup);
  } catch (const ExpandError& e) {
    throw PlanError(where, field, e.what());
  }
}

/// ${VAR} expansion inside a table the batcher passes on (the tier's `aut`).
void expand_strings(const Context& ctx, toml::node& node, const SourceLocation& where, const std::string& field) {
  if (auto* t = node.as_table()) {
    for (auto&& [key, value] : *t) expand_strings(ctx, value, where, field + "." + std::string(key.str()));
  } else if (auto* a = node.as_array()) {
    for (std::size_t i = 0; i < a->size(); ++i)
      expand_strings(ctx, *a->get(i), where, field + "[" + std::to_string(i) + "]");
  } else if (auto* str = node.as_string()) {
    *str = expand(ctx, str->get(), where, field);
  }
}

fs::path resolve_path(const Context& ctx, const std::string& p) {
  fs::path path(p);
  return (path.is_absolute() ? path : ctx.base_dir / path).lexically_normal();
}

SplitMode parse_split(const TableReader& r, const std::string& key, SplitMode fallback) {
  auto s = r.string(key);
  if (!s) return fallback;
  if (*s == "binary") return SplitMode::Binary;
  if (*s == "suite") return SplitMode::Suite;
  throw PlanError(r.at(*r.get(key)), r.field(key), "expected \"binary\" or \"suite\", got \"" + *s + "\"");
}

EntryFormat parse_format(const TableReader& r) {
  auto s = r.string("format");
  if (!s || *s == "auto") return EntryFormat::Auto;
  if (*s == "gtest") return EntryFormat::GTest;
  if (*s == "command") return EntryFormat::Command;
  if (*s == "junit") return EntryFormat::Junit;
  if (*s == "pytest") return EntryFormat::Pytest;
  throw PlanError(r.at(*r.get("format")), r.field("format"),
                  "expected \"auto\", \"gtest\", \"command\", \"junit\" or \"pytest\", got \"" + *s + "\"");
}

bool parse_expect(const TableReader& r) {
  auto s = r.string("expect");
  if (!s || *s == "pass") return false;
  if (*s == "fail") return true;
  throw PlanError(r.at(*r.get("expect")), r.field("expect"), "expected \"pass\" or \"fail\", got \"" + *s + "\"");
}

/// `retry = { on = ["crash", "timeout", "degraded", "fail"], max = 1 }`.
RetryPolicy parse_retry(const TableReader& r, const RetryPolicy& fallback) {
  const toml::node* n = r.get("retry");
  if (!n) return fallback;
  const toml::table* t = n->as_table();
  if (!t)
    throw PlanError(r.at(*n), r.field("retry"),
                    "expected a table like { on = [\"crash\"], max = 1 }, got " + TableReader::type_name(*n));
  TableReader rr(*t, r.field("retry"), r.here().file, {"on", "max"});
  RetryPolicy p;
  p.max = 1;
  if (const toml::node* m = rr.get("max")) {
    if (!m->is_integer() || m->as_integer()->get() < 0 || m->as_integer()->get() > 10)
      throw PlanError(rr.at(*m), rr.field("max"), "expected an integer from 0 to 10");
    p.max = static_cast<int>(m->as_integer()->get());
  }
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
      throw PlanError(rr.at(*rr.get("on")), rr.field("on") + "[" + std::to_string(i) + "]",
                      "expected \"crash\", \"timeout\", \"degraded\" or \"fail\", got \"" + (*on)[i] + "\"");
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
};

void add_entries(const Context& ctx, const TierDefaults& tier, const toml::table& table, const std::string& path,
                 std::vector<PlanEntry>& out) {
  TableReader r(table, path, ctx.file,
                {"name", "executable", "executables", "command", "args", "env", "cwd", "timeout", "uses_aut", "split",
                 "format", "expect", "xfail", "retry", "test_timeout"});
  PlanEntry base;
  base.where = r.here();
  int sources = (r.get("executable") ? 1 : 0) + (r.get("executables") ? 1 : 0) + (r.get("command") ? 1 : 0);
  if (sources != 1)
    throw PlanError(base.where, path,
                    sources == 0 ? "an entry needs `executables` (a path or glob) or `command` (an argv array)"
                                 : "give only one of `executable`, `executables`, `command`");
  base.uses_aut = r.boolean("uses_aut").value_or(tier.uses_aut);
  base.timeout = r.duration("timeout");
  if (!base.timeout) base.timeout = tier.timeout;
  base.split = parse_split(r, "split", tier.split);
  base.format = parse_format(r);
  base.expect_fail = parse_expect(r);
  base.retry = parse_retry(r, tier.retry);
  base.test_timeout = r.duration("test_timeout");
  if (!base.test_timeout) base.test_timeout = tier.test_timeout;
  if (auto x = r.strings("xfail")) base.xfail = *x;
  if (auto a = r.strings("args"))
    for (auto& arg : *a) base.args.push_back(expand(ctx, arg, r.at(*r.get("args")), r.field("args")));
  base.env = tier.env;
  if (auto e = r.string_map("env"))
    for (auto& [k, v] : *e) base.env[k] = expand(ctx, v, r.at(*r.get("env")), r.field("env." + k));
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
    std::string program = expand(ctx, (*argv)[0], r.at(node), r.field("command[0]"));
    if (program.empty()) throw PlanError(r.at(node), r.field("command[0]"), "is empty: no program to run");
    e.pattern = program;
    std::vector<std::string> rest;
    for (std::size_t i = 1; i < argv->size(); ++i)
      rest.push_back(expand(ctx, (*argv)[i], r.at(node), r.field("command[" + std::to_string(i) + "]")));
    rest.insert(rest.end(), e.args.begin(), e.args.end());
    e.args = std::move(rest);
    if (e.format == EntryFormat::Auto) e.format = EntryFormat::Command;
    if (e.format == EntryFormat::Pytest) refuse_pytest_args(r, e.args, argv->size() - 1, e.env);
    if (program.find('/') == std::string::npos) {
      // A bare name is looked up in PATH when the entry runs.
      e.executable = program;
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

PlanTier parse_tier(const Context& ctx, toml::table& table, const std::string& path, std::set<std::string>& tier_names,
                    std::vector<std::string>& plan_notes) {
  toml::node* aut_node = table.get("aut");
  TableReader r(table, path, ctx.file,
                {"name", "uses_aut", "timeout", "split", "env", "aut", "entries", "retry", "test_timeout"});
  PlanTier tier;
  tier.where = r.here();
  auto name = r.string("name");
  if (!name || name->empty()) throw PlanError(tier.where, r.field("name"), "every tier needs a non-empty name");
  if (!tier_names.insert(*name).second)
    throw PlanError(r.at(*r.get("name")), r.field("name"), "a tier named \"" + *name + "\" already exists");
  tier.name = *name;
  tier.uses_aut = r.boolean("uses_aut").value_or(false);
  tier.timeout = r.duration("timeout");
  TierDefaults defaults;
  defaults.uses_aut = tier.uses_aut;
  defaults.timeout = tier.timeout;
  defaults.retry = tier.retry = parse_retry(r, RetryPolicy{});
  defaults.test_timeout = tier.test_timeout = r.duration("test_timeout");
  defaults.split = parse_split(r, "split", SplitMode::Binary);
  if (auto e = r.string_map("env"))
    for (auto& [k, v] : *e) defaults.env[k] = expand(ctx, v, r.at(*r.get("env")), r.field("env." + k));
  if (toml::node* aut = aut_node) {
    toml::table* t = aut->as_table();
    if (!t)
      throw PlanError(r.at(*aut), r.field("aut"),
                      "expected a table (the AUT spec), got " + TableReader::type_name(*aut));
    // ${VAR} expansion in place: the values keep the positions toml++
    // recorded, so errors point into the user's file.
    expand_strings(ctx, *t, r.at(*aut), r.field("aut"));
    tier.aut_where = r.at(*aut);
    tier.aut_where.column = static_cast<int>(aut->source().begin.column);
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

Plan parse_plan(const std::string& text, const std::string& source_name, const fs::path& base_dir) {
  toml::table root;
  try {
    root = toml::parse(text, source_name);
  } catch (const toml::parse_error& e) {
    throw PlanError({source_name, static_cast<int>(e.source().begin.line)}, "",
                    "not valid TOML: " + std::string(e.description()));
  }
  Context ctx{source_name, base_dir, environment_lookup()};
  TableReader r(root, "", source_name, {"tiers"});
  Plan plan;
  const toml::node* tiers = r.get("tiers");
  if (!tiers) throw PlanError({source_name, 1}, "tiers", "the plan has no tiers (add [[tiers]] tables)");
  const toml::array* arr = tiers->as_array();
  if (!arr || !arr->is_array_of_tables())
    throw PlanError(r.at(*tiers), "tiers", "expected [[tiers]] tables (an array keeps their order explicit)");
  std::set<std::string> names;
  std::size_t i = 0;
  for (toml::node& node : *root.get_as<toml::array>("tiers"))
    plan.tiers.push_back(parse_tier(ctx, *node.as_table(), "tiers[" + std::to_string(i++) + "]", names, plan.notes));
  if (plan.tiers.empty()) throw PlanError({source_name, 1}, "tiers", "the plan has no tiers");
  return plan;
}

Plan load_plan(const fs::path& file) {
  std::ifstream in(file, std::ios::binary);
  if (!in) throw PlanError({file.string(), 0}, "", "cannot read the plan file");
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
