#include "hookclient/response_parser.hpp"

#include <cstdio>

namespace livegui {
namespace {

using nlohmann::json;

[[noreturn]] void bad(const std::string& what) { throw HookBadResponse(what); }

const json& field(const json& obj, const char* name, const char* what) {
  auto it = obj.find(name);
  if (it == obj.end()) bad(std::string(what) + ": missing field \"" + name + "\"");
  return *it;
}

std::int64_t integer_field(const json& obj, const char* name, const char* what) {
  const json& v = field(obj, name, what);
  if (!v.is_number_integer())
    bad(std::string(what) + ": field \"" + name + "\" must be an integer, got " + v.type_name() + " " +
        body_excerpt(v.dump(), 60));
  if (v.is_number_unsigned() && v.get<std::uint64_t>() > static_cast<std::uint64_t>(INT64_MAX))
    bad(std::string(what) + ": field \"" + name + "\" is out of range: " + v.dump());
  return v.get<std::int64_t>();
}

std::string string_field(const json& obj, const char* name, const char* what) {
  const json& v = field(obj, name, what);
  if (!v.is_string())
    bad(std::string(what) + ": field \"" + name + "\" must be a string, got " + v.type_name() + " " +
        body_excerpt(v.dump(), 60));
  return v.get<std::string>();
}

json object_body(std::string_view body, const char* what) {
  json j = parse_json_body(body);
  if (!j.is_object())
    bad(std::string(what) + ": expected a JSON object, got " + j.type_name() + ": " + body_excerpt(body));
  return j;
}

}  // namespace

std::string body_excerpt(std::string_view body, std::size_t max_chars) {
  std::string out;
  std::size_t i = 0;
  for (; i < body.size() && out.size() < max_chars; ++i) {
    auto c = static_cast<unsigned char>(body[i]);
    if (c >= 0x20 && c < 0x7f) {
      out += static_cast<char>(c);
    } else if (c == '\n') {
      out += "\\n";
    } else {
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\x%02x", c);
      out += buf;
    }
  }
  if (i < body.size()) out += "... (" + std::to_string(body.size()) + " bytes)";
  if (body.empty()) out = "(empty body)";
  return out;
}

json parse_json_body(std::string_view body) {
  if (body.empty()) bad("not JSON: empty body");
  // allow_exceptions=false: a parse failure yields a "discarded" value instead
  // of an exception carrying nlohmann's message, which we replace with ours.
  json j = json::parse(body.begin(), body.end(), nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded()) bad("not JSON; body starts with: " + body_excerpt(body));
  return j;
}

Health parse_health_body(std::string_view body) {
  static constexpr const char* kWhat = "health reply";
  json j = object_body(body, kWhat);
  Health h;
  // The version first: a server of another major version may legitimately
  // differ in every other field, and the version mismatch is the real news.
  std::int64_t version = integer_field(j, "protocol_version", kWhat);
  if (version != kHookClientProtocolVersion)
    bad("the hook server speaks protocol version " + std::to_string(version) + ", this client speaks version " +
        std::to_string(kHookClientProtocolVersion) + "; refusing to talk to it (update the client or the app)");
  h.protocol_version = static_cast<int>(version);
  h.app = string_field(j, "app", kWhat);
  std::string status = string_field(j, "status", kWhat);
  if (status != "ok" && status != "degraded")
    bad(std::string(kWhat) + ": field \"status\" must be \"ok\" or \"degraded\", got \"" + body_excerpt(status, 60) +
        "\"");
  h.ok = status == "ok";
  std::int64_t pid = integer_field(j, "pid", kWhat);
  if (pid <= 0 || pid > INT32_MAX)
    bad(std::string(kWhat) + ": field \"pid\" is not a process id: " + std::to_string(pid));
  h.pid = static_cast<pid_t>(pid);
  h.frame = integer_field(j, "frame", kWhat);
  if (h.frame < 0) bad(std::string(kWhat) + ": field \"frame\" is negative: " + std::to_string(h.frame));
  h.last_frame_age_ms = integer_field(j, "last_frame_age_ms", kWhat);
  if (h.last_frame_age_ms < 0)
    bad(std::string(kWhat) + ": field \"last_frame_age_ms\" is negative: " + std::to_string(h.last_frame_age_ms));
  // busy_ms came after version 1's first servers: optional, 0 when absent.
  if (j.contains("busy_ms")) {
    h.busy_ms = integer_field(j, "busy_ms", kWhat);
    if (h.busy_ms < 0) bad(std::string(kWhat) + ": field \"busy_ms\" is negative: " + std::to_string(h.busy_ms));
  }
  const json& reasons = field(j, "reasons", kWhat);
  if (!reasons.is_array())
    bad(std::string(kWhat) + ": field \"reasons\" must be an array of strings, got " + reasons.type_name());
  for (const json& r : reasons) {
    if (!r.is_string())
      bad(std::string(kWhat) + ": field \"reasons\" must hold strings, got " + r.type_name() + " " +
          body_excerpt(r.dump(), 60));
    h.reasons.push_back(r.get<std::string>());
  }
  return h;
}

json parse_state_body(std::string_view body) {
  static constexpr const char* kWhat = "state reply";
  json j = object_body(body, kWhat);
  const json& values = field(j, "values", kWhat);
  if (!values.is_object()) bad(std::string(kWhat) + ": field \"values\" must be an object, got " + values.type_name());
  return j;
}

json parse_value_body(std::string_view body) {
  json j = object_body(body, "value reply");
  return field(j, "value", "value reply");
}

ErrorReply parse_error_body(std::string_view body) {
  ErrorReply out;
  json j = json::parse(body.begin(), body.end(), nullptr, /*allow_exceptions=*/false);
  if (j.is_object()) {
    auto err = j.find("error");
    auto deg = j.find("degraded");
    if (err != j.end() && err->is_string()) {
      out.error = err->get<std::string>();
      out.well_formed = deg == j.end() || deg->is_boolean();
    }
    if (deg != j.end() && deg->is_boolean()) out.degraded = deg->get<bool>();
  }
  if (out.error.empty()) out.error = body_excerpt(body);
  return out;
}

}  // namespace livegui
