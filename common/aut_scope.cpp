#include "common/aut_scope.hpp"

namespace livegui {

const char* to_string(AutScope scope) { return scope == AutScope::Session ? "session" : "file"; }

std::optional<AutScope> parse_aut_scope(std::string_view text) {
  if (text == "file") return AutScope::File;
  if (text == "session") return AutScope::Session;
  return std::nullopt;
}

}  // namespace livegui
