#include "hookclient/response_parser.hpp"

#include <random>

#include <gtest/gtest.h>

namespace livegui {
namespace {

using nlohmann::json;

const std::string kHealth =
    R"({"protocol_version":1,"app":"sample_app","status":"ok","pid":4121,"frame":5312,"last_frame_age_ms":12,"reasons":[],"extra":{"ignored":true}})";

TEST(ResponseParser, DecodesHealthAndIgnoresUnknownFields) {
  Health h = parse_health_body(kHealth);
  EXPECT_EQ(h.app, "sample_app");
  EXPECT_TRUE(h.ok);
  EXPECT_EQ(h.pid, 4121);
  EXPECT_EQ(h.frame, 5312);
  EXPECT_EQ(h.last_frame_age_ms, 12);
}

TEST(ResponseParser, BusyIsOptionalAndNeverNegative) {
  EXPECT_EQ(parse_health_body(kHealth).busy_ms, 0) << "absent: not busy";
  json j = json::parse(kHealth);
  j["busy_ms"] = 1250;
  EXPECT_EQ(parse_health_body(j.dump()).busy_ms, 1250);
  j["busy_ms"] = -1;
  EXPECT_THROW(parse_health_body(j.dump()), HookBadResponse);
  j["busy_ms"] = "soon";
  EXPECT_THROW(parse_health_body(j.dump()), HookBadResponse);
}

TEST(ResponseParser, VersionMismatchNamesBothVersions) {
  json j = json::parse(kHealth);
  j["protocol_version"] = 3;
  j.erase("frame");  // the version is reported even when the rest differs
  try {
    parse_health_body(j.dump());
    FAIL();
  } catch (const HookBadResponse& e) {
    EXPECT_NE(std::string(e.what()).find("protocol version 3, this client speaks version 1"), std::string::npos)
        << e.what();
  }
}

TEST(ResponseParser, ErrorBodiesNeverThrow) {
  ErrorReply e = parse_error_body(R"({"error":"no such widget","degraded":false})");
  EXPECT_TRUE(e.well_formed);
  EXPECT_EQ(e.error, "no such widget");
  EXPECT_FALSE(e.degraded);
  e = parse_error_body(R"({"error":"stalled","degraded":true})");
  EXPECT_TRUE(e.degraded);
  e = parse_error_body("<html>502 Bad Gateway</html>");
  EXPECT_FALSE(e.well_formed);
  EXPECT_EQ(e.error, "<html>502 Bad Gateway</html>");
  e = parse_error_body("");
  EXPECT_EQ(e.error, "(empty body)");
}

TEST(ResponseParser, ExcerptsArePrintableAndBounded) {
  EXPECT_EQ(body_excerpt(std::string("a\0b\n", 4)), "a\\x00b\\n");
  EXPECT_EQ(body_excerpt(std::string(500, 'x'), 10), "xxxxxxxxxx... (500 bytes)");
}

// Mutated and random inputs: every decoder returns or throws HookBadResponse;
// nothing else escapes, nothing crashes. (A real fuzzer can call the same
// functions; this is the deterministic smoke version.)
TEST(ResponseParser, ArbitraryBytesAreBadResponsesNotCrashes) {
  std::mt19937 rng(12345);
  const std::string seeds[] = {kHealth, R"({"frame":1,"values":{"a":1}})", R"({"id":"x","value":[1,2]})"};
  int accepted = 0;
  for (int i = 0; i < 5000; ++i) {
    std::string body = seeds[i % 3];
    int edits = 1 + static_cast<int>(rng() % 4);
    for (int k = 0; k < edits && !body.empty(); ++k) {
      std::size_t pos = rng() % body.size();
      switch (rng() % 3) {
        case 0: body[pos] = static_cast<char>(rng() % 256); break;
        case 1: body.erase(pos, 1 + rng() % 8); break;
        default: body.insert(pos, 1, "{}[]\":,0-e9tfn\\"[rng() % 15]); break;
      }
    }
    for (int which = 0; which < 3; ++which) {
      try {
        if (which == 0) parse_health_body(body);
        if (which == 1) parse_state_body(body);
        if (which == 2) parse_value_body(body);
        ++accepted;
      } catch (const HookBadResponse&) {}
    }
    (void)parse_error_body(body);
  }
  EXPECT_GT(accepted, 0) << "some mutations stay valid; the test must exercise the success path too";
}

}  // namespace
}  // namespace livegui
