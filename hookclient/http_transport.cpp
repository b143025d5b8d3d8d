#include "hookclient/http_transport.hpp"

#include <httplib.h>

#include "common/log.hpp"
#include "common/text.hpp"

namespace livegui {
namespace {

using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;

std::string describe_error(httplib::Error e) {
  switch (e) {
    case httplib::Error::Connection: return "could not connect (connection refused or no route)";
    case httplib::Error::ConnectionTimeout: return "connect timed out";
    case httplib::Error::Read: return "connection closed or reset while reading the reply";
    case httplib::Error::Write: return "connection closed or reset while sending the request";
    default: return "request failed";
  }
}

}  // namespace

struct HttpTransport::Attempt {
  bool ok = false;
  HttpReply reply;
  httplib::Error error = httplib::Error::Success;
  bool too_large = false;
  bool too_slow = false;  ///< our total receive bound ran out
  Clock::duration took{};
};

HttpTransport::HttpTransport(const HookClientOptions& options)
    : options_(options),
      endpoint_(options.host + ":" + std::to_string(options.port)),
      client_(std::make_unique<httplib::Client>(options.host, options.port)) {
  client_->set_keep_alive(true);
  client_->set_tcp_nodelay(true);
  client_->set_follow_location(false);
}

HttpTransport::~HttpTransport() = default;

HttpTransport::Attempt HttpTransport::attempt(const std::string& method, const std::string& path,
                                              const std::string& json_body) {
  Attempt a;
  auto start = Clock::now();
  // Bound on the whole exchange: httplib's read timeout applies per recv(), so
  // a server sending one byte per (read_timeout - ε) would otherwise never end.
  auto receive_deadline = start + options_.connect_timeout + options_.write_timeout + 2 * options_.read_timeout;
  const std::size_t max_body = options_.max_body_bytes;

  httplib::Request req;
  req.method = method;
  req.path = path;
  req.set_header("Accept", "application/json");
  if (!options_.token.empty()) req.set_header("X-Livegui-Token", options_.token);
  if (method != "GET") {
    req.body = json_body.empty() ? std::string("{}") : json_body;
    req.set_header("Content-Type", "application/json");
  }
  req.response_handler = [&](const httplib::Response& res) {
    // Refuse a declared oversize body before reading any of it.
    if (res.has_header("Content-Length")) {
      auto len = res.get_header_value<std::uint64_t>("Content-Length");
      if (len > max_body) {
        a.too_large = true;
        return false;
      }
    }
    return true;
  };
  req.content_receiver = [&](const char* data, size_t n, uint64_t, uint64_t) {
    if (a.reply.body.size() + n > max_body) {
      a.too_large = true;
      return false;
    }
    if (Clock::now() > receive_deadline) {
      a.too_slow = true;
      return false;
    }
    a.reply.body.append(data, n);
    return true;
  };

  httplib::Response res;
  {
    std::lock_guard lock(mutex_);
    // Set on every call, so nothing ever runs on httplib's defaults.
    client_->set_connection_timeout(options_.connect_timeout);
    client_->set_read_timeout(options_.read_timeout);
    client_->set_write_timeout(options_.write_timeout);
    a.ok = client_->send(req, res, a.error);
  }
  a.took = Clock::now() - start;
  if (a.ok) {
    a.reply.status = res.status;
    a.reply.content_type = res.get_header_value("Content-Type");
    a.reply.protocol_header = res.get_header_value("X-Livegui-Protocol");
  }
  return a;
}

HttpReply HttpTransport::send(const std::string& method, const std::string& path, const std::string& json_body) {
  Attempt a = attempt(method, path, json_body);
  // A kept-alive connection the server closed while idle fails fast with a
  // read/write error although the server is fine: retry once on a fresh
  // connection, for idempotent requests only (a POST may already have acted).
  bool stale_connection = !a.ok && !a.too_large && !a.too_slow &&
                          (a.error == httplib::Error::Read || a.error == httplib::Error::Write) &&
                          a.took < options_.read_timeout / 2;
  if (stale_connection && method == "GET") {
    logger("hookclient")
        ->debug("{} {} to {}: {} after {}; retrying once on a new connection", method, path, endpoint_,
                httplib::to_string(a.error), human_duration(a.took));
    a = attempt(method, path, json_body);
  }
  if (a.ok) return std::move(a.reply);

  const std::string doing = method + " " + path + " to " + endpoint_;
  if (a.too_large)
    throw HookBadResponse(doing + ": reply body exceeds the limit of " + std::to_string(options_.max_body_bytes) +
                          " bytes (HookClientOptions::max_body_bytes); this is not a hook-protocol reply");
  std::string why;
  if (a.too_slow) {
    why = "reply still incomplete after " + human_duration(a.took) + " (the server sends its body too slowly)";
  } else if (a.error == httplib::Error::Read && a.took >= options_.read_timeout - milliseconds(5)) {
    why = "no reply within the read timeout of " + human_duration(options_.read_timeout);
  } else if (a.error == httplib::Error::ConnectionTimeout) {
    why = "connect timed out after " + human_duration(options_.connect_timeout);
  } else {
    why = describe_error(a.error);
  }
  throw HookUnreachable(doing + " failed: " + why + " (httplib error: " + httplib::to_string(a.error) +
                        "); the AUT is probably dead, or wedged so badly that its hook server no longer answers");
}

}  // namespace livegui
