#include "batcher/plan/pytest_args.hpp"

#include <utility>

namespace livegui::batch {
namespace {

constexpr const char* kPasses = "; the entry would PASS with no test run. ";
constexpr const char* kInstead = "Run it outside the plan, or use livegui-batch --dry-run / --list to see what runs";

}  // namespace

std::string refused_pytest_option(const std::string& arg) {
  // pytest's parser takes no abbreviations (allow_abbrev=False): only these spellings.
  std::string what;
  if (arg == "--collect-only" || arg == "--co")
    what = "pytest would only collect the tests, not run them";
  else if (arg == "--setup-plan")
    what = "pytest would only show the fixtures and tests it would set up, not run them";
  else if (arg == "--setup-only")
    what = "pytest would only set up and tear down the fixtures, not run the tests";
  else if (arg == "--fixtures" || arg == "--funcargs" || arg == "--fixtures-per-test")
    what = "pytest would only list the fixtures, not run the tests";
  else if (arg == "--markers")
    what = "pytest would only list the markers, not run the tests";
  else if (arg == "--help" || arg == "-h")
    what = "pytest would only print its help, not run the tests";
  else if (arg == "--version" || arg == "-V")
    what = "pytest would only print its version, not run the tests";
  else if (arg == "--cache-show" || arg.rfind("--cache-show=", 0) == 0)
    what = "pytest would only show its cache, not run the tests";
  if (!what.empty()) return what + kPasses + kInstead;
  // "-p no:NAME" (two words, or "-pno:NAME"): the word "no:NAME" is refused
  // wherever it stands — elsewhere it would be a file name that cannot exist.
  std::string disabled = arg.rfind("-pno:", 0) == 0 ? arg.substr(5) : arg.rfind("no:", 0) == 0 ? arg.substr(3) : "";
  if (disabled == "livegui_pytest")
    return "it disables the livegui_pytest plugin, whose event stream names the running test when pytest dies or "
           "hangs and resumes the file after a crash. Use format = \"junit\" for a pytest run without the plugin";
  if (disabled == "junitxml")
    return "it disables pytest's JUnit writer, whose report (--junitxml, added by livegui-batch) gives each test's "
           "whole failure text; without it every run would be UNRESOLVED";
  return {};
}

std::vector<std::string> split_pytest_addopts(const std::string& text) {
  std::vector<std::string> words;
  std::string word;
  bool in_word = false;
  char quote = 0;
  for (std::size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (quote) {
      if (c == quote)
        quote = 0;
      else if (c == '\\' && quote == '"' && i + 1 < text.size())
        word += text[++i];
      else
        word += c;
    } else if (c == '\'' || c == '"') {
      quote = c;
      in_word = true;
    } else if (c == '\\' && i + 1 < text.size()) {
      word += text[++i];
      in_word = true;
    } else if (c == ' ' || c == '\t' || c == '\n') {
      if (in_word) words.push_back(std::exchange(word, {}));
      in_word = false;
    } else {
      word += c;
      in_word = true;
    }
  }
  if (in_word) words.push_back(word);
  return words;
}

}  // namespace livegui::batch
