#pragma once
// What --list and --dry-run print: the selected entries (and their listed
// tests) by tier, or the command each would run, without running anything.

#include <ostream>
#include <vector>

#include "batcher/plan/plan.hpp"
#include "batcher/run/unit_run.hpp"
#include "batcher/select/unit.hpp"

namespace livegui::batch {

/// --list: each tier's selected entries, why one will not run (UNRESOLVED,
/// SKIPPED), and the tests a listing named, one per line. Never throws but
/// what `out` throws.
void print_list(const Plan& plan, const std::vector<Unit>& units, std::ostream& out);

/// --dry-run: "[i/N] tier › name  (timeout …)" and the pasteable command of
/// each unit's first process (the tier's hook token never printed).
void print_dry_run(const std::vector<Unit>& units, const RunContext& ctx, std::ostream& out);

}  // namespace livegui::batch
