#include "harness/batch_environment.hpp"

#include <cstdlib>
#include <string>

#include "common/environment.hpp"

namespace livegui {

AutScope apply_batch_environment(AppSpec& spec) {
  if (const char* v = std::getenv(env::kStateFile); v && *v) spec.state_file = v;
  if (const char* v = std::getenv(env::kLogDir); v && *v) spec.log_dir = v;
  if (const char* v = std::getenv(env::kAutToken); v && *v) spec.token = v;
  const char* text = std::getenv(env::kAutScope);
  if (!text || !*text) return AutScope::File;
  if (auto scope = parse_aut_scope(text)) return *scope;
  throw AppSpecError(std::string("environment variable ") + env::kAutScope + " is '" + text +
                     "'; expected 'file' or 'session'");
}

}  // namespace livegui
