#pragma once
// Pure decoding of hook-protocol reply bodies (docs/hook-protocol.md): no I/O,
// no state, so it can be unit-tested and fuzzed on its own. Every function
// either returns a validated value or throws HookBadResponse naming the field
// that is wrong; none of them crash on arbitrary bytes.

#include <cstddef>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "hookclient/hook_client.hpp"

namespace livegui {

/// The protocol major version this client speaks.
inline constexpr int kHookClientProtocolVersion = 1;

/// Parses `body` as JSON. Throws HookBadResponse ("not JSON: …; body starts
/// with: …") on syntax errors, including empty bodies.
nlohmann::json parse_json_body(std::string_view body);

/// Decodes a GET /health body. Throws HookBadResponse when a field is missing
/// or mistyped, and when protocol_version is not kHookClientProtocolVersion (the
/// message names both versions). Unknown fields are ignored.
Health parse_health_body(std::string_view body);

/// Decodes a GET /state body: a JSON object with a "values" object.
nlohmann::json parse_state_body(std::string_view body);

/// Decodes a GET /value body and returns its "value" (any JSON).
nlohmann::json parse_value_body(std::string_view body);

/// The `{"error": …, "degraded": …}` body of a non-2xx reply. Never throws:
/// a body that does not follow the protocol yields its printable excerpt as
/// `error` and `well_formed = false`.
struct ErrorReply {
  std::string error;
  bool degraded = false;
  bool well_formed = false;
};
ErrorReply parse_error_body(std::string_view body);

/// A printable, single-line excerpt of at most `max_chars` characters of
/// `body` for error messages (control and non-ASCII bytes escaped as \xNN,
/// "..." plus the total size when cut).
std::string body_excerpt(std::string_view body, std::size_t max_chars = 200);

}  // namespace livegui
