#include "batcher/select/filter_translation.hpp"

#include <cstring>
#include <set>
#include <vector>

namespace livegui::batch {
namespace {

/// One piece of a translatable pattern.
struct Token {
  enum class Kind { Literal, AnyOne, AnyRun } kind = Kind::Literal;
  char c = 0;  ///< Literal only
};

/// Characters a GoogleTest full test name can hold: no other matches a test.
bool in_test_names(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '/' || c == '.';
}

/// The tokens of `pattern`, "^" / "$" anchoring as flags; "" in why_not when it is translatable.
std::vector<Token> tokenize(const std::string& pattern, bool& anchored_start, bool& anchored_end,
                            std::string& why_not) {
  std::vector<Token> out;
  std::size_t i = 0, end = pattern.size();
  anchored_start = !pattern.empty() && pattern[0] == '^';
  if (anchored_start) i = 1;
  // A trailing "$" that is not escaped ("\$" is a literal dollar).
  anchored_end = false;
  if (end > i && pattern[end - 1] == '$') {
    std::size_t backslashes = 0;
    for (std::size_t k = end - 1; k > i && pattern[k - 1] == '\\'; --k) ++backslashes;
    if (backslashes % 2 == 0) anchored_end = true, --end;
  }
  auto refuse = [&](const std::string& what) {
    why_not = what;
    return std::vector<Token>{};
  };
  while (i < end) {
    char c = pattern[i];
    if (c == '\\') {
      if (i + 1 >= end) return refuse("it ends in a lone \\");
      char e = pattern[i + 1];
      if (!std::strchr(".^$|?*+()[]{}\\/-", e))
        return refuse(std::string("\\") + e + " (a character class or assertion) has no --gtest_filter form");
      out.push_back({Token::Kind::Literal, e});
      i += 2;
    } else if (c == '.') {
      char next = i + 1 < end ? pattern[i + 1] : '\0';
      if (next == '*') {
        out.push_back({Token::Kind::AnyRun, 0});
        i += 2;
      } else if (next == '+') {
        out.push_back({Token::Kind::AnyOne, 0});
        out.push_back({Token::Kind::AnyRun, 0});
        i += 2;
      } else {
        out.push_back({Token::Kind::AnyOne, 0});
        ++i;
      }
      if (i < end && std::strchr("*+?{", pattern[i]))
        return refuse(std::string("\"") + pattern[i] + "\" after \".*\" / \".+\" has no --gtest_filter form");
    } else if (std::strchr("|?*+()[]{}^$", c)) {
      return refuse(std::string("\"") + c + "\" (alternation, a group, a class, a quantifier or an anchor inside it)" +
                    " has no --gtest_filter form");
    } else {
      out.push_back({Token::Kind::Literal, c});
      ++i;
    }
  }
  return out;
}

}  // namespace

GtestFilterFor gtest_filter_for(const std::string& pattern, const std::string& unit_id) {
  GtestFilterFor out;
  bool anchored_start = false, anchored_end = false;
  std::vector<Token> tokens = tokenize(pattern, anchored_start, anchored_end, out.why_not);
  if (!out.why_not.empty()) return out;
  out.expressible = true;
  // regex_search: an unanchored pattern may start and end anywhere.
  if (!anchored_start) tokens.insert(tokens.begin(), {Token::Kind::AnyRun, 0});
  if (!anchored_end) tokens.push_back({Token::Kind::AnyRun, 0});
  // Match the pattern against the known "<unit id>/" (a small NFA over token
  // positions); each position it can be at afterwards leaves a glob for the
  // test name: the rest of the tokens.
  auto closure = [&](std::set<std::size_t> states) {
    std::vector<std::size_t> todo(states.begin(), states.end());
    while (!todo.empty()) {
      std::size_t s = todo.back();
      todo.pop_back();
      if (s < tokens.size() && tokens[s].kind == Token::Kind::AnyRun && states.insert(s + 1).second)
        todo.push_back(s + 1);
    }
    return states;
  };
  std::set<std::size_t> states = closure({0});
  for (char c : unit_id + "/") {
    std::set<std::size_t> next;
    for (std::size_t s : states) {
      if (s >= tokens.size()) continue;
      const Token& t = tokens[s];
      if (t.kind == Token::Kind::AnyRun)
        next.insert(s);
      else if (t.kind == Token::Kind::AnyOne || t.c == c)
        next.insert(s + 1);
    }
    states = closure(std::move(next));
    if (states.empty()) return out;  // the prefix already fails: no test of this unit matches
  }
  std::set<std::string> globs;
  for (std::size_t s : states) {
    // After a "*" the glob from the next position is one it already covers.
    if (s > 0 && states.count(s - 1) && tokens[s - 1].kind == Token::Kind::AnyRun) continue;
    std::string glob;
    bool possible = true;
    for (std::size_t k = s; k < tokens.size() && possible; ++k) {
      const Token& t = tokens[k];
      if (t.kind == Token::Kind::AnyRun) {
        if (glob.empty() || glob.back() != '*') glob += '*';
      } else if (t.kind == Token::Kind::AnyOne) {
        glob += '?';
      } else if (in_test_names(t.c)) {
        glob += t.c;
      } else {
        possible = false;  // a character no test name has: this way matches nothing
      }
    }
    if (possible && !glob.empty()) globs.insert(glob);
  }
  for (const auto& g : globs) out.filter += (out.filter.empty() ? "" : ":") + g;
  return out;
}

}  // namespace livegui::batch
