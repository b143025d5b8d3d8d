#include "batcher/plan/path_expand.hpp"

#include <glob.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>

namespace livegui::batch {

VariableLookup environment_lookup() {
  return [](const std::string& name) -> std::optional<std::string> {
    const char* v = std::getenv(name.c_str());
    if (!v) return std::nullopt;
    return std::string(v);
  };
}

std::string expand_variables(const std::string& text, const VariableLookup& lookup) {
  std::string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (c != '$' || i + 1 >= text.size()) {
      out += c;
      continue;
    }
    if (text[i + 1] == '$') {
      out += '$';
      ++i;
      continue;
    }
    if (text[i + 1] != '{') {
      out += c;
      continue;
    }
    auto close = text.find('}', i + 2);
    if (close == std::string::npos) throw ExpandError("unterminated \"${\" in \"" + text + "\"");
    std::string inner = text.substr(i + 2, close - i - 2);
    std::string name = inner;
    std::optional<std::string> fallback;
    if (auto dash = inner.find(":-"); dash != std::string::npos) {
      name = inner.substr(0, dash);
      fallback = inner.substr(dash + 2);
    }
    if (name.empty()) throw ExpandError("empty variable name in \"" + text + "\"");
    auto value = lookup(name);
    if (value && !value->empty()) {
      out += *value;
    } else if (fallback) {
      out += *fallback;
    } else if (value) {
      out += *value;  // set but empty, no default: empty is what was asked for
    } else {
      throw ExpandError("variable ${" + name + "} is not set (write ${" + name + ":-default} to give a default)");
    }
    i = close;
  }
  return out;
}

bool has_glob(const std::string& pattern) { return pattern.find_first_of("*?[") != std::string::npos; }

bool is_executable_file(const std::filesystem::path& p) {
  struct stat st {};
  if (::stat(p.c_str(), &st) != 0) return false;
  return S_ISREG(st.st_mode) && ::access(p.c_str(), X_OK) == 0;
}

GlobMatch expand_executables(const std::string& pattern, const std::filesystem::path& base_dir) {
  namespace fs = std::filesystem;
  GlobMatch out;
  fs::path full = fs::path(pattern).is_absolute() ? fs::path(pattern) : base_dir / pattern;
  if (!has_glob(pattern)) {
    // A literal path: kept even when missing, so the caller can say why.
    if (is_executable_file(full))
      out.executables.push_back(full.lexically_normal());
    else
      out.ignored.push_back(full.lexically_normal());
    return out;
  }
  glob_t g{};
  int rc = ::glob(full.c_str(), 0, nullptr, &g);
  if (rc == 0) {
    for (std::size_t i = 0; i < g.gl_pathc; ++i) {
      fs::path p = fs::path(g.gl_pathv[i]).lexically_normal();
      (is_executable_file(p) ? out.executables : out.ignored).push_back(p);
    }
  }
  ::globfree(&g);
  std::sort(out.executables.begin(), out.executables.end());
  return out;
}

}  // namespace livegui::batch
