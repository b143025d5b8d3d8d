// Fuzz target: the hook client's reply decoding (hookclient/response_parser.hpp):
// every input goes through parse_json_body, parse_health_body, parse_state_body,
// parse_value_body, parse_error_body and body_excerpt. Fine: a value, or
// HookBadResponse. A finding: any other exception (parse_error_body: any
// exception at all), a crash, a sanitizer report, a hang, a huge allocation,
// or a returned value that breaks what the header promises.

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "fuzz/fuzz_support.hpp"
#include "hookclient/response_parser.hpp"

namespace {

using livegui::fuzz::finding;

void check_health(const livegui::Health& h) {
  if (h.protocol_version != livegui::kHookClientProtocolVersion)
    finding("parse_health_body accepted protocol_version " + std::to_string(h.protocol_version));
  if (h.pid <= 0) finding("parse_health_body accepted pid " + std::to_string(h.pid));
  if (h.frame < 0) finding("parse_health_body accepted a negative frame");
  if (h.last_frame_age_ms < 0) finding("parse_health_body accepted a negative last_frame_age_ms");
}

/// "printable, single-line … at most max_chars characters of body … '...'
/// plus the total size when cut".
void check_excerpt(std::string_view body, std::size_t max_chars) {
  std::string e = livegui::body_excerpt(body, max_chars);
  for (char c : e)
    if (static_cast<unsigned char>(c) < 0x20 || static_cast<unsigned char>(c) >= 0x7f)
      finding("body_excerpt returned a non-printable byte");
  // An escape (\xNN) may start just below the limit; the cut adds "... (N bytes)".
  const std::size_t bound = max_chars + 3 + std::string("... (").size() + std::to_string(body.size()).size() +
                            std::string(" bytes)").size() + std::string("(empty body)").size();
  if (e.size() > bound)
    finding("body_excerpt(" + std::to_string(max_chars) + ") returned " + std::to_string(e.size()) + " characters");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view body(reinterpret_cast<const char*>(data), size);

  try {
    livegui::parse_json_body(body);
  } catch (const livegui::HookBadResponse&) {}
  try {
    check_health(livegui::parse_health_body(body));
  } catch (const livegui::HookBadResponse&) {}
  try {
    nlohmann::json state = livegui::parse_state_body(body);
    if (!state.is_object() || !state.contains("values") || !state["values"].is_object())
      finding("parse_state_body returned a state without a \"values\" object");
  } catch (const livegui::HookBadResponse&) {}
  try {
    livegui::parse_value_body(body);
  } catch (const livegui::HookBadResponse&) {}

  // Documented never to throw: no try here.
  livegui::ErrorReply err = livegui::parse_error_body(body);
  if (err.error.empty()) finding("parse_error_body returned an empty error");

  for (std::size_t max_chars : {0, 1, 60, 200}) check_excerpt(body, max_chars);
  return 0;
}
