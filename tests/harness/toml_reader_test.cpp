#include "harness/toml_reader.hpp"

#include <gtest/gtest.h>
#include <toml++/toml.h>

namespace livegui {
namespace {

using namespace std::chrono_literals;

toml::table parse(const std::string& text) { return toml::parse(std::string_view(text), std::string_view("f.toml")); }

template <typename F>
std::string error_of(F&& f) {
  try {
    f();
  } catch (const TomlFieldError& e) {
    return e.what();
  }
  return "(no error)";
}

TEST(TomlReader, ErrorsNameFileLineColumnAndTheFieldsPath) {
  toml::table t = parse("a = 1\nlist = [\"x\", 2]\nmap = { k = true }\n");
  TomlReader r(t, "tiers[0]", "f.toml");
  EXPECT_EQ(error_of([&] { r.string("a"); }), "f.toml:1:5: tiers[0].a: must be a string, got an integer");
  EXPECT_EQ(error_of([&] { r.strings("list"); }), "f.toml:2:14: tiers[0].list[1]: must be a string, got an integer");
  EXPECT_EQ(error_of([&] { r.string_map("map"); }), "f.toml:3:13: tiers[0].map.k: must be a string, got a boolean");
  EXPECT_EQ(error_of([&] { r.integer("a", 2, 5); }), "f.toml:1:5: tiers[0].a: must be in 2..5, got 1");
  EXPECT_EQ(error_of([&] {
              r.refuse_unknown({"a", "lst", "map"});
            }),
            "f.toml:2:1: tiers[0].list: is not a known field (did you mean 'lst'?); known fields: a, lst, map");
  EXPECT_FALSE(r.string("absent").has_value());
}

TEST(TomlReader, DurationsAreStringsWithTheOldSpellingsOnlyWhereTheRuleAllowsThem) {
  toml::table t = parse("a = \"1.5s\"\nb = 90\nc_ms = 250\nd = \"soon\"\ne = \"0ms\"\n");
  TomlReader r(t, "", "f.toml");
  std::vector<TomlNote> notes;
  DurationRule strict;
  EXPECT_EQ(r.duration("a", strict, notes), 1500ms);
  EXPECT_EQ(error_of([&] { r.duration("b", strict, notes); }),
            "f.toml:2:5: b: must be a duration such as \"500ms\", \"1s\" or \"2min\", got an integer");
  EXPECT_FALSE(r.duration("c", strict, notes).has_value()) << "c_ms is not read without old_ms_field";
  EXPECT_EQ(error_of([&] { r.duration("d", strict, notes); }),
            "f.toml:4:5: d: is \"soon\"; expected a duration such as \"500ms\", \"1s\" or \"2min\"");
  EXPECT_EQ(error_of([&] { r.duration("e", strict, notes); }), "f.toml:5:5: e: is \"0ms\"; must be positive");
  EXPECT_TRUE(notes.empty());

  DurationRule old;
  old.old_bare_seconds = true;
  old.old_ms_field = true;
  old.min = 0ms;
  old.max = 1min;
  EXPECT_EQ(error_of([&] { r.duration("b", old, notes); }),
            "f.toml:2:5: b: is 90; must be 0ms or more and at most 1min, written as a duration such as \"500ms\", "
            "\"1s\" or \"2min\"");
  EXPECT_EQ(r.duration("c", old, notes), 250ms);
  toml::table t2 = parse("f = 30\n");
  EXPECT_EQ(TomlReader(t2, "x", "f.toml").duration("f", old, notes), 30s);
  ASSERT_EQ(notes.size(), 2u);
  EXPECT_EQ(notes[0].str(), "f.toml:3:8: 'c_ms' is deprecated and goes away in the next release: write c = \"250ms\"");
  EXPECT_EQ(notes[1].field, "x.f");
  EXPECT_EQ(notes[1].str(),
            "f.toml:1:5: a bare number of seconds is deprecated and goes away in the next release: write f = \"30s\"");
}

}  // namespace
}  // namespace livegui
