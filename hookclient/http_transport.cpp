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

void HttpTransport::arm() { abandoned_ = false; }

void HttpTransport::abandon() {
  abandoned_ = true;
  // httplib's one thread-safe way to end a request in flight: shut its socket
  // down (the blocked read returns at once); it never takes our mutex_.
  client_->stop();
}

HttpTransport::Attempt HttpTransport::attempt(const std::string& method, const std::string& path,
                                              const std::string& json_body, milliseconds read_bound) {
  Attempt a;
  auto start = Clock::now();
  const milliseconds connect_bound = std::min(options_.connect_timeout, read_bound);
  // Bound on the whole exchange: httplib's read timeout applies per recv(), so
  // a server sending one byte per (read_bound - ε) would otherwise never end.
  auto receive_deadline = start + connect_bound + options_.write_timeout + 2 * read_bound;
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
    client_->set_connection_timeout(connect_bound);
    client_->set_read_timeout(read_bound);
    client_->set_write_timeout(options_.write_timeout);
    if (abandoned_) {
      a.error = httplib::Error::Canceled;
    } else {
      a.ok = client_->send(req, res, a.error);
    }
  }
  a.took = Clock::now() - start;
  if (a.ok) {
    a.reply.status = res.status;
    a.reply.content_type = res.get_header_value("Content-Type");
    a.reply.protocol_header = res.get_header_value("X-Livegui-Protocol");
  }
  return a;
}

HttpReply HttpTransport::send(const std::string& method, const std::string& path, const std::string& json_body,
                              milliseconds read_bound) {
  Attempt a = attempt(method, path, json_body, read_bound);
  // A kept-alive connection the server closed while idle fails fast with a
  // read/write error although the server is fine: retry once on a fresh
  // connection, for idempotent requests only (a POST may already have acted).
  bool stale_connection = !a.ok && !a.too_large && !a.too_slow && !abandoned_ &&
                          (a.error == httplib::Error::Read || a.error == httplib::Error::Write) &&
                          a.took < read_bound / 2;
  if (stale_connection && method == "GET") {
    logger("hookclient")
        ->debug("{} {} to {}: {} after {}; retrying once on a new connection", method, path, endpoint_,
                httplib::to_string(a.error), human_duration(a.took));
    a = attempt(method, path, json_body, read_bound);
  }
  if (a.ok) return std::move(a.reply);

  const std::string doing = method + " " + path + " to " + endpoint_;
  if (a.too_large)
    throw HookBadResponse(doing + ": reply body exceeds the limit of " + std::to_string(options_.max_body_bytes) +
                          " bytes (HookClientOptions::max_body_bytes); this is not a hook-protocol reply");
  const auto waited = std::chrono::duration_cast<milliseconds>(a.took);
  const milliseconds connect_bound = std::min(options_.connect_timeout, read_bound);
  std::string why;
  auto reason = HookUnreachable::Reason::ConnectionFailed;
  if (abandoned_) {
    why = "abandoned after " + human_duration(a.took) + " (the AUT was found degraded meanwhile)";
  } else if (a.too_slow) {
    why = "reply still incomplete after " + human_duration(a.took) + " (the server sends its body too slowly)";
    reason = HookUnreachable::Reason::NoReply;
  } else if (a.error == httplib::Error::Read && a.took >= read_bound - milliseconds(5)) {
    why = "no reply within " + human_duration(read_bound);
    reason = HookUnreachable::Reason::NoReply;
  } else if (a.error == httplib::Error::ConnectionTimeout) {
    why = "connect timed out after " + human_duration(connect_bound);
    reason = HookUnreachable::Reason::NoReply;
  } else {
    why = describe_error(a.error);
  }
  throw HookUnreachable(doing + " failed: " + why + " (httplib error: " + httplib::to_string(a.error) +
                            "); the AUT is probably dead, or wedged so badly that its hook server no longer answers",
                        reason, waited);
}

}  // namespace livegui
