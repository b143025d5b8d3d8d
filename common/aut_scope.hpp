#pragma once
// Who owns the AUT a tier's test binaries drive: the batcher's --aut-scope,
// the LIVEGUI_AUT_SCOPE variable it hands down (common/environment.hpp), and
// results.json's "aut_scope" (docs/results.md). One type for the fact, its
// spelling in one place.

#include <optional>
#include <string_view>

namespace livegui {

enum class AutScope {
  File,     ///< each test binary starts and owns its AUT
  Session,  ///< the batcher owns one AUT per tier; entries attach to it
};

/// "file" or "session": the spelling in flags, the environment and reports.
const char* to_string(AutScope scope);

/// The inverse of to_string(); nullopt for anything else (case-sensitive).
std::optional<AutScope> parse_aut_scope(std::string_view text);

}  // namespace livegui
