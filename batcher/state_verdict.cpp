#include "batcher/state_verdict.hpp"

namespace livegui::batch {

const char* to_string(StateVerdictKind kind) {
  switch (kind) {
    case StateVerdictKind::Clean: return "clean";
    case StateVerdictKind::Dead: return "dead";
    case StateVerdictKind::Degraded: return "degraded";
    case StateVerdictKind::Leaked: return "leaked";
    case StateVerdictKind::Foreign: return "foreign";
    case StateVerdictKind::Corrupt: return "corrupt";
    case StateVerdictKind::Stale: return "stale";
    case StateVerdictKind::EndedWithEntry: return "ended-with-entry";
  }
  return "clean";
}

std::optional<StateVerdictKind> parse_state_verdict_kind(std::string_view text) {
  for (auto kind : {StateVerdictKind::Clean, StateVerdictKind::Dead, StateVerdictKind::Degraded,
                    StateVerdictKind::Leaked, StateVerdictKind::Foreign, StateVerdictKind::Corrupt,
                    StateVerdictKind::Stale, StateVerdictKind::EndedWithEntry})
    if (text == to_string(kind)) return kind;
  return std::nullopt;
}

}  // namespace livegui::batch
