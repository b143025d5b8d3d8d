// Fuzz target: the batcher's plan parser, livegui::batch::parse_plan
// (batcher/plan.hpp), and the AUT spec a tier embeds (read by AppSpec::from_toml inside parse_plan,
// as the batcher reads it). Fine: a plan, PlanError, AppSpecError. A finding:
// any other exception, a crash, a sanitizer report, a hang, a huge allocation,
// or a returned plan that breaks what plan.hpp promises.

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <set>
#include <string>

#include "batcher/plan/plan.hpp"
#include "fuzz/fuzz_support.hpp"
#include "harness/app_spec.hpp"

namespace {

namespace fs = std::filesystem;
using livegui::fuzz::finding;

/// A small tree the plans' relative paths and globs resolve against:
///   bin/test_alpha, bin/test_beta, sample_app (executable), bin/notes.txt
///   (not executable), sub/ (a directory). $BUILD_DIR points here too.
fs::path make_base_dir() {
  fs::path base = livegui::fuzz::scratch_dir() / "plan";
  std::error_code ec;
  fs::create_directories(base / "bin", ec);
  fs::create_directories(base / "sub", ec);
  if (ec) finding("creating " + base.string() + ": " + ec.message());
  livegui::fuzz::write_file(base / "bin/test_alpha", "#!/bin/sh\nexit 0\n", 0755);
  livegui::fuzz::write_file(base / "bin/test_beta", "#!/bin/sh\nexit 0\n", 0755);
  livegui::fuzz::write_file(base / "sample_app", "#!/bin/sh\nexit 0\n", 0755);
  livegui::fuzz::write_file(base / "bin/notes.txt", "not a test\n", 0644);
  ::setenv("BUILD_DIR", base.c_str(), 1);
  return base;
}

void check_plan(const livegui::batch::Plan& plan) {
  if (plan.tiers.empty()) finding("parse_plan returned a plan without tiers");
  std::set<std::string> tier_names;
  for (const auto& tier : plan.tiers) {
    if (tier.name.empty()) finding("parse_plan returned a tier without a name");
    if (!tier_names.insert(tier.name).second) finding("parse_plan returned two tiers named '" + tier.name + "'");
    if (tier.timeout && tier.timeout->count() <= 0) finding("tier '" + tier.name + "' has a non-positive timeout");
    std::set<std::string> entry_names;
    for (const auto& e : tier.entries) {
      if (!entry_names.insert(e.name).second)
        finding("tier '" + tier.name + "' has two entries named '" + e.name + "'");
      if (e.timeout && e.timeout->count() <= 0) finding("entry '" + e.name + "' has a non-positive timeout");
      if (e.executable.empty() && e.unresolved.empty())
        finding("entry '" + e.name + "' has no executable and is not marked unresolved");
    }
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const fs::path base = make_base_dir();
  const std::string text(reinterpret_cast<const char*>(data), size);
  livegui::batch::Plan plan;
  try {
    plan = livegui::batch::parse_plan(text, "fuzz.toml", base);
  } catch (const livegui::batch::PlanError&) {
    return 0;  // documented: the plan is unusable, and the error says why
  }
  check_plan(plan);
  // The plan reader validated each tier's AUT spec; what it writes for the
  // harness (LIVEGUI_AUT_SPEC) must read back to the same spec.
  for (const auto& tier : plan.tiers) {
    if (!tier.aut) continue;
    livegui::AppSpec back = livegui::AppSpec::from_toml_string(tier.aut->to_toml(true), "", "written.toml", base);
    if (back.to_toml(true) != tier.aut->to_toml(true)) finding("an AUT spec does not read back as written");
  }
  return 0;
}
